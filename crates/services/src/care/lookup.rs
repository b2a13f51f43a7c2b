//! Small reads the care pages need after the access check has been made elsewhere.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use store::entities::{organisation, person};

use crate::{Actor, ServiceError, Services};

/// GP practices within the actor's care scope, as (id, name).
pub async fn practices_for(
    svc: &Services,
    actor: &Actor,
) -> Result<Vec<(i32, String)>, ServiceError> {
    let ids = super::care_org_ids(&svc.db, actor).await?;
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(ids))
        .filter(organisation::Column::Kind.eq("practice"))
        .order_by_asc(organisation::Column::Name)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// Every active organisation of a kind, as (id, name): the public lists of practices and PCNs.
pub async fn active_of_kind(
    svc: &Services,
    kind: &str,
) -> Result<Vec<(i32, String)>, ServiceError> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Kind.eq(kind))
        .filter(organisation::Column::Status.eq("active"))
        .order_by_asc(organisation::Column::Name)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

pub async fn organisation(
    svc: &Services,
    id: i32,
) -> Result<Option<organisation::Model>, ServiceError> {
    Ok(organisation::Entity::find_by_id(id).one(&svc.db).await?)
}

/// A person by id, for a page that has already checked the relationship (through the referral).
pub async fn person(svc: &Services, id: i32) -> Result<person::Model, ServiceError> {
    person::Entity::find_by_id(id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("person"))
}
