//! Assigning a referral to someone on its team.

use domain::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use store::entities::{membership, organisation, referral, user};

use super::{apply, for_work};
use crate::audit::{self, Outcome};
use crate::care::person_event;
use crate::{Actor, RequestMeta, ServiceError, Services};

/// People who may be assigned the referral: care roles at its team or above.
pub async fn assignable(
    svc: &Services,
    r: &crate::care::ReferralAccess,
) -> Result<Vec<user::Model>, ServiceError> {
    let team = organisation::Entity::find_by_id(r.team_org_id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("team"))?;
    let ancestors: Vec<i32> = team
        .path
        .split('/')
        .filter_map(|s| s.parse().ok())
        .collect();
    let roles = Role::CASELOAD.map(|r| r.as_str());
    let user_ids: Vec<i32> = membership::Entity::find()
        .select_only()
        .column(membership::Column::UserId)
        .filter(membership::Column::OrganisationId.is_in(ancestors))
        .filter(membership::Column::Role.is_in(roles))
        .into_tuple()
        .all(&svc.db)
        .await?;
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::DisplayName)
        .all(&svc.db)
        .await?)
}

pub async fn assign(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    version: i32,
    user_id: Option<i32>,
) -> Result<(), ServiceError> {
    let r = for_work(svc, actor, meta, id, "referral_assigned").await?;
    if let Some(u) = user_id
        && !assignable(svc, &r).await?.iter().any(|x| x.id == u)
    {
        return Err(ServiceError::invalid(
            "assigned_user_id",
            "Choose someone from this team",
        ));
    }
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    apply(
        &txn,
        id,
        version,
        vec![(referral::Column::AssignedUserId, Expr::value(user_id))],
        now,
    )
    .await?;
    audit::record(
        &txn,
        now,
        meta,
        person_event(actor, "referral_assigned", Outcome::Success, r.person_id)
            .entity("referral", id)
            .detail(format!("to user {user_id:?}")),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
