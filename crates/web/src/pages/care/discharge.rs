//! Discharge, and the message back to the GP it writes.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::referral::GpMessageKind;
use serde::Deserialize;
use services::Actor;
use services::ServiceError;
use services::care::referrals::{self};
use services::care::{discharge, lookup};

use super::referral::referral_page;
use crate::AppState;
use crate::error::PageError;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, date_time, render};
use crate::viewer::CurrentActor;

#[derive(Template)]
#[template(path = "care/discharge.html")]
struct DischargePage {
    l: Layout,
    errors: Errors,
    id: i32,
    version: i32,
    person_name: String,
    reasons: Vec<(&'static str, &'static str)>,
    reason: String,
    summary: String,
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page is drawn from everything the form holds"
)]
async fn discharge_page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    id: i32,
    status: StatusCode,
    errors: Errors,
    reason: String,
    summary: String,
) -> Response {
    let r = match referrals::get(&state.svc, a, &v.meta, id).await {
        // Only its team discharges a referral; others who may read it get no form.
        Ok(r) if r.can_work() => r,
        Ok(_) => return PageError::new(ServiceError::NotFound("referral"), v).into_response(),
        Err(e) => return PageError::new(e, v).into_response(),
    };
    let name = lookup::person(&state.svc, &r)
        .await
        .map(|p| format!("{} {}", p.given_name, p.family_name))
        .unwrap_or_default();
    render(
        status,
        &DischargePage {
            l: Layout::for_viewer(format!("Discharge {name}"), v, "/caseload").with_errors(&errors),
            errors,
            id,
            version: r.version,
            person_name: name,
            reasons: discharge::DISCHARGE_REASONS.to_vec(),
            reason,
            summary,
        },
    )
}

pub async fn discharge_form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    discharge_page(
        &state,
        &v,
        a,
        id,
        StatusCode::OK,
        Errors::default(),
        String::new(),
        String::new(),
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct DischargeForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    version: String,
}

pub async fn discharge(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<DischargeForm>,
) -> Response {
    match discharge::discharge(
        &state.svc,
        a,
        &v.meta,
        id,
        f.version.parse().unwrap_or(0),
        &f.reason,
        &f.summary,
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/referrals/{id}/message?saved=discharged")).into_response(),
        Err(ServiceError::Invalid(list)) => {
            discharge_page(
                &state,
                &v,
                a,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                f.reason,
                f.summary,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            referral_page(
                &state,
                &v,
                a,
                id,
                StatusCode::CONFLICT,
                Errors::one("version", m),
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub struct MessageView {
    pub heading: &'static str,
    pub code: String,
    pub display: String,
    pub lines: Vec<String>,
    /// Where it was e-mailed, or why it was not.
    pub delivery: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "care/message.html")]
struct MessagePage {
    l: Layout,
    id: i32,
    messages: Vec<MessageView>,
}

/// The messages to the GP and referrer about a referral, first contact first.
pub async fn message(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    let found = async {
        let r = referrals::get(&state.svc, a, &v.meta, id).await?;
        let list = discharge::messages_for(&state.svc, &r).await?;
        if list.is_empty() {
            return Err(ServiceError::NotFound("message"));
        }
        Ok(list)
    }
    .await;
    match found {
        Ok(list) => render(
            StatusCode::OK,
            &MessagePage {
                l: Layout::for_viewer("Messages to the GP and referrer", &v, "/caseload"),
                id,
                messages: list
                    .into_iter()
                    .map(|m| MessageView {
                        heading: if m.kind == GpMessageKind::FirstContact.as_str() {
                            "At first contact"
                        } else {
                            "When the referral closed"
                        },
                        code: m.snomed_code.clone(),
                        display: m.snomed_display.clone(),
                        lines: m.body.lines().map(str::to_owned).collect(),
                        delivery: match (m.sent_to, m.not_sent_reason) {
                            (Some(to), _) => format!("Queued by e-mail to {to}."),
                            (None, Some(why)) => format!("{why}. Print this page to send it."),
                            (None, None) => "Not e-mailed. Print this page to send it.".into(),
                        },
                        created: date_time(&m.created_at),
                    })
                    .collect(),
            },
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
