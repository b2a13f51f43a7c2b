//! The Peer Leadership Development Programme: its public page (the steps, progress against its
//! aims, and for someone signed in their own progress, enrolling and leaving), and the
//! organisers' page of everyone on it, with cohorts and the actions that move people on.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveTime;
use domain::leadership::{EnrolmentState, PLDP_BENEFIT_AIM, PLDP_LEADER_AIM, PLDP_STEPS};
use services::ServiceError;
use services::leadership::pldp::{self, Action, Progress};
use std::collections::HashMap;

use crate::AppState;
use crate::error::PageError;
use crate::forms::Form;
use crate::view::{Errors, Layout, date, date_time, render, thousands};
use crate::viewer::{CurrentActor, Viewer};

pub struct StepView {
    pub n: i32,
    pub title: &'static str,
    pub how: &'static str,
    pub status: &'static str,
    pub href: String,
}

#[derive(Template)]
#[template(path = "leadership/pldp.html")]
struct ShowPage {
    l: Layout,
    signed_in: bool,
    enrolled: bool,
    state: &'static str,
    step: i32,
    steps: Vec<StepView>,
    sessions: Vec<(String, String)>,
    cohort: String,
    benefiting: String,
    leaders: String,
    benefit_aim: String,
    leader_aim: String,
    organiser: bool,
}

fn step_status(p: Option<&Progress>, n: i32) -> &'static str {
    match p {
        None => "",
        Some(p) if p.state == EnrolmentState::Graduated => "Done",
        Some(p) if n < p.step => "Done",
        Some(p) if n == p.step && p.state == EnrolmentState::Left => "You left here",
        Some(p) if n == p.step => "You are here",
        Some(_) => "",
    }
}

