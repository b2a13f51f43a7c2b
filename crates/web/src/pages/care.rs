//! Care pages: caseload, the "no one lost" view, people, referrals (with contacts, assignment,
//! state changes and discharge), the message back to the GP, and the public self-referral form.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::referral::{CareService, ContactKind, ReferralMethod, ReferralState, Urgency};
use domain::{NhsNumber, Permission};
use serde::Deserialize;
use services::care::people::{self, PersonInput, parse_date};
use services::care::referrals::{
    self, CaseloadFilter, ContactInput, LostReason, ReferralInput, SelfReferralInput,
    SelfReferralOutcome, StateChange,
};
use services::care::{about_me, discharge, lookup, measures, plans};
use services::{Actor, FieldError, ServiceError};
use store::entities::{person, referral};

use crate::AppState;
use crate::error::PageError;
use crate::forms::optional_int;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, Pager, date, date_time, render, thousands};

fn state_tag(state: &str) -> (&'static str, &'static str) {
    match ReferralState::parse(state) {
        Some(ReferralState::Received) => ("Received", "nhsuk-tag--blue"),
        Some(ReferralState::Contacted) => ("Contacted", "nhsuk-tag--aqua-green"),
        Some(ReferralState::Active) => ("Active", "nhsuk-tag--green"),
        Some(ReferralState::Discharged) => ("Discharged", "nhsuk-tag--grey"),
        Some(ReferralState::Declined) => ("Declined", "nhsuk-tag--orange"),
        Some(ReferralState::UnableToContact) => ("Unable to contact", "nhsuk-tag--red"),
        None => ("Unknown", "nhsuk-tag--grey"),
    }
}

fn nhs(n: &Option<String>) -> String {
    n.as_deref()
        .and_then(|n| NhsNumber::parse(n).ok())
        .map(|n| n.formatted())
        .unwrap_or_else(|| "Not known".into())
}

fn service_label(s: &str) -> &'static str {
    CareService::parse(s)
        .map(CareService::label)
        .unwrap_or("Personalised care")
}

pub struct CaseRow {
    pub referral_id: i32,
    pub name: String,
    pub nhs_number: String,
    pub service: &'static str,
    pub referred_on: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub assigned: String,
    pub last_contact: String,
    pub urgent: bool,
    pub duplicate: bool,
    pub note: String,
}

fn case_row(r: referrals::CaseloadRow, note: String) -> CaseRow {
    let (state, state_class) = state_tag(&r.referral.state);
    CaseRow {
        referral_id: r.referral.id,
        name: format!("{} {}", r.person.given_name, r.person.family_name),
        nhs_number: nhs(&r.person.nhs_number),
        service: service_label(&r.referral.service),
        referred_on: r.referral.referred_on.format("%-d %b %Y").to_string(),
        state,
        state_class,
        assigned: r.assigned.unwrap_or_else(|| "Not assigned".into()),
        last_contact: r
            .referral
            .last_contact_at
            .map(|t| date(&t))
            .unwrap_or_else(|| "None yet".into()),
        urgent: r.referral.urgency == Urgency::Urgent.as_str(),
        duplicate: r.referral.possible_duplicate_of.is_some(),
        note,
    }
}

#[derive(Template)]
#[template(path = "care/caseload.html")]
struct CaseloadPage {
    l: Layout,
    errors: Errors,
    f: CaseloadQuery,
    states: Vec<(&'static str, &'static str)>,
    practices: Vec<(String, String)>,
    workers: Vec<(String, String)>,
    rows: Vec<CaseRow>,
    total_text: String,
    pager: Pager,
}

#[derive(Deserialize, Default, Clone)]
pub struct CaseloadQuery {
    #[serde(default)]
    pub state: String,
    /// A worker's user id, or "me".
    #[serde(default)]
    pub worker: String,
    #[serde(default)]
    pub practice: String,
    #[serde(default)]
    pub review_due_by: String,
    #[serde(default)]
    pub no_contact_days: String,
    #[serde(default)]
    pub sort: String,
    pub page: Option<u64>,
}

fn choices(list: Result<Vec<(i32, String)>, ServiceError>) -> Vec<(String, String)> {
    list.unwrap_or_default()
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect()
}

async fn practices_in_scope(state: &AppState, a: &Actor) -> Vec<(String, String)> {
    choices(lookup::practices_for(&state.svc, a).await)
}

