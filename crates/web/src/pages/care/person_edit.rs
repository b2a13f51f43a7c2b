//! Editing a person's details, and recording their consent to share.

use crate::forms::Form;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use services::Actor;
use services::ServiceError;
use services::care::people::{self, ConsentInput, PersonInput};
use std::collections::HashMap;

use crate::AppState;
use crate::error::PageError;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, render};
use crate::viewer::CurrentActor;

type Raw = HashMap<String, String>;

pub struct Input {
    pub id: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub error: String,
    pub multiline: bool,
}

const FIELDS: [(&str, &str, &str, bool); 14] = [
    ("given_name", "First name", "", false),
    ("family_name", "Last name", "", false),
    (
        "nhs_number",
        "NHS number",
        "10 digits, like 943 476 5919",
        false,
    ),
    (
        "date_of_birth",
        "Date of birth",
        "For example, 27 3 1958",
        false,
    ),
    ("phone", "Phone number", "", false),
    ("email", "Email address", "", false),
    ("address", "Address", "", true),
    ("postcode", "Postcode", "", false),
    (
        "reasonable_adjustments",
        "Reasonable adjustments",
        "For example, step-free access; appointments in the morning",
        true,
    ),
    (
        "communication_needs",
        "Communication needs",
        "For example, British Sign Language interpreter; large print",
        true,
    ),
    (
        "representative_name",
        "Carer or legitimate representative",
        "",
        false,
    ),
    (
        "representative_relationship",
        "Their relationship to the person",
        "",
        false,
    ),
    ("representative_contact", "How to contact them", "", false),
    ("preferred_contact", "", "", false),
];

#[derive(Template)]
#[template(path = "care/person_edit.html")]
struct EditPage {
    l: Layout,
    errors: Errors,
    person_id: i32,
    name: String,
    version: String,
    inputs: Vec<Input>,
    preferred_contact: String,
    preferences: Vec<(&'static str, &'static str)>,
    consents: Vec<String>,
}

fn raw_of(p: &services::care::Person) -> Raw {
    let mut r = Raw::new();
    let mut put = |k: &str, v: Option<String>| {
        r.insert(k.to_owned(), v.unwrap_or_default());
    };
    put("given_name", Some(p.given_name.clone()));
    put("family_name", Some(p.family_name.clone()));
    put("nhs_number", p.nhs_number.clone());
    put("date_of_birth", p.date_of_birth.map(|d| d.to_string()));
    put("phone", p.phone.clone());
    put("email", p.email.clone());
    put("address", p.address.clone());
    put("postcode", p.postcode.clone());
    put("reasonable_adjustments", p.reasonable_adjustments.clone());
    put("communication_needs", p.communication_needs.clone());
    put("representative_name", p.representative_name.clone());
    put(
        "representative_relationship",
        p.representative_relationship.clone(),
    );
    put("representative_contact", p.representative_contact.clone());
    put(
        "preferred_contact",
        Some(p.preferred_contact.as_str().to_owned()),
    );
    put("version", Some(p.version.to_string()));
    r
}

async fn page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    id: i32,
    status: StatusCode,
    errors: Errors,
    typed: Option<Raw>,
) -> Response {
    let loaded = async {
        let p = people::get(&state.svc, a, &v.meta, id).await?;
        let consents = people::consents(&state.svc, &p).await?;
        Ok::<_, ServiceError>((p, consents))
    }
    .await;
    let (p, consents) = match loaded {
        Ok(x) => x,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    let mut raw = typed.unwrap_or_else(|| raw_of(&p));
    // After a conflict the form carries the current version, so saving again is deliberate.
    raw.insert("version".into(), p.version.to_string());
    let inputs = FIELDS
        .iter()
        .filter(|(k, ..)| *k != "preferred_contact")
        .map(|(k, label, hint, multiline)| Input {
            id: k,
            label,
            hint,
            value: raw.get(*k).cloned().unwrap_or_default(),
            error: errors.get(k).unwrap_or("").to_owned(),
            multiline: *multiline,
        })
        .collect();
    render(
        status,
        &EditPage {
            l: Layout::for_viewer(
                format!("Details: {} {}", p.given_name, p.family_name),
                v,
                "/caseload",
            )
            .with_errors(&errors),
            person_id: id,
            name: format!("{} {}", p.given_name, p.family_name),
            version: raw.get("version").cloned().unwrap_or_default(),
            inputs,
            preferred_contact: raw.get("preferred_contact").cloned().unwrap_or_default(),
            preferences: people::contact_preferences(),
            consents: consents
                .into_iter()
                .map(|c| {
                    format!(
                        "{} sharing with {} – recorded {}{}",
                        if c.given {
                            "Agrees to"
                        } else {
                            "Does not agree to"
                        },
                        c.share_with,
                        crate::view::date(&c.recorded_at),
                        c.note.map(|n| format!(": {n}")).unwrap_or_default()
                    )
                })
                .collect(),
            errors,
        },
    )
}

pub async fn form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    page(&state, &v, a, id, StatusCode::OK, Errors::default(), None).await
}

pub async fn save(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(raw): Form<Raw>,
) -> Response {
    let get = |k: &str| raw.get(k).cloned();
    let input = PersonInput {
        nhs_number: get("nhs_number"),
        given_name: get("given_name"),
        family_name: get("family_name"),
        date_of_birth: get("date_of_birth"),
        email: get("email"),
        phone: get("phone"),
        address: get("address"),
        postcode: get("postcode"),
        preferred_contact: get("preferred_contact"),
        practice_id: None,
        reasonable_adjustments: get("reasonable_adjustments"),
        communication_needs: get("communication_needs"),
        representative_name: get("representative_name"),
        representative_relationship: get("representative_relationship"),
        representative_contact: get("representative_contact"),
    };
    let version = raw.get("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    match people::update(&state.svc, a, &v.meta, id, version, input).await {
        Ok(_) => Redirect::to(&format!("/people/{id}?saved=details")).into_response(),
        Err(ServiceError::Invalid(list)) => {
            page(
                &state,
                &v,
                a,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                Some(raw),
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            page(
                &state,
                &v,
                a,
                id,
                StatusCode::CONFLICT,
                Errors::one("given_name", m),
                Some(raw),
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn record_consent(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(raw): Form<Raw>,
) -> Response {
    let input = ConsentInput {
        share_with: raw.get("share_with").cloned(),
        given: raw.get("given").and_then(|g| match g.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        }),
        note: raw.get("note").cloned(),
    };
    match people::record_consent(&state.svc, a, &v.meta, id, input).await {
        Ok(_) => Redirect::to(&format!("/people/{id}/edit?saved=consent")).into_response(),
        Err(ServiceError::Invalid(list)) => {
            page(
                &state,
                &v,
                a,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                None,
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