pub async fn show(State(state): State<AppState>, v: Viewer) -> Response {
    let svc = &state.svc;
    let result: Result<ShowPage, ServiceError> = async {
        let mine = match v.actor() {
            Some(a) => pldp::mine(svc, a).await?,
            None => None,
        };
        let sessions = match v.actor() {
            Some(a) => pldp::my_sessions(svc, a).await?,
            None => Vec::new(),
        };
        let (benefiting, leaders) = pldp::counts(svc).await?;
        Ok(ShowPage {
            l: Layout::for_viewer("Peer Leadership Development Programme", &v, "/pldp"),
            signed_in: v.actor().is_some(),
            enrolled: mine.is_some(),
            state: match mine.as_ref().map(|p| p.state) {
                Some(EnrolmentState::Active) => "active",
                Some(EnrolmentState::Left) => "left",
                Some(EnrolmentState::Graduated) => "graduated",
                None => "",
            },
            step: mine.as_ref().map_or(0, |p| p.step),
            steps: PLDP_STEPS
                .iter()
                .map(|(n, title, how)| StepView {
                    n: *n,
                    title,
                    how,
                    status: step_status(mine.as_ref(), *n),
                    href: match n {
                        1 => format!("/learning/modules/{}", pldp::STEP_1),
                        2 => format!("/learning/modules/{}", pldp::STEP_2),
                        _ => String::new(),
                    },
                })
                .collect(),
            sessions: sessions
                .into_iter()
                .map(|(t, s, _)| (t, date_time(&s)))
                .collect(),
            cohort: mine.and_then(|p| p.cohort).unwrap_or_default(),
            benefiting: thousands(benefiting),
            leaders: thousands(leaders),
            benefit_aim: thousands(PLDP_BENEFIT_AIM),
            leader_aim: thousands(PLDP_LEADER_AIM),
            organiser: v
                .actor()
                .is_some_and(|a| a.can(domain::Permission::RunNetworks)),
        })
    }
    .await;
    match result {
        Ok(p) => render(StatusCode::OK, &p),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn enrol(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Response {
    match pldp::enrol(&state.svc, a, &v.meta).await {
        Ok(()) => Redirect::to("/pldp?saved=enrolled").into_response(),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn leave(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let reason = f.get("reason").cloned().unwrap_or_default();
    match pldp::leave(&state.svc, a, &v.meta, &reason).await {
        Ok(()) => Redirect::to("/pldp?saved=left-programme").into_response(),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub struct PersonRow {
    pub user_id: i32,
    pub name: String,
    pub step: i32,
    pub state: &'static str,
    pub enrolled: String,
    pub cohort: String,
    pub ready: bool,
    pub in_cohort: bool,
    pub step_3_done: bool,
}

pub struct CohortRow {
    pub id: i32,
    pub name: String,
    pub facilitator: String,
    pub taken: usize,
    pub places: i32,
    pub sessions: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "leadership/pldp_manage.html")]
struct ManagePage {
    l: Layout,
    errors: Errors,
    people: Vec<PersonRow>,
    cohorts: Vec<CohortRow>,
    benefiting: String,
    leaders: String,
    benefit_aim: String,
    leader_aim: String,
    by_step: Vec<(i32, usize)>,
    left: usize,
    orgs: Vec<(i32, String)>,
    f: HashMap<String, String>,
}

impl ManagePage {
    fn v(&self, k: &str) -> &str {
        self.f.get(k).map(String::as_str).unwrap_or("")
    }
    fn e(&self, k: &str) -> &str {
        self.errors.get(k).unwrap_or("")
    }
}

async fn manage_page(
    state: &AppState,
    v: &Viewer,
    a: &services::Actor,
    status: StatusCode,
    errors: Errors,
    f: HashMap<String, String>,
) -> Response {
    let svc = &state.svc;
    let result: Result<ManagePage, ServiceError> = async {
        let o = pldp::overview(svc, a, &v.meta).await?;
        let active = |s: i32| {
            o.people
                .iter()
                .filter(|p| p.state == EnrolmentState::Active && p.step == s)
                .count()
        };
        Ok(ManagePage {
            l: Layout::for_viewer("Running the programme", v, "/pldp").with_errors(&errors),
            errors,
            by_step: vec![(1, active(1)), (2, active(2)), (3, active(3))],
            left: o
                .people
                .iter()
                .filter(|p| p.state == EnrolmentState::Left)
                .count(),
            people: o
                .people
                .iter()
                .map(|p| PersonRow {
                    user_id: p.user_id,
                    name: p.name.clone(),
                    step: p.step,
                    state: match p.state {
                        EnrolmentState::Active => "Taking part",
                        EnrolmentState::Left => "Left",
                        EnrolmentState::Graduated => "Peer Leader",
                    },
                    enrolled: date(&p.enrolled_at),
                    cohort: p.cohort.clone().unwrap_or_default(),
                    ready: p.state == EnrolmentState::Active && p.step == 3,
                    in_cohort: p.cohort_id.is_some(),
                    step_3_done: p.step_3_done,
                })
                .collect(),
            cohorts: o
                .cohorts
                .iter()
                .map(|c| CohortRow {
                    id: c.id,
                    name: c.name.clone(),
                    facilitator: c.facilitator.clone(),
                    taken: c.members.len(),
                    places: c.places,
                    sessions: c
                        .sessions
                        .iter()
                        .map(|(t, s, _)| (t.clone(), date_time(s)))
                        .collect(),
                })
                .collect(),
            benefiting: thousands(o.benefiting),
            leaders: thousands(o.leaders),
            benefit_aim: thousands(PLDP_BENEFIT_AIM),
            leader_aim: thousands(PLDP_LEADER_AIM),
            orgs: services::networks::run_by(svc, a)
                .await?
                .into_iter()
                .map(|n| (n.organisation_id, n.organisation))
                .fold(Vec::new(), |mut acc: Vec<(i32, String)>, x| {
                    if !acc.iter().any(|(id, _)| *id == x.0) {
                        acc.push(x);
                    }
                    acc
                }),
            f,
        })
    }
    .await;
    match result {
        Ok(p) => render(status, &p),
        Err(e) => PageError::new(e, v).into_response(),
    }
}

pub async fn manage(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Response {
    manage_page(
        &state,
        &v,
        a,
        StatusCode::OK,
        Errors::default(),
        HashMap::new(),
    )
    .await
}

/// The new cohort's form: a name, a facilitator, places, and the first session (date, start
/// and end), weekly for as many sessions as asked.
pub async fn open_cohort(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let mut errors = Vec::new();
    let first = match domain::dates::parse_within(
        get("first").trim(),
        state.svc.today(),
        state.svc.today() + chrono::Duration::days(366),
    ) {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(services::FieldError::new(
                "first",
                "Enter the date of the first session, within the next year, like 12 1 2027",
            ));
            None
        }
    };
    let start = domain::dates::parse_time(&get("start"));
    let end = domain::dates::parse_time(&get("end"));
    if start.is_none() || end.is_none() || start >= end {
        errors.push(services::FieldError::new(
            "start",
            "Enter the times each session starts and ends, like 2pm and 3:30pm",
        ));
    }
    let count = get("count").trim().parse::<i64>().unwrap_or(0);
    if !(1..=20).contains(&count) {
        errors.push(services::FieldError::new(
            "count",
            "Enter how many weekly sessions, from 1 to 20",
        ));
    }
    let places = get("places").trim().parse::<i32>().unwrap_or(0);
    let org = get("organisation_id").parse::<i32>().unwrap_or(0);
    let sessions: Vec<_> = match (first, start, end) {
        (Some(d), Some(s), Some(e)) if errors.is_empty() => (0..count)
            .filter_map(|w| {
                let day = d + chrono::Duration::weeks(w);
                let at = |t: NaiveTime| domain::dates::uk_instant(day, t);
                Some((format!("Session {}", w + 1), at(s)?, at(e)?))
            })
            .collect(),
        _ => Vec::new(),
    };
    let result = if errors.is_empty() {
        pldp::open_cohort(
            &state.svc,
            a,
            &v.meta,
            org,
            &get("name"),
            &get("facilitator"),
            places,
            &sessions,
        )
        .await
        .map(|_| ())
    } else {
        Err(ServiceError::Invalid(errors))
    };
    match result {
        Ok(()) => Redirect::to("/pldp/manage?saved=cohort").into_response(),
        Err(ServiceError::Invalid(mut list)) => {
            // The sessions are made from the first date and the times.
            for x in &mut list {
                if x.field == "sessions" {
                    x.field = "first".into();
                }
            }
            let order = [
                "organisation_id",
                "name",
                "facilitator",
                "places",
                "first",
                "start",
                "count",
                "sessions",
            ];
            list.sort_by_key(|x| {
                order
                    .iter()
                    .position(|o| *o == x.field)
                    .unwrap_or(order.len())
            });
            manage_page(
                &state,
                &v,
                a,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                f,
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn act(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(user): Path<i32>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let action = match f.get("action").map(String::as_str) {
        Some("place") => match f.get("cohort").and_then(|c| c.parse::<i32>().ok()) {
            Some(c) => Action::Place(c),
            None => {
                return PageError::new(ServiceError::invalid("cohort", "Choose a cohort"), &v)
                    .into_response();
            }
        },
        Some("step3") => Action::StepThreeDone,
        Some("graduate") => Action::Graduate,
        _ => {
            return PageError::new(ServiceError::invalid("action", "Choose what to do"), &v)
                .into_response();
        }
    };
    match pldp::act(&state.svc, a, &v.meta, user, action).await {
        Ok(()) => Redirect::to("/pldp/manage?saved=programme").into_response(),
        Err(ServiceError::Conflict(m)) => crate::pages::networks::notice(
            &v,
            StatusCode::CONFLICT,
            "That could not be done",
            "Peer Leadership Development Programme",
            vec![m],
            None,
            vec![("/pldp/manage".into(), "Back to the programme".into())],
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
