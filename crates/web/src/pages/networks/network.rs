//! A network's public page, applying to join, the member directory, and organisers' pages for
//! applications and the events a network shows.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::learning::region_label;
use domain::networks::ApplicationState;
use services::ServiceError;
use services::networks::{self, ApplicationInput, Decision, Network, lists};
use std::collections::HashMap;

use crate::AppState;
use crate::error::PageError;
use crate::forms::Form;
use crate::view::{Errors, Layout, date, render};
use crate::viewer::{CurrentActor, Viewer};

fn region(code: &str) -> String {
    region_label(code).unwrap_or(code).to_owned()
}

pub struct NetworkRow {
    pub slug: String,
    pub name: String,
    pub summary: String,
    pub members: u64,
    pub organisation: String,
    pub mine: &'static str,
}

#[derive(Template)]
#[template(path = "networks/list.html")]
struct ListPage {
    l: Layout,
    networks: Vec<NetworkRow>,
}

pub async fn list(State(state): State<AppState>, v: Viewer) -> Response {
    let all = match networks::list(&state.svc).await {
        Ok(x) => x,
        Err(e) => return PageError::new(e, &v).into_response(),
    };
    let mine = match v.actor() {
        Some(a) => match networks::mine(&state.svc, a).await {
            Ok(m) => m.into_iter().map(|(n, _)| n.id).collect(),
            Err(e) => return PageError::new(e, &v).into_response(),
        },
        None => Vec::new(),
    };
    let networks = all
        .into_iter()
        .map(|n| NetworkRow {
            mine: if mine.contains(&n.id) {
                "You are a member"
            } else if v.actor().is_some_and(|a| n.organised_by(a)) {
                "You run this network"
            } else {
                ""
            },
            slug: n.slug,
            name: n.name,
            summary: n.summary,
            members: n.members,
            organisation: n.organisation,
        })
        .collect();
    render(
        StatusCode::OK,
        &ListPage {
            l: Layout::for_viewer("Networks", &v, "/networks"),
            networks,
        },
    )
}

pub struct CommunityRow {
    pub id: i32,
    pub name: String,
    pub yours: bool,
}

pub struct EventRow {
    pub uuid: String,
    pub title: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "networks/network.html")]
struct NetworkPage {
    l: Layout,
    n: Network,
    guideline: Vec<String>,
    signed_in: bool,
    organiser: bool,
    member: bool,
    listed: bool,
    /// The actor's application's state label and organiser's message, if any (not a member).
    applied: String,
    pending: bool,
    message: String,
    communities: Vec<CommunityRow>,
    events: Vec<EventRow>,
    lists: Vec<(String, String)>,
    waiting: u64,
    reports: u64,
    /// Events the organiser may show here: (uuid, title).
    to_show: Vec<(String, String)>,
    /// The network's consultations, for members and organisers: (id, title, open, closes).
    consultations: Vec<(i32, String, bool, String)>,
}

pub async fn show(State(state): State<AppState>, v: Viewer, Path(slug): Path<String>) -> Response {
    let svc = &state.svc;
    let n = match networks::get(svc, &slug).await {
        Ok(n) => n,
        Err(e) => return PageError::new(e, &v).into_response(),
    };
    let result: Result<NetworkPage, ServiceError> = async {
        let actor = v.actor();
        let organiser = actor.is_some_and(|a| n.organised_by(a));
        let (mut member, mut listed, mut own_community) = (false, false, None);
        let (mut applied, mut pending, mut message) = (String::new(), false, String::new());
        if let Some(a) = actor {
            if let Some(m) = networks::member_of(svc, a, n.id).await? {
                member = true;
                listed = m.listed;
                own_community = m.community_id;
            } else if let Some(app) = networks::application_of(svc, a, n.id).await? {
                let st = ApplicationState::parse(&app.state).unwrap_or(ApplicationState::Pending);
                pending = st == ApplicationState::Pending;
                applied = st.label().to_owned();
                message = app.message.unwrap_or_default();
            }
        }
        let events = networks::events(svc, n.id)
            .await?
            .into_iter()
            .map(|e| EventRow {
                when: crate::pages::learning::when(e.starts_at, e.ends_at),
                uuid: e.uuid,
                title: e.title,
            })
            .collect::<Vec<_>>();
        let lists = lists::of_network(svc, n.id)
            .await?
            .into_iter()
            .map(|l| (l.slug, l.name))
            .collect();
        let (mut waiting, mut reports, mut to_show) = (0, 0, Vec::new());
        if let (true, Some(a)) = (organiser, actor) {
            let (w, r) = networks::waiting(svc, a, &n.slug).await?;
            (waiting, reports) = (w, r);
            to_show = services::learning::catalogue::organised(svc, a, false)
                .await
                .unwrap_or_default()
                .into_iter()
                .filter(|e| !events.iter().any(|x| x.uuid == e.uuid))
                .map(|e| (e.uuid, e.title))
                .collect();
        }
        let consultations = match actor {
            Some(a) => services::leadership::influence::of_network(svc, a, &n)
                .await?
                .into_iter()
                .map(|c| (c.id, c.title, c.open, date(&c.closes_at)))
                .collect(),
            None => Vec::new(),
        };
        Ok(NetworkPage {
            consultations,
            l: Layout::for_viewer(n.name.clone(), &v, "/networks"),
            guideline: n.guideline.split("\n\n").map(str::to_owned).collect(),
            signed_in: actor.is_some(),
            organiser,
            member,
            listed,
            applied,
            pending,
            message,
            communities: n
                .communities
                .iter()
                .map(|c| CommunityRow {
                    id: c.id,
                    name: c.name.clone(),
                    yours: own_community == Some(c.id),
                })
                .collect(),
            events,
            lists,
            waiting,
            reports,
            to_show,
            n,
        })
    }
    .await;
    match result {
        Ok(p) => render(StatusCode::OK, &p),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Template)]
