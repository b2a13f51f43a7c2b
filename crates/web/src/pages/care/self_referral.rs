//! The public self-referral form: the questions, a page to check the answers (each with a way
//! to change it), and the confirmation with the reference.

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
    /// On the "check your answers" page: each answer's question, answer and field.
    answers: Vec<(&'static str, String, &'static str)>,
    /// The field to move to when the form opens again to change an answer.
    focus: String,
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
    /// "yes" when sent from the "check your answers" page.
    #[serde(default)]
    pub confirm: String,
    /// The answer to change, from the "check your answers" page.
    #[serde(default)]
    pub change: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Questions,
    Check,
    Sent,
}

async fn self_referral_page(
    state: &AppState,
    v: &Viewer,
    status: StatusCode,
    errors: Errors,
    f: SelfReferralForm,
    reference: String,
) -> Response {
    let step = if reference.is_empty() {
        Step::Questions
    } else {
        Step::Sent
    };
    page(state, v, status, errors, f, reference, step).await
}

async fn page(
    state: &AppState,
    v: &Viewer,
    status: StatusCode,
    errors: Errors,
    f: SelfReferralForm,
    reference: String,
    step: Step,
) -> Response {
    let title = match step {
        Step::Questions => "Refer yourself for personalised care",
        Step::Check => "Check your answers before sending your referral",
        Step::Sent => "Your referral has been sent",
    };
    let practices = org_choices(state, "practice").await;
    let preferences = people::contact_preferences();
    let answers = if step == Step::Check {
        let practice = practices
            .iter()
            .find(|p| p.0 == f.practice_id)
            .map(|p| p.1.clone())
            .unwrap_or_default();
        let contact = preferences
            .iter()
            .find(|p| p.0 == f.preferred_contact)
            .map(|p| p.1.to_owned())
            .unwrap_or_default();
        let service = CareService::parse(&f.service)
            .map(|s| s.label().to_owned())
            .unwrap_or_default();
        let born = services::care::people::parse_date(&f.date_of_birth)
            .map(domain::dates::long)
            .unwrap_or_else(|| f.date_of_birth.clone());
        let or_none = |s: &str| {
            if s.trim().is_empty() {
                "Not given".to_owned()
            } else {
                s.trim().to_owned()
            }
        };
        vec![
            (
                "Name",
                format!("{} {}", f.given_name.trim(), f.family_name.trim()),
                "given_name",
            ),
            ("Date of birth", born, "date_of_birth"),
            ("NHS number", or_none(&f.nhs_number), "nhs_number"),
            ("GP practice", practice, "practice_id"),
            ("How we contact you", contact, "preferred_contact"),
            ("Phone number", or_none(&f.phone), "phone"),
            ("Email address", or_none(&f.email), "email"),
            ("Support you would like", service, "service"),
            (
                "What you would like help with",
                f.reason.trim().to_owned(),
                "reason",
            ),
        ]
    } else {
        vec![]
    };
    let focus = match f.change.as_str() {
        "" => String::new(),
        // The date input's first box, the service's first choice; any other field by its id.
        "date_of_birth" => "date_of_birth-day".into(),
        c if answers_fields().contains(&c) => c.to_owned(),
        _ => String::new(),
    };
    render(
        status,
        &SelfReferralPage {
            l: Layout::for_viewer(title, v, "/self-referral").with_errors(&errors),
            errors,
            f,
            practices,
            preferences,
            services: CareService::ALL
                .iter()
                .map(|s| (s.as_str(), s.label(), what_it_is(*s)))
                .collect(),
            reference,
            answers,
            focus,
        },
    )
}

impl SelfReferralForm {
    /// The answers the "check your answers" page carries to the sending.
    pub fn carried(&self) -> [(&'static str, &str); 10] {
        [
            ("given_name", &self.given_name),
            ("family_name", &self.family_name),
            ("date_of_birth", &self.date_of_birth),
            ("nhs_number", &self.nhs_number),
            ("phone", &self.phone),
            ("email", &self.email),
            ("preferred_contact", &self.preferred_contact),
            ("practice_id", &self.practice_id),
            ("service", &self.service),
            ("reason", &self.reason),
        ]
    }
}

/// The fields an answer can be changed in.
fn answers_fields() -> [&'static str; 9] {
    [
        "given_name",
        "date_of_birth",
        "nhs_number",
        "practice_id",
        "preferred_contact",
        "phone",
        "email",
        "service",
        "reason",
    ]
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
    Form(mut f): Form<SelfReferralForm>,
) -> Response {
    // Back to the questions, to change one answer.
    if !f.change.is_empty() {
        return page(
            &state,
            &v,
            StatusCode::OK,
            Errors::default(),
            f,
            String::new(),
            Step::Questions,
        )
        .await;
    }
    let confirmed = f.confirm == "yes";
    f.confirm.clear();
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
    // First the answers are checked and shown back; only from that page are they sent.
    if !confirmed && input.trap.as_deref().is_none_or(|t| t.trim().is_empty()) {
        return match referrals::check_self_referral(&state.svc, &input).await {
            Ok(()) => {
                page(
                    &state,
                    &v,
                    StatusCode::OK,
                    Errors::default(),
                    f,
                    String::new(),
                    Step::Check,
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
            Err(e) => PageError::new(e, &v).into_response(),
        };
    }
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
