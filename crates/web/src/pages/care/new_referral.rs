//! Referring someone: the staff referral form.

use crate::forms::Form;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::referral::{CareService, ReferralMethod};
use serde::Deserialize;
use services::Actor;
use services::care::lookup;
use services::care::people::{self, PersonInput};
use services::care::referrals::{self, ReferralInput};
use services::{FieldError, ServiceError};

use super::caseload::choices;
use super::nhs;
use crate::AppState;
use crate::error::PageError;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, render};
use crate::viewer::CurrentActor;

#[derive(Template)]
#[template(path = "care/referral_new.html")]
struct NewReferralPage {
    l: Layout,
    errors: Errors,
    f: ReferralForm,
    existing: Option<(i32, String)>,
    services: Vec<(&'static str, &'static str)>,
    methods: Vec<(&'static str, &'static str)>,
    teams: Vec<(String, String)>,
    practices: Vec<(String, String)>,
    preferences: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize, Default, Clone)]
pub struct ReferralForm {
    #[serde(default)]
    pub person_id: String,
    #[serde(default)]
    pub nhs_number: String,
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub date_of_birth: String,
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
    pub team_org_id: String,
    #[serde(default)]
    pub referrer_name: String,
    #[serde(default)]
    pub referrer_organisation: String,
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub urgency: String,
}

pub(super) async fn org_choices(state: &AppState, kind: &str) -> Vec<(String, String)> {
    choices(lookup::active_of_kind(&state.svc, kind).await)
}

async fn new_referral_page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    status: StatusCode,
    errors: Errors,
    f: ReferralForm,
) -> Response {
    let existing = match f.person_id.parse::<i32>() {
        Ok(id) => match people::get(&state.svc, a, &v.meta, id).await {
            Ok(p) => Some((
                p.id,
                format!(
                    "{} {} (NHS number {})",
                    p.given_name,
                    p.family_name,
                    nhs(&p.nhs_number)
                ),
            )),
            Err(e) => return PageError::new(e, v).into_response(),
        },
        Err(_) => None,
    };
    render(
        status,
        &NewReferralPage {
            l: Layout::for_viewer("Make a referral", v, "/caseload").with_errors(&errors),
            errors,
            f,
            existing,
            services: CareService::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            methods: ReferralMethod::ALL
                .iter()
                .filter(|m| **m != ReferralMethod::SelfReferral)
                .map(|m| (m.as_str(), m.label()))
                .collect(),
            teams: org_choices(state, "pcn").await,
            practices: org_choices(state, "practice").await,
            preferences: people::contact_preferences(),
        },
    )
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    person_id: Option<i32>,
}

pub async fn new_referral_form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Query(q): Query<NewQuery>,
) -> Response {
    let team = a
        .grants
        .iter()
        .find(|g| g.organisation_kind == domain::OrgKind::Pcn)
        .map(|g| g.organisation_id.to_string())
        .unwrap_or_default();
    let f = ReferralForm {
        person_id: q.person_id.map(|i| i.to_string()).unwrap_or_default(),
        referrer_name: a.display_name.clone(),
        referrer_organisation: a
            .grants
            .first()
            .map(|g| g.organisation_name.clone())
            .unwrap_or_default(),
        service: "social_prescribing".into(),
        urgency: "routine".into(),
        preferred_contact: "phone".into(),
        team_org_id: team,
        ..Default::default()
    };
    new_referral_page(&state, &v, a, StatusCode::OK, Errors::default(), f).await
}

pub(super) fn person_input(f: &ReferralForm) -> PersonInput {
    PersonInput {
        nhs_number: Some(f.nhs_number.clone()),
        given_name: Some(f.given_name.clone()),
        family_name: Some(f.family_name.clone()),
        date_of_birth: Some(f.date_of_birth.clone()),
        email: Some(f.email.clone()),
        phone: Some(f.phone.clone()),
        preferred_contact: Some(f.preferred_contact.clone()),
        practice_id: f.practice_id.parse().ok(),
        ..Default::default()
    }
}

pub async fn create_referral(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Form(f): Form<ReferralForm>,
) -> Response {
    let person_id = f.person_id.parse().ok();
    let input = ReferralInput {
        person_id,
        person: person_id.is_none().then(|| person_input(&f)),
        service: Some(f.service.clone()),
        team_org_id: f.team_org_id.parse().ok(),
        referred_on: None,
        referrer_name: Some(f.referrer_name.clone()),
        referrer_organisation: Some(f.referrer_organisation.clone()),
        method: Some(f.method.clone()),
        reason: Some(f.reason.clone()),
        urgency: Some(f.urgency.clone()),
    };
    match referrals::create(&state.svc, a, &v.meta, input).await {
        Ok(r) => Redirect::to(&format!("/referrals/{}?saved=created", r.id)).into_response(),
        Err(ServiceError::Invalid(list)) => {
            // Person fields are named "person.x" by the use case; the form names them "x".
            let list = list
                .into_iter()
                .map(|e| FieldError::new(e.field.trim_start_matches("person."), e.message))
                .collect();
            new_referral_page(
                &state,
                &v,
                a,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                f,
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
