//! The home page: a landing page when signed out; when signed in, where each role starts its
//! day. A worker sees referrals to triage, their people not contacted lately, reviews and
//! follow-ups due; a GP their practice's patients on open referrals; a PCN manager the team's
//! workload; a person who supports them and their next step; administrators and commissioners
//! the organisations they look after.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use domain::{OrgKind, Permission, Role};
use services::care::{lookup, referrals};
use services::{Actor, ServiceError, audit, org};

use crate::AppState;
use crate::error::PageError;
use crate::middleware::Viewer;
use crate::view::{Layout, date_time, render, thousands};

pub struct KindCount {
    pub kind: &'static str,
    pub label: &'static str,
    pub count: u64,
    pub patients: i64,
    pub patients_text: String,
}

pub struct MemberRow {
    pub id: i32,
    pub name: String,
    pub code: String,
    pub list_size: String,
    pub opted_out: bool,
}

/// A referral in one of the home page's lists: who, and why it is listed.
pub struct DayRow {
    pub referral_id: i32,
    pub name: String,
    pub detail: String,
    pub urgent: bool,
}

/// One of a worker's lists: its rows, how many there are in all, and where to see them all.
pub struct DayList {
    pub rows: Vec<DayRow>,
    pub total: u64,
    pub all_href: String,
}

pub struct Day {
    pub to_triage: DayList,
    pub no_contact: DayList,
    pub reviews_due: DayList,
    pub follow_ups: Vec<(i32, i32, String, String, bool)>,
    pub mine: u64,
    pub no_contact_days: i64,
}

pub struct PersonHome {
    pub person_id: i32,
    pub supporters: Vec<services::care::lookup::Supporter>,
    pub next_step: String,
    pub has_plan: bool,
}

pub struct Home {
    pub name: String,
    pub roles_summary: String,
    pub org_counts: Vec<KindCount>,
    pub members_heading: String,
    pub members: Vec<MemberRow>,
    pub recent_audit: Vec<String>,
    pub day: Option<Day>,
    pub practice: Option<(Vec<crate::pages::care::caseload::CaseRow>, u64)>,
    pub workload: Vec<(String, String, u64, u64, u64)>,
    pub person: Option<PersonHome>,
    pub can_refer: bool,
    pub can_care: bool,
    /// For a community organisation's worker: referrals waiting for an answer, and listings
    /// that may be out of date.
    pub community: Option<(u64, usize)>,
    /// For a learner: what they have booked, the e-learning they are part way through, and
    /// how many certificates they hold.
    pub learning: Option<LearnerHome>,
    /// The networks the user belongs to or runs: (href, name, what is waiting for them).
    pub networks: Vec<(String, String, String)>,
    /// Invitations to opportunities the user, as a leader, has not answered.
    pub invitations: usize,
}

/// The networks a user belongs to or runs, with what waits for them there.
async fn networks_home(
    state: &AppState,
    a: &Actor,
) -> Result<Vec<(String, String, String)>, ServiceError> {
    use services::networks;
    let mut out = Vec::new();
    for n in networks::run_by(&state.svc, a).await? {
        let (waiting, reported) = networks::waiting(&state.svc, a, &n.slug).await?;
        out.push((
            format!("/networks/{}", n.slug),
            n.name,
            format!(
                "You run this network: {} application{} waiting, {} reported post{}",
                waiting,
                if waiting == 1 { "" } else { "s" },
                reported,
                if reported == 1 { "" } else { "s" }
            ),
        ));
    }
    for (n, m) in networks::mine(&state.svc, a).await? {
        if out
            .iter()
            .any(|(h, _, _)| *h == format!("/networks/{}", n.slug))
        {
            continue;
        }
        let community = m
            .community_id
            .and_then(|c| n.community(c))
            .map(|c| format!("Member: {}", c.name))
            .unwrap_or_else(|| "Member".into());
        out.push((format!("/networks/{}", n.slug), n.name, community));
    }
    Ok(out)
}

pub struct LearnerHome {
    pub upcoming: Vec<(String, String, String)>,
    pub modules: Vec<(&'static str, &'static str, String)>,
    pub certificates: usize,
}

async fn learner_home(state: &AppState, a: &Actor) -> Result<LearnerHome, ServiceError> {
    use services::learning::{booking, certificates, elearning};
    let now = state.svc.now();
    let (orders, modules, certs) = tokio::try_join!(
        booking::my_orders(&state.svc, a),
        elearning::modules(&state.svc, a),
        certificates::mine(&state.svc, a)
    )?;
    let mut upcoming: Vec<_> = orders
        .iter()
        .filter(|o| o.state.holds_places())
        .flat_map(|o| o.lines.iter().map(move |l| (o, l)))
        .filter(|(_, l)| l.event.ends_at > now && !l.event.cancelled)
        .map(|(o, l)| {
            (
                l.event.starts_at,
                (
                    format!("/learning/bookings/{}", o.code),
                    l.event.title.clone(),
                    crate::pages::learning::when(l.event.starts_at, l.event.ends_at),
                ),
            )
        })
        .collect();
    upcoming.sort_by_key(|(t, _)| *t);
    Ok(LearnerHome {
        upcoming: upcoming.into_iter().map(|(_, x)| x).take(5).collect(),
        modules: modules
            .into_iter()
            .filter(|(m, p)| p.started() && p.passed_at.is_none() && !m.lessons.is_empty())
            .map(|(m, p)| {
                let at = if p.lessons_done >= m.lessons.len() {
                    "Knowledge check to take".to_owned()
                } else {
                    format!("Lesson {} of {}", p.lessons_done + 1, m.lessons.len())
                };
                (m.slug, m.title, at)
            })
            .collect(),
        certificates: certs.len(),
    })
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    home: Option<Home>,
}

