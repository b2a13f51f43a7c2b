//! Care delivery: people, referrals and the caseload, contacts, About Me, personalised care and
//! support plans, shared decision making, outcome measures and discharge.
//!
//! Access: staff see a person only with a legitimate relationship — a referral to a team within
//! their care scope, a referral they made, or (for clinicians) registration at their practice.
//! Every read and change of a person's data is audited with the purpose "direct care".

pub mod about_me;
mod access;
pub mod discharge;
pub mod lookup;
pub mod measures;
pub mod model;
pub mod people;
pub mod plans;
pub mod record;
pub mod referrals;
pub mod sdm;
mod versions;

use domain::{Permission, Role};
use sea_orm::sea_query::SelectStatement;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, QuerySelect, QueryTrait,
};
use store::entities::{organisation, person, referral};

pub use access::{PersonAccess, ReferralAccess};
pub use model::{Contact, Measure, Person, PlanVersion, Referral};

use crate::audit::{self, Event, Outcome};
use crate::{Actor, RequestMeta, ServiceError, Services};

pub const PURPOSE: &str = "direct care";

/// `SELECT id FROM organisations` within the actor's care scope, to use as a subquery (an id
/// list bound into `IN (…)` would pass the databases' limits on bound values for a large ICB).
pub(crate) fn care_orgs(backend: DbBackend, actor: &Actor) -> SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(organisation::Column::Id)
        .from(organisation::Entity)
        .cond_where(crate::org::under_paths(
            backend,
            &actor.scopes(Permission::ProvideCare),
        ))
        .to_owned()
}

/// Whether an organisation is within the actor's care scope (one lookup by key).
pub(crate) async fn in_care_scope<C: ConnectionTrait>(
    c: &C,
    actor: &Actor,
    org_id: i32,
) -> Result<bool, ServiceError> {
    let path: Option<String> = organisation::Entity::find_by_id(org_id)
        .select_only()
        .column(organisation::Column::Path)
        .into_tuple()
        .one(c)
        .await?;
    Ok(path.is_some_and(|p| actor.can_at(Permission::ProvideCare, &p)))
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
    let via_referral = referral::Entity::find()
        .filter(referral::Column::PersonId.eq(p.id))
        .filter(referral_links_actor(c.get_database_backend(), actor))
        .count(c)
        .await?
        > 0;
    Ok(via_referral || registered_with_clinician(c, actor, p).await?)
}

/// A referral made by the actor, or to a team within their care scope.
fn referral_links_actor(backend: DbBackend, actor: &Actor) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(referral::Column::TeamOrgId.in_subquery(care_orgs(backend, actor)))
        .add(referral::Column::ReferrerUserId.eq(actor.user_id))
}

/// Whether a referral of the person in the outer query (`people.id`) links them to the actor
/// (see [`referral_links_actor`]); false for an actor who does not provide care.
fn referred_to_actor(backend: DbBackend, actor: &Actor) -> sea_orm::sea_query::Expr {
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    if !actor.can(Permission::ProvideCare) {
        return Expr::val(false);
    }
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(referral::Entity)
            .and_where(
                Expr::col((referral::Entity, referral::Column::PersonId))
                    .equals((person::Entity, person::Column::Id)),
            )
            .cond_where(referral_links_actor(backend, actor))
            .to_owned(),
    )
}

/// A clinician has a relationship with the patients registered at their practice, unless the
/// person's latest word is that their information is not shared with their GP practice.
async fn registered_with_clinician<C: ConnectionTrait>(
    c: &C,
    actor: &Actor,
    p: &person::Model,
) -> Result<bool, ServiceError> {
    if !actor.can(Permission::ProvideCare) {
        return Ok(false);
    }
    let clinician_orgs: Vec<&str> = actor
        .grants
        .iter()
        .filter(|g| g.role == Role::Clinician)
        .map(|g| g.path.as_str())
        .collect();
    let registered = match (clinician_orgs.is_empty(), p.practice_id) {
        (false, Some(practice)) => organisation::Entity::find_by_id(practice)
            .one(c)
            .await?
            .is_some_and(|o| clinician_orgs.iter().any(|s| o.path.starts_with(s))),
        _ => false,
    };
    // The consents are read only for a patient of the clinician's practice.
    Ok(registered
        && people::latest_decision(&people::consents_of(c, p.id).await?, "GP practice")
            != Some(false))
}

/// [`registered_with_clinician`] for a person known by id.
async fn patient_of_clinician<C: ConnectionTrait>(
    c: &C,
    actor: &Actor,
    person_id: i32,
) -> Result<bool, ServiceError> {
    if !actor.grants.iter().any(|g| g.role == Role::Clinician) {
        return Ok(false);
    }
    match person::Entity::find_by_id(person_id).one(c).await? {
        Some(p) => registered_with_clinician(c, actor, &p).await,
        None => Ok(false),
    }
}

