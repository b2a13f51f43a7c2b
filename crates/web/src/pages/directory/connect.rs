//! Connecting a person to a community service from their record: search the directory near
//! them, see how each service answers referrals, then send one with the person's consent.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use services::ServiceError;
use services::care::person_for;
use services::directory::read;
use services::directory::referrals::{self, SendInput};
use std::collections::HashMap;

use super::find::{Card, FindQuery, cards_for};
use crate::AppState;
use crate::error::PageError;
use crate::forms::Form;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, Pager, render};
use crate::viewer::CurrentActor;

#[derive(Template)]
#[template(path = "directory/connect.html")]
struct ConnectPage {
    l: Layout,
    errors: Errors,
    person_id: i32,
    person_name: String,
    q: FindQuery,
    needs: Vec<(String, String)>,
    miles: Vec<u32>,
    cards: Vec<(Card, String)>,
    total_text: String,
    corrected: String,
    pager: Pager,
}

/// How a service answers referrals, in words.
fn record_words(r: &referrals::Record) -> String {
    match (r.median_reply_hours, r.acceptance()) {
        (Some(h), Some(pc)) => {
            let when = if h < 24.0 {
                format!("{} hours", h.ceil().max(1.0) as i64)
            } else {
                format!("{} days", (h / 24.0).ceil() as i64)
            };
            format!(
                "Usually replies within {when}; accepts {pc}% of referrals ({} answered in the last year)",
                r.answered
            )
        }
        _ if r.sent > 0 => format!(
            "{} referrals sent in the last year, none answered yet",
            r.sent
        ),
        _ => "No referrals sent here in the last year".into(),
    }
}

pub async fn search(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Query(mut q): Query<FindQuery>,
) -> Response {
    let p = match person_for(&state.svc, a, &v.meta, id, "person_viewed").await {
        Ok(p) => p,
        Err(e) => return PageError::new(e, &v).into_response(),
    };
    if q.postcode_unset() {
        q.set_postcode(p.postcode.clone().unwrap_or_default());
    }
    let base = format!("/people/{id}/connect");
    let found = cards_for(&state, &q, &base).await;
    let (cards, total_text, corrected, pager, errors, needs) = match found {
        Ok(x) => x,
        Err(e) => return PageError::new(e, &v).into_response(),
    };
    let ids: Vec<i32> = cards.iter().map(|c| c.service_id).collect();
    let records: HashMap<i32, referrals::Record> = match referrals::records(&state.svc, &ids).await
    {
        Ok(r) => r.into_iter().collect(),
        Err(e) => return PageError::new(e, &v).into_response(),
    };
    let mut l = Layout::for_viewer(
        format!("Connect {} to a community service", p.given_name),
        &v,
        "/caseload",
    );
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        l.has_errors = true;
        StatusCode::BAD_REQUEST
    };
    render(
        status,
        &ConnectPage {
            l,
            errors,
            person_id: id,
            person_name: format!("{} {}", p.given_name, p.family_name),
            q,
            needs,
            miles: super::find::MILES.to_vec(),
            cards: cards
                .into_iter()
                .map(|c| {
                    let words = records
                        .get(&c.service_id)
                        .map(record_words)
                        .unwrap_or_default();
                    (c, words)
                })
                .collect(),
            total_text,
            corrected,
            pager,
        },
    )
}

#[derive(Template)]
#[template(path = "directory/connect_form.html")]
struct SendPage {
    l: Layout,
    errors: Errors,
    person_id: i32,
    given_name: String,
    person_name: String,
    service_id: String,
    service: String,
    organization: String,
    summary: String,
    has_consent: bool,
    reason: String,
    what_matters: String,
    consent_now: bool,
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page is drawn from the person, the service and everything the form holds"
)]
async fn send_page(
    state: &AppState,
    v: &Viewer,
    a: &services::Actor,
    id: i32,
    service: &str,
    status: StatusCode,
    errors: Errors,
    typed: &HashMap<String, String>,
) -> Response {
    let result = async {
        let p = person_for(&state.svc, a, &v.meta, id, "person_viewed").await?;
        let uuid = uuid::Uuid::parse_str(service)
            .map_err(|_| ServiceError::NotFound("service"))?
            .to_string();
        let f = read::service(&state.svc, &uuid).await?;
        let has_consent = referrals::has_consent(&state.svc, &p, &uuid).await?;
        Ok::<_, ServiceError>((p, f, has_consent, uuid))
    }
    .await;
    let (p, f, has_consent, uuid) = match result {
        Ok(x) => x,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    let mut l = Layout::for_viewer(
        format!("Refer {} to {}", p.given_name, f.service.name),
        v,
        "/caseload",
    );
    l = l.with_errors(&errors);
    let typed_or = |k: &str| typed.get(k).cloned().unwrap_or_default();
    render(
        status,
        &SendPage {
            l,
            errors,
            person_id: id,
            given_name: p.given_name.clone(),
            person_name: format!("{} {}", p.given_name, p.family_name),
            service_id: uuid,
            service: f.service.name.clone(),
            organization: f.organization.name.clone(),
            summary: f.service.description.clone(),
            has_consent,
            reason: typed_or("reason"),
            what_matters: typed_or("what_matters"),
            consent_now: typed.get("consent_now").is_some_and(|v| v == "yes"),
        },
    )
}

pub async fn form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path((id, service)): Path<(i32, String)>,
) -> Response {
    send_page(
        &state,
        &v,
        a,
        id,
        &service,
        StatusCode::OK,
        Errors(Vec::new()),
        &HashMap::new(),
    )
    .await
}

pub async fn send(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path((id, service)): Path<(i32, String)>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let result = async {
        let p = person_for(&state.svc, a, &v.meta, id, "person_viewed").await?;
        let uuid = uuid::Uuid::parse_str(&service)
            .map_err(|_| ServiceError::NotFound("service"))?
            .to_string();
        referrals::send(
            &state.svc,
            a,
            &v.meta,
            &p,
            &uuid,
            SendInput {
                reason: f.get("reason").cloned().unwrap_or_default(),
                what_matters: f.get("what_matters").cloned().unwrap_or_default(),
                consent_now: f.get("consent_now").is_some_and(|v| v == "yes"),
            },
        )
        .await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("/people/{id}?saved=service-referral")).into_response(),
        Err(ServiceError::Invalid(list)) => {
            send_page(
                &state,
                &v,
                a,
                id,
                &service,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                &f,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            send_page(
                &state,
                &v,
                a,
                id,
                &service,
                StatusCode::CONFLICT,
                Errors::one("reason", m),
                &f,
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
