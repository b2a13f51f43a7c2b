//! Follow-ups: a worker's reminder about a referral ("call back on Tuesday"), due on a day,
//! shown on their home page from that day until they mark it done.

use chrono::{DateTime, NaiveDate, Utc};
use domain::text;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use store::entities::{follow_up, person, referral};

use super::{for_work, open_states};
use crate::audit::{self, Outcome};
use crate::care::person_event;
use crate::error::{DateRule, Problems};
use crate::{Actor, RequestMeta, ServiceError, Services};

/// Open follow-ups on one referral; more are refused until some are done.
pub const MAX_OPEN_PER_REFERRAL: u64 = 20;
/// The most follow-ups a home page lists.
pub const HOME_LIMIT: u64 = 50;

#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct FollowUpInput {
    /// YYYY-MM-DD, today or later.
    pub due_on: Option<String>,
    /// What to do, like "Call back about the walking group".
    pub note: Option<String>,
}

#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FollowUp {
    pub id: i32,
    pub referral_id: i32,
    pub person_id: i32,
    /// The person's name, for lists that span referrals.
    pub person_name: String,
    pub owner_user_id: Option<i32>,
    pub due_on: NaiveDate,
    pub note: String,
    pub done_at: Option<DateTime<Utc>>,
}

/// Sets a follow-up on a referral the actor works on; it is theirs.
pub async fn set_follow_up(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    referral_id: i32,
    input: FollowUpInput,
) -> Result<i32, ServiceError> {
    let r = for_work(svc, actor, meta, referral_id, "follow_up_set").await?;
    if r.state.is_closed() {
        return Err(ServiceError::Conflict(format!(
            "This referral is {}: follow-ups can no longer be set",
            r.state.label().to_lowercase()
        )));
    }
    let mut p = Problems::default();
    let due_on = p.date(
        "due_on",
        &input.due_on,
        DateRule::upcoming("The follow-up date", svc.today()),
    );
    if input.due_on.as_deref().is_none_or(|d| d.trim().is_empty()) {
        p.add("due_on", "Enter the date to follow up");
    }
    let note = p.required(
        "note",
        &input.note,
        text::FOLLOW_UP_NOTE,
        "Enter what to do",
    );
    p.finish()?;
    let (Some(due_on), Some(note)) = (due_on, note) else {
        return Err(ServiceError::Internal("validated follow-up missing".into()));
    };
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let open = follow_up::Entity::find()
        .filter(follow_up::Column::ReferralId.eq(referral_id))
        .filter(follow_up::Column::DoneAt.is_null())
        .count(&txn)
        .await?;
    if open >= MAX_OPEN_PER_REFERRAL {
        return Err(ServiceError::Conflict(format!(
            "This referral already has {MAX_OPEN_PER_REFERRAL} follow-ups to do: mark some done first"
        )));
    }
    let f = follow_up::ActiveModel {
        referral_id: Set(referral_id),
        person_id: Set(r.person_id),
        owner_user_id: Set(Some(actor.user_id)),
        due_on: Set(due_on),
        note: Set(note),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        meta,
        person_event(actor, "follow_up_set", Outcome::Success, r.person_id)
            .entity("referral", referral_id),
    )
    .await?;
    txn.commit().await?;
    Ok(f.id)
}

/// Marks a follow-up done, once: done twice (two tabs, a double click) is told so.
pub async fn complete_follow_up(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    referral_id: i32,
    follow_up_id: i32,
) -> Result<(), ServiceError> {
    let r = for_work(svc, actor, meta, referral_id, "follow_up_done").await?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let n = follow_up::Entity::update_many()
        .col_expr(follow_up::Column::DoneAt, Expr::value(Some(now)))
        .filter(follow_up::Column::Id.eq(follow_up_id))
        .filter(follow_up::Column::ReferralId.eq(referral_id))
        .filter(follow_up::Column::DoneAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if n == 0 {
        let exists = follow_up::Entity::find_by_id(follow_up_id)
            .filter(follow_up::Column::ReferralId.eq(referral_id))
            .one(&txn)
            .await?
            .is_some();
        return Err(if exists {
            ServiceError::Conflict("This follow-up is already done".into())
        } else {
            ServiceError::NotFound("follow-up")
        });
    }
    audit::record(
        &txn,
        now,
        meta,
        person_event(actor, "follow_up_done", Outcome::Success, r.person_id)
            .entity("referral", referral_id),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The follow-ups still to do on a referral the actor may see, soonest first.
pub async fn follow_ups_for(
    svc: &Services,
    r: &crate::care::ReferralAccess,
) -> Result<Vec<FollowUp>, ServiceError> {
    let rows = follow_up::Entity::find()
        .filter(follow_up::Column::ReferralId.eq(r.id()))
        .filter(follow_up::Column::DoneAt.is_null())
        .order_by_asc(follow_up::Column::DueOn)
        .order_by_asc(follow_up::Column::Id)
        .all(&svc.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|f| from_row(f, String::new()))
        .collect())
}

/// The actor's own follow-ups due on or before `through`, on referrals still open, soonest
/// first (at most [`HOME_LIMIT`]); the caller audits what it shows.
pub(super) async fn due(
    svc: &Services,
    actor: &Actor,
    through: NaiveDate,
) -> Result<Vec<FollowUp>, ServiceError> {
    use sea_orm::QuerySelect;
    use sea_orm::sea_query::ExprTrait;
    let rows: Vec<(follow_up::Model, Option<person::Model>)> = follow_up::Entity::find()
        .find_also_related(person::Entity)
        .filter(follow_up::Column::OwnerUserId.eq(actor.user_id))
        .filter(follow_up::Column::DoneAt.is_null())
        .filter(follow_up::Column::DueOn.lte(through))
        // Correlated, so each of the few follow-ups looks up its referral by key (`IN` the open
        // referrals would list every open referral first).
        .filter(Expr::exists(
            sea_orm::sea_query::Query::select()
                .expr(Expr::val(1))
                .from(referral::Entity)
                .and_where(
                    Expr::col((referral::Entity, referral::Column::Id))
                        .equals((follow_up::Entity, follow_up::Column::ReferralId)),
                )
                .and_where(
                    Expr::col((referral::Entity, referral::Column::State)).is_in(open_states()),
                )
                // Still the actor's to work on: a worker who has left the team sees none.
                .and_where(
                    Expr::col((referral::Entity, referral::Column::TeamOrgId))
                        .in_subquery(crate::care::care_orgs(svc.db.get_database_backend(), actor)),
                )
                .to_owned(),
        ))
        .order_by_asc(follow_up::Column::DueOn)
        .order_by_asc(follow_up::Column::Id)
        .limit(HOME_LIMIT)
        .all(&svc.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(f, p)| {
            let name = p
                .map(|p| format!("{} {}", p.given_name, p.family_name))
                .unwrap_or_default();
            from_row(f, name)
        })
        .collect())
}

fn from_row(f: follow_up::Model, person_name: String) -> FollowUp {
    FollowUp {
        id: f.id,
        referral_id: f.referral_id,
        person_id: f.person_id,
        person_name,
        owner_user_id: f.owner_user_id,
        due_on: f.due_on,
        note: f.note,
        done_at: f.done_at,
    }
}
