//! Consultations: the form organisers open one with, a consultation's page (the draft, the
//! questions and the member's own answers, which they may change until it closes), and the
//! organisers' summary of responses with a CSV export.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveTime;
use services::ServiceError;
use services::leadership::influence;
use services::networks;
use std::collections::HashMap;

use crate::AppState;
use crate::error::PageError;
use crate::forms::Form;
use crate::view::{Errors, Layout, date_time, render};
use crate::viewer::{CurrentActor, Viewer};

#[derive(Template)]
#[template(path = "leadership/consultation_form.html")]
struct FormPage {
    l: Layout,
    errors: Errors,
    network: String,
    slug: String,
    f: HashMap<String, String>,
}

impl FormPage {
    fn v(&self, k: &str) -> &str {
        self.f.get(k).map(String::as_str).unwrap_or("")
    }
    fn e(&self, k: &str) -> &str {
        self.errors.get(k).unwrap_or("")
    }
}

async fn form_page(
    state: &AppState,
    v: &Viewer,
    a: &services::Actor,
    slug: &str,
    status: StatusCode,
    errors: Errors,
    f: HashMap<String, String>,
) -> Response {
    match networks::organised(&state.svc, a, slug).await {
        Ok(n) => render(
            status,
            &FormPage {
                l: Layout::for_viewer("Open a consultation", v, "/networks").with_errors(&errors),
                errors,
                network: n.name,
                slug: n.slug,
                f,
            },
        ),
        Err(e) => PageError::new(e, v).into_response(),
    }
}

pub async fn form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(slug): Path<String>,
) -> Response {
    form_page(
        &state,
        &v,
        a,
        &slug,
        StatusCode::OK,
        Errors::default(),
        HashMap::new(),
    )
    .await
}

