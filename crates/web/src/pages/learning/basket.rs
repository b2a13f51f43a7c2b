//! The basket: places held for a while, what they cost, and checking out (free at once; paid by
//! invoice against a purchase order number).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use services::ServiceError;
use services::learning::booking::{self, Checkout};
use std::collections::HashMap;

use super::catalogue::{event_form_answer, mode_of};
use super::when;
use crate::AppState;
use crate::error::PageError;
use crate::forms::Form;
use crate::view::{Errors, Layout, render};
use crate::viewer::{CurrentActor, Viewer};

pub struct LineView {
    pub uuid: String,
    pub title: String,
    pub when: String,
    pub mode: &'static str,
    pub mode_label: &'static str,
    pub places: i32,
    pub cost: String,
}

#[derive(Template)]
#[template(path = "learning/basket.html")]
struct BasketPage {
    l: Layout,
    errors: Errors,
    lines: Vec<LineView>,
    total: String,
    free: bool,
    expires: String,
    lapsed: u64,
    po_number: String,
}

async fn basket_page(
    state: &AppState,
    v: &Viewer,
    a: &services::Actor,
    status: StatusCode,
    errors: Errors,
    po_number: String,
) -> Response {
    let b = match booking::basket(&state.svc, a).await {
        Ok(b) => b,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    let page = BasketPage {
        l: Layout::for_viewer("Your basket", v, "/learning").with_errors(&errors),
        errors,
        lines: b
            .lines
            .iter()
            .map(|l| LineView {
                uuid: l.event.uuid.clone(),
                title: l.event.title.clone(),
                when: when(l.event.starts_at, l.event.ends_at),
                mode: l.mode.as_str(),
                mode_label: l.mode.label(),
                places: l.places,
                cost: l.cost().to_string(),
            })
            .collect(),
        total: b.total().to_string(),
        free: b.total().is_free(),
        expires: b
            .expires_at
            .map(|t| {
                t.with_timezone(&domain::dates::UK)
                    .format("%-I:%M%P")
                    .to_string()
            })
            .unwrap_or_default(),
        lapsed: b.lapsed,
        po_number,
    };
    render(status, &page)
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Response {
    basket_page(
        &state,
        &v,
        a,
        StatusCode::OK,
        Errors::default(),
        String::new(),
    )
    .await
}

/// Adds places at an event to the basket.
pub async fn add(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let Ok(uuid) = uuid::Uuid::parse_str(&id) else {
        return PageError::new(ServiceError::NotFound("event"), &v).into_response();
    };
    let uuid = uuid.to_string();
    let result = async {
        let mode = mode_of(&f)?;
        let places = match f.get("places").map(|p| p.trim()).unwrap_or("") {
            "" => 1,
            p => p.parse::<i32>().map_err(|_| {
                ServiceError::invalid(
                    "places",
                    format!(
                        "Places must be a whole number from 1 to {}",
                        domain::learning::MAX_PLACES_PER_ORDER
                    ),
                )
            })?,
        };
        booking::hold(&state.svc, a, &v.meta, &uuid, mode, places).await
    }
    .await;
    event_form_answer(&state, &v, &uuid, result, f, "places", |()| {
        "/learning/basket?saved=basket".to_owned()
    })
    .await
}

/// Takes a line out of the basket.
pub async fn remove(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let result = async {
        let mode = mode_of(&f)?;
        let uuid = f
            .get("event")
            .and_then(|e| uuid::Uuid::parse_str(e).ok())
            .ok_or(ServiceError::NotFound("basket line"))?;
        booking::remove(&state.svc, a, &uuid.to_string(), mode).await
    }
    .await;
    match result {
        // Removing what is already gone leaves the basket as it is, which is what was wanted.
        Ok(()) | Err(ServiceError::NotFound(_)) => {
            Redirect::to("/learning/basket?saved=basket-removed").into_response()
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn checkout(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let po_number = f.get("po_number").cloned().unwrap_or_default();
    let input = Checkout {
        po_number: po_number.clone(),
    };
    match booking::checkout(&state.svc, a, &v.meta, &input).await {
        Ok(code) => {
            Redirect::to(&format!("/learning/bookings/{code}?saved=booked")).into_response()
        }
        Err(ServiceError::Invalid(list)) => {
            basket_page(
                &state,
                &v,
                a,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                po_number,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            basket_page(
                &state,
                &v,
                a,
                StatusCode::CONFLICT,
                Errors::one("basket", m),
                po_number,
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