#[template(path = "networks/apply.html")]
struct ApplyPage {
    l: Layout,
    errors: Errors,
    n: Network,
    f: HashMap<String, String>,
    job_roles: &'static [&'static str],
    regions: Vec<(String, String)>,
}

impl ApplyPage {
    fn v(&self, k: &str) -> &str {
        self.f.get(k).map(String::as_str).unwrap_or("")
    }
    fn e(&self, k: &str) -> &str {
        self.errors.get(k).unwrap_or("")
    }
}

fn apply_page(
    v: &Viewer,
    status: StatusCode,
    n: Network,
    errors: Errors,
    f: HashMap<String, String>,
) -> Response {
    let regions = n
        .communities
        .iter()
        .map(|c| (c.region.clone(), region(&c.region)))
        .collect();
    render(
        status,
        &ApplyPage {
            l: Layout::for_viewer(format!("Apply to join {}", n.name), v, "/networks")
                .with_errors(&errors),
            errors,
            n,
            f,
            job_roles: &domain::learning::JOB_ROLES,
            regions,
        },
    )
}

pub async fn apply_form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(slug): Path<String>,
) -> Response {
    let n = match networks::get(&state.svc, &slug).await {
        Ok(n) => n,
        Err(e) => return PageError::new(e, &v).into_response(),
    };
    let mut f = HashMap::new();
    if let Some(role) = services::identity::users::job_role(&state.svc, a.user_id)
        .await
        .ok()
        .flatten()
    {
        f.insert("job_role".to_owned(), role);
    }
    apply_page(&v, StatusCode::OK, n, Errors::default(), f)
}

