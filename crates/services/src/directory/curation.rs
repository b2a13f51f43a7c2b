//! Keeping the directory right: a community organisation's VCSE workers propose changes to
//! their own listings (and say at once whether a service has places); directory curators
//! (administrators and commissioners) publish or return each change, once, and confirm
//! listings are still right. A listing not confirmed for three months is shown as possibly out
//! of date, and its organisation is reminded by e-mail (at most once a month).

use chrono::{DateTime, Duration, Utc};
use domain::Permission;
use domain::directory::listing::{Capacity, Listing};
use domain::text::{self, TextField};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use store::entities::{
    directory_change as change, directory_organization as organization,
    directory_service as service, organisation, user,
};

use crate::audit::{self, Event, Outcome};
use crate::directory::read::{self, Full};
use crate::directory::write::{problems, save_listing};
use crate::{Actor, RequestMeta, ServiceError, Services};

pub const RETURN_NOTE: TextField = TextField::lines("What needs changing", text::NOTE_MAX);

/// Whether the actor curates this organisation's listings: a curator whose scope holds the
/// organisation's owner (or any curator, for an organisation no one on the platform owns).
fn curates(actor: &Actor, owner_path: Option<&str>) -> bool {
    let scopes = actor.scopes(Permission::CurateDirectory);
    match owner_path {
        _ if scopes.is_empty() => false,
        None => true,
        Some(p) => scopes.iter().any(|s| p.starts_with(s.as_str())),
    }
}

/// Whether the actor edits this organisation's listings as its own.
fn owns(actor: &Actor, owner_path: Option<&str>) -> bool {
    owner_path.is_some_and(|p| {
        actor
            .scopes(Permission::EditListings)
            .iter()
            .any(|s| p.starts_with(s.as_str()))
    })
}

async fn owner_path<C: ConnectionTrait>(
    c: &C,
    org: &organization::Model,
) -> Result<Option<String>, ServiceError> {
    Ok(match org.owner_id {
        Some(id) => organisation::Entity::find_by_id(id)
            .one(c)
            .await?
            .map(|o| o.path),
        None => None,
    })
}

/// What the actor may do with a listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rights {
    pub owner: bool,
    pub curator: bool,
}

/// A listing whole, if the actor may edit or curate it; otherwise "not found", as for one that
/// does not exist.
pub async fn listing(
    svc: &Services,
    actor: &Actor,
    uuid: &str,
) -> Result<(Full, Rights), ServiceError> {
    let f = read::service(svc, uuid).await?;
    let path = owner_path(&svc.db, &f.organization).await?;
    let rights = Rights {
        owner: owns(actor, path.as_deref()),
        curator: curates(actor, path.as_deref()),
    };
    if !(rights.owner || rights.curator) {
        return Err(ServiceError::NotFound("service"));
    }
    Ok((f, rights))
}

/// A listing in a list of them.
#[derive(Clone, Debug)]
pub struct Row {
    pub uuid: String,
    pub name: String,
    pub organization: String,
    pub status: String,
    pub capacity: Option<Capacity>,
    pub assured_date: Option<chrono::NaiveDate>,
    pub stale: bool,
    pub pending: bool,
}

/// The listings the actor edits or curates: possibly out of date first, then by name.
pub async fn listings(svc: &Services, actor: &Actor) -> Result<Vec<Row>, ServiceError> {
    if !(actor.can(Permission::EditListings) || actor.can(Permission::CurateDirectory)) {
        return Err(ServiceError::Forbidden(
            "see the directory's listings".into(),
        ));
    }
    let orgs = organization::Entity::find().all(&svc.db).await?;
    let owners: Vec<(i32, String)> = organisation::Entity::find()
        .select_only()
        .column(organisation::Column::Id)
        .column(organisation::Column::Path)
        .filter(organisation::Column::Kind.eq("vcse"))
        .into_tuple()
        .all(&svc.db)
        .await?;
    let path_of = |o: &organization::Model| {
        o.owner_id
            .and_then(|id| owners.iter().find(|(x, _)| *x == id))
            .map(|(_, p)| p.as_str())
    };
    let mine: Vec<&organization::Model> = orgs
        .iter()
        .filter(|o| owns(actor, path_of(o)) || curates(actor, path_of(o)))
        .collect();
    let services = service::Entity::find()
        .filter(
            service::Column::OrganizationId.is_in(mine.iter().map(|o| o.id).collect::<Vec<_>>()),
        )
        .order_by_asc(service::Column::Name)
        .limit(2_000)
        .all(&svc.db)
        .await?;
    let pending: Vec<Option<i32>> = change::Entity::find()
        .select_only()
        .column(change::Column::ServiceId)
        .filter(change::Column::State.eq("pending"))
        .into_tuple()
        .all(&svc.db)
        .await?;
    let today = svc.today();
    let mut rows: Vec<Row> = services
        .into_iter()
        .map(|s| Row {
            stale: read::stale(s.assured_date, today),
            pending: pending.contains(&Some(s.id)),
            organization: mine
                .iter()
                .find(|o| o.id == s.organization_id)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            uuid: s.uuid,
            name: s.name,
            status: s.status,
            capacity: s.capacity.as_deref().and_then(Capacity::parse),
            assured_date: s.assured_date,
        })
        .collect();
    rows.sort_by_key(|r| !r.stale);
    Ok(rows)
}

