//! Care delivery: people, referrals and the caseload, contacts, About Me, personalised care and
//! support plans, shared decision making, outcome measures and discharge.
//!
//! Access: staff see a person only with a legitimate relationship — a referral to a team within
//! their care scope, a referral they made, or (for clinicians) registration at their practice.
//! Every read and change of a person's data is audited with the purpose "direct care".

pub mod about_me;
pub mod discharge;
pub mod lookup;
pub mod measures;
pub mod people;
pub mod plans;
pub mod referrals;
pub mod sdm;

use domain::{Permission, Role};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use store::entities::{organisation, person, referral};

use crate::audit::{self, Event, Outcome};
use crate::{Actor, RequestMeta, ServiceError, Services};

pub const PURPOSE: &str = "direct care";

/// Ids of the organisations within the actor's care scope (where they may work with people).
pub async fn care_org_ids<C: ConnectionTrait>(
    c: &C,
    actor: &Actor,
) -> Result<Vec<i32>, ServiceError> {
    let scopes = actor.scopes(Permission::ProvideCare);
    if scopes.is_empty() {
        return Ok(vec![]);
    }
    let mut cond = sea_orm::Condition::any();
    for s in scopes {
        cond = cond.add(organisation::Column::Path.starts_with(s));
    }
    Ok(organisation::Entity::find()
        .select_only()
        .column(organisation::Column::Id)
        .filter(cond)
        .into_tuple()
        .all(c)
        .await?)
}

/// Whether the actor has a legitimate relationship with the person.
pub async fn has_relationship<C: ConnectionTrait>(
    c: &C,
    actor: &Actor,
    p: &person::Model,
) -> Result<bool, ServiceError> {
    if p.user_id == Some(actor.user_id) {
        return Ok(true);
    }
    if !actor.can(Permission::ProvideCare) {
        return Ok(false);
    }
    let orgs = care_org_ids(c, actor).await?;
    let via_referral = referral::Entity::find()
        .filter(referral::Column::PersonId.eq(p.id))
        .filter(
            sea_orm::Condition::any()
                .add(referral::Column::TeamOrgId.is_in(orgs.clone()))
                .add(referral::Column::ReferrerUserId.eq(actor.user_id)),
        )
        .count(c)
        .await?
        > 0;
    if via_referral {
        return Ok(true);
    }
    // A clinician has a relationship with the patients registered at their practice.
    let clinician_orgs: Vec<&str> = actor
        .grants
        .iter()
        .filter(|g| g.role == Role::Clinician)
        .map(|g| g.path.as_str())
        .collect();
    if let (false, Some(practice)) = (clinician_orgs.is_empty(), p.practice_id)
        && let Some(o) = organisation::Entity::find_by_id(practice).one(c).await?
    {
        return Ok(clinician_orgs.iter().any(|s| o.path.starts_with(s)));
    }
    Ok(false)
}

/// Loads a person the actor may see, auditing the access (or the refusal).
pub async fn person_for(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person_id: i32,
    action: &'static str,
) -> Result<person::Model, ServiceError> {
    let p = person::Entity::find_by_id(person_id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("person"))?;
    if !has_relationship(&svc.db, actor, &p).await? {
        audit::record(
            &svc.db,
            svc.now(),
            meta,
            person_event(actor, action, Outcome::Refused, p.id)
                .detail("no legitimate relationship"),
        )
        .await?;
        return Err(ServiceError::Forbidden("see this person's record".into()));
    }
    Ok(p)
}

pub fn person_event(
    actor: &Actor,
    action: &'static str,
    outcome: Outcome,
    person_id: i32,
) -> Event {
    let mut e = Event::new(action, outcome).by(actor).purpose(PURPOSE);
    e.person_id = Some(person_id);
    e
}

/// Takes the write lock for a person's record at the start of a transaction that reads before
/// it writes (a plan or About Me version): SQLite then waits its turn instead of failing the
/// lock upgrade, and PostgreSQL serialises saves for the same person on the row lock.
pub(crate) async fn lock_person<C: ConnectionTrait>(
    c: &C,
    person_id: i32,
) -> Result<(), ServiceError> {
    person::Entity::update_many()
        .col_expr(
            person::Column::Version,
            sea_orm::sea_query::Expr::col(person::Column::Version),
        )
        .filter(person::Column::Id.eq(person_id))
        .exec(c)
        .await?;
    Ok(())
}

/// Records that the actor read a person's data.
pub async fn audit_read(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person_id: i32,
    action: &'static str,
) -> Result<(), ServiceError> {
    audit::record(
        &svc.db,
        svc.now(),
        meta,
        person_event(actor, action, Outcome::Success, person_id),
    )
    .await
}
