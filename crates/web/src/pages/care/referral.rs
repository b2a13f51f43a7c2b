//! A referral's page: where it stands, its history and follow-ups, and links to each action
//! (on its own page, in `referral_actions`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::referral::ReferralState;
use services::Actor;
use services::ServiceError;
use services::care::referrals;
use services::care::{discharge, lookup};

use super::{nhs, state_tag};
use crate::AppState;
use crate::error::PageError;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, date_time, render};
use crate::viewer::CurrentActor;

pub struct ContactRow {
    pub when: String,
    pub kind: &'static str,
    pub duration: String,
    pub outcome: &'static str,
    pub notes: String,
}

pub struct FollowUpRow {
    pub id: i32,
    pub due: String,
    pub overdue: bool,
    pub note: String,
}

#[derive(Template)]
#[template(path = "care/referral.html")]
struct ReferralPage {
    l: Layout,
    errors: Errors,
    r: services::care::Referral,
    person_name: String,
    rows: Vec<(&'static str, String)>,
    state: &'static str,
    state_class: &'static str,
    contacts: Vec<ContactRow>,
    follow_ups: Vec<FollowUpRow>,
    /// Links to the actions the viewer may take now, each on its own page.
    actions: Vec<(String, &'static str)>,
    to_triage: bool,
    can_work: bool,
    has_message: bool,
}

pub(super) async fn referral_page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    id: i32,
    status: StatusCode,
    errors: Errors,
) -> Response {
    let result = async {
        let r = referrals::get(&state.svc, a, &v.meta, id).await?;
        let (p, contacts, team, has_message, follow_ups, assigned) = tokio::try_join!(
            lookup::person(&state.svc, &r),
            referrals::contacts(&state.svc, &r),
            lookup::organisation(&state.svc, r.team_org_id),
            async { Ok(!discharge::messages_for(&state.svc, &r).await?.is_empty()) },
            referrals::follow_ups_for(&state.svc, &r),
            lookup::user_name(&state.svc, r.assigned_user_id),
        )?;
        Ok::<_, ServiceError>((r, p, contacts, team, has_message, follow_ups, assigned))
    }
    .await;
    let (r, p, contacts, team, has_message, follow_ups, assigned) = match result {
        Ok(x) => x,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    let (state_label, state_class) = state_tag(r.state);
    let st = r.state;
    let can_work = r.can_work() && !st.is_closed();
    let to_triage = can_work && st == ReferralState::Received && r.accepted_at.is_none();
    let mut rows = vec![
        ("NHS number", nhs(&p.nhs_number)),
        ("Service", r.service.label().to_string()),
        ("Team", team.map(|t| t.name).unwrap_or_default()),
        ("Referred on", domain::dates::long(r.referred_on)),
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
        ("How", r.method.label().to_string()),
        ("Reason", r.reason.clone()),
        ("Urgency", r.urgency.label().to_string()),
        (
            "Assigned to",
            assigned.unwrap_or_else(|| "Not assigned".into()),
        ),
        (
            "First contact",
            r.first_contact_at
                .map(|t| date_time(&t))
                .unwrap_or_else(|| "None yet".into()),
        ),
        ("Attempts to contact", r.contact_attempts.to_string()),
    ];
    if let Some(d) = r.review_due {
        rows.push(("Review due", domain::dates::long(d)));
    }
    if let Some(d) = &r.declined_reason {
        rows.push((
            match st {
                ReferralState::Signposted => "Signposted to",
                ReferralState::NotAccepted => "Not accepted because",
                _ => "Declined because",
            },
            d.clone(),
        ));
    }
    if let Some(s) = &r.outcome_summary {
        rows.push(("Outcome", s.clone()));
    }
    let mut actions = Vec::new();
    if can_work {
        let href = |tail: &str| format!("/referrals/{id}/{tail}");
        if to_triage {
            actions.push((href("triage"), "Triage: accept, signpost or turn down"));
        }
        actions.push((href("contacts"), "Record a contact"));
        actions.push((href("follow-ups"), "Set a follow-up"));
        actions.push((
            href("assign"),
            if r.assigned_user_id.is_some() {
                "Assign to someone else"
            } else {
                "Assign to a worker"
            },
        ));
        if [
            ReferralState::Active,
            ReferralState::Declined,
            ReferralState::UnableToContact,
        ]
        .iter()
        .any(|to| st.can_move_to(*to))
        {
            actions.push((href("state"), "Change the status"));
        }
        if st.can_move_to(ReferralState::Discharged) {
            actions.push((href("discharge"), "Discharge"));
        }
    }
    let today = state.svc.today();
    let follow_ups = follow_ups
        .into_iter()
        .map(|f| FollowUpRow {
            id: f.id,
            due: domain::dates::long(f.due_on),
            overdue: f.due_on < today,
            note: f.note,
        })
        .collect();
    let contacts = contacts.into_iter().map(contact_row).collect();
    let person_name = format!("{} {}", p.given_name, p.family_name);
    render(
        status,
        &ReferralPage {
            l: Layout::for_viewer(format!("Referral for {person_name}"), v, "/caseload")
                .with_errors(&errors),
            errors,
            person_name,
            rows,
            state: state_label,
            state_class,
            contacts,
            follow_ups,
            actions,
            to_triage,
            can_work,
            has_message,
            r: r.into_referral(),
        },
    )
}

fn contact_row(c: services::care::Contact) -> ContactRow {
    ContactRow {
        when: date_time(&c.at),
        kind: c.kind.label(),
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
    }
}

pub async fn referral(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    referral_page(&state, &v, a, id, StatusCode::OK, Errors::default()).await
}
