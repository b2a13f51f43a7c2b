//! Bookings: someone's own list, one booking (for its account, or whoever has the link from
//! its e-mail), and cancelling it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::learning::{Mode, OrderState};
use serde::Deserialize;
use services::ServiceError;
use services::learning::booking::{self, Holder, Order};
use std::collections::HashMap;

use super::when;
use crate::AppState;
use crate::error::PageError;
use crate::forms::{Form, Query};
use crate::view::{Errors, Layout, date, render};
use crate::viewer::{CurrentActor, Viewer};

pub struct OrderView {
    pub code: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub total: String,
    pub po_number: String,
    pub booked_on: String,
    pub lines: Vec<(String, String, String, String)>,
    pub join_links: Vec<(String, String)>,
    pub cancellable: bool,
}

fn state_tag(s: OrderState) -> &'static str {
    match s {
        OrderState::Confirmed | OrderState::Paid => "nhsuk-tag--green",
        OrderState::Pending => "nhsuk-tag--yellow",
        OrderState::Cancelled | OrderState::Refunded => "nhsuk-tag--grey",
    }
}

pub fn view(o: &Order) -> OrderView {
    OrderView {
        code: o.code.clone(),
        state: o.state.label(),
        state_class: state_tag(o.state),
        total: o.total.to_string(),
        po_number: o.po_number.clone().unwrap_or_default(),
        booked_on: date(&o.created_at),
        lines: o
            .lines
            .iter()
            .map(|l| {
                (
                    l.event.uuid.clone(),
                    l.event.title.clone(),
                    when(l.event.starts_at, l.event.ends_at),
                    format!(
                        "{} place{} {}",
                        l.places,
                        if l.places == 1 { "" } else { "s" },
                        match l.mode {
                            Mode::InPerson => "in the room",
                            Mode::Online => "online",
                        }
                    ),
                )
            })
            .collect(),
        join_links: o
            .join_links
            .iter()
            .filter_map(|(uuid, link)| {
                o.lines
                    .iter()
                    .find(|l| &l.event.uuid == uuid)
                    .map(|l| (l.event.title.clone(), link.clone()))
            })
            .collect(),
        cancellable: o.state.may_become(OrderState::Cancelled),
    }
}

#[derive(Template)]
#[template(path = "learning/bookings.html")]
struct MinePage {
    l: Layout,
    orders: Vec<OrderView>,
    has_feed: bool,
    /// A calendar feed's address just made: shown once.
    feed_url: String,
}

async fn mine_page(
    state: &AppState,
    v: &Viewer,
    a: &services::Actor,
    feed_url: String,
) -> Response {
    let found = tokio::try_join!(
        booking::my_orders(&state.svc, a),
        services::learning::calendar::has_feed(&state.svc, a)
    );
    match found {
        Ok((list, has_feed)) => render(
            StatusCode::OK,
            &MinePage {
                l: Layout::for_viewer("Your bookings", v, "/learning"),
                orders: list.iter().map(view).collect(),
                has_feed,
                feed_url,
            },
        ),
        Err(e) => PageError::new(e, v).into_response(),
    }
}

pub async fn mine(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Response {
    mine_page(&state, &v, a, String::new()).await
}

/// Makes a new private calendar feed of the learner's bookings, and shows its address once.
pub async fn new_feed(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Response {
    match services::learning::calendar::new_feed(&state.svc, a).await {
        Ok(token) => {
            let url = format!(
                "{}/learning/calendar/{token}.ics",
                state.svc.settings.public_url.trim_end_matches('/')
            );
            mine_page(&state, &v, a, url).await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[derive(Template)]
#[template(path = "learning/booking.html")]
struct OnePage {
    l: Layout,
    errors: Errors,
    o: OrderView,
    token: String,
}

async fn one_page(
    state: &AppState,
    v: &Viewer,
    code: &str,
    token: &str,
    status: StatusCode,
    errors: Errors,
) -> Response {
    let who = match (token.is_empty(), v.actor()) {
        (false, _) => Holder::Link(token),
        (true, Some(a)) => Holder::Account(a),
        (true, None) => {
            return PageError::new(ServiceError::NotFound("booking"), v).into_response();
        }
    };
    match booking::order(&state.svc, code, who).await {
        Ok(o) => render(
            status,
            &OnePage {
                l: Layout::for_viewer(format!("Booking {}", o.code), v, "/learning")
                    .with_errors(&errors),
                errors,
                o: view(&o),
                token: token.to_owned(),
            },
        ),
        Err(e) => PageError::new(e, v).into_response(),
    }
}

pub async fn one(
    State(state): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    Query(q): Query<TokenQuery>,
) -> Response {
    one_page(
        &state,
        &v,
        &code,
        &q.token,
        StatusCode::OK,
        Errors::default(),
    )
    .await
}

pub async fn cancel(
    State(state): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let token = f.get("token").cloned().unwrap_or_default();
    let who = match (token.is_empty(), v.actor()) {
        (false, _) => Holder::Link(&token),
        (true, Some(a)) => Holder::Account(a),
        (true, None) => {
            return PageError::new(ServiceError::NotFound("booking"), &v).into_response();
        }
    };
    match booking::cancel(&state.svc, &v.meta, &code, who).await {
        Ok(()) => {
            let back = if token.is_empty() {
                format!("/learning/bookings/{code}?saved=booking-cancelled")
            } else {
                format!("/learning/bookings/{code}?token={token}&saved=booking-cancelled")
            };
            Redirect::to(&back).into_response()
        }
        Err(ServiceError::Conflict(m)) => {
            one_page(
                &state,
                &v,
                &code,
                &token,
                StatusCode::CONFLICT,
                Errors::one("cancel", m),
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
