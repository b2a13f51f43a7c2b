//! Opportunities for leaders: the open ones and each one's page (where a leader applies or says
//! yes to an invitation); the organisation's pages to post one, see suggestions from the pool,
//! invite, select, record hours and export payments; and the payment rates administrators keep.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::leadership::{self as rules, SKILLS};
use services::leadership::opportunities::{self as opps, Opportunity, OpportunityInput};
use services::leadership::{pool, rates};
use services::{Actor, ServiceError};
use std::collections::HashMap;

use super::leaders::{LeaderView, hours as duration, leader_view, state_label};
use super::{all, one as field};
use crate::AppState;
use crate::error::PageError;
use crate::forms::Form;
use crate::view::{Errors, Layout, date, render};
use crate::viewer::{CurrentActor, Viewer};

/// An opportunity as pages show it.
pub struct OppView {
    pub id: i32,
    pub title: String,
    pub kind: &'static str,
    pub organisation: String,
    pub description: Vec<String>,
    pub skills: String,
    pub region: String,
    pub when: String,
    pub time: String,
    pub pay: String,
    pub closes: String,
    pub open: bool,
    pub event: Option<(String, String)>,
}

fn view(o: &Opportunity) -> OppView {
    OppView {
        id: o.id,
        title: o.title.clone(),
        kind: o.kind_label(),
        organisation: o.organisation.clone(),
        description: o.description.split("\n\n").map(str::to_owned).collect(),
        skills: o
            .skills
            .iter()
            .filter_map(|s| rules::skill_label(s))
            .collect::<Vec<_>>()
            .join(", "),
        region: o
            .region
            .as_deref()
            .and_then(domain::learning::region_label)
            .unwrap_or("Anywhere in England")
            .to_owned(),
        when: rules::availability_label(&o.availability)
            .unwrap_or("")
            .to_owned(),
        time: duration(o.minutes),
        pay: match o.pence_per_hour {
            Some(0) => format!("{}: expenses only", o.payment_label),
            Some(p) => format!(
                "{}: £{} an hour",
                o.payment_label,
                opps::pounds(i64::from(p))
            ),
            None => o.payment_label.clone(),
        },
        closes: o.closes_on.format("%-d %B %Y").to_string(),
        open: o.open,
        event: o.event_uuid.clone().zip(o.event_title.clone()),
    }
}

#[derive(Template)]
#[template(path = "leadership/opportunities.html")]
struct OpenPage {
    l: Layout,
    list: Vec<OppView>,
}