/// Says whether a service has places, at once (its owners or a curator).
pub async fn set_capacity(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    uuid: &str,
    capacity: Capacity,
) -> Result<(), ServiceError> {
    let (f, _) = listing(svc, actor, uuid).await?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    service::Entity::update_many()
        .col_expr(service::Column::Capacity, Expr::value(capacity.as_str()))
        .col_expr(service::Column::CapacityUpdatedAt, Expr::value(now))
        .filter(service::Column::Id.eq(f.service.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        now,
        meta,
        Event::new("listing_capacity_changed", Outcome::Success)
            .by(actor)
            .entity("directory_service", f.service.id)
            .detail(capacity.as_str()),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Proposes a change to a listing (an owner), or makes it at once (a curator, who also
/// confirms it is right). A newer proposal replaces one still waiting. Returns whether it was
/// published.
pub async fn propose(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    uuid: &str,
    proposed: &Listing,
) -> Result<bool, ServiceError> {
    let (f, rights) = listing(svc, actor, uuid).await?;
    let cleaned = proposed.clean().map_err(problems)?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    if rights.curator {
        let email = user::Entity::find_by_id(actor.user_id)
            .one(&txn)
            .await?
            .map(|u| u.email);
        save_listing(
            &txn,
            &f.organization,
            Some(uuid),
            &cleaned,
            now,
            Some((svc.today(), email)),
            true,
        )
        .await?;
        change::Entity::update_many()
            .col_expr(change::Column::State, Expr::value("superseded"))
            .col_expr(change::Column::DecidedBy, Expr::value(actor.user_id))
            .col_expr(change::Column::DecidedAt, Expr::value(now))
            .filter(change::Column::ServiceId.eq(f.service.id))
            .filter(change::Column::State.eq("pending"))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            now,
            meta,
            Event::new("listing_published", Outcome::Success)
                .by(actor)
                .entity("directory_service", f.service.id)
                .detail("edited by a curator"),
        )
        .await?;
        txn.commit().await?;
        return Ok(true);
    }
    // An owner's change must be publishable: check its places can be found now.
    let sp = sea_orm::TransactionTrait::begin(&txn).await?;
    save_listing(&sp, &f.organization, Some(uuid), &cleaned, now, None, true).await?;
    sp.rollback().await?;
    let body =
        serde_json::to_string(&cleaned).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let existing = change::Entity::find()
        .filter(change::Column::ServiceId.eq(f.service.id))
        .filter(change::Column::State.eq("pending"))
        .one(&txn)
        .await?;
    let id = match existing {
        Some(c) => {
            let mut am = change::ActiveModel::from(c);
            am.listing = Set(body);
            am.proposed_by = Set(Some(actor.user_id));
            am.proposed_at = Set(now);
            am.update(&txn).await?.id
        }
        None => {
            change::ActiveModel {
                organization_id: Set(f.organization.id),
                service_id: Set(Some(f.service.id)),
                listing: Set(body),
                proposed_by: Set(Some(actor.user_id)),
                proposed_at: Set(now),
                state: Set("pending".into()),
                ..Default::default()
            }
            .insert(&txn)
            .await?
            .id
        }
    };
    audit::record(
        &txn,
        now,
        meta,
        Event::new("listing_change_proposed", Outcome::Success)
            .by(actor)
            .entity("directory_change", id),
    )
    .await?;
    txn.commit().await?;
    Ok(false)
}

/// A change waiting for a curator.
#[derive(Clone, Debug)]
pub struct Pending {
    pub id: i32,
    pub service_uuid: String,
    pub service: String,
    pub organization: String,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
}

/// The changes waiting for the actor to review, oldest first.
pub async fn pending(svc: &Services, actor: &Actor) -> Result<Vec<Pending>, ServiceError> {
    actor.require(
        Permission::CurateDirectory,
        "curate the community directory",
    )?;
    let rows = change::Entity::find()
        .filter(change::Column::State.eq("pending"))
        .order_by_asc(change::Column::ProposedAt)
        .limit(500)
        .all(&svc.db)
        .await?;
    let mut out = Vec::new();
    for c in rows {
        let Some(org) = organization::Entity::find_by_id(c.organization_id)
            .one(&svc.db)
            .await?
        else {
            continue;
        };
        if !curates(actor, owner_path(&svc.db, &org).await?.as_deref()) {
            continue;
        }
        let s = match c.service_id {
            Some(id) => service::Entity::find_by_id(id).one(&svc.db).await?,
            None => None,
        };
        let by = match c.proposed_by {
            Some(u) => user::Entity::find_by_id(u)
                .one(&svc.db)
                .await?
                .map(|u| u.display_name),
            None => None,
        };
        out.push(Pending {
            id: c.id,
            service_uuid: s.as_ref().map(|s| s.uuid.clone()).unwrap_or_default(),
            service: s.map(|s| s.name).unwrap_or_default(),
            organization: org.name,
            proposed_by: by.unwrap_or_default(),
            proposed_at: c.proposed_at,
        });
    }
    Ok(out)
}

/// A change under review: the listing now and as proposed.
pub struct Review {
    pub id: i32,
    pub state: String,
    pub current: Full,
    pub proposed: Listing,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
}

async fn change_for(
    svc: &Services,
    actor: &Actor,
    id: i32,
) -> Result<(change::Model, Full), ServiceError> {
    actor.require(
        Permission::CurateDirectory,
        "curate the community directory",
    )?;
    let c = change::Entity::find_by_id(id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("change"))?;
    let s = match c.service_id {
        Some(sid) => service::Entity::find_by_id(sid).one(&svc.db).await?,
        None => None,
    }
    .ok_or(ServiceError::NotFound("change"))?;
    let (f, rights) = listing(svc, actor, &s.uuid)
        .await
        .map_err(|_| ServiceError::NotFound("change"))?;
    if !rights.curator {
        return Err(ServiceError::NotFound("change"));
    }
    Ok((c, f))
}

pub async fn review(svc: &Services, actor: &Actor, id: i32) -> Result<Review, ServiceError> {
    let (c, current) = change_for(svc, actor, id).await?;
    let proposed: Listing =
        serde_json::from_str(&c.listing).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let by = match c.proposed_by {
        Some(u) => user::Entity::find_by_id(u)
            .one(&svc.db)
            .await?
            .map(|u| u.display_name),
        None => None,
    };
    Ok(Review {
        id: c.id,
        state: c.state,
        current,
        proposed,
        proposed_by: by.unwrap_or_default(),
        proposed_at: c.proposed_at,
    })
}

/// Publishes a waiting change, once: the listing becomes what was proposed, confirmed today
/// by the curator.
pub async fn publish(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
) -> Result<(), ServiceError> {
    let (c, f) = change_for(svc, actor, id).await?;
    let proposed: Listing =
        serde_json::from_str(&c.listing).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    decide(&txn, actor, id, "published", None, now).await?;
    let email = user::Entity::find_by_id(actor.user_id)
        .one(&txn)
        .await?
        .map(|u| u.email);
    save_listing(
        &txn,
        &f.organization,
        Some(&f.service.uuid),
        &proposed,
        now,
        Some((svc.today(), email)),
        true,
    )
    .await?;
    audit::record(
        &txn,
        now,
        meta,
        Event::new("listing_published", Outcome::Success)
            .by(actor)
            .entity("directory_change", id),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Returns a waiting change to its organisation with what needs changing, once; they are told
/// by e-mail.
pub async fn return_change(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    note: &str,
) -> Result<(), ServiceError> {
    let (c, f) = change_for(svc, actor, id).await?;
    let note = RETURN_NOTE
        .clean(note)
        .map_err(|e| ServiceError::invalid("note", e.to_string()))?
        .ok_or_else(|| {
            ServiceError::invalid("note", "Say what needs changing before it can be published")
        })?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    decide(&txn, actor, id, "returned", Some(note.clone()), now).await?;
    if let Some(u) = c.proposed_by
        && let Some(u) = user::Entity::find_by_id(u).one(&txn).await?
    {
        crate::email::enqueue(
            &txn,
            now,
            &u.email,
            &format!("Your change to {} needs another look", f.service.name),
            &format!(
                "The directory's curators have not published your change to {}:\n\n{note}\n\nYou can change the listing again: {}/directory/listings/{}/edit\n",
                f.service.name,
                svc.settings.public_url.trim_end_matches('/'),
                f.service.uuid
            ),
        )
        .await?;
    }
    audit::record(
        &txn,
        now,
        meta,
        Event::new("listing_change_returned", Outcome::Success)
            .by(actor)
            .entity("directory_change", id),
    )
    .await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok(())
}

async fn decide(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    id: i32,
    to: &str,
    note: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let done = change::Entity::update_many()
        .col_expr(change::Column::State, Expr::value(to))
        .col_expr(change::Column::DecidedBy, Expr::value(actor.user_id))
        .col_expr(change::Column::DecidedAt, Expr::value(now))
        .col_expr(change::Column::Note, Expr::value(note))
        .filter(change::Column::Id.eq(id))
        .filter(change::Column::State.eq("pending"))
        .exec(txn)
        .await?
        .rows_affected;
    if done == 0 {
        return Err(ServiceError::Conflict(
            "This change has already been decided".into(),
        ));
    }
    Ok(())
}

/// Confirms a listing is still right, today (a curator).
pub async fn assure(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    uuid: &str,
) -> Result<(), ServiceError> {
    let (f, rights) = listing(svc, actor, uuid).await?;
    if !rights.curator {
        return Err(ServiceError::Forbidden(
            "confirm listings: directory curators do".into(),
        ));
    }
    let now = svc.now();
    let email = user::Entity::find_by_id(actor.user_id)
        .one(&svc.db)
        .await?
        .map(|u| u.email);
    let txn = store::begin_write(&svc.db).await?;
    service::Entity::update_many()
        .col_expr(service::Column::AssuredDate, Expr::value(svc.today()))
        .col_expr(service::Column::AssurerEmail, Expr::value(email))
        .col_expr(
            service::Column::RemindedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(service::Column::Id.eq(f.service.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        now,
        meta,
        Event::new("listing_assured", Outcome::Success)
            .by(actor)
            .entity("directory_service", f.service.id),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Reminds the organisations of listings not confirmed for three months, by e-mail to their
/// VCSE workers, at most once a month each. Safe in every instance at once: a listing is
/// claimed for its reminder by one conditional update, in the same transaction as its e-mails.
pub async fn remind_stale(svc: &Services) -> Result<u64, ServiceError> {
    let now = svc.now();
    let Some(cut) = svc.today().checked_sub_months(chrono::Months::new(3)) else {
        return Ok(0);
    };
    let quiet = now - Duration::days(30);
    let due = service::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(service::Column::AssuredDate.lt(cut))
                .add(service::Column::AssuredDate.is_null()),
        )
        .filter(
            sea_orm::Condition::any()
                .add(service::Column::RemindedAt.is_null())
                .add(service::Column::RemindedAt.lt(quiet)),
        )
        .filter(service::Column::Status.ne("defunct"))
        .limit(500)
        .all(&svc.db)
        .await?;
    let mut sent = 0;
    for s in due {
        let Some(org) = organization::Entity::find_by_id(s.organization_id)
            .one(&svc.db)
            .await?
        else {
            continue;
        };
        let txn = store::begin_write(&svc.db).await?;
        let claimed = service::Entity::update_many()
            .col_expr(service::Column::RemindedAt, Expr::value(now))
            .filter(service::Column::Id.eq(s.id))
            .filter(
                sea_orm::Condition::any()
                    .add(service::Column::RemindedAt.is_null())
                    .add(service::Column::RemindedAt.lt(quiet)),
            )
            .exec(&txn)
            .await?
            .rows_affected;
        if claimed == 0 {
            continue;
        }
        for to in crate::directory::referrals::listing_addresses(&txn, org.owner_id).await? {
            crate::email::enqueue(
                &txn,
                now,
                &to,
                &format!("Is the listing for {} still right?", s.name),
                &format!(
                    "The community directory's listing for {} has not been checked for over three months, so people are told it may be out of date.\n\nPlease check it and change anything that is not right: {}/directory/listings/{}/edit\n",
                    s.name,
                    svc.settings.public_url.trim_end_matches('/'),
                    s.uuid
                ),
            )
            .await?;
            sent += 1;
        }
        txn.commit().await?;
    }
    if sent > 0 {
        svc.jobs_queued();
    }
    Ok(sent)
}
