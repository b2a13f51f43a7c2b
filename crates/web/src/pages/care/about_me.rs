//! About Me, written by the person or by staff with a relationship to them, with its history.
//! Staff and the person themselves use the same page; the use case checks which.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::about_me::SECTIONS;
use services::Actor;
use services::ServiceError;
use services::care::{about_me, lookup};
use std::collections::HashMap;

use crate::AppState;
use crate::error::PageError;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, date_time, render};
use crate::viewer::CurrentActor;

pub struct SectionField {
    pub key: &'static str,
    pub label: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "care/about_me.html")]
struct AboutMePage {
    l: Layout,
    errors: Errors,
    person_id: i32,
    name: String,
    based_on: i32,
    fields: Vec<SectionField>,
    helped_by: String,
    history: Vec<PastVersion>,
    back: String,
}

/// A saved version, readable in full.
pub struct PastVersion {
    pub title: String,
    pub sections: Vec<(&'static str, String)>,
}

async fn about_me_page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    id: i32,
    status: StatusCode,
    errors: Errors,
    typed: Option<(HashMap<String, String>, i32)>,
) -> Response {
    let (p, history) = match about_me::read(&state.svc, a, &v.meta, id).await {
        Ok(x) => x,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    let current = history.first();
    let saved = current.map(about_me::sections_of).unwrap_or_default();
    let latest = current.map(|c| c.version).unwrap_or(0);
    let (values, based_on) = match typed {
        Some((t, _)) => (t, latest),
        None => (saved.into_iter().collect(), latest),
    };
    let own = p.user_id == Some(a.user_id);
    render(
        status,
        &AboutMePage {
            l: Layout::for_viewer(
                format!("About me: {} {}", p.given_name, p.family_name),
                v,
                if own { "/me" } else { "/caseload" },
            )
            .with_errors(&errors),
            errors,
            person_id: id,
            name: format!("{} {}", p.given_name, p.family_name),
            based_on,
            fields: SECTIONS
                .iter()
                .map(|(k, label)| SectionField {
                    key: k,
                    label,
                    value: values.get(*k).cloned().unwrap_or_default(),
                })
                .collect(),
            helped_by: values.get("helped_by").cloned().unwrap_or_default(),
            history: history
                .iter()
                .map(|h| {
                    let secs = about_me::sections_of(h);
                    PastVersion {
                        title: format!(
                            "Version {}: {} by {}{}",
                            h.version,
                            date_time(&h.created_at),
                            h.updated_by_label,
                            h.helped_by
                                .as_ref()
                                .map(|x| format!(", written with {x}"))
                                .unwrap_or_default()
                        ),
                        sections: SECTIONS
                            .iter()
                            .filter_map(|(k, label)| secs.get(*k).map(|t| (*label, t.clone())))
                            .collect(),
                    }
                })
                .collect(),
            back: if own {
                "/me".into()
            } else {
                format!("/people/{id}")
            },
        },
    )
}

pub async fn about_me_form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    about_me_page(&state, &v, a, id, StatusCode::OK, Errors::default(), None).await
}

pub async fn save_about_me(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let based_on = f.get("based_on").and_then(|b| b.parse().ok()).unwrap_or(0);
    let sections: about_me::Sections = SECTIONS
        .iter()
        .filter_map(|(k, _)| f.get(*k).map(|v| (k.to_string(), v.clone())))
        .collect();
    let helped_by = f.get("helped_by").cloned();
    match about_me::save(&state.svc, a, &v.meta, id, based_on, sections, helped_by).await {
        Ok(_) => {
            let own = lookup::own_record(&state.svc, a)
                .await
                .is_ok_and(|p| p.is_some_and(|p| p.id() == id));
            Redirect::to(
                if own {
                    "/me?saved=about-me".to_string()
                } else {
                    format!("/people/{id}?saved=about-me")
                }
                .as_str(),
            )
            .into_response()
        }
        Err(ServiceError::Invalid(list)) => {
            about_me_page(
                &state,
                &v,
                a,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                Some((f, based_on)),
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            about_me_page(
                &state,
                &v,
                a,
                id,
                StatusCode::CONFLICT,
                Errors::one("most_important", m),
                Some((f, based_on)),
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
