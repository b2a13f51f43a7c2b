//! Writing in a person's record: About Me (with its history) and outcome measures. Staff with
//! a relationship and the person themselves use the same pages; the use cases check which.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::about_me::SECTIONS;
use domain::measures::ONS4_ITEMS;
use services::Actor;
use services::care::{about_me, lookup, measures};
use services::{FieldError, ServiceError};
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
                    format!("/people/{id}")
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
        let wording = measures::wording(&state.svc, "swemwbs").await?;
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
                    format!("/people/{id}")
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

pub struct GoalView {
    pub description: String,
    pub importance: i64,
    pub status: &'static str,
    pub stage_goals: Vec<String>,
    pub actions: Vec<(String, String, String, &'static str, i64)>,
}

pub struct NeedView {
    pub description: String,
    pub goals: Vec<GoalView>,
}

pub struct PlanView {
    pub meta: String,
    pub strengths: String,
    pub needs: Vec<NeedView>,
    pub contingencies: Vec<(String, String, String)>,
    pub agreed_with: String,
    pub review: String,
}

fn plan_view(v: &services::care::PlanVersion) -> PlanView {
    use domain::plan::{ACTION_STATUSES, GOAL_STATUSES, label_of};
    let c = services::care::plans::content_of(v);
    PlanView {
        meta: format!(
            "Version {}, saved {} by {}",
            v.version,
            date_time(&v.created_at),
            v.updated_by_label
        ),
        strengths: c.strengths,
        needs: c
            .needs
            .into_iter()
            .map(|n| NeedView {
                description: n.description,
                goals: n
                    .goals
                    .into_iter()
                    .map(|g| GoalView {
                        description: g.description,
                        importance: g.importance,
                        status: label_of(&GOAL_STATUSES, &g.status),
                        stage_goals: g.stage_goals,
                        actions: g
                            .actions
                            .into_iter()
                            .map(|a| {
                                (
                                    a.what,
                                    a.who,
                                    a.when,
                                    label_of(&ACTION_STATUSES, &a.status),
                                    a.confidence,
                                )
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        contingencies: c
            .contingencies
            .into_iter()
            .map(|x| (x.trigger, x.action, x.contact))
            .collect(),
        agreed_with: v.agreed_with.clone().unwrap_or_default(),
        review: v
            .review_date
            .map(|d| d.format("%-d %B %Y").to_string())
            .unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "care/plan.html")]
struct PlanPage {
    l: Layout,
    person_id: i32,
    name: String,
    plan: Option<PlanView>,
    back: String,
    versions: Vec<(i32, String, bool)>,
}

#[derive(serde::Deserialize, Default)]
pub struct PlanQuery {
    version: Option<i32>,
}

/// The plan in plain words, to read on screen or print and take away.
pub async fn plan(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    axum::extract::Query(q): axum::extract::Query<PlanQuery>,
) -> Response {
    match services::care::plans::read(&state.svc, a, &v.meta, id).await {
        Ok((p, history)) => {
            let shown = match q.version {
                Some(n) => history.iter().find(|h| h.version == n).cloned(),
                None => history.first().cloned(),
            };
            let shown_version = shown.as_ref().map(|s| s.version);
            let own = p.user_id == Some(a.user_id);
            render(
                StatusCode::OK,
                &PlanPage {
                    l: Layout::for_viewer(
                        format!("Care and support plan: {} {}", p.given_name, p.family_name),
                        &v,
                        if own { "/me" } else { "/caseload" },
                    ),
                    person_id: id,
                    name: format!("{} {}", p.given_name, p.family_name),
                    plan: shown.as_ref().map(plan_view),
                    back: if own {
                        "/me".into()
                    } else {
                        format!("/people/{id}")
                    },
                    versions: history
                        .iter()
                        .map(|h| {
                            (
                                h.version,
                                format!(
                                    "Version {}: {} by {}",
                                    h.version,
                                    date_time(&h.created_at),
                                    h.updated_by_label
                                ),
                                Some(h.version) == shown_version,
                            )
                        })
                        .collect(),
                },
            )
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Template)]
#[template(path = "care/me.html")]
struct MePage {
    l: Layout,
    message: &'static str,
    person_id: i32,
    name: String,
    supporters: Vec<(String, String, String)>,
    about_me: Vec<(&'static str, String)>,
    plan: Option<PlanView>,
    chart: String,
    measures: usize,
}

#[derive(serde::Deserialize, Default)]
pub struct MeQuery {
    saved: Option<String>,
}

/// The person's own view: who supports them, their plan, their About Me and their measures.
pub async fn me(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    axum::extract::Query(q): axum::extract::Query<MeQuery>,
) -> Response {
    let loaded = async {
        let Some(p) = lookup::own_record(&state.svc, a).await? else {
            return Err(ServiceError::NotFound("your record"));
        };
        let supporters = lookup::supporters(&state.svc, p.id).await?;
        let am = about_me::current(&state.svc, a, &v.meta, p.id).await?;
        let plan = services::care::plans::current(&state.svc, a, &v.meta, p.id).await?;
        let ms = measures::list(&state.svc, &p).await?;
        Ok((p, supporters, am, plan, ms))
    }
    .await;
    match loaded {
        Ok((p, supporters, am, plan, ms)) => {
            let sections = am.as_ref().map(about_me::sections_of).unwrap_or_default();
            render(
                StatusCode::OK,
                &MePage {
                    l: Layout::for_viewer("Your plan and support", &v, "/me"),
                    message: match q.saved.as_deref() {
                        Some("about-me") => "Your About me has been saved.",
                        Some("measure") => "Your answers have been saved.",
                        _ => "",
                    },
                    person_id: p.id,
                    name: p.given_name.clone(),
                    supporters,
                    about_me: SECTIONS
                        .iter()
                        .filter_map(|(k, label)| sections.get(*k).map(|t| (*label, t.clone())))
                        .collect(),
                    plan: plan.as_ref().map(plan_view),
                    chart: crate::charts::wellbeing_svg(&ms),
                    measures: ms.len(),
                },
            )
        }
        Err(ServiceError::NotFound(_)) => render(
            StatusCode::OK,
            &MePage {
                l: Layout::for_viewer("Your plan and support", &v, "/me"),
                message: "",
                person_id: 0,
                name: a.display_name.clone(),
                supporters: vec![],
                about_me: vec![],
                plan: None,
                chart: String::new(),
                measures: 0,
            },
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
