//! The actions on a referral, each on its own page: triage, recording a contact, setting and
//! completing follow-ups, assigning, and changing its status. A refused form is shown again
//! with what was typed and the NHS error summary; a saved one returns to the referral page with
//! the success banner.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::referral::{ContactKind, ReferralState};
use services::care::referrals::{self, ContactInput, FollowUpInput, StateChange, Triage};
use services::care::{lookup, people::parse_date};
use services::{Actor, ServiceError};
use std::collections::BTreeMap;

use super::referral::referral_page;
use crate::AppState;
use crate::error::PageError;
use crate::forms::{Form, optional_int};
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, render};
use crate::viewer::CurrentActor;

/// Which action a page is for: its path under the referral and its heading.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Triage,
    Contact,
    FollowUp,
    Assign,
    Status,
}

impl Action {
    fn heading(self) -> &'static str {
        match self {
            Action::Triage => "Triage the referral",
            Action::Contact => "Record a contact",
            Action::FollowUp => "Set a follow-up",
            Action::Assign => "Assign the referral",
            Action::Status => "Change the status",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Action::Triage => "triage",
            Action::Contact => "contacts",
            Action::FollowUp => "follow-ups",
            Action::Assign => "assign",
            Action::Status => "state",
        }
    }
}

#[derive(Template)]
#[template(path = "care/referral_action.html")]
struct ActionPage {
    l: Layout,
    errors: Errors,
    id: i32,
    version: i32,
    person_name: String,
    heading: &'static str,
    action: &'static str,
    /// What was typed, kept when the form is refused.
    values: BTreeMap<String, String>,
    kinds: Vec<(&'static str, &'static str)>,
    assignable: Vec<(i32, String)>,
    /// Each decision's value, label and input id (the first plain, for the error summary).
    decisions: Vec<(&'static str, &'static str, String)>,
    can_activate: bool,
    can_decline: bool,
    can_close_unreached: bool,
    attempts: i32,
    attempts_needed: i32,
}

impl ActionPage {
    fn val(&self, field: &str) -> &str {
        self.values.get(field).map(String::as_str).unwrap_or("")
    }

    fn err(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page is drawn from the action and everything the form holds"
)]
async fn action_page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    id: i32,
    action: Action,
    status: StatusCode,
    errors: Errors,
    values: BTreeMap<String, String>,
) -> Response {
    let result = async {
        let r = referrals::get(&state.svc, a, &v.meta, id).await?;
        if !r.can_work() {
            return Err(ServiceError::NotFound("referral"));
        }
        let p = lookup::person(&state.svc, &r).await?;
        let assignable = match action {
            Action::Triage | Action::Assign => referrals::assignable(&state.svc, &r).await?,
            _ => vec![],
        };
        Ok::<_, ServiceError>((r, p, assignable))
    }
    .await;
    let (r, p, assignable) = match result {
        Ok(x) => x,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    if r.state.is_closed()
        || (action == Action::Triage
            && (r.state != ReferralState::Received || r.accepted_at.is_some()))
    {
        // Nothing left to do here: the referral page says where it stands (and why a form
        // sent from an older page was refused).
        if status == StatusCode::OK {
            return Redirect::to(&format!("/referrals/{id}")).into_response();
        }
        return referral_page(state, v, a, id, status, errors).await;
    }
    let mut values = values;
    if action == Action::Assign && !values.contains_key("assigned_user_id") {
        values.insert(
            "assigned_user_id".into(),
            r.assigned_user_id
                .map(|u| u.to_string())
                .unwrap_or_default(),
        );
    }
    let person_name = format!("{} {}", p.given_name, p.family_name);
    let st = r.state;
    render(
        status,
        &ActionPage {
            l: Layout::for_viewer(
                format!("{}: {person_name}", action.heading()),
                v,
                "/caseload",
            )
            .with_errors(&errors),
            errors,
            id,
            version: r.version,
            person_name,
            heading: action.heading(),
            action: action.path(),
            values,
            kinds: ContactKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label()))
                .collect(),
            assignable: assignable
                .into_iter()
                .map(|u| (u.id, u.display_name))
                .collect(),
            decisions: Triage::DECISIONS
                .iter()
                .enumerate()
                .map(|(i, (value, label))| {
                    let id = if i == 0 {
                        "decision".into()
                    } else {
                        format!("decision-{value}")
                    };
                    (*value, *label, id)
                })
                .collect(),
            can_activate: st.can_move_to(ReferralState::Active),
            can_decline: st.can_move_to(ReferralState::Declined),
            can_close_unreached: st.can_move_to(ReferralState::UnableToContact),
            attempts: r.contact_attempts,
            attempts_needed: referrals::ATTEMPTS_BEFORE_UNABLE_TO_CONTACT,
        },
    )
}

/// The result of an action: back to the referral with the banner, or the action's page again
/// with the problem and what was typed.
async fn after(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    id: i32,
    action: Action,
    result: Result<&'static str, ServiceError>,
    values: BTreeMap<String, String>,
) -> Response {
    let (status, errors) = match result {
        Ok(saved) => {
            return Redirect::to(&format!("/referrals/{id}?saved={saved}")).into_response();
        }
        Err(ServiceError::Invalid(list)) => (StatusCode::UNPROCESSABLE_ENTITY, Errors(list)),
        Err(ServiceError::Conflict(m)) => (StatusCode::CONFLICT, Errors::one("version", m)),
        Err(e) => return PageError::new(e, v).into_response(),
    };
    action_page(state, v, a, id, action, status, errors, values).await
}

