//! Recording a new person, and where an NHS number is already recorded as far as the caller
//! may be told.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use store::entities::{organisation, person, referral};

use super::ValidPerson;
use super::search_name;
use crate::{Actor, ServiceError};

pub(crate) async fn insert<C: ConnectionTrait>(
    c: &C,
    now: chrono::DateTime<chrono::Utc>,
    v: ValidPerson,
    needs_reconciliation: bool,
) -> Result<person::Model, DbErr> {
    person::ActiveModel {
        search_name: Set(search_name(&v.given_name, &v.family_name)),
        nhs_number: Set(v.nhs_number),
        given_name: Set(v.given_name),
        family_name: Set(v.family_name),
        date_of_birth: Set(v.date_of_birth),
        email: Set(v.email),
        phone: Set(v.phone),
        address: Set(v.address),
        postcode: Set(v.postcode),
        preferred_contact: Set(v.preferred_contact),
        practice_id: Set(v.practice_id),
        reasonable_adjustments: Set(v.reasonable_adjustments),
        communication_needs: Set(v.communication_needs),
        representative_name: Set(v.representative_name),
        representative_relationship: Set(v.representative_relationship),
        representative_contact: Set(v.representative_contact),
        needs_reconciliation: Set(needs_reconciliation),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(c)
    .await
}

/// Where an NHS number is already recorded, as far as the caller may be told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Known {
    /// Not recorded (or recorded only on the record being edited).
    No,
    /// On a record within the caller's scope: the caller may be told, and pointed to it.
    InScope(i32),
    /// Only on records outside the caller's scope: the caller must not learn this.
    Elsewhere,
}

/// Who is asking about an NHS number: a member of staff (their relationships), or the public
/// self-referral form (the PCN the referral goes to).
pub(crate) enum Asker<'a> {
    Staff(&'a Actor),
    /// The PCN the referral goes to, by its organisation path (it and everything below it).
    ToPcn(&'a str),
}

/// Where `nhs` is recorded, on any record but `except`, judged by what `asker` may see.
pub(crate) async fn known<C: ConnectionTrait>(
    c: &C,
    asker: &Asker<'_>,
    nhs: &str,
    except: Option<i32>,
) -> Result<Known, ServiceError> {
    let mut q = person::Entity::find().filter(person::Column::NhsNumber.eq(nhs));
    if let Some(id) = except {
        q = q.filter(person::Column::Id.ne(id));
    }
    let same = q.order_by_asc(person::Column::Id).all(c).await?;
    if same.is_empty() {
        return Ok(Known::No);
    }
    for other in &same {
        let visible = match asker {
            Asker::Staff(actor) => crate::care::has_relationship(c, actor, other).await?,
            Asker::ToPcn(path) => under_pcn(c, other, path).await?,
        };
        if visible {
            return Ok(Known::InScope(other.id));
        }
    }
    Ok(Known::Elsewhere)
}

/// Whether a person is registered at a practice under the PCN's `path` or referred to a team
/// under it (the organisations as a subquery, not a list of ids).
async fn under_pcn<C: ConnectionTrait>(
    c: &C,
    p: &person::Model,
    path: &str,
) -> Result<bool, ServiceError> {
    let under = || {
        sea_orm::sea_query::Query::select()
            .column(organisation::Column::Id)
            .from(organisation::Entity)
            .cond_where(crate::org::under_paths(
                c.get_database_backend(),
                &[path.to_owned()],
            ))
            .to_owned()
    };
    Ok(referral::Entity::find()
        .filter(referral::Column::PersonId.eq(p.id))
        .filter(referral::Column::TeamOrgId.in_subquery(under()))
        .count(c)
        .await?
        > 0
        || organisation::Entity::find()
            .filter(organisation::Column::Id.eq(p.practice_id.unwrap_or(-1)))
            .filter(organisation::Column::Id.in_subquery(under()))
            .count(c)
            .await?
            > 0)
}

/// The message for an NHS number already recorded on a person the caller may see.
pub const ALREADY_RECORDED: &str =
    "A person with this NHS number is already recorded: find them and refer them instead";

/// Records a new person. An NHS number the caller may know about is refused with a pointer to
/// the existing record; one recorded only outside the caller's scope is kept as entered on a
/// new record flagged for reconciliation, so the caller learns nothing of the other record and
/// gains no access to it (see docs/security.md, "Existence oracles").
pub(crate) async fn create_person(
    txn: &sea_orm::DatabaseTransaction,
    asker: &Asker<'_>,
    now: chrono::DateTime<chrono::Utc>,
    v: ValidPerson,
    field: &str,
) -> Result<person::Model, ServiceError> {
    let found = match &v.nhs_number {
        Some(n) => known(txn, asker, n, None).await?,
        None => Known::No,
    };
    let flag = match found {
        Known::InScope(_) => return Err(ServiceError::invalid(field, ALREADY_RECORDED)),
        Known::Elsewhere => true,
        Known::No => false,
    };
    // A savepoint, so that a record of the same number saved a moment ago by someone else
    // (caught by the unique index) can be answered as if it had been seen above.
    let sp = sea_orm::TransactionTrait::begin(txn).await?;
    match insert(&sp, now, v.clone(), flag).await {
        Ok(m) => {
            sp.commit().await?;
            return Ok(m);
        }
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            sp.rollback().await?;
        }
        Err(e) => return Err(e.into()),
    }
    let n = v.nhs_number.clone().unwrap_or_default();
    match known(txn, asker, &n, None).await? {
        Known::InScope(_) => Err(ServiceError::invalid(field, ALREADY_RECORDED)),
        _ => Ok(insert(txn, now, v, true).await?),
    }
}
