//! The caseload (filters, sorting, paging) and the "no one lost" view of people not contacted lately.

use crate::forms::Query;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::referral::{ReferralState, Urgency};
use serde::Deserialize;
use services::care::lookup;
use services::care::people::parse_date;
use services::care::referrals::{self, CaseloadFilter, LostPages, LostReason, NoOneLost};
use services::{Actor, FieldError, ServiceError};

use super::{nhs, state_tag};
use crate::AppState;
use crate::error::PageError;
use crate::forms::optional_int;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, Pager, date, render, thousands};
use crate::viewer::CurrentActor;

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
    /// Where the person has been connected in the community, and how it went: "Carers Café
    /// (Riverdale Carers Centre): Accepted".
    pub community: Vec<String>,
}

/// Community service referrals shown beside each person in a list; more are on their record.
const COMMUNITY_SHOWN: usize = 3;

/// The community service referrals of the people in these rows, a line each (the newest few),
/// keyed by person.
pub async fn community_steps(
    state: &AppState,
    rows: &[&referrals::CaseloadRow],
) -> Result<std::collections::HashMap<i32, Vec<String>>, ServiceError> {
    let people: Vec<_> = rows.iter().map(|r| &r.person).collect();
    let sent = services::directory::referrals::of_people(&state.svc, &people).await?;
    Ok(sent
        .into_iter()
        .map(|(person, list)| {
            let more = list.len().saturating_sub(COMMUNITY_SHOWN);
            let mut lines: Vec<String> = list
                .into_iter()
                .take(COMMUNITY_SHOWN)
                .map(|s| {
                    format!(
                        "Community service: {} ({}), {}",
                        s.service,
                        s.organization,
                        s.state.label().to_lowercase()
                    )
                })
                .collect();
            if more > 0 {
                lines.push(format!(
                    "and {more} more community service referral{} on their record",
                    if more == 1 { "" } else { "s" }
                ));
            }
            (person, lines)
        })
        .collect())
}

