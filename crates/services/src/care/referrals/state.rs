//! Moving a referral to active, declined or unable to contact.

use chrono::NaiveDate;
use domain::referral::{GpMessageKind, ReferralState, transition};
use domain::text;
use sea_orm::sea_query::Expr;
use store::entities::referral;

use super::{ATTEMPTS_BEFORE_UNABLE_TO_CONTACT, apply, for_work};
use crate::audit::{self, Outcome};
use crate::care::person_event;
use crate::error::{DateRule, Problems};
use crate::{Actor, RequestMeta, ServiceError, Services};

/// A move of a referral: to active (with an optional review date), declined (with the
/// person's reason) or unable to contact.
#[derive(Clone, Debug)]
pub struct StateChange {
    pub to: ReferralState,
    pub reason: Option<String>,
    pub review_due: Option<NaiveDate>,
}

/// Moves a referral to active, declined (with the reason) or unable to contact.
pub async fn change_state(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    version: i32,
    change: StateChange,
) -> Result<(), ServiceError> {
    let StateChange {
        to,
        reason,
        review_due,
    } = change;
    if to.is_closed_at_triage() {
        return Err(ServiceError::invalid(
            "to",
            "Signpost or turn down a referral at triage",
        ));
    }
    let r = for_work(svc, actor, meta, id, "referral_state_changed").await?;
    let from = r.state;
    transition(from, to).map_err(|e| ServiceError::Conflict(e.to_string()))?;
    let now = svc.now();
    let mut changes: Vec<(referral::Column, sea_orm::sea_query::SimpleExpr)> =
        vec![(referral::Column::State, Expr::value(to.as_str()))];
    match to {
        ReferralState::Declined => {
            let mut p = Problems::default();
            let reason = p.required(
                "reason",
                &reason,
                text::DECLINED_REASON,
                "Enter why the person declined",
            );
            p.finish()?;
            let Some(reason) = reason else {
                return Err(ServiceError::invalid(
                    "reason",
                    "Enter why the person declined",
                ));
            };
            changes.push((referral::Column::DeclinedReason, Expr::value(reason)));
            changes.push((referral::Column::ClosedAt, Expr::value(Some(now))));
        }
        ReferralState::UnableToContact => {
            if r.contact_attempts < ATTEMPTS_BEFORE_UNABLE_TO_CONTACT {
                return Err(ServiceError::Conflict(format!(
                    "Record at least {ATTEMPTS_BEFORE_UNABLE_TO_CONTACT} attempts to contact the person before closing the referral ({} so far)",
                    r.contact_attempts
                )));
            }
            changes.push((referral::Column::ClosedAt, Expr::value(Some(now))));
        }
        ReferralState::Active => {
            if let Some(d) = review_due {
                let d = DateRule::review("Review date", domain::dates::uk_date(now))
                    .check("review_due", d)?;
                changes.push((referral::Column::ReviewDue, Expr::value(Some(d))));
            }
        }
        _ => {}
    }
    let txn = store::begin_write(&svc.db).await?;
    apply(&txn, id, version, changes, now).await?;
    if matches!(to, ReferralState::Declined | ReferralState::UnableToContact) {
        crate::care::discharge::write_message(&txn, now, id, GpMessageKind::Closing, None).await?;
    }
    audit::record(
        &txn,
        now,
        meta,
        person_event(
            actor,
            "referral_state_changed",
            Outcome::Success,
            r.person_id,
        )
        .entity("referral", id)
        .detail(format!("{} → {}", from.as_str(), to.as_str())),
    )
    .await?;
    txn.commit().await?;
    if matches!(to, ReferralState::Declined | ReferralState::UnableToContact) {
        svc.jobs_queued();
    }
    Ok(())
}