/// Loads a person the actor may see, as the proof ([`PersonAccess`]) every read of their data
/// asks for. A person who is not there and a person the actor has no
/// relationship with get the same answer, [`ServiceError::NotFound`], so an id cannot be used to
/// learn that someone is known elsewhere; both refusals are audited, naming the id asked for.
pub async fn person_for(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person_id: i32,
    action: &'static str,
) -> Result<PersonAccess, ServiceError> {
    // The person and whether a referral links them to the actor, in one statement.
    let backend = svc.db.get_database_backend();
    let query = person::Entity::find_by_id(person_id)
        .expr_as(referred_to_actor(backend, actor), "referred_to_actor")
        .build(backend);
    let found = match svc.db.query_one_raw(query).await? {
        Some(row) => Some((
            person::Model::from_query_result(&row, "")?,
            row.try_get::<bool>("", "referred_to_actor")?,
        )),
        None => None,
    };
    let refusal = match found {
        Some((p, referred))
            if referred
                || p.user_id == Some(actor.user_id)
                || registered_with_clinician(&svc.db, actor, &p).await? =>
        {
            return PersonAccess::granted(p);
        }
        Some(_) => Refusal::NoRelationship,
        None => Refusal::Absent,
    };
    refuse(svc, actor, meta, action, "person", person_id, refusal).await?;
    Err(ServiceError::NotFound("person"))
}

/// How a referral is used: seen (by its team, whoever made it, or a GP of the person's
/// practice) or worked on (its team).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferralUse {
    See,
    Work,
}

/// Loads a referral the actor may see or work on; as [`person_for`], a referral that is not
/// there and one outside the actor's care scope get the same audited [`ServiceError::NotFound`].
pub async fn referral_for(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    action: &'static str,
    using: ReferralUse,
) -> Result<ReferralAccess, ServiceError> {
    let found = referral::Entity::find_by_id(id).one(&svc.db).await?;
    let refusal = match found {
        Some(r) => {
            let can_work = in_care_scope(&svc.db, actor, r.team_org_id).await?;
            let allowed = can_work
                || (using == ReferralUse::See
                    && (r.referrer_user_id == Some(actor.user_id)
                        || patient_of_clinician(&svc.db, actor, r.person_id).await?));
            if allowed {
                return ReferralAccess::granted(r, can_work);
            }
            Refusal::OutOfScope(r.person_id)
        }
        None => Refusal::Absent,
    };
    refuse(svc, actor, meta, action, "referral", id, refusal).await?;
    Err(ServiceError::NotFound("referral"))
}

/// Why a record was not given (recorded in the audit log only, never told to the caller).
#[derive(Clone, Copy, Debug)]
enum Refusal {
    Absent,
    /// A person the actor has no relationship with.
    NoRelationship,
    /// A record of this person outside the actor's care scope.
    OutOfScope(i32),
}

async fn refuse(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    action: &'static str,
    kind: &'static str,
    id: i32,
    why: Refusal,
) -> Result<(), ServiceError> {
    let mut e = Event::new(action, Outcome::Refused)
        .by(actor)
        .purpose(PURPOSE)
        .entity(kind, id);
    e = match why {
        Refusal::Absent => e.detail(format!("no {kind} with id {id}")),
        Refusal::NoRelationship => {
            e.person_id = Some(id);
            e.detail("no legitimate relationship")
        }
        Refusal::OutOfScope(person_id) => {
            e.person_id = Some(person_id);
            e.detail("outside the care scope")
        }
    };
    audit::log(svc, svc.now(), meta, e).await
}

/// Whether the actor may see the referral: its team is within their care scope or they made
/// it, or it is the actor's own (a person reading their own record).
pub(crate) async fn may_see_referral<C: ConnectionTrait>(
    c: &C,
    actor: &Actor,
    person: &Person,
    r: &referral::Model,
) -> Result<bool, ServiceError> {
    if r.person_id != person.id {
        return Ok(false);
    }
    if person.user_id == Some(actor.user_id) || r.referrer_user_id == Some(actor.user_id) {
        return Ok(true);
    }
    in_care_scope(c, actor, r.team_org_id).await
}

/// The message for a `referral_id` that is not one of this person's referrals the actor may
/// see: the same whether it belongs to someone else, to another team, or to nothing at all.
pub const NOT_THIS_PERSONS_REFERRAL: &str = "Choose one of this person's referrals";

/// Checks a `referral_id` sent with something recorded for `person` (a measure, a decision).
pub(crate) async fn referral_of_person<C: ConnectionTrait>(
    c: &C,
    actor: &Actor,
    person: &Person,
    referral_id: Option<i32>,
    p: &mut crate::error::Problems,
) -> Result<Option<i32>, ServiceError> {
    let Some(id) = referral_id else {
        return Ok(None);
    };
    let ok = match referral::Entity::find_by_id(id).one(c).await? {
        Some(r) => may_see_referral(c, actor, person, &r).await?,
        None => false,
    };
    if ok {
        Ok(Some(id))
    } else {
        p.add("referral_id", NOT_THIS_PERSONS_REFERRAL);
        Ok(None)
    }
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

/// Locks a person's record for the rest of a write transaction that reads before it writes (a
/// plan or About Me version), so saves for the same person take turns: a row lock on
/// PostgreSQL; on SQLite the transaction already holds the write lock (see
/// [`store::begin_write`]).
pub(crate) async fn lock_person(
    txn: &sea_orm::DatabaseTransaction,
    person_id: i32,
) -> Result<(), ServiceError> {
    store::lock_for_update::<person::Entity>(txn, &[person_id]).await?;
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
    audit::log(
        svc,
        svc.now(),
        meta,
        person_event(actor, action, Outcome::Success, person_id),
    )
    .await
}