async fn build(state: &AppState, v: &Viewer, a: &Actor) -> Result<Home, ServiceError> {
    let oversees = a.grants.iter().any(|g| {
        matches!(
            g.role,
            Role::Admin | Role::Commissioner | Role::NetworkOrganiser
        )
    });
    let mut org_counts = Vec::new();
    if oversees {
        for (k, n, patients) in org::counts(&state.svc, a).await? {
            if n > 0 {
                org_counts.push(KindCount {
                    kind: k.as_str(),
                    label: k.label(),
                    count: n,
                    patients,
                    patients_text: thousands(patients),
                });
            }
        }
    }
    // What sits within the organisation looked after: an ICB's PCNs, a region's ICBs.
    let mut members = Vec::new();
    let mut members_heading = String::new();
    if let Some(g) = a.grants.iter().find(|g| {
        matches!(g.role, Role::Admin | Role::Commissioner | Role::PcnManager)
            && matches!(
                g.organisation_kind,
                OrgKind::Pcn | OrgKind::Icb | OrgKind::Region
            )
    }) {
        let o = org::get(&state.svc, a, g.organisation_id).await?;
        members_heading = format!("Within {}", o.name);
        for c in org::children(&state.svc, a, &o).await? {
            members.push(MemberRow {
                id: c.id,
                name: c.name,
                code: c.ods_code.unwrap_or_default(),
                list_size: c.list_size.map(|n| thousands(n.into())).unwrap_or_default(),
                opted_out: c.pcn_opted_out,
            });
        }
    }
    let mut recent_audit = Vec::new();
    if a.can(Permission::ViewAudit) {
        let page = audit::search(
            &state.svc,
            a,
            audit::Search {
                page: 1,
                per_page: 5,
                ..Default::default()
            },
        )
        .await?;
        recent_audit = page
            .events
            .into_iter()
            .map(|e| {
                format!(
                    "{}: {} – {} ({})",
                    date_time(&e.at),
                    e.actor_label,
                    e.action.replace('_', " "),
                    e.outcome
                )
            })
            .collect();
    }
    let day = if a.grants.iter().any(|g| g.role.carries_caseload()) {
        Some(day(state, v, a).await?)
    } else {
        None
    };
    let practice = if a.has_role(Role::Clinician) {
        let p = referrals::practice_referrals(&state.svc, a, &v.meta, 1).await?;
        let rows = p
            .rows
            .into_iter()
            .map(|r| crate::pages::care::caseload::case_row(r, String::new()))
            .collect();
        Some((rows, p.total))
    } else {
        None
    };
    let workload = if a.has_role(Role::PcnManager) {
        referrals::team_workload(&state.svc, a)
            .await?
            .into_iter()
            .map(|w| {
                // Figures for everyone who sees the workload; the caseload behind them only for
                // those who provide care.
                let (name, href) = match w.worker {
                    Some((id, name)) => (name, format!("/caseload?worker={id}")),
                    None => ("Not assigned".into(), "/caseload?worker=anyone".into()),
                };
                let href = if a.can(Permission::ProvideCare) {
                    href
                } else {
                    String::new()
                };
                (name, href, w.open, w.to_triage, w.no_contact)
            })
            .collect()
    } else {
        vec![]
    };
    let person = if a.has_role(Role::Person) {
        person_home(state, v, a).await?
    } else {
        None
    };
    let learner =
        a.grants.iter().all(|g| g.role.permissions().is_empty()) && !a.has_role(Role::Person);
    let learning = if learner {
        Some(learner_home(state, a).await?)
    } else {
        None
    };
    let mut roles: Vec<String> = a
        .grants
        .iter()
        .map(|g| format!("{} at {}", g.role.label(), g.organisation_name))
        .collect();
    roles.dedup();
    let community = if a.can(Permission::AnswerServiceReferrals) || a.can(Permission::EditListings)
    {
        let waiting = services::directory::referrals::waiting(&state.svc, a).await?;
        let stale = if a.can(Permission::EditListings) {
            services::directory::curation::listings(&state.svc, a)
                .await?
                .iter()
                .filter(|r| r.stale)
                .count()
        } else {
            0
        };
        Some((waiting, stale))
    } else {
        None
    };
    let networks = networks_home(state, a).await?;
    let invitations = services::leadership::opportunities::involved(&state.svc, a)
        .await?
        .iter()
        .filter(|i| i.state == "invited" && i.opportunity.open)
        .count();
    Ok(Home {
        networks,
        invitations,
        learning,
        community,
        name: a.display_name.clone(),
        roles_summary: if roles.is_empty() {
            "a learner".into()
        } else {
            roles.join(", ")
        },
        org_counts,
        members_heading,
        members,
        recent_audit,
        day,
        practice,
        workload,
        person,
        can_refer: a.can(Permission::Refer),
        can_care: a.can(Permission::ProvideCare),
    })
}

