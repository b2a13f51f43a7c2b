//! Admin pages: the audit log search and the list of users.

use crate::forms::Query;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use serde::Deserialize;
use services::{FieldError, audit, identity};

use crate::AppState;
use crate::error::PageError;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, Pager, date_time, render, thousands};
use crate::viewer::CurrentActor;

pub struct AuditRow {
    pub when: String,
    pub who: String,
    pub action: String,
    pub record: String,
    pub outcome: String,
    pub outcome_class: &'static str,
    pub detail: String,
    pub request_id: String,
    pub ip: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    l: Layout,
    errors: Errors,
    actor: String,
    action: String,
    outcome: String,
    from: String,
    to: String,
    actions: &'static [&'static str],
    outcomes: &'static [&'static str],
    rows: Vec<AuditRow>,
    total_text: String,
    pager: Pager,
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    page: Option<u64>,
}

fn parse_day(field: &str, label: &str, s: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    domain::dates::parse(s)
        .ok_or(())
        .map_err(|_| {
            errors.push(FieldError::new(
                field,
                format!("{label} must be a real date"),
            ))
        })
        .ok()
}

pub async fn audit(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref actor): CurrentActor,
    Query(q): Query<AuditQuery>,
) -> Response {
    let mut errors = Vec::new();
    let from = parse_day("from", "From date", &q.from, &mut errors);
    let to = parse_day("to", "To date", &q.to, &mut errors);
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        errors.push(FieldError::new(
            "to",
            "To date must be the same as or after the from date",
        ));
    }
    let midnight = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| Utc.from_local_datetime(&t).single())
    };
    let search = audit::Search {
        actor: Some(q.actor.clone()),
        action: Some(q.action.clone()),
        outcome: Some(q.outcome.clone()),
        person_id: None,
        from: from.and_then(midnight),
        to: to.and_then(midnight).map(|t| t + Duration::days(1)),
        page: q.page.unwrap_or(1),
        per_page: 50,
    };
    let page = if errors.is_empty() {
        match audit::search(&state.svc, actor, search).await {
            Ok(p) => Some(p),
            Err(e) => return PageError::new(e, &v).into_response(),
        }
    } else {
        None
    };
    let (rows, total_text, pager) = match page {
        Some(p) => {
            let total_text = match p.total {
                0 => "No events match.".to_string(),
                n => format!(
                    "{} events, newest first. Page {} of {}.",
                    thousands(n as i64),
                    p.page,
                    p.total_pages()
                ),
            };
            let filters = [
                ("actor", q.actor.clone()),
                ("action", q.action.clone()),
                ("outcome", q.outcome.clone()),
                ("from", q.from.clone()),
                ("to", q.to.clone()),
            ];
            let pager = Pager::new("/admin/audit", &filters, p.page, p.total_pages());
            let rows = p
                .events
                .into_iter()
                .map(|e| AuditRow {
                    when: date_time(&e.at),
                    who: e.actor_label,
                    action: e.action.replace('_', " "),
                    record: match (e.entity_type, e.entity_id) {
                        (Some(t), Some(id)) => format!("{t} {id}"),
                        _ => String::new(),
                    },
                    outcome_class: match e.outcome.as_str() {
                        "success" => "nhsuk-tag--green",
                        "refused" => "nhsuk-tag--red",
                        _ => "nhsuk-tag--orange",
                    },
                    outcome: e.outcome,
                    detail: e.detail.unwrap_or_default(),
                    request_id: e.request_id.unwrap_or_else(|| "–".into()),
                    ip: e.ip.unwrap_or_default(),
                })
                .collect();
            (rows, total_text, pager)
        }
        None => (vec![], String::new(), Pager::new("/admin/audit", &[], 1, 1)),
    };
    let errors = Errors(errors);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &AuditPage {
            l: Layout::for_viewer("Audit log", &v, "/admin/audit").with_errors(&errors),
            errors,
            actor: q.actor,
            action: q.action,
            outcome: q.outcome,
            from: q.from,
            to: q.to,
            actions: audit::ACTIONS,
            outcomes: &["success", "failure", "refused"],
            rows,
            total_text,
            pager,
        },
    )
}

pub struct UserRow {
    pub id: i32,
    pub name: String,
    pub email: String,
    pub roles: Vec<String>,
    pub last_sign_in: String,
    pub status: &'static str,
    pub status_class: &'static str,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    l: Layout,
    rows: Vec<UserRow>,
}

pub async fn users(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref actor): CurrentActor,
) -> Response {
    let now = state.svc.now();
    match identity::users::list_in_scope(&state.svc, actor).await {
        Ok(list) => {
            let rows = list
                .into_iter()
                .map(|(u, grants)| {
                    let locked = u.locked_until.is_some_and(|t| t > now);
                    UserRow {
                        id: u.id,
                        name: u.display_name,
                        email: u.email,
                        roles: grants
                            .iter()
                            .map(|g| format!("{} at {}", g.role.label(), g.organisation_name))
                            .collect(),
                        last_sign_in: u
                            .last_sign_in_at
                            .map(|t| date_time(&t))
                            .unwrap_or_else(|| "Never".into()),
                        status: if !u.active {
                            "Closed"
                        } else if u.password_hash.is_none() {
                            "Invited"
                        } else if locked {
                            "Locked"
                        } else {
                            "Active"
                        },
                        status_class: if !u.active {
                            "nhsuk-tag--grey"
                        } else if u.password_hash.is_none() {
                            "nhsuk-tag--blue"
                        } else if locked {
                            "nhsuk-tag--red"
                        } else {
                            "nhsuk-tag--green"
                        },
                    }
                })
                .collect();
            render(
                StatusCode::OK,
                &UsersPage {
                    l: Layout::for_viewer("Users", &v, "/admin/users"),
                    rows,
                },
            )
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
