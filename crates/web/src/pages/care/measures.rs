//! Outcome measures (ONS4, SWEMWBS, PAM) recorded in a person's record. Staff with a
//! relationship and the person themselves use the same page; the use case checks which.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::measures::ONS4_ITEMS;
use services::Actor;
use services::care::{lookup, measures};
use services::{FieldError, ServiceError};
use std::collections::HashMap;

use crate::AppState;
use crate::error::PageError;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, render};
use crate::viewer::CurrentActor;

pub struct Item {
    pub name: String,
    pub label: String,
    pub value: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "care/measures.html")]
struct MeasuresPage {
    l: Layout,
    errors: Errors,
    person_id: i32,
    name: String,
    own: bool,
    ons4: Vec<Item>,
    swemwbs: Vec<Item>,
    swemwbs_loaded: bool,
    timepoint: String,
    pam_level: String,
    pam_score: String,
    back: String,
}

async fn measures_page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    id: i32,
    status: StatusCode,
    errors: Errors,
    typed: HashMap<String, String>,
) -> Response {
    let loaded = async {
        let p = services::care::people::get(&state.svc, a, &v.meta, id).await?;
        let wording = measures::wording(&state.svc, domain::measures::Instrument::Swemwbs).await?;
        Ok::<_, ServiceError>((p, wording))
    }
    .await;
    let (p, wording) = match loaded {
        Ok(x) => x,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    let instrument = typed.get("instrument").cloned().unwrap_or_default();
    // The use case names answers "answers[i]"; on this page they are the inputs "ons4_i" etc.
    let errors = Errors(
        errors
            .0
            .into_iter()
            .map(|e| {
                match e
                    .field
                    .strip_prefix("answers[")
                    .and_then(|r| r.strip_suffix(']'))
                {
                    Some(i) => FieldError::new(format!("{instrument}_{i}"), e.message),
                    None => e,
                }
            })
            .collect(),
    );
    let item = |inst: &str, i: usize, label: String| {
        let name = format!("{inst}_{i}");
        Item {
            value: if instrument == inst {
                typed.get(&name).cloned().unwrap_or_default()
            } else {
                String::new()
            },
            error: if instrument == inst {
                errors.get(&name).unwrap_or("").to_owned()
            } else {
                String::new()
            },
            name,
            label,
        }
    };
    let own = p.user_id == Some(a.user_id);
    render(
        status,
        &MeasuresPage {
            l: Layout::for_viewer(
                format!("Wellbeing measures: {} {}", p.given_name, p.family_name),
                v,
                if own { "/me" } else { "/caseload" },
            )
            .with_errors(&errors),
            person_id: id,
            name: format!("{} {}", p.given_name, p.family_name),
            own,
            ons4: ONS4_ITEMS
                .iter()
                .enumerate()
                .map(|(i, (_, q))| item("ons4", i, (*q).to_owned()))
                .collect(),
            swemwbs: (0..7)
                .map(|i| {
                    item(
                        "swemwbs",
                        i,
                        wording
                            .get(i)
                            .cloned()
                            .unwrap_or_else(|| format!("Statement {}", i + 1)),
                    )
                })
                .collect(),
            swemwbs_loaded: wording.len() == 7,
            timepoint: typed
                .get("timepoint")
                .cloned()
                .unwrap_or_else(|| "start".into()),
            pam_level: typed.get("pam_level").cloned().unwrap_or_default(),
            pam_score: typed.get("pam_score").cloned().unwrap_or_default(),
            back: if own {
                "/me".into()
            } else {
                format!("/people/{id}")
            },
            errors,
        },
    )
}

pub async fn measures_form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    measures_page(
        &state,
        &v,
        a,
        id,
        StatusCode::OK,
        Errors::default(),
        HashMap::new(),
    )
    .await
}

pub async fn record_measure(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let instrument = f.get("instrument").cloned().unwrap_or_default();
    let count = match instrument.as_str() {
        "ons4" => 4,
        "swemwbs" => 7,
        _ => 0,
    };
    let mut problems = Vec::new();
    let answers: Vec<Option<i64>> = (0..count)
        .map(|i| {
            let raw = f
                .get(&format!("{instrument}_{i}"))
                .map(|s| s.trim().to_owned())
                .unwrap_or_default();
            if raw.is_empty() {
                return None;
            }
            raw.parse()
                .map_err(|_| {
                    problems.push(FieldError::new(
                        format!("answers[{i}]"),
                        format!("Question {}: answer with a whole number", i + 1),
                    ))
                })
                .ok()
        })
        .collect();
    let pam_level = f.get("pam_level").and_then(|s| s.trim().parse().ok());
    let pam_score = f.get("pam_score").and_then(|s| s.trim().parse().ok());
    if !problems.is_empty() {
        return measures_page(
            &state,
            &v,
            a,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Errors(problems),
            f,
        )
        .await;
    }
    let input = measures::MeasureInput {
        instrument: instrument.clone(),
        timepoint: f.get("timepoint").cloned(),
        taken_on: f.get("taken_on").cloned(),
        answers,
        pam_level,
        pam_score,
        referral_id: None,
    };
    match measures::record(&state.svc, a, &v.meta, id, input).await {
        Ok(_) => {
            let own = lookup::own_record(&state.svc, a)
                .await
                .is_ok_and(|p| p.is_some_and(|p| p.id() == id));
            Redirect::to(
                if own {
                    "/me?saved=measure".to_string()
                } else {
                    format!("/people/{id}?saved=measure")
                }
                .as_str(),
            )
            .into_response()
        }
        Err(ServiceError::Invalid(list)) => {
            measures_page(
                &state,
                &v,
                a,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                f,
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
