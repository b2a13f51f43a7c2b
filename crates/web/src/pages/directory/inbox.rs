//! A community organisation's inbox of referrals to its services: accept or decline each, then
//! say whether the person came.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use services::ServiceError;
use services::directory::referrals::{self, Received, State as Step};
use services::paging::Paging;
use std::collections::HashMap;

use crate::AppState;
use crate::error::PageError;
use crate::forms::Form;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, Pager, render};
use crate::viewer::CurrentActor;

const PER_PAGE: u64 = 25;

/// The NHS.UK tag colour for a step.
pub fn tag(s: Step) -> &'static str {
    match s {
        Step::Sent => "nhsuk-tag--blue",
        Step::Accepted => "nhsuk-tag--green",
        Step::Declined => "nhsuk-tag--red",
        Step::Attended => "nhsuk-tag--green",
        Step::DidNotAttend => "nhsuk-tag--grey",
    }
}

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&domain::dates::UK)
        .format("%-d %B %Y, %-I:%M%P")
        .to_string()
}

#[derive(Template)]
#[template(path = "directory/inbox.html")]
struct InboxPage {
    l: Layout,
    rows: Vec<(i32, String, String, &'static str, &'static str, String)>,
    total: u64,
    pager: Pager,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    page: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Query(q): Query<PageQuery>,
) -> Response {
    let number = q.page.as_deref().and_then(|p| p.parse().ok()).unwrap_or(1);
    let paging = Paging::new(number, PER_PAGE).unwrap_or(Paging {
        page: 1,
        per_page: PER_PAGE,
    });
    let (rows, total) = match referrals::inbox(&state.svc, a, &v.meta, paging).await {
        Ok(x) => x,
        Err(e) => return PageError::new(e, &v).into_response(),
    };
    render(
        StatusCode::OK,
        &InboxPage {
            l: Layout::for_viewer("Referrals to your services", &v, "/inbox"),
            rows: rows
                .into_iter()
                .map(|(id, name, service, s, at)| (id, name, service, s.label(), tag(s), when(at)))
                .collect(),
            total,
            pager: Pager::new("/inbox", &[], paging.page, total.div_ceil(PER_PAGE).max(1)),
        },
    )
}

#[derive(Template)]
#[template(path = "directory/received.html")]
struct ReceivedPage {
    l: Layout,
    errors: Errors,
    r: Received,
    state_label: &'static str,
    state_tag: &'static str,
    sent_at: String,
    replied_at: String,
    outcome_at: String,
    can_reply: bool,
    can_record: bool,
    decision: String,
    decline_reason: String,
}

async fn page(
    state: &AppState,
    v: &Viewer,
    a: &services::Actor,
    id: i32,
    status: StatusCode,
    errors: Errors,
    typed: &HashMap<String, String>,
) -> Response {
    let r = match referrals::received(&state.svc, a, &v.meta, id).await {
        Ok(r) => r,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    let mut l = Layout::for_viewer(
        format!("Referral of {} to {}", r.name, r.service),
        v,
        "/inbox",
    );
    l = l.with_errors(&errors);
    render(
        status,
        &ReceivedPage {
            l,
            errors,
            state_label: r.state.label(),
            state_tag: tag(r.state),
            sent_at: when(r.sent_at),
            replied_at: r.replied_at.map(when).unwrap_or_default(),
            outcome_at: r.outcome_at.map(when).unwrap_or_default(),
            can_reply: r.state == Step::Sent,
            can_record: r.state == Step::Accepted,
            decision: typed.get("decision").cloned().unwrap_or_default(),
            decline_reason: typed.get("decline_reason").cloned().unwrap_or_default(),
            r,
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    page(
        &state,
        &v,
        a,
        id,
        StatusCode::OK,
        Errors(Vec::new()),
        &HashMap::new(),
    )
    .await
}

pub async fn reply(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let decision = f.get("decision").map(String::as_str).unwrap_or("");
    let result = match decision {
        "accept" | "decline" => {
            referrals::reply(
                &state.svc,
                a,
                &v.meta,
                id,
                decision == "accept",
                f.get("decline_reason").map(String::as_str).unwrap_or(""),
            )
            .await
        }
        _ => Err(ServiceError::invalid(
            "decision",
            "Choose whether the service can take them",
        )),
    };
    after(
        &state,
        &v,
        a,
        id,
        result,
        &f,
        if decision == "accept" {
            "accepted-referral"
        } else {
            "declined-referral"
        },
    )
    .await
}

pub async fn outcome(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let result = match f.get("attended").map(String::as_str) {
        Some("yes") => referrals::outcome(&state.svc, a, &v.meta, id, true).await,
        Some("no") => referrals::outcome(&state.svc, a, &v.meta, id, false).await,
        _ => Err(ServiceError::invalid(
            "attended",
            "Choose whether they came",
        )),
    };
    after(&state, &v, a, id, result, &f, "attendance").await
}

async fn after(
    state: &AppState,
    v: &Viewer,
    a: &services::Actor,
    id: i32,
    result: Result<(), ServiceError>,
    f: &HashMap<String, String>,
    saved: &str,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/inbox/{id}?saved={saved}")).into_response(),
        Err(ServiceError::Invalid(list)) => {
            page(
                state,
                v,
                a,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                f,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            page(
                state,
                v,
                a,
                id,
                StatusCode::CONFLICT,
                Errors::one("decision", m),
                f,
            )
            .await
        }
        Err(e) => PageError::new(e, v).into_response(),
    }
}
