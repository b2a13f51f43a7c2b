//! Triage: the team's first decision on a referral it has received. It takes the referral on
//! and gives it to a worker, passes the person on to a better-placed service (signposting), or
//! does not take it on, with the reason. Signposting and not accepting close the referral and
//! write the message back to the GP and referrer.

use domain::referral::{GpMessageKind, ReferralState, transition};
use domain::text;
use sea_orm::sea_query::Expr;
use store::entities::referral;

use super::{apply, assignable, for_work};
use crate::audit::{self, Outcome};
use crate::care::person_event;
use crate::error::Problems;
use crate::{Actor, RequestMeta, ServiceError, Services};

/// What the team decided.
#[derive(Clone, Debug)]
pub enum Triage {
    /// Take it on, and who will support the person.
    Accept { assign_to: Option<i32> },
    /// Pass the person on: where to.
    Signpost { to: Option<String> },
    /// Do not take it on: why.
    NotAccepted { reason: Option<String> },
}

impl Triage {
    /// The name a form or client sends for each decision.
    pub const DECISIONS: [(&'static str, &'static str); 3] = [
        ("accept", "Accept and assign"),
        ("signpost", "Signpost elsewhere"),
        ("not_accepted", "Do not accept"),
    ];
}

/// Triages a referral still waiting for it, once: a second decision on the same version (two
/// people triaging at once) changes nothing and is told so.
pub async fn triage(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    version: i32,
    decision: Triage,
) -> Result<ReferralState, ServiceError> {
    let r = for_work(svc, actor, meta, id, "referral_triaged").await?;
    if r.state != ReferralState::Received || r.row().accepted_at.is_some() {
        return Err(ServiceError::Conflict(
            "This referral has already been triaged".into(),
        ));
    }
    let now = svc.now();
    let mut p = Problems::default();
    let (to, changes, detail) = match decision {
        Triage::Accept { assign_to } => {
            let Some(user) = assign_to else {
                return Err(ServiceError::invalid(
                    "assign_to",
                    "Choose who will support the person",
                ));
            };
            if !assignable(svc, &r).await?.iter().any(|u| u.id == user) {
                return Err(ServiceError::invalid(
                    "assign_to",
                    "Choose someone from this team",
                ));
            }
            (
                ReferralState::Received,
                vec![
                    (referral::Column::AssignedUserId, Expr::value(Some(user))),
                    (referral::Column::AcceptedAt, Expr::value(Some(now))),
                ],
                format!("accepted, assigned to user {user}"),
            )
        }
        Triage::Signpost { to } => {
            let to = p.required(
                "signposted_to",
                &to,
                text::SIGNPOSTED_TO,
                "Enter where the person was signposted",
            );
            p.finish()?;
            (
                ReferralState::Signposted,
                closing(ReferralState::Signposted, to, now),
                "signposted".into(),
            )
        }
        Triage::NotAccepted { reason } => {
            let reason = p.required(
                "reason",
                &reason,
                text::DECLINED_REASON,
                "Enter why the referral is not accepted",
            );
            p.finish()?;
            (
                ReferralState::NotAccepted,
                closing(ReferralState::NotAccepted, reason, now),
                "not accepted".into(),
            )
        }
    };
    if to != ReferralState::Received {
        transition(r.state, to).map_err(|e| ServiceError::Conflict(e.to_string()))?;
    }
    let txn = store::begin_write(&svc.db).await?;
    apply(&txn, id, version, changes, now).await?;
    if to.is_closed() {
        crate::care::discharge::write_message(&txn, now, id, GpMessageKind::Closing, None).await?;
    }
    audit::record(
        &txn,
        now,
        meta,
        person_event(actor, "referral_triaged", Outcome::Success, r.person_id)
            .entity("referral", id)
            .detail(detail),
    )
    .await?;
    txn.commit().await?;
    if to.is_closed() {
        svc.jobs_queued();
    }
    Ok(to)
}

/// The columns a referral closed at triage changes.
fn closing(
    to: ReferralState,
    reason: Option<String>,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<(referral::Column, sea_orm::sea_query::SimpleExpr)> {
    vec![
        (referral::Column::State, Expr::value(to.as_str())),
        (referral::Column::DeclinedReason, Expr::value(reason)),
        (referral::Column::ClosedAt, Expr::value(Some(now))),
    ]
}
