//! Reading referrals: one the actor may see, and a person's referrals.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use store::entities::referral;

use crate::audit::{self, Outcome};
use crate::care::{ReferralUse, person_event, referral_for};
use crate::{Actor, RequestMeta, ServiceError, Services};

/// A referral the actor may see (its team is within their care scope, or they made it). One
/// outside their scope is answered as if it were not there (and the refusal audited).
pub async fn get(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
) -> Result<crate::care::ReferralAccess, ServiceError> {
    let r = referral_for(svc, actor, meta, id, "referral_viewed", ReferralUse::See).await?;
    audit::log(
        svc,
        svc.now(),
        meta,
        person_event(actor, "referral_viewed", Outcome::Success, r.person_id)
            .entity("referral", id),
    )
    .await?;
    Ok(r)
}

/// The person's referrals, newest first. Needs the proof that the actor may see the person.
pub async fn for_person(
    svc: &crate::Services,
    access: &crate::care::PersonAccess,
) -> Result<Vec<crate::care::Referral>, ServiceError> {
    crate::care::model::all(for_person_of(&svc.db, access.id()).await?)
}

/// Referrals of a person (for the person page).
pub(crate) async fn for_person_of<C: ConnectionTrait>(
    c: &C,
    person_id: i32,
) -> Result<Vec<referral::Model>, ServiceError> {
    Ok(referral::Entity::find()
        .filter(referral::Column::PersonId.eq(person_id))
        .order_by_desc(referral::Column::ReferredOn)
        .all(c)
        .await?)
}