async fn day(state: &AppState, v: &Viewer, a: &Actor) -> Result<Day, ServiceError> {
    let d = referrals::my_day(&state.svc, a, &v.meta).await?;
    let name =
        |r: &referrals::CaseloadRow| format!("{} {}", r.person.given_name, r.person.family_name);
    let list = |page: referrals::CaseloadPage,
                all_href: &str,
                detail: &dyn Fn(&referrals::CaseloadRow) -> String| DayList {
        rows: page
            .rows
            .iter()
            .map(|r| DayRow {
                referral_id: r.referral.id,
                name: name(r),
                detail: detail(r),
                urgent: r.referral.urgency == domain::referral::Urgency::Urgent,
            })
            .collect(),
        total: page.total,
        all_href: all_href.into(),
    };
    let today = state.svc.today();
    Ok(Day {
        to_triage: list(d.to_triage, "/caseload?state=triage&worker=anyone", &|r| {
            format!(
                "{}, referred {}",
                r.referral.service.label(),
                domain::dates::long(r.referral.referred_on)
            )
        }),
        no_contact: list(
            d.no_contact,
            &format!(
                "/caseload?worker=me&no_contact_days={}&sort=last_contact",
                referrals::HOME_NO_CONTACT_DAYS
            ),
            &|r| match r.referral.last_contact_at {
                Some(t) => format!("Last contact {}", crate::view::date(&t)),
                None => format!(
                    "Not contacted since the referral on {}",
                    domain::dates::long(r.referral.referred_on)
                ),
            },
        ),
        reviews_due: list(
            d.reviews_due,
            &format!(
                "/caseload?worker=me&sort=review_due&review_due_by={}",
                today + chrono::Duration::days(referrals::HOME_REVIEW_DAYS)
            ),
            &|r| match r.referral.review_due {
                Some(due) if due < today => {
                    format!("Review overdue since {}", domain::dates::long(due))
                }
                Some(due) => format!("Review due {}", domain::dates::long(due)),
                None => String::new(),
            },
        ),
        follow_ups: d
            .follow_ups
            .into_iter()
            .map(|f| {
                (
                    f.referral_id,
                    f.id,
                    f.person_name,
                    format!("{} ({})", f.note, domain::dates::long(f.due_on)),
                    f.due_on < today,
                )
            })
            .collect(),
        mine: d.mine,
        no_contact_days: referrals::HOME_NO_CONTACT_DAYS,
    })
}

async fn person_home(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
) -> Result<Option<PersonHome>, ServiceError> {
    let Some(p) = lookup::own_record(&state.svc, a).await? else {
        return Ok(None);
    };
    let supporters = lookup::supporters(&state.svc, p.id).await?;
    let plan = services::care::plans::current(&state.svc, a, &v.meta, p.id).await?;
    let content = plan.as_ref().map(services::care::plans::content_of);
    let next = content.as_ref().and_then(|c| c.next_action());
    let next_step = match (next, supporters.first()) {
        (Some((goal, action)), _) => {
            let when = NaiveDate::parse_from_str(&action.when, "%Y-%m-%d")
                .map(|d| format!(" by {}", domain::dates::long(d)))
                .unwrap_or_default();
            // Who will do it, unless it is the person themselves.
            let who = action.who.trim();
            let who = if who.is_empty() || who.eq_ignore_ascii_case(&p.given_name) {
                String::new()
            } else {
                format!(" ({who})")
            };
            format!(
                "{}{who}{when}, towards your goal: {}",
                action.what, goal.description
            )
        }
        (None, Some(s)) if s.waiting => format!(
            "{} will contact you to talk about what matters to you.",
            s.team
        ),
        (None, Some(s)) => format!(
            "Talk with {} about what matters to you and what you would like to do next.",
            s.worker
        ),
        (None, None) => String::new(),
    };
    Ok(Some(PersonHome {
        person_id: p.id,
        supporters,
        next_step,
        has_plan: plan.is_some(),
    }))
}

pub async fn show(State(state): State<AppState>, v: Viewer) -> Response {
    let home = match v.actor() {
        Some(a) => match build(&state, &v, a).await {
            Ok(h) => Some(h),
            Err(e) => return PageError::new(e, &v).into_response(),
        },
        None => None,
    };
    let title = if home.is_some() {
        "Home"
    } else {
        "Personalised care for primary care networks"
    };
    render(
        StatusCode::OK,
        &HomePage {
            l: Layout::for_viewer(title, &v, "/"),
            home,
        },
    )
}
