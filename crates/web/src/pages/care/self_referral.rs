//! The public self-referral form.

use crate::forms::Form;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::referral::CareService;
use serde::Deserialize;
use services::ServiceError;
use services::care::people::{self, PersonInput};
use services::care::referrals::{self, SelfReferralInput, SelfReferralOutcome};

use super::new_referral::org_choices;
use crate::AppState;
use crate::error::PageError;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, render};

#[derive(Template)]
#[template(path = "care/self_referral.html")]
struct SelfReferralPage {
    l: Layout,
    errors: Errors,
    f: SelfReferralForm,
    practices: Vec<(String, String)>,
    preferences: Vec<(&'static str, &'static str)>,
    /// Each service: its code, its name and what it is, in words for the public.
    services: Vec<(&'static str, &'static str, &'static str)>,
    reference: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct SelfReferralForm {
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub date_of_birth: String,
    #[serde(default)]
    pub nhs_number: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub preferred_contact: String,
    #[serde(default)]
    pub practice_id: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub reason: String,
    pub consent_to_contact: Option<String>,
    /// Hidden from people; filled in only by automated scripts.
    #[serde(default)]
    pub website: String,
}

async fn self_referral_page(
    state: &AppState,
    v: &Viewer,
    status: StatusCode,
    errors: Errors,
    f: SelfReferralForm,
    reference: String,
) -> Response {
    let title = if reference.is_empty() {
        "Refer yourself for personalised care"
    } else {
        "Your referral has been sent"
    };
    render(
        status,
        &SelfReferralPage {
            l: Layout::for_viewer(title, v, "/self-referral").with_errors(&errors),
            errors,
            f,
            practices: org_choices(state, "practice").await,
            preferences: people::contact_preferences(),
            services: CareService::ALL
                .iter()
                .map(|s| (s.as_str(), s.label(), what_it_is(*s)))
                .collect(),
            reference,
        },
    )
}

/// What each service is, for someone choosing one for themselves.
fn what_it_is(s: CareService) -> &'static str {
    match s {
        CareService::SocialPrescribing => {
            "A link worker helps you find local groups and services for things like feeling lonely, money or housing worries, or getting more active"
        }
        CareService::HealthAndWellbeingCoaching => {
            "A coach helps you set your own health goals and build the confidence to reach them, for example with a long-term condition"
        }
        CareService::CareCoordination => {
            "A care coordinator helps you organise your care and support when you have several health needs or see many services"
        }
    }
}

pub async fn self_referral_form(State(state): State<AppState>, v: Viewer) -> Response {
    // Nothing is chosen for the person but how we first contact them.
    let f = SelfReferralForm {
        preferred_contact: "phone".into(),
        ..Default::default()
    };
    self_referral_page(
        &state,
        &v,
        StatusCode::OK,
        Errors::default(),
        f,
        String::new(),
    )
    .await
}

pub async fn self_referral(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<SelfReferralForm>,
) -> Response {
    let input = SelfReferralInput {
        person: PersonInput {
            nhs_number: Some(f.nhs_number.clone()),
            given_name: Some(f.given_name.clone()),
            family_name: Some(f.family_name.clone()),
            date_of_birth: Some(f.date_of_birth.clone()),
            email: Some(f.email.clone()),
            phone: Some(f.phone.clone()),
            preferred_contact: Some(f.preferred_contact.clone()),
            practice_id: f.practice_id.parse().ok(),
            ..Default::default()
        },
        service: Some(f.service.clone()),
        reason: Some(f.reason.clone()),
        consent_to_contact: f.consent_to_contact.is_some(),
        trap: Some(f.website.clone()),
    };
    match referrals::self_refer(&state.svc, &v.meta, input).await {
        Ok(SelfReferralOutcome::Received { reference }) => {
            self_referral_page(
                &state,
                &v,
                StatusCode::CREATED,
                Errors::default(),
                SelfReferralForm::default(),
                reference,
            )
            .await
        }
        // Automated submissions get the same page, with a reference that leads nowhere.
        Ok(SelfReferralOutcome::Discarded) => {
            self_referral_page(
                &state,
                &v,
                StatusCode::CREATED,
                Errors::default(),
                SelfReferralForm::default(),
                "SR-000000".into(),
            )
            .await
        }
        Err(ServiceError::Invalid(list)) => {
            self_referral_page(
                &state,
                &v,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                f,
                String::new(),
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            self_referral_page(
                &state,
                &v,
                StatusCode::TOO_MANY_REQUESTS,
                Errors::one("given_name", m),
                f,
                String::new(),
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
