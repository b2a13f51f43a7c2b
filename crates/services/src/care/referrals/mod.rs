//! Referrals in (from staff, other organisations, and the person themselves), the caseload,
//! contacts, assignment and state changes.
//!
//! One file per use case: `create` (staff referrals), `self_referral` (the public form),
//! `caseload` (the caseload and the "no one lost" view), `read` (one referral, a person's
//! referrals), `contacts`, `assign`, `triage`, `follow_ups` and `state`. This module keeps the rules they share and the
//! optimistic-locking helper for changes.

mod assign;
mod caseload;
mod contacts;
mod create;
mod follow_ups;
mod read;
mod self_referral;
mod state;
mod triage;

pub use assign::{assign, assignable};
pub use caseload::{
    CaseloadFilter, CaseloadPage, CaseloadRow, HOME_LIST, HOME_NO_CONTACT_DAYS, HOME_REVIEW_DAYS,
    LostGroup, LostPages, LostReason, MAX_NO_CONTACT_DAYS, MyDay, NoOneLost, PRACTICE_PAGE, TRIAGE,
    Workload, caseload, my_day, no_one_lost, practice_referrals, team_workload,
};
pub use contacts::{ContactInput, contacts, record_contact};
pub use create::{ReferralInput, create};
pub use follow_ups::{FollowUp, FollowUpInput, complete_follow_up, follow_ups_for, set_follow_up};
pub use read::{for_person, get};
pub use self_referral::{
    SELF_REFERRALS_PER_ADDRESS_PER_HOUR, SELF_REFERRALS_PER_HOUR, SelfReferralInput,
    SelfReferralOutcome, check_self_referral, reference, self_refer, team_for_practice,
};
pub use state::{StateChange, change_state};
pub use triage::{Triage, triage};

use domain::referral::ReferralState;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use store::entities::referral;

use super::{ReferralUse, referral_for};
use crate::{Actor, RequestMeta, ServiceError, Services};

/// Attempts to reach someone before a referral may close as "unable to contact".
pub const ATTEMPTS_BEFORE_UNABLE_TO_CONTACT: i32 = 3;
/// Days a routine referral may wait for first contact before the "no one lost" view shows it.
pub const FIRST_CONTACT_DAYS: i64 = 7;
/// Days an urgent referral may wait for first contact.
pub const URGENT_FIRST_CONTACT_DAYS: i64 = 2;
/// Days without contact after which an open referral shows in the "no one lost" view.
pub const STALE_CONTACT_DAYS: i64 = 28;

fn open_states() -> [&'static str; 3] {
    [
        ReferralState::Received.as_str(),
        ReferralState::Contacted.as_str(),
        ReferralState::Active.as_str(),
    ]
}

/// A referral the actor may change: in their care scope, not just one they made.
async fn for_work(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    action: &'static str,
) -> Result<crate::care::ReferralAccess, ServiceError> {
    referral_for(svc, actor, meta, id, action, ReferralUse::Work).await
}

/// Applies a change to a referral only if it is still at `version`: a second, simultaneous
/// change of the same version changes nothing and is told so.
async fn apply<C: ConnectionTrait>(
    c: &C,
    id: i32,
    version: i32,
    changes: Vec<(referral::Column, sea_orm::sea_query::SimpleExpr)>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ServiceError> {
    let next = version.checked_add(1).ok_or_else(stale_referral)?;
    let mut u = referral::Entity::update_many();
    for (col, e) in changes {
        u = u.col_expr(col, e);
    }
    let n = u
        .col_expr(referral::Column::UpdatedAt, Expr::value(now))
        .col_expr(referral::Column::Version, Expr::value(next))
        .filter(referral::Column::Id.eq(id))
        .filter(referral::Column::Version.eq(version))
        .exec(c)
        .await?
        .rows_affected;
    if n == 0 {
        return Err(stale_referral());
    }
    Ok(())
}

fn stale_referral() -> ServiceError {
    ServiceError::Conflict("Someone else changed this referral a moment ago. Nothing has been saved: reload it to see the latest and try again".into())
}