pub async fn open(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(slug): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let today = state.svc.today();
    // Closes at the end of the day chosen, in England.
    let closes = domain::dates::parse_within(
        get("closes_on").trim(),
        today,
        today + chrono::Duration::days(366),
    )
    .ok()
    .and_then(|d| {
        domain::dates::uk_instant(d, NaiveTime::from_hms_opt(23, 59, 0).unwrap_or_default())
    });
    let typed = !get("closes_on").trim().is_empty();
    let result = influence::open(
        &state.svc,
        a,
        &v.meta,
        &slug,
        &get("title"),
        &get("draft"),
        &get("questions"),
        closes,
    )
    .await;
    match result {
        Ok(id) => Redirect::to(&format!("/consultations/{id}?saved=consultation")).into_response(),
        Err(ServiceError::Invalid(list)) => {
            let list = list
                .into_iter()
                .map(|mut x| {
                    if x.field == "closes_on" && typed {
                        x.message =
                            "Enter a closing date from today to a year ahead, like 31 1 2027"
                                .into();
                    }
                    x
                })
                .collect();
            form_page(
                &state,
                &v,
                a,
                &slug,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors::in_order(list, &influence::FIELDS),
                f,
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub struct QuestionView {
    pub n: usize,
    pub prompt: String,
    pub answer: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "leadership/consultation.html")]
struct ShowPage {
    l: Layout,
    errors: Errors,
    id: i32,
    network: String,
    slug: String,
    draft: Vec<String>,
    closes: String,
    open: bool,
    member: bool,
    organiser: bool,
    responded: bool,
    questions: Vec<QuestionView>,
}

async fn show_page(
    state: &AppState,
    v: &Viewer,
    a: &services::Actor,
    id: i32,
    status: StatusCode,
    errors: Errors,
    typed: Option<Vec<String>>,
) -> Response {
    let svc = &state.svc;
    let result: Result<ShowPage, ServiceError> = async {
        let c = influence::get(svc, a, id).await?;
        let mine = influence::my_answers(svc, a, id).await?;
        let answers = typed.or_else(|| mine.clone()).unwrap_or_default();
        Ok(ShowPage {
            l: Layout::for_viewer(c.title.clone(), v, "/networks").with_errors(&errors),
            id,
            member: networks::member_of(svc, a, c.network.id).await?.is_some(),
            organiser: c.network.organised_by(a),
            network: c.network.name.clone(),
            slug: c.network.slug.clone(),
            draft: c.draft.split("\n\n").map(str::to_owned).collect(),
            closes: date_time(&c.closes_at),
            open: c.open,
            responded: mine.is_some(),
            questions: c
                .questions
                .iter()
                .enumerate()
                .map(|(i, q)| QuestionView {
                    n: i + 1,
                    prompt: q.clone(),
                    answer: answers.get(i).cloned().unwrap_or_default(),
                    error: errors
                        .get(&format!("answer-{}", i + 1))
                        .unwrap_or("")
                        .to_owned(),
                })
                .collect(),
            errors,
        })
    }
    .await;
    match result {
        Ok(p) => render(status, &p),
        Err(e) => PageError::new(e, v).into_response(),
    }
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    show_page(&state, &v, a, id, StatusCode::OK, Errors::default(), None).await
}

pub async fn respond(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let answers: Vec<String> = (1..=20)
        .map(|i| f.get(&format!("answer-{i}")).cloned().unwrap_or_default())
        .collect();
    match influence::respond(&state.svc, a, &v.meta, id, &answers).await {
        Ok(()) => Redirect::to(&format!("/consultations/{id}?saved=responded")).into_response(),
        Err(ServiceError::Invalid(list)) => {
            show_page(
                &state,
                &v,
                a,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                Some(answers),
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            show_page(
                &state,
                &v,
                a,
                id,
                StatusCode::CONFLICT,
                Errors::one("answer-1", m),
                Some(answers),
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub struct SummaryRow {
    pub prompt: String,
    pub answered: usize,
    pub answers: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "leadership/responses.html")]
struct ResponsesPage {
    l: Layout,
    id: i32,
    network: String,
    slug: String,
    respondents: usize,
    closes: String,
    open: bool,
    by_region: Vec<(String, usize)>,
    questions: Vec<SummaryRow>,
}

pub async fn responses(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    match influence::responses(&state.svc, a, &v.meta, id).await {
        Ok((c, list, answered)) => {
            let mut by_region: Vec<(String, usize)> = Vec::new();
            for r in &list {
                let region = if r.region.is_empty() {
                    "Not given".to_owned()
                } else {
                    r.region.clone()
                };
                match by_region.iter_mut().find(|(x, _)| *x == region) {
                    Some((_, n)) => *n += 1,
                    None => by_region.push((region, 1)),
                }
            }
            by_region.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            render(
                StatusCode::OK,
                &ResponsesPage {
                    l: Layout::for_viewer(format!("Responses: {}", c.title), &v, "/networks"),
                    id,
                    network: c.network.name.clone(),
                    slug: c.network.slug.clone(),
                    respondents: list.len(),
                    closes: date_time(&c.closes_at),
                    open: c.open,
                    by_region,
                    questions: c
                        .questions
                        .iter()
                        .enumerate()
                        .map(|(i, q)| SummaryRow {
                            prompt: q.clone(),
                            answered: answered.get(i).copied().unwrap_or(0),
                            answers: list
                                .iter()
                                .filter_map(|r| {
                                    let a = r.answers.get(i)?;
                                    (!a.is_empty())
                                        .then(|| (r.name.clone(), r.region.clone(), a.clone()))
                                })
                                .collect(),
                        })
                        .collect(),
                },
            )
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn responses_csv(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    let result = match influence::responses(&state.svc, a, &v.meta, id).await {
        Ok((c, list, _)) => influence::responses_csv(&c, &list),
        Err(e) => Err(e),
    };
    match result {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"consultation-responses.csv\"",
                ),
            ],
            csv,
        )
            .into_response(),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