macro_rules! form_page {
    ($name:ident, $action:expr) => {
        pub async fn $name(
            State(state): State<AppState>,
            v: Viewer,
            CurrentActor(ref a): CurrentActor,
            Path(id): Path<i32>,
        ) -> Response {
            action_page(
                &state,
                &v,
                a,
                id,
                $action,
                StatusCode::OK,
                Errors::default(),
                BTreeMap::new(),
            )
            .await
        }
    };
}

form_page!(triage_form, Action::Triage);
form_page!(contact_form, Action::Contact);
form_page!(follow_up_form, Action::FollowUp);
form_page!(assign_form, Action::Assign);
form_page!(state_form, Action::Status);

/// Every field of a form, as typed (dates joined), to show again if it is refused.
type Fields = BTreeMap<String, String>;

fn version(f: &Fields) -> i32 {
    f.get("version").and_then(|v| v.parse().ok()).unwrap_or(0)
}

fn text(f: &Fields, k: &str) -> Option<String> {
    f.get(k).cloned().filter(|s| !s.trim().is_empty())
}

pub async fn triage(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<Fields>,
) -> Response {
    let decision = match f.get("decision").map(String::as_str) {
        Some("accept") => Triage::Accept {
            assign_to: f.get("assign_to").and_then(|u| u.parse().ok()),
        },
        Some("signpost") => Triage::Signpost {
            to: text(&f, "signposted_to"),
        },
        Some("not_accepted") => Triage::NotAccepted {
            reason: text(&f, "reason"),
        },
        _ => {
            let r = Err(ServiceError::invalid(
                "decision",
                "Choose what happens to this referral",
            ));
            return after(&state, &v, a, id, Action::Triage, r, f).await;
        }
    };
    let r = referrals::triage(&state.svc, a, &v.meta, id, version(&f), decision)
        .await
        .map(|to| match to {
            ReferralState::Signposted => "signposted",
            ReferralState::NotAccepted => "not-accepted",
            _ => "accepted",
        });
    after(&state, &v, a, id, Action::Triage, r, f).await
}

pub async fn record_contact(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<Fields>,
) -> Response {
    let mut errs = Vec::new();
    let field = |k: &str| f.get(k).cloned().unwrap_or_default();
    let duration = optional_int(
        "duration_minutes",
        "Duration",
        &field("duration_minutes"),
        &mut errs,
    );
    if !errs.is_empty() {
        let r = Err(ServiceError::Invalid(errs));
        return after(&state, &v, a, id, Action::Contact, r, f).await;
    }
    let outcome = f.get("outcome").map(String::as_str).unwrap_or("contact");
    let input = ContactInput {
        kind: Some(field("kind")),
        date: Some(field("date")),
        time: Some(field("time")),
        duration_minutes: duration,
        notes: Some(field("notes")),
        did_not_attend: outcome == "did_not_attend",
        attempt_only: outcome == "attempt",
        coaching: outcome == "coaching",
    };
    let r = referrals::record_contact(&state.svc, a, &v.meta, id, input)
        .await
        .map(|_| "contact");
    after(&state, &v, a, id, Action::Contact, r, f).await
}

pub async fn set_follow_up(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<Fields>,
) -> Response {
    let input = FollowUpInput {
        due_on: f.get("due_on").cloned(),
        note: f.get("note").cloned(),
    };
    let r = referrals::set_follow_up(&state.svc, a, &v.meta, id, input)
        .await
        .map(|_| "follow-up");
    after(&state, &v, a, id, Action::FollowUp, r, f).await
}

/// Marks a follow-up done from the referral page (or the home page, which returns there).
pub async fn complete_follow_up(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path((id, follow_up)): Path<(i32, i32)>,
) -> Response {
    match referrals::complete_follow_up(&state.svc, a, &v.meta, id, follow_up).await {
        Ok(()) => Redirect::to(&format!("/referrals/{id}?saved=follow-up-done")).into_response(),
        Err(ServiceError::Conflict(m)) => {
            referral_page(
                &state,
                &v,
                a,
                id,
                StatusCode::CONFLICT,
                Errors::one("follow-ups", m),
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn assign(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<Fields>,
) -> Response {
    let to = f.get("assigned_user_id").and_then(|u| u.parse().ok());
    let r = referrals::assign(&state.svc, a, &v.meta, id, version(&f), to)
        .await
        .map(|()| "assigned");
    after(&state, &v, a, id, Action::Assign, r, f).await
}

pub async fn change_state(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<Fields>,
) -> Response {
    let Some(to) = f.get("to").and_then(|t| ReferralState::parse(t)) else {
        let r = Err(ServiceError::invalid(
            "to",
            "Choose the referral's new status",
        ));
        return after(&state, &v, a, id, Action::Status, r, f).await;
    };
    let review_due = match f.get("review_due").map(|d| d.trim()) {
        None | Some("") => None,
        Some(d) => match parse_date(d) {
            Some(d) => Some(d),
            None => {
                let r = Err(ServiceError::invalid(
                    "review_due",
                    "Review date must be a real date",
                ));
                return after(&state, &v, a, id, Action::Status, r, f).await;
            }
        },
    };
    let change = StateChange {
        to,
        reason: text(&f, "reason"),
        review_due,
    };
    let r = referrals::change_state(&state.svc, a, &v.meta, id, version(&f), change)
        .await
        .map(|()| "state");
    after(&state, &v, a, id, Action::Status, r, f).await
}