pub async fn open(State(state): State<AppState>, v: Viewer) -> Response {
    match opps::open(&state.svc).await {
        Ok(list) => render(
            StatusCode::OK,
            &OpenPage {
                l: Layout::for_viewer("Opportunities for leaders", &v, "/leaders"),
                list: list.iter().map(view).collect(),
            },
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Template)]
#[template(path = "leadership/opportunity.html")]
struct OnePage {
    l: Layout,
    errors: Errors,
    o: OppView,
    state: String,
    has_profile: bool,
    runs: bool,
    note: String,
}

async fn one_page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    id: i32,
    status: StatusCode,
    errors: Errors,
    note: String,
) -> Response {
    let svc = &state.svc;
    let result: Result<OnePage, ServiceError> = async {
        let o = opps::get(svc, id).await?;
        let mine = opps::involved(svc, a)
            .await?
            .into_iter()
            .find(|i| i.opportunity.id == id);
        Ok(OnePage {
            l: Layout::for_viewer(o.title.clone(), v, "/leaders").with_errors(&errors),
            errors,
            state: mine.map(|i| i.state).unwrap_or_default(),
            has_profile: pool::mine(svc, a).await?.is_some(),
            runs: o.run_by(a),
            o: view(&o),
            note,
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
    one_page(
        &state,
        &v,
        a,
        id,
        StatusCode::OK,
        Errors::default(),
        String::new(),
    )
    .await
}

pub async fn apply(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let note = f.get("note").cloned().unwrap_or_default();
    match opps::apply(&state.svc, a, &v.meta, id, &note).await {
        Ok(()) => Redirect::to(&format!(
            "/leaders/opportunities/{id}?saved=opportunity-applied"
        ))
        .into_response(),
        Err(ServiceError::Invalid(list)) => {
            one_page(
                &state,
                &v,
                a,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                note,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            one_page(
                &state,
                &v,
                a,
                id,
                StatusCode::CONFLICT,
                Errors::one("note", m),
                note,
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Template)]
#[template(path = "leadership/manage.html")]
struct ManagePage {
    l: Layout,
    list: Vec<OppView>,
    rates: bool,
}

pub async fn manage(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Response {
    match opps::managed(&state.svc, a).await {
        Ok(list) => render(
            StatusCode::OK,
            &ManagePage {
                l: Layout::for_viewer("Your opportunities for leaders", &v, "/leaders"),
                list: list.iter().map(view).collect(),
                rates: a.can(domain::Permission::ManagePaymentRates),
            },
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Template)]
#[template(path = "leadership/opportunity_form.html")]
struct FormPage {
    l: Layout,
    errors: Errors,
    orgs: Vec<(i32, String)>,
    kinds: &'static [(&'static str, &'static str)],
    skills: Vec<(&'static str, &'static str, bool)>,
    regions: &'static [(&'static str, &'static str)],
    times: &'static [(&'static str, &'static str)],
    levels: Vec<(String, String)>,
    events: Vec<(String, String)>,
    f: Vec<(String, String)>,
}

impl FormPage {
    fn v(&self, k: &str) -> &str {
        self.f
            .iter()
            .find(|(x, _)| x == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
    fn e(&self, k: &str) -> &str {
        self.errors.get(k).unwrap_or("")
    }
}

async fn form_page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    status: StatusCode,
    errors: Errors,
    f: Vec<(String, String)>,
) -> Response {
    let svc = &state.svc;
    let result: Result<FormPage, ServiceError> = async {
        let chosen = all(&f, "skills");
        Ok(FormPage {
            l: Layout::for_viewer("Post an opportunity", v, "/leaders").with_errors(&errors),
            errors,
            orgs: opps::posters(svc, a).await?,
            kinds: opps::KINDS,
            skills: SKILLS
                .iter()
                .map(|(c, l)| (*c, *l, chosen.iter().any(|s| s == c)))
                .collect(),
            regions: &domain::learning::REGIONS,
            times: opps::WHEN,
            levels: rates::levels(svc).await?,
            events: if a.can(domain::Permission::OrganiseEvents) {
                services::learning::catalogue::organised(svc, a, false)
                    .await?
                    .into_iter()
                    .map(|e| (e.uuid, e.title))
                    .collect()
            } else {
                Vec::new()
            },
            f,
        })
    }
    .await;
    match result {
        Ok(p) => render(status, &p),
        Err(e) => PageError::new(e, v).into_response(),
    }
}

pub async fn form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Response {
    form_page(&state, &v, a, StatusCode::OK, Errors::default(), Vec::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let input = OpportunityInput {
        title: field(&f, "title"),
        kind: field(&f, "kind"),
        description: field(&f, "description"),
        skills: all(&f, "skills"),
        region: field(&f, "region"),
        availability: field(&f, "availability"),
        hours: field(&f, "hours"),
        payment_level: field(&f, "payment_level"),
        closes_on: Some(field(&f, "closes_on")),
        event: field(&f, "event"),
    };
    let org = field(&f, "organisation_id").parse::<i32>().unwrap_or(0);
    match opps::create(&state.svc, a, &v.meta, org, &input).await {
        Ok(id) => Redirect::to(&format!("/leaders/manage/{id}?saved=opportunity")).into_response(),
        Err(ServiceError::Invalid(list)) => {
            form_page(
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

pub struct ApplicantRow {
    pub id: i32,
    pub name: String,
    pub email: String,
    pub origin: &'static str,
    pub state: String,
    pub state_label: &'static str,
    pub note: String,
    pub when: String,
    pub given: String,
}

pub struct SuggestionRow {
    pub leader: LeaderView,
    pub reasons: String,
}

#[derive(Template)]
#[template(path = "leadership/run.html")]
struct RunPage {
    l: Layout,
    errors: Errors,
    o: OppView,
    applicants: Vec<ApplicantRow>,
    suggestions: Vec<SuggestionRow>,
    /// The applicant whose hours form had errors, and what was typed.
    failed: i32,
    f: HashMap<String, String>,
}

impl RunPage {
    fn val(&self, app: &i32, k: &str) -> &str {
        if *app == self.failed {
            self.f.get(k).map(String::as_str).unwrap_or("")
        } else {
            ""
        }
    }
    fn err(&self, app: &i32, k: &str) -> &str {
        if *app == self.failed {
            self.errors.get(k).unwrap_or("")
        } else {
            ""
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn run_page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    id: i32,
    status: StatusCode,
    errors: Errors,
    failed: i32,
    f: HashMap<String, String>,
) -> Response {
    let svc = &state.svc;
    let result: Result<RunPage, ServiceError> = async {
        let (o, list) = opps::applicants(svc, a, &v.meta, id).await?;
        let today = svc.today();
        let suggestions = if o.open {
            opps::suggestions(svc, a, &v.meta, id)
                .await?
                .into_iter()
                .map(|s| SuggestionRow {
                    leader: leader_view(&s.leader, today),
                    reasons: s.reasons.join("; "),
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(RunPage {
            l: Layout::for_viewer(o.title.clone(), v, "/leaders").with_errors(&errors),
            errors,
            o: view(&o),
            applicants: list
                .into_iter()
                .map(|x| ApplicantRow {
                    id: x.id,
                    name: x.name,
                    email: x.email,
                    origin: if x.origin == "invited" {
                        "Invited"
                    } else {
                        "Applied"
                    },
                    state_label: state_label(&x.state),
                    state: x.state,
                    note: x.note.unwrap_or_default(),
                    when: date(&x.created_at),
                    given: if x.minutes > 0 {
                        format!(
                            "{}, £{} due",
                            duration(x.minutes),
                            opps::pounds(x.payment_pence)
                        )
                    } else {
                        String::new()
                    },
                })
                .collect(),
            suggestions,
            failed,
            f,
        })
    }
    .await;
    match result {
        Ok(p) => render(status, &p),
        Err(e) => PageError::new(e, v).into_response(),
    }
}

pub async fn run(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    run_page(
        &state,
        &v,
        a,
        id,
        StatusCode::OK,
        Errors::default(),
        0,
        HashMap::new(),
    )
    .await
}

pub async fn invite(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let user = f
        .get("user")
        .and_then(|u| u.parse::<i32>().ok())
        .unwrap_or(0);
    match opps::invite(&state.svc, a, &v.meta, id, user, "").await {
        Ok(()) => {
            Redirect::to(&format!("/leaders/manage/{id}?saved=invited-leader")).into_response()
        }
        Err(ServiceError::Conflict(m)) => crate::pages::networks::notice(
            &v,
            StatusCode::CONFLICT,
            "The invitation was not sent",
            "",
            vec![m],
            None,
            vec![(
                format!("/leaders/manage/{id}"),
                "Back to the opportunity".into(),
            )],
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn select(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path((id, application)): Path<(i32, i32)>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let selected = f.get("decision").map(String::as_str) == Some("select");
    match opps::select(&state.svc, a, &v.meta, id, application, selected).await {
        Ok(()) => Redirect::to(&format!(
            "/leaders/manage/{id}?saved={}",
            if selected {
                "leader-selected"
            } else {
                "leader-declined"
            }
        ))
        .into_response(),
        Err(ServiceError::Conflict(m)) => crate::pages::networks::notice(
            &v,
            StatusCode::CONFLICT,
            "This application cannot be decided now",
            "",
            vec![m],
            None,
            vec![(
                format!("/leaders/manage/{id}"),
                "Back to the opportunity".into(),
            )],
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn hours(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path((id, application)): Path<(i32, i32)>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let worked = f.get(&format!("worked_on-{application}")).cloned();
    let given = f
        .get(&format!("hours-{application}"))
        .cloned()
        .unwrap_or_default();
    match opps::record_hours(&state.svc, a, &v.meta, id, application, &worked, &given).await {
        Ok(_) => Redirect::to(&format!("/leaders/manage/{id}?saved=hours")).into_response(),
        Err(ServiceError::Invalid(list)) => {
            let list = list
                .into_iter()
                .map(|mut x| {
                    x.field = format!("{}-{application}", x.field);
                    x
                })
                .collect();
            run_page(
                &state,
                &v,
                a,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                application,
                f,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => crate::pages::networks::notice(
            &v,
            StatusCode::CONFLICT,
            "The hours were not recorded",
            "",
            vec![m],
            None,
            vec![(
                format!("/leaders/manage/{id}"),
                "Back to the opportunity".into(),
            )],
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn payments(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Response {
    let result = match opps::payments(&state.svc, a, &v.meta).await {
        Ok(list) => opps::payments_csv(&list),
        Err(e) => Err(e),
    };
    match result {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"leader-payments.csv\"",
                ),
            ],
            csv,
        )
            .into_response(),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub struct RateRow {
    pub level: String,
    pub label: String,
    pub rate: String,
    pub from: String,
}

#[derive(Template)]
#[template(path = "leadership/rates.html")]
struct RatesPage {
    l: Layout,
    errors: Errors,
    rates: Vec<RateRow>,
    f: HashMap<String, String>,
}

impl RatesPage {
    fn v(&self, k: &str) -> &str {
        self.f.get(k).map(String::as_str).unwrap_or("")
    }
    fn e(&self, k: &str) -> &str {
        self.errors.get(k).unwrap_or("")
    }
}

async fn rates_page(
    state: &AppState,
    v: &Viewer,
    status: StatusCode,
    errors: Errors,
    f: HashMap<String, String>,
) -> Response {
    match rates::all(&state.svc).await {
        Ok(list) => render(
            status,
            &RatesPage {
                l: Layout::for_viewer("Payment rates for involvement", v, "/admin")
                    .with_errors(&errors),
                errors,
                rates: list
                    .into_iter()
                    .map(|r| RateRow {
                        level: r.level,
                        label: r.label,
                        rate: format!("£{}", opps::pounds(i64::from(r.pence_per_hour))),
                        from: r.effective_from.format("%-d %B %Y").to_string(),
                    })
                    .collect(),
                f,
            },
        ),
        Err(e) => PageError::new(e, v).into_response(),
    }
}

pub async fn rates(State(state): State<AppState>, v: Viewer) -> Response {
    rates_page(
        &state,
        &v,
        StatusCode::OK,
        Errors::default(),
        HashMap::new(),
    )
    .await
}

pub async fn add_rate(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    match rates::add(
        &state.svc,
        a,
        &v.meta,
        &get("level"),
        &get("label"),
        &get("pence_per_hour"),
        &f.get("effective_from").cloned(),
    )
    .await
    {
        Ok(()) => Redirect::to("/admin/payment-rates?saved=rate").into_response(),
        Err(ServiceError::Invalid(list)) => {
            rates_page(
                &state,
                &v,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                f,
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
