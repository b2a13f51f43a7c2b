//! A referral: its page, and recording a contact, assigning it and changing its state.

use crate::forms::Form;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::referral::{ContactKind, ReferralState};
use serde::Deserialize;
use services::Actor;
use services::ServiceError;
use services::care::people::parse_date;
use services::care::referrals::{self, ContactInput, StateChange};
use services::care::{discharge, lookup};

use super::{nhs, state_tag};
use crate::AppState;
use crate::error::PageError;
use crate::forms::optional_int;
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
        let p = lookup::person(&state.svc, &r).await?;
        let contacts = referrals::contacts(&state.svc, &r).await?;
        let team = lookup::organisation(&state.svc, r.team_org_id).await?;
        let can_work = r.can_work();
        let assignable = if can_work {
            referrals::assignable(&state.svc, &r).await?
        } else {
            vec![]
        };
        let has_message = discharge::message_for(&state.svc, &r).await?.is_some();
        Ok::<_, ServiceError>((r, p, contacts, team, can_work, assignable, has_message))
    }
    .await;
    let (r, p, contacts, team, can_work, assignable, has_message) = match result {
        Ok(x) => x,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    let (state_label, state_class) = state_tag(r.state);
    let st = r.state;
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
        rows.push(("Review due", domain::dates::long(d)));
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
            r: r.into_referral(),
        },
    )
}

pub async fn referral(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    referral_page(&state, &v, a, id, StatusCode::OK, Errors::default()).await
}

/// Shows the referral page again with the use case's problem, keeping nothing half-saved.
pub(super) async fn after(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
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
                a,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            referral_page(
                state,
                v,
                a,
                id,
                StatusCode::CONFLICT,
                Errors::one("version", m),
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
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<ContactForm>,
) -> Response {
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
            a,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Errors(errs),
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
    after(&state, &v, a, id, r, "contact").await
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
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<AssignForm>,
) -> Response {
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
    after(&state, &v, a, id, r, "assigned").await
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
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<StateForm>,
) -> Response {
    let Some(to) = ReferralState::parse(&f.to) else {
        return referral_page(
            &state,
            &v,
            a,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Errors::one("to", "Choose what happened"),
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
                    a,
                    id,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Errors::one("review_due", "Review date must be a real date"),
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
    after(&state, &v, a, id, r, "state").await
}