pub async fn caseload(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<CaseloadQuery>,
) -> Response {
    let Some(a) = v.actor() else {
        return Redirect::to("/sign-in").into_response();
    };
    let mut errs: Vec<FieldError> = Vec::new();
    let review_due_by = match q.review_due_by.trim() {
        "" => None,
        d => parse_date(d).or_else(|| {
            errs.push(FieldError::new(
                "review_due_by",
                "Review due date must be a real date, like 2026-12-01",
            ));
            None
        }),
    };
    let no_contact_days = optional_int(
        "no_contact_days",
        "Days without contact",
        &q.no_contact_days,
        &mut errs,
    );
    let filter = CaseloadFilter {
        state: Some(q.state.clone()),
        assigned_to: if q.worker == "me" {
            Some(a.user_id)
        } else {
            q.worker.parse().ok()
        },
        practice_id: q.practice.parse().ok(),
        review_due_by,
        no_contact_days,
        sort: Some(q.sort.clone()),
        page: q.page.unwrap_or(1),
        per_page: 25,
    };
    let page = if errs.is_empty() {
        match referrals::caseload(&state.svc, a, &v.meta, filter).await {
            Ok(p) => Some(p),
            Err(ServiceError::Invalid(list)) => {
                errs.extend(list);
                None
            }
            Err(e) => return PageError::new(e, &v).into_response(),
        }
    } else {
        None
    };
    let keep = [
        ("state", q.state.clone()),
        ("worker", q.worker.clone()),
        ("practice", q.practice.clone()),
        ("review_due_by", q.review_due_by.clone()),
        ("no_contact_days", q.no_contact_days.clone()),
        ("sort", q.sort.clone()),
    ];
    let (rows, total_text, pager) = match page {
        Some(p) => {
            let text = match p.total {
                0 => "No referrals match.".to_string(),
                1 => "1 referral".to_string(),
                n => format!(
                    "{} referrals, page {} of {}",
                    thousands(n as i64),
                    p.page,
                    p.total_pages()
                ),
            };
            let pager = Pager::new("/caseload", &keep, p.page, p.total_pages());
            (
                p.rows
                    .into_iter()
                    .map(|r| case_row(r, String::new()))
                    .collect(),
                text,
                pager,
            )
        }
        None => (vec![], String::new(), Pager::new("/caseload", &[], 1, 1)),
    };
    let mut states = vec![
        ("open", "Open (received, contacted, active)"),
        ("all", "All"),
    ];
    states.extend(ReferralState::ALL.iter().map(|s| (s.as_str(), s.label())));
    let errors = Errors(errs);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &CaseloadPage {
            l: Layout::for_viewer("Caseload", &v, "/caseload").with_errors(&errors),
            errors,
            f: q,
            states,
            practices: practices_in_scope(&state, a).await,
            workers: choices(lookup::care_workers(&state.svc, a).await),
            rows,
            total_text,
            pager,
        },
    )
}

#[derive(Template)]
#[template(path = "care/lost.html")]
struct LostPage {
    l: Layout,
    rows: Vec<CaseRow>,
}