pub fn case_row(r: referrals::CaseloadRow, note: String) -> CaseRow {
    let (state, state_class) = state_tag(r.referral.state);
    CaseRow {
        referral_id: r.referral.id,
        name: format!("{} {}", r.person.given_name, r.person.family_name),
        nhs_number: nhs(&r.person.nhs_number),
        service: r.referral.service.label(),
        referred_on: domain::dates::long(r.referral.referred_on),
        state,
        state_class,
        assigned: r.assigned.unwrap_or_else(|| "Not assigned".into()),
        last_contact: r
            .referral
            .last_contact_at
            .map(|t| date(&t))
            .unwrap_or_else(|| "None yet".into()),
        urgent: r.referral.urgency == Urgency::Urgent,
        duplicate: r.referral.possible_duplicate_of.is_some(),
        note,
        community: Vec::new(),
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
    /// A worker's user id, "me" or "anyone"; when not given, "me" for those who carry a caseload.
    #[serde(default)]
    pub worker: Option<String>,
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

pub(super) fn choices(list: Result<Vec<(i32, String)>, ServiceError>) -> Vec<(String, String)> {
    list.unwrap_or_default()
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect()
}

pub(super) async fn practices_in_scope(state: &AppState, a: &Actor) -> Vec<(String, String)> {
    choices(lookup::practices_for(&state.svc, a).await)
}

pub async fn caseload(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Query(mut q): Query<CaseloadQuery>,
) -> Response {
    let worker = match q.worker.as_deref() {
        None if a.grants.iter().any(|g| g.role.carries_caseload()) => "me",
        None | Some("") => "anyone",
        Some(w) => w,
    }
    .to_owned();
    q.worker = Some(worker.clone());
    let mut errs: Vec<FieldError> = Vec::new();
    let review_due_by = match q.review_due_by.trim() {
        "" => None,
        d => parse_date(d).or_else(|| {
            errs.push(FieldError::new(
                "review_due_by",
                "Review due date must be a real date",
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
        assigned_to: if worker == "me" {
            Some(a.user_id)
        } else {
            worker.parse().ok()
        },
        practice_id: q.practice.parse().ok(),
        review_due_by,
        no_contact_days,
        sort: Some(q.sort.clone()),
        page: q.page.unwrap_or(1),
        per_page: 25,
    };
    // The filters' choices are read while the caseload is.
    let read = async {
        if errs.is_empty() {
            Some(referrals::caseload(&state.svc, a, &v.meta, filter).await)
        } else {
            None
        }
    };
    let (read, practices, workers) = tokio::join!(
        read,
        practices_in_scope(&state, a),
        lookup::care_workers(&state.svc, a)
    );
    let page = if let Some(read) = read {
        match read {
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
        ("worker", worker.clone()),
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
            let mut community =
                match community_steps(&state, &p.rows.iter().collect::<Vec<_>>()).await {
                    Ok(c) => c,
                    Err(e) => return PageError::new(e, &v).into_response(),
                };
            (
                p.rows
                    .into_iter()
                    .map(|r| {
                        let steps = community.remove(&r.person.id()).unwrap_or_default();
                        CaseRow {
                            community: steps,
                            ..case_row(r, String::new())
                        }
                    })
                    .collect(),
                text,
                pager,
            )
        }
        None => (vec![], String::new(), Pager::new("/caseload", &[], 1, 1)),
    };
    let mut states = vec![
        ("open", "Open (received, contacted, active)"),
        (referrals::TRIAGE, "Waiting for triage"),
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
            practices,
            workers: choices(workers),
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
    waiting: Vec<CaseRow>,
    waiting_text: String,
    waiting_pager: Pager,
    stale: Vec<CaseRow>,
    stale_text: String,
    stale_pager: Pager,
}

#[derive(Deserialize)]
pub struct LostQuery {
    #[serde(default)]
    pub waiting_page: String,
    #[serde(default)]
    pub stale_page: String,
}

/// How many of a group there are, and which page this is.
fn group_text(total: u64, page: u64, pages: u64, one: &str, many: &str) -> String {
    match total {
        0 => format!("No {many}."),
        1 => format!("1 {one}."),
        n if pages > 1 => format!("{} {many}, page {page} of {pages}.", thousands(n as i64)),
        n => format!("{} {many}.", thousands(n as i64)),
    }
}

pub async fn no_one_lost(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Query(q): Query<LostQuery>,
) -> Response {
    // A page number that is not one starts that list at its first page; one past the end
    // shows no rows, with the count and the links back.
    let page_of = |s: &str| {
        s.trim()
            .parse::<u64>()
            .ok()
            .filter(|p| *p >= 1)
            .unwrap_or(1)
            .min(services::paging::MAX_PAGE)
    };
    let pages = LostPages {
        waiting: page_of(&q.waiting_page),
        stale: page_of(&q.stale_page),
        per_page: 25,
    };
    let view = match referrals::no_one_lost(&state.svc, a, &v.meta, pages).await {
        Ok(view) => view,
        Err(e) => return PageError::new(e, &v).into_response(),
    };
    let note = |why: LostReason| match why {
        LostReason::WaitingForFirstContact { days } => {
            format!("Waiting {days} days for first contact")
        }
        LostReason::NoRecentContact { days } => format!("No contact for {days} days"),
    };
    let (w, s) = (&view.waiting, &view.stale);
    let waiting_pager = Pager::named(
        "waiting_page",
        "Pages of people waiting for first contact",
        "/caseload/no-one-lost",
        &[("stale_page", s.page.to_string())],
        w.page,
        w.total_pages(),
    );
    let stale_pager = Pager::named(
        "stale_page",
        "Pages of people with no recent contact",
        "/caseload/no-one-lost",
        &[("waiting_page", w.page.to_string())],
        s.page,
        s.total_pages(),
    );
    let waiting_text = group_text(
        w.total,
        w.page,
        w.total_pages(),
        "person waiting for first contact",
        "people waiting for first contact",
    );
    let stale_text = group_text(
        s.total,
        s.page,
        s.total_pages(),
        "person with no contact for 28 days",
        "people with no contact for 28 days",
    );
    let NoOneLost { waiting, stale } = view;
    let shown: Vec<_> = waiting
        .rows
        .iter()
        .chain(stale.rows.iter())
        .map(|(r, _)| r)
        .collect();
    let community = match community_steps(&state, &shown).await {
        Ok(c) => c,
        Err(e) => return PageError::new(e, &v).into_response(),
    };
    let row = |r: referrals::CaseloadRow, why| CaseRow {
        community: community.get(&r.person.id()).cloned().unwrap_or_default(),
        ..case_row(r, note(why))
    };
    render(
        StatusCode::OK,
        &LostPage {
            l: Layout::for_viewer("No one lost", &v, "/caseload"),
            waiting: waiting
                .rows
                .into_iter()
                .map(|(r, why)| row(r, why))
                .collect(),
            waiting_text,
            waiting_pager,
            stale: stale.rows.into_iter().map(|(r, why)| row(r, why)).collect(),
            stale_text,
            stale_pager,
        },
    )
}
