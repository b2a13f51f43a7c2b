//! Outcome measures (ONS4, SWEMWBS, PAM) as questionnaires: a page to choose one, then each on
//! its own page with the date it was done (today unless changed; never in the future). Staff
//! with a relationship and the person themselves use the same pages; the use case checks which
//! (and a person answers ONS4, and SWEMWBS once its wording is loaded, for themselves).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::measures::{Instrument, ONS4_ITEMS};
use services::care::{lookup, measures};
use services::{Actor, FieldError, ServiceError};
use std::collections::HashMap;

use crate::AppState;
use crate::error::PageError;
use crate::forms::Form;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, render};
use crate::viewer::CurrentActor;

/// The SWEMWBS answer scale, 1 to 5.
const SWEMWBS_SCALE: [&str; 5] = [
    "None of the time",
    "Rarely",
    "Some of the time",
    "Often",
    "All of the time",
];

/// One question: its input name (the first radio's id), wording, hint, choices and answer.
pub struct Question {
    pub name: String,
    pub label: String,
    pub hint: String,
    /// Value and label of each choice.
    pub choices: Vec<(String, String)>,
    pub value: String,
    pub error: String,
}

/// A questionnaire the person may be asked, for the page that lists them.
pub struct Choice {
    pub href: String,
    pub name: &'static str,
    pub about: &'static str,
}

#[derive(Template)]
#[template(path = "care/measures.html")]
struct ChooserPage {
    l: Layout,
    name: String,
    own: bool,
    choices: Vec<Choice>,
    swemwbs_loaded: bool,
    back: String,
}

#[derive(Template)]
#[template(path = "care/measure_form.html")]
struct QuestionnairePage {
    l: Layout,
    errors: Errors,
    person_id: i32,
    name: String,
    own: bool,
    instrument: &'static str,
    title: &'static str,
    intro: String,
    questions: Vec<Question>,
    taken_on: String,
    timepoint: String,
    pam_level: String,
    pam_score: String,
    /// For staff: SWEMWBS wording has not been loaded under the organisation's licence.
    unlicensed: bool,
    back: String,
}

fn instrument_of(slug: &str) -> Option<Instrument> {
    match slug {
        "ons4" => Some(Instrument::Ons4),
        "swemwbs" => Some(Instrument::Swemwbs),
        "pam" => Some(Instrument::Pam),
        _ => None,
    }
}

fn back_to(own: bool, id: i32) -> String {
    if own {
        "/me".into()
    } else {
        format!("/people/{id}")
    }
}

