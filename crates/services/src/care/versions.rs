//! Records kept as a person's numbered versions (About Me, the personalised care and support
//! plan): each save adds a version; reads give the newest or every one, newest first.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select};
use store::entities::{about_me_version, care_plan_version};

use super::{PersonAccess, audit_read, person_for};
use crate::{Actor, RequestMeta, ServiceError, Services};

/// A table of a person's versions.
pub(crate) trait PersonVersions: EntityTrait {
    /// The person the versions belong to.
    const PERSON: Self::Column;
    /// The version number, rising with each save.
    const VERSION: Self::Column;
    /// What the audit log calls reading them.
    const VIEWED: &'static str;
}

impl PersonVersions for about_me_version::Entity {
    const PERSON: Self::Column = about_me_version::Column::PersonId;
    const VERSION: Self::Column = about_me_version::Column::Version;
    const VIEWED: &'static str = "about_me_viewed";
}

impl PersonVersions for care_plan_version::Entity {
    const PERSON: Self::Column = care_plan_version::Column::PersonId;
    const VERSION: Self::Column = care_plan_version::Column::Version;
    const VIEWED: &'static str = "care_plan_viewed";
}

/// A person's versions, newest first.
fn newest_first<E: PersonVersions>(person_id: i32) -> Select<E> {
    E::find()
        .filter(E::PERSON.eq(person_id))
        .order_by_desc(E::VERSION)
}

/// Every version, newest first, of a person whose access has been checked (or who is being
/// written to inside a transaction that checked it).
pub(crate) async fn all_of<E: PersonVersions, C: ConnectionTrait>(
    c: &C,
    person_id: i32,
) -> Result<Vec<E::Model>, ServiceError> {
    Ok(newest_first::<E>(person_id).all(c).await?)
}

/// The newest version.
pub(crate) async fn newest<E: PersonVersions>(
    svc: &Services,
    access: &PersonAccess,
) -> Result<Option<E::Model>, ServiceError> {
    newest_of::<E, _>(&svc.db, access.id()).await
}

/// The newest version of a person whose access has been checked (or who is being written to
/// inside a transaction that checked it).
pub(crate) async fn newest_of<E: PersonVersions, C: ConnectionTrait>(
    c: &C,
    person_id: i32,
) -> Result<Option<E::Model>, ServiceError> {
    Ok(newest_first::<E>(person_id).one(c).await?)
}

/// The person and every version, newest first (audited as one read).
pub(crate) async fn read<E: PersonVersions>(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person_id: i32,
) -> Result<(PersonAccess, Vec<E::Model>), ServiceError> {
    let person = person_for(svc, actor, meta, person_id, E::VIEWED).await?;
    audit_read(svc, actor, meta, person_id, E::VIEWED).await?;
    let versions = all_of::<E, _>(&svc.db, person.id()).await?;
    Ok((person, versions))
}

/// The newest version, if any (audited as a read).
pub(crate) async fn current<E: PersonVersions>(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person_id: i32,
) -> Result<Option<E::Model>, ServiceError> {
    let person = person_for(svc, actor, meta, person_id, E::VIEWED).await?;
    audit_read(svc, actor, meta, person_id, E::VIEWED).await?;
    newest::<E>(svc, &person).await
}
