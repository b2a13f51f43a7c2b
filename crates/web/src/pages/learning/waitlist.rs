//! Waiting lists: joining one from a full event's page, and the page its e-mailed link opens,
//! where someone sees where they stand, takes a place offered to them, or leaves the list.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use services::ServiceError;
use services::learning::waitlist::{self, Joiner, Standing};
use std::collections::HashMap;

use super::catalogue::{event_form_answer, mode_of};
use super::when;
use crate::AppState;
use crate::error::PageError;
use crate::forms::Form;
use crate::view::{Errors, Layout, render};
use crate::viewer::Viewer;

/// Joins the waiting list of a full event: with one's account, or as a guest by name and
/// e-mail address.
pub async fn join(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let Ok(uuid) = uuid::Uuid::parse_str(&id) else {
        return PageError::new(ServiceError::NotFound("event"), &v).into_response();
    };
    let uuid = uuid.to_string();
    let result = async {
        let mode = mode_of(&f)?;
        let who = match v.actor() {
            Some(a) => Joiner::Account(a),
            None => Joiner::Guest {
                name: f.get("name").map(String::as_str).unwrap_or(""),
                email: f.get("email").map(String::as_str).unwrap_or(""),
            },
        };
        waitlist::join(&state.svc, &v.meta, &uuid, mode, who).await
    }
    .await;
    event_form_answer(&state, &v, &uuid, result, f, "mode", |token| {
        format!("/learning/waitlist/{token}?saved=waitlist-joined")
    })
    .await
}

#[derive(Template)]
#[template(path = "learning/waitlist.html")]
struct StandingPage {
    l: Layout,
    errors: Errors,
    token: String,
    event_uuid: String,
    title: String,
    when: String,
    place: &'static str,
    price: String,
    free: bool,
    /// waiting, offered, booked, left or expired.
    state: &'static str,
    ahead: u64,
    until: String,
    po_number: String,
    po_hint: String,
}

async fn standing_page(
    state: &AppState,
    v: &Viewer,
    token: &str,
    status: StatusCode,
    errors: Errors,
    po_number: String,
) -> Response {
    let p = match waitlist::standing(&state.svc, token).await {
        Ok(p) => p,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    let (st, ahead, until) = match p.standing {
        Standing::Waiting { ahead } => ("waiting", ahead, String::new()),
        Standing::Offered { until } => (
            "offered",
            0,
            until
                .with_timezone(&domain::dates::UK)
                .format("%-I:%M%P on %A %-d %B %Y")
                .to_string(),
        ),
        Standing::Booked => ("booked", 0, String::new()),
        Standing::Left => ("left", 0, String::new()),
        Standing::Expired => ("expired", 0, String::new()),
    };
    render(
        status,
        &StandingPage {
            l: Layout::for_viewer("Your place on the waiting list", v, "/learning")
                .with_errors(&errors),
            errors,
            token: token.to_owned(),
            event_uuid: p.event.uuid.clone(),
            title: p.event.title.clone(),
            when: when(p.event.starts_at, p.event.ends_at),
            place: match p.mode {
                domain::learning::Mode::InPerson => "in the room",
                domain::learning::Mode::Online => "online",
            },
            price: p.event.price.to_string(),
            free: p.event.price.is_free(),
            state: st,
            ahead,
            until,
            po_hint: format!(
                "We invoice your organisation for {} against this number",
                p.event.price
            ),
            po_number,
        },
    )
}

pub async fn show(State(state): State<AppState>, v: Viewer, Path(token): Path<String>) -> Response {
    standing_page(
        &state,
        &v,
        &token,
        StatusCode::OK,
        Errors::default(),
        String::new(),
    )
    .await
}

pub async fn accept(
    State(state): State<AppState>,
    v: Viewer,
    Path(token): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let po = f.get("po_number").cloned().unwrap_or_default();
    match waitlist::accept(&state.svc, &v.meta, &token, &po).await {
        Ok((code, manage)) => Redirect::to(&format!(
            "/learning/bookings/{code}?token={manage}&saved=booked"
        ))
        .into_response(),
        Err(ServiceError::Invalid(list)) => {
            standing_page(
                &state,
                &v,
                &token,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                po,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            standing_page(
                &state,
                &v,
                &token,
                StatusCode::CONFLICT,
                Errors::one("offer", m),
                po,
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn leave(
    State(state): State<AppState>,
    v: Viewer,
    Path(token): Path<String>,
) -> Response {
    match waitlist::leave(&state.svc, &v.meta, &token).await {
        Ok(()) => {
            Redirect::to(&format!("/learning/waitlist/{token}?saved=waitlist-left")).into_response()
        }
        Err(ServiceError::Conflict(m)) => {
            standing_page(
                &state,
                &v,
                &token,
                StatusCode::CONFLICT,
                Errors::one("offer", m),
                String::new(),
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