/// The questionnaires to choose from.
pub async fn measures_form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    let loaded = async {
        let p = services::care::people::get(&state.svc, a, &v.meta, id).await?;
        let wording = measures::wording(&state.svc, Instrument::Swemwbs).await?;
        Ok::<_, ServiceError>((p, wording.len() == 7))
    }
    .await;
    let (p, swemwbs_loaded) = match loaded {
        Ok(x) => x,
        Err(e) => return PageError::new(e, &v).into_response(),
    };
    let own = p.user_id == Some(a.user_id);
    let mut choices = vec![Choice {
        href: format!("/people/{id}/measures/ons4"),
        name: "ONS4 personal wellbeing",
        about: "4 questions about life satisfaction, feeling worthwhile, happiness and anxiety, each from 0 to 10",
    }];
    if !own || swemwbs_loaded {
        choices.push(Choice {
            href: format!("/people/{id}/measures/swemwbs"),
            name: "SWEMWBS mental wellbeing",
            about: "7 statements about thoughts and feelings over the last 2 weeks",
        });
    }
    if !own {
        choices.push(Choice {
            href: format!("/people/{id}/measures/pam"),
            name: "Patient activation (PAM)",
            about: "The level and score from the licensed Patient Activation Measure",
        });
    }
    render(
        StatusCode::OK,
        &ChooserPage {
            l: Layout::for_viewer(
                format!(
                    "Wellbeing questionnaires: {} {}",
                    p.given_name, p.family_name
                ),
                &v,
                if own { "/me" } else { "/caseload" },
            ),
            name: format!("{} {}", p.given_name, p.family_name),
            own,
            choices,
            swemwbs_loaded,
            back: back_to(own, id),
        },
    )
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page is drawn from everything the form holds"
)]
async fn questionnaire_page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    id: i32,
    instrument: Instrument,
    status: StatusCode,
    errors: Errors,
    typed: HashMap<String, String>,
) -> Response {
    let loaded = async {
        let p = services::care::people::get(&state.svc, a, &v.meta, id).await?;
        let wording = measures::wording(&state.svc, Instrument::Swemwbs).await?;
        Ok::<_, ServiceError>((p, wording))
    }
    .await;
    let (p, wording) = match loaded {
        Ok(x) => x,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    let own = p.user_id == Some(a.user_id);
    let slug = instrument.as_str();
    // A person answers ONS4, and SWEMWBS once its wording is loaded; PAM is for staff.
    if own
        && (instrument == Instrument::Pam
            || (instrument == Instrument::Swemwbs && wording.len() != 7))
    {
        return PageError::new(ServiceError::NotFound("questionnaire"), v).into_response();
    }
    // The use case names answers "answers[i]"; on this page they are the radios "ons4_i" etc.
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
                    Some(i) => FieldError::new(format!("{slug}_{i}"), e.message),
                    None if e.field == "answers" => FieldError::new(format!("{slug}_0"), e.message),
                    None => e,
                }
            })
            .collect(),
    );
    let question = |i: usize, label: String, hint: String, choices: Vec<(String, String)>| {
        let name = format!("{slug}_{i}");
        Question {
            value: typed.get(&name).cloned().unwrap_or_default(),
            error: errors.get(&name).unwrap_or("").to_owned(),
            name,
            label,
            hint,
            choices,
        }
    };
    let (title, intro, questions) = match instrument {
        Instrument::Ons4 => (
            "ONS4 personal wellbeing",
            "There are no right or wrong answers. For each question, choose a number from 0 to 10, where 0 is \u{201c}not at all\u{201d} and 10 is \u{201c}completely\u{201d}.".to_owned(),
            ONS4_ITEMS
                .iter()
                .enumerate()
                .map(|(i, (key, q))| {
                    let hint = if *key == "anxious" {
                        "0 is not at all anxious, 10 is completely anxious"
                    } else {
                        "0 is not at all, 10 is completely"
                    };
                    question(
                        i,
                        (*q).to_owned(),
                        hint.to_owned(),
                        (0..=10).map(|n| (n.to_string(), n.to_string())).collect(),
                    )
                })
                .collect(),
        ),
        Instrument::Swemwbs => (
            "SWEMWBS mental wellbeing",
            if wording.len() == 7 {
                "Below are some statements about feelings and thoughts. Choose the answer that best describes the experience of each over the last 2 weeks.".to_owned()
            } else {
                "Enter the answers from the printed questionnaire, statement by statement, in its order.".to_owned()
            },
            (0..7)
                .map(|i| {
                    question(
                        i,
                        wording
                            .get(i)
                            .cloned()
                            .unwrap_or_else(|| format!("Statement {} of the printed questionnaire", i + 1)),
                        String::new(),
                        SWEMWBS_SCALE
                            .iter()
                            .enumerate()
                            .map(|(n, l)| ((n + 1).to_string(), (*l).to_owned()))
                            .collect(),
                    )
                })
                .collect(),
        ),
        Instrument::Pam => (
            "Patient activation (PAM)",
            "Record the level and score from the licensed Patient Activation Measure.".to_owned(),
            vec![],
        ),
    };
    let today = state.svc.today();
    render(
        status,
        &QuestionnairePage {
            l: Layout::for_viewer(
                format!("{title}: {} {}", p.given_name, p.family_name),
                v,
                if own { "/me" } else { "/caseload" },
            )
            .with_errors(&errors),
            person_id: id,
            name: format!("{} {}", p.given_name, p.family_name),
            own,
            instrument: slug,
            title,
            intro,
            questions,
            taken_on: typed
                .get("taken_on")
                .cloned()
                .unwrap_or_else(|| today.format("%-d/%-m/%Y").to_string()),
            timepoint: typed
                .get("timepoint")
                .cloned()
                .unwrap_or_else(|| "start".into()),
            pam_level: typed.get("pam_level").cloned().unwrap_or_default(),
            pam_score: typed.get("pam_score").cloned().unwrap_or_default(),
            unlicensed: instrument == Instrument::Swemwbs && wording.len() != 7,
            back: format!("/people/{id}/measures"),
            errors,
        },
    )
}

pub async fn questionnaire_form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path((id, slug)): Path<(i32, String)>,
) -> Response {
    let Some(instrument) = instrument_of(&slug) else {
        return PageError::new(ServiceError::NotFound("questionnaire"), &v).into_response();
    };
    questionnaire_page(
        &state,
        &v,
        a,
        id,
        instrument,
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
    Path((id, slug)): Path<(i32, String)>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let Some(instrument) = instrument_of(&slug) else {
        return PageError::new(ServiceError::NotFound("questionnaire"), &v).into_response();
    };
    let count = match instrument {
        Instrument::Ons4 => 4,
        Instrument::Swemwbs => 7,
        Instrument::Pam => 0,
    };
    let mut problems = Vec::new();
    let answers: Vec<Option<i64>> = (0..count)
        .map(|i| {
            let raw = f
                .get(&format!("{slug}_{i}"))
                .map(|s| s.trim().to_owned())
                .unwrap_or_default();
            if raw.is_empty() {
                return None;
            }
            raw.parse()
                .map_err(|_| {
                    problems.push(FieldError::new(
                        format!("answers[{i}]"),
                        format!("Question {}: choose one of the answers", i + 1),
                    ))
                })
                .ok()
        })
        .collect();
    let pam_level = f.get("pam_level").and_then(|s| s.trim().parse().ok());
    let pam_score = f.get("pam_score").and_then(|s| s.trim().parse().ok());
    let result = if problems.is_empty() {
        let input = measures::MeasureInput {
            instrument: slug.clone(),
            timepoint: f.get("timepoint").cloned(),
            taken_on: f.get("taken_on").cloned(),
            answers,
            pam_level,
            pam_score,
            referral_id: None,
        };
        measures::record(&state.svc, a, &v.meta, id, input).await
    } else {
        Err(ServiceError::Invalid(problems))
    };
    match result {
        Ok(_) => {
            let own = lookup::own_record(&state.svc, a)
                .await
                .is_ok_and(|p| p.is_some_and(|p| p.id() == id));
            Redirect::to(&format!("{}?saved=measure", back_to(own, id))).into_response()
        }
        Err(ServiceError::Invalid(list)) => {
            questionnaire_page(
                &state,
                &v,
                a,
                id,
                instrument,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                f,
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
