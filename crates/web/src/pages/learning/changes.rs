//! Organisers' changes to a published event: moving it to new dates (everyone booked or
//! waiting is told) and messaging everyone booked.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use services::learning::{catalogue, organise};
use services::{Actor, FieldError, ServiceError};
use std::collections::HashMap;

use super::organise::session_of;
use crate::AppState;
use crate::error::PageError;
use crate::forms::Form;
use crate::view::{Errors, Layout, render};
use crate::viewer::{CurrentActor, Viewer};

#[derive(Template)]
#[template(path = "learning/move.html")]
struct MovePage {
    l: Layout,
    errors: Errors,
    uuid: String,
    title: String,
    when: String,
    sessions: Vec<usize>,
    f: HashMap<String, String>,
}

impl MovePage {
    fn v(&self, k: &str) -> &str {
        self.f.get(k).map(String::as_str).unwrap_or("")
    }
    fn e(&self, k: &str) -> &str {
        self.errors.get(k).unwrap_or("")
    }
    fn key(&self, k: &str, n: &usize) -> String {
        format!("s{n}_{k}")
    }
}

/// The event, for its organisers only (as every organiser page: others are refused).
async fn organised(
    state: &AppState,
    a: &Actor,
    v: &Viewer,
    id: &str,
) -> Result<catalogue::Event, Response> {
    let Ok(uuid) = uuid::Uuid::parse_str(id) else {
        return Err(PageError::new(ServiceError::NotFound("event"), v).into_response());
    };
    match organise::for_editing(&state.svc, a, &uuid.to_string()).await {
        Ok((e, _)) => Ok(e),
        Err(err) => Err(PageError::new(err, v).into_response()),
    }
}

fn move_page(
    v: &Viewer,
    e: &catalogue::Event,
    status: StatusCode,
    errors: Errors,
    f: HashMap<String, String>,
) -> Response {
    render(
        status,
        &MovePage {
            l: Layout::for_viewer(format!("Move {}", e.title), v, "/learning").with_errors(&errors),
            errors,
            uuid: e.uuid.clone(),
            title: e.title.clone(),
            when: domain::learning::when(e.starts_at, e.ends_at),
            sessions: (1..=e.sessions.len().max(1)).collect(),
            f,
        },
    )
}

pub async fn move_form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<String>,
) -> Response {
    let e = match organised(&state, a, &v, &id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let mut f = HashMap::new();
    for (i, s) in e.sessions.iter().enumerate() {
        let (start, end) = (
            s.starts_at.with_timezone(&domain::dates::UK),
            s.ends_at.with_timezone(&domain::dates::UK),
        );
        let n = i + 1;
        f.insert(format!("s{n}_date"), start.format("%Y-%m-%d").to_string());
        f.insert(format!("s{n}_start"), start.format("%H:%M").to_string());
        f.insert(format!("s{n}_end"), end.format("%H:%M").to_string());
    }
    move_page(&v, &e, StatusCode::OK, Errors::default(), f)
}

pub async fn move_event(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let e = match organised(&state, a, &v, &id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let mut errors: Vec<FieldError> = Vec::new();
    let mut sessions = Vec::new();
    for n in 1..=e.sessions.len().max(1) {
        sessions.extend(session_of(&f, &format!("s{n}_"), true, &mut errors));
    }
    // Titles of a course's sessions carry over.
    for (s, old) in sessions.iter_mut().zip(&e.sessions) {
        s.title = old.title.clone();
    }
    let result = if errors.is_empty() {
        organise::move_event(&state.svc, a, &v.meta, &e.uuid, sessions).await
    } else {
        Err(ServiceError::Invalid(errors))
    };
    match result {
        Ok(_) => Redirect::to(&format!(
            "/learning/organise/events/{}?saved=event-moved",
            e.uuid
        ))
        .into_response(),
        Err(ServiceError::Invalid(list)) => {
            let list = list
                .into_iter()
                .map(|x| {
                    // The event's own checks name a session by its index, or the whole.
                    let field = match x.field.as_str() {
                        "ends_at" | "date" | "sessions" => "s1_date".to_owned(),
                        f => match f
                            .strip_prefix("sessions[")
                            .and_then(|r| r.split(']').next())
                            .and_then(|i| i.parse::<usize>().ok())
                        {
                            Some(i) => format!("s{}_end", i + 1),
                            None => f.to_owned(),
                        },
                    };
                    FieldError::new(&field, x.message)
                })
                .collect();
            move_page(&v, &e, StatusCode::UNPROCESSABLE_ENTITY, Errors(list), f)
        }
        Err(ServiceError::Conflict(m)) => {
            move_page(&v, &e, StatusCode::CONFLICT, Errors::one("s1_date", m), f)
        }
        Err(err) => PageError::new(err, &v).into_response(),
    }
}

#[derive(Template)]
#[template(path = "learning/message.html")]
struct MessagePage {
    l: Layout,
    errors: Errors,
    uuid: String,
    title: String,
    booked: usize,
    subject: String,
    body: String,
}

fn message_page(
    v: &Viewer,
    e: &catalogue::Event,
    booked: usize,
    status: StatusCode,
    errors: Errors,
    subject: String,
    body: String,
) -> Response {
    render(
        status,
        &MessagePage {
            l: Layout::for_viewer(
                format!("Message everyone booked: {}", e.title),
                v,
                "/learning",
            )
            .with_errors(&errors),
            errors,
            uuid: e.uuid.clone(),
            title: e.title.clone(),
            booked,
            subject,
            body,
        },
    )
}

pub async fn message_form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<String>,
) -> Response {
    let Ok(uuid) = uuid::Uuid::parse_str(&id) else {
        return PageError::new(ServiceError::NotFound("event"), &v).into_response();
    };
    match organise::attendees(&state.svc, a, &v.meta, &uuid.to_string()).await {
        Ok((e, list, _)) => message_page(
            &v,
            &e,
            list.len(),
            StatusCode::OK,
            Errors::default(),
            String::new(),
            String::new(),
        ),
        Err(err) => PageError::new(err, &v).into_response(),
    }
}

pub async fn message(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let Ok(uuid) = uuid::Uuid::parse_str(&id) else {
        return PageError::new(ServiceError::NotFound("event"), &v).into_response();
    };
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let (subject, body) = (get("subject"), get("body"));
    match organise::message(&state.svc, a, &v.meta, &uuid.to_string(), &subject, &body).await {
        Ok(_) => Redirect::to(&format!(
            "/learning/organise/events/{uuid}?saved=attendees-messaged"
        ))
        .into_response(),
        Err(err @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            let (e, list, _) =
                match organise::attendees(&state.svc, a, &v.meta, &uuid.to_string()).await {
                    Ok(x) => x,
                    Err(err) => return PageError::new(err, &v).into_response(),
                };
            let (status, errors) = match err {
                ServiceError::Invalid(list) => (StatusCode::UNPROCESSABLE_ENTITY, Errors(list)),
                ServiceError::Conflict(m) => (StatusCode::CONFLICT, Errors::one("subject", m)),
                _ => (StatusCode::UNPROCESSABLE_ENTITY, Errors::default()),
            };
            message_page(&v, &e, list.len(), status, errors, subject, body)
        }
        Err(err) => PageError::new(err, &v).into_response(),
    }
}