pub async fn no_one_lost(State(state): State<AppState>, v: Viewer) -> Response {
    let Some(a) = v.actor() else {
        return Redirect::to("/sign-in").into_response();
    };
    match referrals::no_one_lost(&state.svc, a, &v.meta).await {
        Ok(list) => {
            let rows = list
                .into_iter()
                .map(|(r, why)| {
                    let note = match why {
                        LostReason::WaitingForFirstContact { days } => {
                            format!("Waiting {days} days for first contact")
                        }
                        LostReason::NoRecentContact { days } => {
                            format!("No contact for {days} days")
                        }
                    };
                    case_row(r, note)
                })
                .collect();
            render(
                StatusCode::OK,
                &LostPage {
                    l: Layout::for_viewer("No one lost", &v, "/caseload"),
                    rows,
                },
            )
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub struct ContactRow {
    pub when: String,
    pub kind: &'static str,
    pub duration: String,
    pub outcome: &'static str,
    pub notes: String,
}

#[derive(Template)]
#[template(path = "care/referral.html")]
struct ReferralPage {
    l: Layout,
    errors: Errors,
    message: String,
    r: referral::Model,
    person_name: String,
    rows: Vec<(&'static str, String)>,
    state: &'static str,
    state_class: &'static str,
    contacts: Vec<ContactRow>,
    kinds: Vec<(&'static str, &'static str)>,
    assignable: Vec<(i32, String, bool)>,
    can_work: bool,
    can_activate: bool,
    can_decline: bool,
    can_close_unreached: bool,
    can_discharge: bool,
    has_message: bool,
    attempts_needed: i32,
}

async fn referral_page(
    state: &AppState,
    v: &Viewer,
    id: i32,
    status: StatusCode,
    errors: Errors,
    message: String,
) -> Response {
    let Some(a) = v.actor() else {
        return Redirect::to("/sign-in").into_response();
    };
    let result = async {
        let r = referrals::get(&state.svc, a, &v.meta, id).await?;
        let p = lookup::person(&state.svc, r.person_id).await?;
        let contacts = referrals::contacts(&state.svc.db, id).await?;
        let team = lookup::organisation(&state.svc, r.team_org_id).await?;
        let can_work = services::care::care_org_ids(&state.svc.db, a)
            .await?
            .contains(&r.team_org_id);
        let assignable = if can_work {
            referrals::assignable(&state.svc, &r).await?
        } else {
            vec![]
        };
        let has_message = discharge::message_for(&state.svc.db, id).await?.is_some();
        Ok::<_, ServiceError>((r, p, contacts, team, can_work, assignable, has_message))
    }
    .await;
    let (r, p, contacts, team, can_work, assignable, has_message) = match result {
        Ok(x) => x,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    let (state_label, state_class) = state_tag(&r.state);
    let st = ReferralState::parse(&r.state).unwrap_or(ReferralState::Received);
    let assigned_name = r
        .assigned_user_id
        .and_then(|u| assignable.iter().find(|x| x.id == u))
        .map(|u| u.display_name.clone())
        .unwrap_or_else(|| "Not assigned".into());
    let mut rows = vec![
        (
            "Person",
            format!(
                "{} {} (NHS number {})",
                p.given_name,
                p.family_name,
                nhs(&p.nhs_number)
            ),
        ),
        ("Service", service_label(&r.service).to_string()),
        ("Team", team.map(|t| t.name).unwrap_or_default()),
        ("Referred on", r.referred_on.format("%-d %B %Y").to_string()),
        (
            "Referred by",
            format!(
                "{}{}",
                r.referrer_name,
                r.referrer_organisation
                    .as_ref()
                    .map(|o| format!(", {o}"))
                    .unwrap_or_default()
            ),
        ),
        (
            "How",
            ReferralMethod::parse(&r.method)
                .map(|m| m.label())
                .unwrap_or("")
                .to_string(),
        ),
        ("Reason", r.reason.clone()),
        (
            "Urgency",
            Urgency::parse(&r.urgency)
                .map(|u| u.label())
                .unwrap_or("")
                .to_string(),
        ),
        ("Assigned to", assigned_name),
        (
            "First contact",
            r.first_contact_at
                .map(|t| date_time(&t))
                .unwrap_or_else(|| "None yet".into()),
        ),
        ("Attempts to contact", r.contact_attempts.to_string()),
    ];
    if let Some(d) = r.review_due {
        rows.push(("Review due", d.format("%-d %B %Y").to_string()));
    }
    if let Some(d) = &r.declined_reason {
        rows.push(("Declined because", d.clone()));
    }
    if let Some(s) = &r.outcome_summary {
        rows.push(("Outcome", s.clone()));
    }
    let contacts = contacts
        .into_iter()
        .map(|c| ContactRow {
            when: date_time(&c.at),
            kind: ContactKind::parse(&c.kind).map(|k| k.label()).unwrap_or(""),
            duration: c
                .duration_minutes
                .map(|m| format!("{m} minutes"))
                .unwrap_or_default(),
            outcome: if c.attempt_only {
                "Tried to contact"
            } else if c.did_not_attend {
                "Did not attend"
            } else if c.coaching {
                "Coaching session"
            } else {
                "Contact"
            },
            notes: c.notes.unwrap_or_default(),
        })
        .collect();
    render(
        status,
        &ReferralPage {
            l: Layout::for_viewer(
                format!("Referral for {} {}", p.given_name, p.family_name),
                v,
                "/caseload",
            )
            .with_errors(&errors),
            errors,
            message,
            person_name: format!("{} {}", p.given_name, p.family_name),
            rows,
            state: state_label,
            state_class,
            contacts,
            kinds: ContactKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label()))
                .collect(),
            assignable: assignable
                .into_iter()
                .map(|u| (u.id, u.display_name, Some(u.id) == r.assigned_user_id))
                .collect(),
            can_work: can_work && !st.is_closed(),
            can_activate: st.can_move_to(ReferralState::Active),
            can_decline: st.can_move_to(ReferralState::Declined),
            can_close_unreached: st.can_move_to(ReferralState::UnableToContact),
            can_discharge: st.can_move_to(ReferralState::Discharged),
            has_message,
            attempts_needed: referrals::ATTEMPTS_BEFORE_UNABLE_TO_CONTACT,
            r,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct Saved {
    saved: Option<String>,
}

pub async fn referral(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i32>,
    Query(q): Query<Saved>,
) -> Response {
    let message = match q.saved.as_deref() {
        Some("contact") => "The contact has been recorded.",
        Some("assigned") => "The referral has been assigned.",
        Some("state") => "The referral has been updated.",
        Some("created") => "The referral has been received and is on the caseload.",
        _ => "",
    };
    referral_page(
        &state,
        &v,
        id,
        StatusCode::OK,
        Errors::default(),
        message.into(),
    )
    .await
}

/// Shows the referral page again with the use case's problem, keeping nothing half-saved.
async fn after(
    state: &AppState,
    v: &Viewer,
    id: i32,
    result: Result<(), ServiceError>,
    saved: &str,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/referrals/{id}?saved={saved}")).into_response(),
        Err(ServiceError::Invalid(list)) => {
            referral_page(
                state,
                v,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                String::new(),
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            referral_page(
                state,
                v,
                id,
                StatusCode::CONFLICT,
                Errors::one("version", m),
                String::new(),
            )
            .await
        }
        Err(e) => PageError::new(e, v).into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct ContactForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    duration_minutes: String,
    #[serde(default)]
    notes: String,
    outcome: Option<String>,
}

pub async fn record_contact(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i32>,
    Form(f): Form<ContactForm>,
) -> Response {
    let Some(a) = v.actor() else {
        return Redirect::to("/sign-in").into_response();
    };
    let mut errs = Vec::new();
    let duration = optional_int(
        "duration_minutes",
        "Duration",
        &f.duration_minutes,
        &mut errs,
    );
    if !errs.is_empty() {
        return referral_page(
            &state,
            &v,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Errors(errs),
            String::new(),
        )
        .await;
    }
    let outcome = f.outcome.as_deref().unwrap_or("contact");
    let input = ContactInput {
        kind: Some(f.kind),
        date: Some(f.date),
        duration_minutes: duration,
        notes: Some(f.notes),
        did_not_attend: outcome == "did_not_attend",
        attempt_only: outcome == "attempt",
        coaching: outcome == "coaching",
    };
    let r = referrals::record_contact(&state.svc, a, &v.meta, id, input)
        .await
        .map(|_| ());
    after(&state, &v, id, r, "contact").await
}

#[derive(Deserialize, Default)]
pub struct AssignForm {
    #[serde(default)]
    assigned_user_id: String,
    #[serde(default)]
    version: String,
}

pub async fn assign(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i32>,
    Form(f): Form<AssignForm>,
) -> Response {
    let Some(a) = v.actor() else {
        return Redirect::to("/sign-in").into_response();
    };
    let version = f.version.parse().unwrap_or(0);
    let r = referrals::assign(
        &state.svc,
        a,
        &v.meta,
        id,
        version,
        f.assigned_user_id.parse().ok(),
    )
    .await;
    after(&state, &v, id, r, "assigned").await
}

#[derive(Deserialize, Default)]
pub struct StateForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    review_due: String,
    #[serde(default)]
    version: String,
}

pub async fn change_state(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i32>,
    Form(f): Form<StateForm>,
) -> Response {
    let Some(a) = v.actor() else {
        return Redirect::to("/sign-in").into_response();
    };
    let Some(to) = ReferralState::parse(&f.to) else {
        return referral_page(
            &state,
            &v,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Errors::one("to", "Choose what happened"),
            String::new(),
        )
        .await;
    };
    let review_due = match f.review_due.trim() {
        "" => None,
        d => match parse_date(d) {
            Some(d) => Some(d),
            None => {
                return referral_page(
                    &state,
                    &v,
                    id,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Errors::one(
                        "review_due",
                        "Review date must be a real date, like 2027-01-15",
                    ),
                    String::new(),
                )
                .await;
            }
        },
    };
    let change = StateChange {
        to,
        reason: Some(f.reason).filter(|r| !r.trim().is_empty()),
        review_due,
    };
    let r = referrals::change_state(
        &state.svc,
        a,
        &v.meta,
        id,
        f.version.parse().unwrap_or(0),
        change,
    )
    .await;
    after(&state, &v, id, r, "state").await
}

#[derive(Template)]
#[template(path = "care/discharge.html")]
struct DischargePage {
    l: Layout,
    errors: Errors,
    id: i32,
    version: i32,
    person_name: String,
    reasons: Vec<(&'static str, &'static str)>,
    reason: String,
    summary: String,
}

async fn discharge_page(
    state: &AppState,
    v: &Viewer,
    id: i32,
    status: StatusCode,
    errors: Errors,
    reason: String,
    summary: String,
) -> Response {
    let Some(a) = v.actor() else {
        return Redirect::to("/sign-in").into_response();
    };
    let r = match referrals::get(&state.svc, a, &v.meta, id).await {
        Ok(r) => r,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    let name = lookup::person(&state.svc, r.person_id)
        .await
        .map(|p| format!("{} {}", p.given_name, p.family_name))
        .unwrap_or_default();
    render(
        status,
        &DischargePage {
            l: Layout::for_viewer(format!("Discharge {name}"), v, "/caseload").with_errors(&errors),
            errors,
            id,
            version: r.version,
            person_name: name,
            reasons: discharge::DISCHARGE_REASONS.to_vec(),
            reason,
            summary,
        },
    )
}

pub async fn discharge_form(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i32>,
) -> Response {
    discharge_page(
        &state,
        &v,
        id,
        StatusCode::OK,
        Errors::default(),
        String::new(),
        String::new(),
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct DischargeForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    version: String,
}

pub async fn discharge(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i32>,
    Form(f): Form<DischargeForm>,
) -> Response {
    let Some(a) = v.actor() else {
        return Redirect::to("/sign-in").into_response();
    };
    match discharge::discharge(
        &state.svc,
        a,
        &v.meta,
        id,
        f.version.parse().unwrap_or(0),
        &f.reason,
        &f.summary,
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/referrals/{id}/message")).into_response(),
        Err(ServiceError::Invalid(list)) => {
            discharge_page(
                &state,
                &v,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                f.reason,
                f.summary,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            referral_page(
                &state,
                &v,
                id,
                StatusCode::CONFLICT,
                Errors::one("version", m),
                String::new(),
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Template)]
#[template(path = "care/message.html")]
struct MessagePage {
    l: Layout,
    id: i32,
    code: String,
    display: String,
    lines: Vec<String>,
    sent_to: String,
    created: String,
}

pub async fn message(State(state): State<AppState>, v: Viewer, Path(id): Path<i32>) -> Response {
    let Some(a) = v.actor() else {
        return Redirect::to("/sign-in").into_response();
    };
    let found = async {
        referrals::get(&state.svc, a, &v.meta, id).await?;
        discharge::message_for(&state.svc.db, id)
            .await?
            .ok_or(ServiceError::NotFound("message"))
    }
    .await;
    match found {
        Ok(m) => render(
            StatusCode::OK,
            &MessagePage {
                l: Layout::for_viewer("Message to the GP and referrer", &v, "/caseload"),
                id,
                code: m.snomed_code.clone(),
                display: m.snomed_display.clone(),
                lines: m.body.lines().map(str::to_owned).collect(),
                sent_to: m.sent_to.unwrap_or_default(),
                created: date_time(&m.created_at),
            },
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub struct PersonRow {
    pub id: i32,
    pub name: String,
    pub nhs_number: String,
    pub dob: String,
}

#[derive(Template)]
#[template(path = "care/search.html")]
struct SearchPage {
    l: Layout,
    errors: Errors,
    q: String,
    dob: String,
    searched: bool,
    rows: Vec<PersonRow>,
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    dob: String,
}

pub async fn search(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<SearchQuery>,
) -> Response {
    let Some(a) = v.actor() else {
        return Redirect::to("/sign-in").into_response();
    };
    let mut errors = Errors::default();
    let dob = match q.dob.trim() {
        "" => None,
        d => parse_date(d).or_else(|| {
            errors = Errors::one("dob", "Date of birth must be a real date, like 1958-03-27");
            None
        }),
    };
    let searched = !q.q.trim().is_empty() || dob.is_some();
    let rows = if searched && errors.is_empty() {
        match people::search(
            &state.svc,
            a,
            &v.meta,
            people::Search {
                text: q.q.clone(),
                date_of_birth: dob,
            },
        )
        .await
        {
            Ok(found) => found
                .into_iter()
                .map(|f| PersonRow {
                    id: f.person.id,
                    name: format!("{} {}", f.person.given_name, f.person.family_name),
                    nhs_number: nhs(&f.person.nhs_number),
                    dob: f
                        .person
                        .date_of_birth
                        .map(|d| d.format("%-d %B %Y").to_string())
                        .unwrap_or_default(),
                })
                .collect(),
            Err(e) => return PageError::new(e, &v).into_response(),
        }
    } else {
        vec![]
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &SearchPage {
            l: Layout::for_viewer("Find a person", &v, "/caseload").with_errors(&errors),
            errors,
            q: q.q,
            dob: q.dob,
            searched,
            rows,
        },
    )
}

pub struct MeasureRow {
    pub date: String,
    pub instrument: &'static str,
    pub timepoint: &'static str,
    pub result: String,
}

#[derive(Template)]
#[template(path = "care/person.html")]
struct PersonPage {
    l: Layout,
    p: person::Model,
    details: Vec<(&'static str, String)>,
    referrals: Vec<(i32, &'static str, String, &'static str, &'static str)>,
    about_me: Vec<(&'static str, String)>,
    about_me_meta: String,
    plan_strengths: String,
    plan_goals: Vec<(String, i64, String)>,
    plan_meta: String,
    measures: Vec<MeasureRow>,
    chart: String,
    consents: Vec<String>,
    can_refer: bool,
}

pub async fn person(State(state): State<AppState>, v: Viewer, Path(id): Path<i32>) -> Response {
    let Some(a) = v.actor() else {
        return Redirect::to("/sign-in").into_response();
    };
    let loaded = async {
        let p = people::get(&state.svc, a, &v.meta, id).await?;
        let refs = referrals::for_person(&state.svc.db, id).await?;
        let am = about_me::history(&state.svc.db, id)
            .await?
            .into_iter()
            .next();
        let plan = plans::history(&state.svc.db, id).await?.into_iter().next();
        let ms = measures::list(&state.svc.db, id).await?;
        let consents = people::consents(&state.svc.db, id).await?;
        let practice = match p.practice_id {
            Some(pid) => lookup::organisation(&state.svc, pid).await?,
            None => None,
        };
        Ok::<_, ServiceError>((p, refs, am, plan, ms, consents, practice))
    }
    .await;
    let (p, refs, am, plan, ms, consents, practice) = match loaded {
        Ok(x) => x,
        Err(e) => return PageError::new(e, &v).into_response(),
    };
    let pref = people::CONTACT_PREFERENCES
        .iter()
        .find(|(c, _)| *c == p.preferred_contact)
        .map(|(_, l)| *l)
        .unwrap_or("");
    let mut details = vec![
        ("NHS number", nhs(&p.nhs_number)),
        (
            "Date of birth",
            p.date_of_birth
                .map(|d| d.format("%-d %B %Y").to_string())
                .unwrap_or_else(|| "Not known".into()),
        ),
        (
            "GP practice",
            practice
                .map(|o| o.name)
                .unwrap_or_else(|| "Not known".into()),
        ),
        ("Prefers", pref.to_string()),
    ];
    for (label, value) in [
        ("Phone", &p.phone),
        ("Email", &p.email),
        ("Address", &p.address),
        ("Postcode", &p.postcode),
        ("Reasonable adjustments", &p.reasonable_adjustments),
        ("Communication needs", &p.communication_needs),
    ] {
        if let Some(v) = value {
            details.push((label, v.clone()));
        }
    }
    if let Some(rep) = &p.representative_name {
        details.push((
            "Carer or representative",
            format!(
                "{rep}{}",
                p.representative_relationship
                    .as_ref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ),
        ));
    }
    let about = am.as_ref().map(about_me::sections_of).unwrap_or_default();
    let about_me_rows = domain::about_me::SECTIONS
        .iter()
        .filter_map(|(k, label)| about.get(*k).map(|t| (*label, t.clone())))
        .collect();
    let about_me_meta = am
        .map(|v| {
            format!(
                "Version {}, updated {} by {}{}",
                v.version,
                date(&v.created_at),
                v.updated_by_label,
                v.helped_by
                    .map(|h| format!(", written with {h}"))
                    .unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let (plan_strengths, plan_goals, plan_meta) = match &plan {
        Some(pv) => {
            let c = plans::content_of(pv);
            let goals = c
                .needs
                .iter()
                .flat_map(|n| {
                    n.goals.iter().map(|g| {
                        (
                            g.description.clone(),
                            g.importance,
                            domain::plan::label_of(&domain::plan::GOAL_STATUSES, &g.status)
                                .to_string(),
                        )
                    })
                })
                .collect();
            (
                c.strengths,
                goals,
                format!(
                    "Version {}, saved {} by {}",
                    pv.version,
                    date(&pv.created_at),
                    pv.updated_by_label
                ),
            )
        }
        None => (String::new(), vec![], String::new()),
    };
    let chart = crate::charts::wellbeing_svg(&ms);
    let measures = ms
        .iter()
        .map(|m| MeasureRow {
            date: m.taken_on.format("%-d %b %Y").to_string(),
            instrument: match m.instrument.as_str() {
                "ons4" => "ONS4",
                "swemwbs" => "SWEMWBS",
                _ => "Patient activation",
            },
            timepoint: measures::TIMEPOINTS
                .iter()
                .find(|(c, _)| *c == m.timepoint)
                .map(|(_, l)| *l)
                .unwrap_or(""),
            result: match m.instrument.as_str() {
                "ons4" => {
                    let a = measures::answers_of(m);
                    format!(
                        "Life satisfaction {}, worthwhile {}, happy {}, anxious {}",
                        a.first().unwrap_or(&0),
                        a.get(1).unwrap_or(&0),
                        a.get(2).unwrap_or(&0),
                        a.get(3).unwrap_or(&0)
                    )
                }
                "swemwbs" => format!(
                    "Metric score {:.2} (raw {})",
                    m.score.unwrap_or(0.0),
                    measures::answers_of(m)
                        .iter()
                        .map(|v| u32::from(*v))
                        .sum::<u32>()
                ),
                _ => format!(
                    "Level {}, score {:.1}",
                    m.level.unwrap_or(0),
                    m.score.unwrap_or(0.0)
                ),
            },
        })
        .collect();
    render(
        StatusCode::OK,
        &PersonPage {
            l: Layout::for_viewer(
                format!("{} {}", p.given_name, p.family_name),
                &v,
                "/caseload",
            ),
            details,
            referrals: refs
                .into_iter()
                .map(|r| {
                    let (s, c) = state_tag(&r.state);
                    (
                        r.id,
                        service_label(&r.service),
                        r.referred_on.format("%-d %b %Y").to_string(),
                        s,
                        c,
                    )
                })
                .collect(),
            about_me: about_me_rows,
            about_me_meta,
            plan_strengths,
            plan_goals,
            plan_meta,
            measures,
            chart,
            consents: consents
                .into_iter()
                .map(|c| {
                    format!(
                        "{} sharing with {} (recorded {})",
                        if c.given {
                            "Agrees to"
                        } else {
                            "Does not agree to"
                        },
                        c.share_with,
                        date(&c.recorded_at)
                    )
                })
                .collect(),
            can_refer: a.can(Permission::ProvideCare),
            p,
        },
    )
}

#[derive(Template)]
#[template(path = "care/referral_new.html")]
struct NewReferralPage {
    l: Layout,
    errors: Errors,
    f: ReferralForm,
    existing: Option<(i32, String)>,
    services: Vec<(&'static str, &'static str)>,
    methods: Vec<(&'static str, &'static str)>,
    teams: Vec<(String, String)>,
    practices: Vec<(String, String)>,
    preferences: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize, Default, Clone)]
pub struct ReferralForm {
    #[serde(default)]
    pub person_id: String,
    #[serde(default)]
    pub nhs_number: String,
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub date_of_birth: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub preferred_contact: String,
    #[serde(default)]
    pub practice_id: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub team_org_id: String,
    #[serde(default)]
    pub referrer_name: String,
    #[serde(default)]
    pub referrer_organisation: String,
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub urgency: String,
}

async fn org_choices(state: &AppState, kind: &str) -> Vec<(String, String)> {
    choices(lookup::active_of_kind(&state.svc, kind).await)
}

async fn new_referral_page(
    state: &AppState,
    v: &Viewer,
    status: StatusCode,
    errors: Errors,
    f: ReferralForm,
) -> Response {
    let Some(a) = v.actor() else {
        return Redirect::to("/sign-in").into_response();
    };
    let existing = match f.person_id.parse::<i32>() {
        Ok(id) => match people::get(&state.svc, a, &v.meta, id).await {
            Ok(p) => Some((
                p.id,
                format!(
                    "{} {} (NHS number {})",
                    p.given_name,
                    p.family_name,
                    nhs(&p.nhs_number)
                ),
            )),
            Err(e) => return PageError::new(e, v).into_response(),
        },
        Err(_) => None,
    };
    render(
        status,
        &NewReferralPage {
            l: Layout::for_viewer("Make a referral", v, "/caseload").with_errors(&errors),
            errors,
            f,
            existing,
            services: CareService::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            methods: ReferralMethod::ALL
                .iter()
                .filter(|m| **m != ReferralMethod::SelfReferral)
                .map(|m| (m.as_str(), m.label()))
                .collect(),
            teams: org_choices(state, "pcn").await,
            practices: org_choices(state, "practice").await,
            preferences: people::CONTACT_PREFERENCES.to_vec(),
        },
    )
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    person_id: Option<i32>,
}

pub async fn new_referral_form(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<NewQuery>,
) -> Response {
    let Some(a) = v.actor() else {
        return Redirect::to("/sign-in").into_response();
    };
    let team = a
        .grants
        .iter()
        .find(|g| g.organisation_kind == domain::OrgKind::Pcn)
        .map(|g| g.organisation_id.to_string())
        .unwrap_or_default();
    let f = ReferralForm {
        person_id: q.person_id.map(|i| i.to_string()).unwrap_or_default(),
        referrer_name: a.display_name.clone(),
        referrer_organisation: a
            .grants
            .first()
            .map(|g| g.organisation_name.clone())
            .unwrap_or_default(),
        service: "social_prescribing".into(),
        urgency: "routine".into(),
        preferred_contact: "phone".into(),
        team_org_id: team,
        ..Default::default()
    };
    new_referral_page(&state, &v, StatusCode::OK, Errors::default(), f).await
}

fn person_input(f: &ReferralForm) -> PersonInput {
    PersonInput {
        nhs_number: Some(f.nhs_number.clone()),
        given_name: Some(f.given_name.clone()),
        family_name: Some(f.family_name.clone()),
        date_of_birth: Some(f.date_of_birth.clone()),
        email: Some(f.email.clone()),
        phone: Some(f.phone.clone()),
        preferred_contact: Some(f.preferred_contact.clone()),
        practice_id: f.practice_id.parse().ok(),
        ..Default::default()
    }
}

pub async fn create_referral(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<ReferralForm>,
) -> Response {
    let Some(a) = v.actor() else {
        return Redirect::to("/sign-in").into_response();
    };
    let person_id = f.person_id.parse().ok();
    let input = ReferralInput {
        person_id,
        person: person_id.is_none().then(|| person_input(&f)),
        service: Some(f.service.clone()),
        team_org_id: f.team_org_id.parse().ok(),
        referred_on: None,
        referrer_name: Some(f.referrer_name.clone()),
        referrer_organisation: Some(f.referrer_organisation.clone()),
        method: Some(f.method.clone()),
        reason: Some(f.reason.clone()),
        urgency: Some(f.urgency.clone()),
    };
    match referrals::create(&state.svc, a, &v.meta, input).await {
        Ok(r) => Redirect::to(&format!("/referrals/{}?saved=created", r.id)).into_response(),
        Err(ServiceError::Invalid(list)) => {
            // Person fields are named "person.x" by the use case; the form names them "x".
            let list = list
                .into_iter()
                .map(|e| FieldError::new(e.field.trim_start_matches("person."), e.message))
                .collect();
            new_referral_page(
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

#[derive(Template)]
#[template(path = "care/self_referral.html")]
struct SelfReferralPage {
    l: Layout,
    errors: Errors,
    f: SelfReferralForm,
    practices: Vec<(String, String)>,
    preferences: Vec<(&'static str, &'static str)>,
    services: Vec<(&'static str, &'static str)>,
    reference: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct SelfReferralForm {
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub date_of_birth: String,
    #[serde(default)]
    pub nhs_number: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub preferred_contact: String,
    #[serde(default)]
    pub practice_id: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub reason: String,
    pub consent_to_contact: Option<String>,
    /// Hidden from people; filled in only by automated scripts.
    #[serde(default)]
    pub website: String,
}

async fn self_referral_page(
    state: &AppState,
    v: &Viewer,
    status: StatusCode,
    errors: Errors,
    f: SelfReferralForm,
    reference: String,
) -> Response {
    let title = if reference.is_empty() {
        "Refer yourself for personalised care"
    } else {
        "Your referral has been sent"
    };
    render(
        status,
        &SelfReferralPage {
            l: Layout::for_viewer(title, v, "/self-referral").with_errors(&errors),
            errors,
            f,
            practices: org_choices(state, "practice").await,
            preferences: people::CONTACT_PREFERENCES.to_vec(),
            services: CareService::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            reference,
        },
    )
}

pub async fn self_referral_form(State(state): State<AppState>, v: Viewer) -> Response {
    let f = SelfReferralForm {
        preferred_contact: "phone".into(),
        service: "social_prescribing".into(),
        ..Default::default()
    };
    self_referral_page(
        &state,
        &v,
        StatusCode::OK,
        Errors::default(),
        f,
        String::new(),
    )
    .await
}

pub async fn self_referral(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<SelfReferralForm>,
) -> Response {
    let input = SelfReferralInput {
        person: PersonInput {
            nhs_number: Some(f.nhs_number.clone()),
            given_name: Some(f.given_name.clone()),
            family_name: Some(f.family_name.clone()),
            date_of_birth: Some(f.date_of_birth.clone()),
            email: Some(f.email.clone()),
            phone: Some(f.phone.clone()),
            preferred_contact: Some(f.preferred_contact.clone()),
            practice_id: f.practice_id.parse().ok(),
            ..Default::default()
        },
        service: Some(f.service.clone()),
        reason: Some(f.reason.clone()),
        consent_to_contact: f.consent_to_contact.is_some(),
        trap: Some(f.website.clone()),
    };
    match referrals::self_refer(&state.svc, &v.meta, input).await {
        Ok(SelfReferralOutcome::Received { reference }) => {
            self_referral_page(
                &state,
                &v,
                StatusCode::CREATED,
                Errors::default(),
                SelfReferralForm::default(),
                reference,
            )
            .await
        }
        // Automated submissions get the same page, with a reference that leads nowhere.
        Ok(SelfReferralOutcome::Discarded) => {
            self_referral_page(
                &state,
                &v,
                StatusCode::CREATED,
                Errors::default(),
                SelfReferralForm::default(),
                "SR-000000".into(),
            )
            .await
        }
        Err(ServiceError::Invalid(list)) => {
            self_referral_page(
                &state,
                &v,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                f,
                String::new(),
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            self_referral_page(
                &state,
                &v,
                StatusCode::TOO_MANY_REQUESTS,
                Errors::one("given_name", m),
                f,
                String::new(),
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
