//! Shared decision making records for a person: the list, and a form to record one.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use services::Actor;
use services::care::people;
use services::care::sdm::{self, SdmInput, SdmOption};
use services::{FieldError, ServiceError};
use std::collections::HashMap;

use crate::AppState;
use crate::error::PageError;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, date_time, render};
use crate::viewer::CurrentActor;

pub struct OptionSlot {
    pub n: usize,
    pub option_id: String,
    pub benefits_id: String,
    pub risks_id: String,
    pub option: String,
    pub benefits: String,
    pub risks: String,
    pub option_error: String,
    pub benefits_error: String,
}

pub struct Decision {
    pub when: String,
    pub point: String,
    pub options: Vec<SdmOption>,
    pub doing_nothing: String,
    pub aids: String,
    pub decision: String,
    pub follow_up: String,
}

#[derive(Template)]
#[template(path = "care/decisions.html")]
struct DecisionsPage {
    l: Layout,
    errors: Errors,
    person_id: i32,
    name: String,
    fv: Typed,
    slots: Vec<OptionSlot>,
    decisions: Vec<Decision>,
}

/// What was typed in the free-text fields, to show again with errors.
pub struct Typed {
    pub decision_point: String,
    pub doing_nothing: String,
    pub decision_aids: String,
    pub decision: String,
    pub follow_up: String,
}

fn value(f: &HashMap<String, String>, k: &str) -> String {
    f.get(k).cloned().unwrap_or_default()
}

async fn page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    id: i32,
    status: StatusCode,
    errors: Errors,
    f: HashMap<String, String>,
) -> Response {
    let loaded = async {
        let p = people::get(&state.svc, a, &v.meta, id).await?;
        let list = sdm::list(&state.svc, &p).await?;
        Ok::<_, ServiceError>((p, list))
    }
    .await;
    let (p, list) = match loaded {
        Ok(x) => x,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    let slots = (0..3)
        .map(|i| OptionSlot {
            n: i + 1,
            option_id: format!("option_{i}"),
            benefits_id: format!("benefits_{i}"),
            risks_id: format!("risks_{i}"),
            option: value(&f, &format!("option_{i}")),
            benefits: value(&f, &format!("benefits_{i}")),
            risks: value(&f, &format!("risks_{i}")),
            option_error: errors.get(&format!("option_{i}")).unwrap_or("").to_owned(),
            benefits_error: errors
                .get(&format!("benefits_{i}"))
                .unwrap_or("")
                .to_owned(),
        })
        .collect();
    let decisions = list
        .iter()
        .map(|d| {
            let o = sdm::options_of(d);
            Decision {
                when: date_time(&d.recorded_at),
                point: d.decision_point.clone(),
                options: o.options,
                doing_nothing: o.doing_nothing,
                aids: d.decision_aids.clone().unwrap_or_default(),
                decision: d.decision.clone(),
                follow_up: d.follow_up.clone().unwrap_or_default(),
            }
        })
        .collect();
    render(
        status,
        &DecisionsPage {
            l: Layout::for_viewer(
                format!("Shared decisions: {} {}", p.given_name, p.family_name),
                v,
                "/caseload",
            )
            .with_errors(&errors),
            errors,
            person_id: id,
            name: format!("{} {}", p.given_name, p.family_name),
            fv: Typed {
                decision_point: value(&f, "decision_point"),
                doing_nothing: value(&f, "doing_nothing"),
                decision_aids: value(&f, "decision_aids"),
                decision: value(&f, "decision"),
                follow_up: value(&f, "follow_up"),
            },
            slots,
            decisions,
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
        Errors::default(),
        HashMap::new(),
    )
    .await
}

pub async fn record(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let input = SdmInput {
        referral_id: None,
        decision_point: f.get("decision_point").cloned(),
        options: (0..3)
            .map(|i| SdmOption {
                option: value(&f, &format!("option_{i}")),
                benefits: value(&f, &format!("benefits_{i}")),
                risks: value(&f, &format!("risks_{i}")),
            })
            .collect(),
        doing_nothing: f.get("doing_nothing").cloned(),
        decision_aids: f.get("decision_aids").cloned(),
        decision: f.get("decision").cloned(),
        follow_up: f.get("follow_up").cloned(),
    };
    match sdm::record(&state.svc, a, &v.meta, id, input).await {
        Ok(_) => Redirect::to(&format!("/people/{id}/decisions?saved=decision")).into_response(),
        Err(ServiceError::Invalid(list)) => {
            // "options[1].benefits" is the input "benefits_1" on this page.
            let list = list
                .into_iter()
                .map(|e| {
                    match e
                        .field
                        .strip_prefix("options[")
                        .and_then(|r| r.split_once("]."))
                    {
                        Some((i, k)) => FieldError::new(format!("{k}_{i}"), e.message),
                        None => e,
                    }
                })
                .collect();
            page(
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