pub async fn apply(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(slug): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let input = ApplicationInput {
        job_role: get("job_role"),
        organisation: get("organisation"),
        region: get("region"),
        motivation: get("motivation"),
    };
    match networks::apply(&state.svc, a, &v.meta, &slug, &input).await {
        Ok(_) => Redirect::to(&format!("/networks/{slug}?saved=applied")).into_response(),
        Err(ServiceError::Invalid(list)) => match networks::get(&state.svc, &slug).await {
            Ok(n) => apply_page(
                &v,
                StatusCode::UNPROCESSABLE_ENTITY,
                n,
                Errors::in_order(list, &networks::APPLICATION_FIELDS),
                f,
            ),
            Err(e) => PageError::new(e, &v).into_response(),
        },
        Err(ServiceError::Conflict(m)) => match networks::get(&state.svc, &slug).await {
            Ok(n) => apply_page(&v, StatusCode::CONFLICT, n, Errors::one("job_role", m), f),
            Err(e) => PageError::new(e, &v).into_response(),
        },
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn withdraw(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(slug): Path<String>,
) -> Response {
    match networks::withdraw(&state.svc, a, &v.meta, &slug).await {
        Ok(()) => Redirect::to(&format!("/networks/{slug}?saved=withdrawn")).into_response(),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn listing(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(slug): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let listed = f.get("listed").map(String::as_str) == Some("yes");
    match networks::set_listed(&state.svc, a, &v.meta, &slug, listed).await {
        Ok(()) => Redirect::to(&format!("/networks/{slug}?saved=listing")).into_response(),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub struct MemberRow {
    pub name: String,
    pub job_role: String,
    pub organisation: String,
    pub region: String,
    pub joined: String,
    pub listed: bool,
}

#[derive(Template)]
#[template(path = "networks/members.html")]
struct MembersPage {
    l: Layout,
    n: Network,
    organiser: bool,
    members: Vec<MemberRow>,
}

pub async fn members(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(slug): Path<String>,
) -> Response {
    match networks::directory(&state.svc, a, &v.meta, &slug).await {
        Ok((n, list)) => render(
            StatusCode::OK,
            &MembersPage {
                l: Layout::for_viewer(format!("Members of {}", n.name), &v, "/networks"),
                organiser: n.organised_by(a),
                members: list
                    .into_iter()
                    .map(|m| MemberRow {
                        name: m.name,
                        job_role: m.job_role,
                        organisation: m.organisation,
                        region: region(&m.region),
                        joined: date(&m.joined_at),
                        listed: m.listed,
                    })
                    .collect(),
                n,
            },
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub struct ApplicationRow {
    pub id: i32,
    pub name: String,
    pub email: String,
    pub job_role: String,
    pub organisation: String,
    pub region: String,
    pub motivation: Vec<String>,
    pub applied: String,
    pub state: &'static str,
    pub message: String,
}

fn application_row(a: networks::Application) -> ApplicationRow {
    ApplicationRow {
        id: a.id,
        name: a.name,
        email: a.email,
        job_role: a.job_role,
        organisation: a.organisation,
        region: region(&a.region),
        motivation: a.motivation.lines().map(str::to_owned).collect(),
        applied: date(&a.created_at),
        state: a.state.label(),
        message: a.message.unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "networks/applications.html")]
struct ApplicationsPage {
    l: Layout,
    n: Network,
    waiting: Vec<ApplicationRow>,
}

pub async fn applications(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(slug): Path<String>,
) -> Response {
    match networks::applications(&state.svc, a, &v.meta, &slug, ApplicationState::Pending).await {
        Ok((n, list)) => render(
            StatusCode::OK,
            &ApplicationsPage {
                l: Layout::for_viewer(format!("Applications to join {}", n.name), &v, "/networks"),
                waiting: list.into_iter().map(application_row).collect(),
                n,
            },
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Template)]
#[template(path = "networks/application.html")]
struct ApplicationPage {
    l: Layout,
    errors: Errors,
    n: Network,
    a: ApplicationRow,
    decision: String,
    message: String,
}

#[allow(clippy::too_many_arguments)]
async fn application_page(
    state: &AppState,
    v: &Viewer,
    a: &services::Actor,
    slug: &str,
    id: i32,
    status: StatusCode,
    errors: Errors,
    f: HashMap<String, String>,
) -> Response {
    match networks::applications(&state.svc, a, &v.meta, slug, ApplicationState::Pending).await {
        Ok((n, list)) => {
            let Some(app) = list.into_iter().find(|x| x.id == id) else {
                return PageError::new(ServiceError::NotFound("application"), v).into_response();
            };
            render(
                status,
                &ApplicationPage {
                    l: Layout::for_viewer(format!("{}'s application", app.name), v, "/networks")
                        .with_errors(&errors),
                    errors,
                    a: application_row(app),
                    n,
                    decision: f.get("decision").cloned().unwrap_or_default(),
                    message: f.get("message").cloned().unwrap_or_default(),
                },
            )
        }
        Err(e) => PageError::new(e, v).into_response(),
    }
}

pub async fn application(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path((slug, id)): Path<(String, i32)>,
) -> Response {
    application_page(
        &state,
        &v,
        a,
        &slug,
        id,
        StatusCode::OK,
        Errors::default(),
        HashMap::new(),
    )
    .await
}

pub async fn decide(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path((slug, id)): Path<(String, i32)>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let decision = match f.get("decision").map(String::as_str) {
        Some("approve") => Decision::Approve,
        Some("decline") => Decision::Decline,
        _ => {
            return application_page(
                &state,
                &v,
                a,
                &slug,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors::one(
                    "decision",
                    "Choose whether to approve or decline the application",
                ),
                f,
            )
            .await;
        }
    };
    let message = f.get("message").cloned().unwrap_or_default();
    match networks::decide(&state.svc, a, &v.meta, &slug, id, decision, &message).await {
        Ok(()) => Redirect::to(&format!(
            "/networks/{slug}/applications?saved={}",
            match decision {
                Decision::Approve => "approved",
                Decision::Decline => "declined",
            }
        ))
        .into_response(),
        Err(ServiceError::Invalid(list)) => {
            application_page(
                &state,
                &v,
                a,
                &slug,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                f,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => super::notice(
            &v,
            StatusCode::CONFLICT,
            "This application cannot be decided",
            "Applications",
            vec![m],
            None,
            vec![(
                format!("/networks/{slug}/applications"),
                "Applications waiting for a decision".into(),
            )],
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn show_event(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(slug): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let event = f.get("event").cloned().unwrap_or_default();
    let shown = f.get("shown").map(String::as_str) != Some("no");
    let event = match uuid::Uuid::parse_str(&event) {
        Ok(u) => u.to_string(),
        Err(_) => return PageError::new(ServiceError::NotFound("event"), &v).into_response(),
    };
    match networks::show_event(&state.svc, a, &v.meta, &slug, &event, shown).await {
        Ok(()) => Redirect::to(&format!("/networks/{slug}?saved=network-event")).into_response(),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
