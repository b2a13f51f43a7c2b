//! E-learning: the modules with the learner's progress, each module's lessons read in order
//! (resuming where they left off), and its knowledge check.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::learning::elearning::{self, Marked, Module};
use services::learning::elearning::{self as svc, Progress};
use services::{FieldError, ServiceError};
use std::collections::HashMap;

use crate::AppState;
use crate::error::PageError;
use crate::forms::Form;
use crate::view::{Errors, Layout, render};
use crate::viewer::{CurrentActor, Viewer};

/// A module in the list, with where the learner is.
pub struct ModuleRow {
    pub slug: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    pub minutes: i32,
    pub status: String,
    pub status_class: &'static str,
    pub counts_as_trained: bool,
}

fn status(m: &Module, p: &Progress) -> (String, &'static str) {
    if p.passed_at.is_some() {
        ("Passed".into(), "nhsuk-tag--green")
    } else if p.lessons_done >= m.lessons.len() {
        ("Knowledge check to take".into(), "nhsuk-tag--yellow")
    } else if p.started() {
        (
            format!("Lesson {} of {}", p.lessons_done + 1, m.lessons.len()),
            "nhsuk-tag--blue",
        )
    } else {
        ("Not started".into(), "nhsuk-tag--grey")
    }
}

fn row(m: &'static Module, p: &Progress) -> ModuleRow {
    let (status, status_class) = status(m, p);
    ModuleRow {
        slug: m.slug,
        title: m.title,
        summary: m.summary,
        minutes: m.minutes,
        status,
        status_class,
        counts_as_trained: m.counts_as_trained,
    }
}

#[derive(Template)]
#[template(path = "learning/modules.html")]
struct ListPage {
    l: Layout,
    modules: Vec<ModuleRow>,
    signed_in: bool,
}

/// The modules; with the learner's progress when signed in.
pub async fn list(State(state): State<AppState>, v: Viewer) -> Response {
    let rows = match v.actor() {
        Some(a) => match svc::modules(&state.svc, a).await {
            Ok(list) => list.into_iter().map(|(m, p)| row(m, &p)).collect(),
            Err(e) => return PageError::new(e, &v).into_response(),
        },
        None => elearning::MODULES
            .iter()
            .map(|m| row(m, &Progress::default()))
            .collect(),
    };
    render(
        StatusCode::OK,
        &ListPage {
            l: Layout::for_viewer("E-learning", &v, "/learning"),
            modules: rows,
            signed_in: v.actor().is_some(),
        },
    )
}

#[derive(Template)]
#[template(path = "learning/module.html")]
struct ModulePage {
    l: Layout,
    m: ModuleRow,
    lessons: Vec<(usize, &'static str, bool)>,
    pass_mark: i32,
    questions: usize,
    signed_in: bool,
    next_lesson: usize,
    passed: bool,
    best: String,
    /// Where to carry on, and the words for it.
    action: (String, &'static str),
}

/// A module's outline, and where to carry on.
pub async fn module(
    State(state): State<AppState>,
    v: Viewer,
    Path(slug): Path<String>,
) -> Response {
    let (m, p) = match v.actor() {
        Some(a) => match svc::module(&state.svc, a, &slug).await {
            Ok(x) => x,
            Err(e) => return PageError::new(e, &v).into_response(),
        },
        None => match elearning::module(&slug) {
            Some(m) => (m, Progress::default()),
            None => {
                return PageError::new(ServiceError::NotFound("module"), &v).into_response();
            }
        },
    };
    render(
        StatusCode::OK,
        &ModulePage {
            l: Layout::for_viewer(m.title, &v, "/learning"),
            lessons: m
                .lessons
                .iter()
                .enumerate()
                .map(|(i, l)| (i + 1, l.title, i < p.lessons_done))
                .collect(),
            pass_mark: m.pass_mark,
            questions: m.questions.len(),
            signed_in: v.actor().is_some(),
            next_lesson: (p.lessons_done + 1).min(m.lessons.len()),
            passed: p.passed_at.is_some(),
            action: if p.lessons_done >= m.lessons.len() {
                (
                    format!("/learning/modules/{}/check", m.slug),
                    "Take the knowledge check",
                )
            } else if p.started() {
                (
                    format!(
                        "/learning/modules/{}/lessons/{}",
                        m.slug,
                        p.lessons_done + 1
                    ),
                    "Carry on where you left off",
                )
            } else {
                (
                    format!("/learning/modules/{}/lessons/1", m.slug),
                    "Start the first lesson",
                )
            },
            best: p.best_score.map(|s| format!("{s}%")).unwrap_or_default(),
            m: row(m, &p),
        },
    )
}

#[derive(Template)]
#[template(path = "learning/lesson.html")]
struct LessonPage {
    l: Layout,
    slug: &'static str,
    module: &'static str,
    n: usize,
    of: usize,
    title: &'static str,
    paragraphs: &'static [&'static str],
    points: &'static [&'static str],
}

/// Lesson `n` (from 1) of a module.
pub async fn lesson(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path((slug, n)): Path<(String, usize)>,
) -> Response {
    let Some(i) = n.checked_sub(1) else {
        return PageError::new(ServiceError::NotFound("lesson"), &v).into_response();
    };
    match svc::lesson(&state.svc, a, &slug, i).await {
        Ok((m, _)) => {
            let Some(l) = m.lesson(i) else {
                return PageError::new(ServiceError::NotFound("lesson"), &v).into_response();
            };
            render(
                StatusCode::OK,
                &LessonPage {
                    l: Layout::for_viewer(format!("{}: {}", m.title, l.title), &v, "/learning"),
                    slug: m.slug,
                    module: m.title,
                    n,
                    of: m.lessons.len(),
                    title: l.title,
                    paragraphs: l.paragraphs,
                    points: l.points,
                },
            )
        }
        // A lesson not reached yet: back to the one the learner is at.
        Err(ServiceError::Conflict(_)) => {
            Redirect::to(&format!("/learning/modules/{slug}")).into_response()
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

/// Marks lesson `n` read and moves on: to the next lesson, or to the knowledge check.
pub async fn finish_lesson(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path((slug, n)): Path<(String, usize)>,
) -> Response {
    let Some(i) = n.checked_sub(1) else {
        return PageError::new(ServiceError::NotFound("lesson"), &v).into_response();
    };
    match svc::finish_lesson(&state.svc, a, &slug, i).await {
        Ok(_) => {
            let of = elearning::module(&slug).map_or(0, |m| m.lessons.len());
            if n >= of {
                Redirect::to(&format!("/learning/modules/{slug}/check")).into_response()
            } else {
                Redirect::to(&format!("/learning/modules/{slug}/lessons/{}", n + 1)).into_response()
            }
        }
        Err(ServiceError::Conflict(_)) => {
            Redirect::to(&format!("/learning/modules/{slug}")).into_response()
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub struct QuestionView {
    pub n: usize,
    pub prompt: &'static str,
    pub options: Vec<(usize, &'static str, bool)>,
    pub error: String,
    /// After marking: whether it was right, and why the answer is what it is.
    pub right: Option<bool>,
    pub why: &'static str,
}

#[derive(Template)]
#[template(path = "learning/check.html")]
struct CheckPage {
    l: Layout,
    errors: Errors,
    slug: &'static str,
    module: &'static str,
    pass_mark: i32,
    questions: Vec<QuestionView>,
    marked: Option<Marked>,
    certificate: String,
}

fn check_page(
    v: &Viewer,
    m: &'static Module,
    status: StatusCode,
    errors: Errors,
    answers: &[Option<usize>],
    marked: Option<Marked>,
    certificate: String,
) -> Response {
    let questions = m
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| QuestionView {
            n: i,
            prompt: q.prompt,
            options: q
                .options
                .iter()
                .enumerate()
                .map(|(j, o)| (j, *o, answers.get(i).copied().flatten() == Some(j)))
                .collect(),
            error: errors.get(&format!("q{i}")).unwrap_or("").to_owned(),
            right: marked.as_ref().and_then(|mk| mk.each.get(i).copied()),
            why: q.why,
        })
        .collect();
    let title = match &marked {
        Some(mk) if mk.passed => format!("You passed: {}", m.title),
        Some(_) => format!("Not passed yet: {}", m.title),
        None => format!("Knowledge check: {}", m.title),
    };
    render(
        status,
        &CheckPage {
            l: Layout::for_viewer(title, v, "/learning").with_errors(&errors),
            errors,
            slug: m.slug,
            module: m.title,
            pass_mark: m.pass_mark,
            questions,
            marked,
            certificate,
        },
    )
}

/// The knowledge check, once every lesson is read.
pub async fn check_form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(slug): Path<String>,
) -> Response {
    match svc::module(&state.svc, a, &slug).await {
        Ok((m, p)) if p.lessons_done >= m.lessons.len() => check_page(
            &v,
            m,
            StatusCode::OK,
            Errors::default(),
            &[],
            None,
            String::new(),
        ),
        Ok(_) => Redirect::to(&format!("/learning/modules/{slug}")).into_response(),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

/// Marks the check: the result with each question's explanation, and the certificate on a
/// first pass.
pub async fn check(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(slug): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let Some(m) = elearning::module(&slug) else {
        return PageError::new(ServiceError::NotFound("module"), &v).into_response();
    };
    let answers: Vec<Option<usize>> = (0..m.questions.len())
        .map(|i| f.get(&format!("q{i}")).and_then(|s| s.parse().ok()))
        .collect();
    match svc::check(&state.svc, a, &v.meta, &slug, &answers).await {
        Ok(out) => {
            let code = out.certificate.clone().unwrap_or_default();
            check_page(
                &v,
                m,
                StatusCode::OK,
                Errors::default(),
                &answers,
                Some(out.marked),
                code,
            )
        }
        Err(ServiceError::Invalid(list)) => check_page(
            &v,
            m,
            StatusCode::UNPROCESSABLE_ENTITY,
            Errors(list),
            &answers,
            None,
            String::new(),
        ),
        Err(ServiceError::Conflict(msg)) => check_page(
            &v,
            m,
            StatusCode::CONFLICT,
            Errors(vec![FieldError::new("q0", msg)]),
            &answers,
            None,
            String::new(),
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
