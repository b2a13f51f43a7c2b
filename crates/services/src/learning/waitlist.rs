//! Waiting lists: when an event's places of a kind are all taken, people join its list; a
//! place that comes free is kept for the next person on it, who is e-mailed an offer that
//! lasts a set time (48 hours by default), then passed to the next if they let it lapse or
//! say no. Everyone on a list manages their place on it by the link in their e-mails.
//!
//! A kept place stays counted as taken, so no one else can book it meanwhile; only when no
//! one is waiting does a freed place go back on sale.

use chrono::{DateTime, Duration, Utc};
use domain::Email;
use domain::learning::{Mode, OrderState, Pence};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use store::entities::learning_waitlist as entry;

use super::catalogue::{self, Event};
use crate::audit::{self, Event as AuditEvent, Outcome};
use crate::error::Problems;
use crate::identity::{hash_token, random_token};
use crate::{Actor, RequestMeta, ServiceError, Services};

const WAITING: &str = "waiting";
const OFFERED: &str = "offered";
const BOOKED: &str = "booked";
const LEFT: &str = "left";
const EXPIRED: &str = "expired";

/// Where someone stands on a waiting list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Waiting, with this many ahead of them.
    Waiting {
        ahead: u64,
    },
    /// A place is kept for them until then.
    Offered {
        until: DateTime<Utc>,
    },
    Booked,
    Left,
    /// Their offer ran out.
    Expired,
}

/// A place on a waiting list, as its holder sees it.
#[derive(Clone, Debug)]
pub struct Place {
    pub event: Event,
    pub mode: Mode,
    pub name: String,
    pub email: String,
    pub standing: Standing,
}

/// Who joins: an account, or a guest by name and e-mail (free events only).
pub enum Joiner<'a> {
    Account(&'a Actor),
    Guest { name: &'a str, email: &'a str },
}

/// Joins the waiting list of a kind of place at a full event. Returns the secret of the link
/// that manages the place on the list (it is also e-mailed).
pub async fn join(
    svc: &Services,
    meta: &RequestMeta,
    event_uuid: &str,
    mode: Mode,
    who: Joiner<'_>,
) -> Result<String, ServiceError> {
    let now = svc.now();
    let (user_id, name, email) = match who {
        Joiner::Account(a) => (Some(a.user_id), a.display_name.clone(), a.email.clone()),
        Joiner::Guest { name, email } => {
            let mut p = Problems::default();
            let name = p.str(
                "name",
                name,
                domain::text::TextField::line("Your name", domain::text::FULL_NAME_MAX),
            );
            if name.is_none() && p.is_empty() {
                p.add("name", "Enter your name");
            }
            let email = match Email::parse(email) {
                Ok(e) => Some(e.as_str().to_owned()),
                Err(e) => {
                    p.add("email", e.to_string());
                    None
                }
            };
            p.finish()?;
            (None, name.unwrap_or_default(), email.unwrap_or_default())
        }
    };
    let txn = store::begin_write(&svc.db).await?;
    let e = catalogue::get_in(&txn, event_uuid).await?;
    if e.cancelled || e.starts_at <= now {
        return Err(ServiceError::Conflict(format!(
            "{} can no longer be booked",
            e.title
        )));
    }
    let Some(pool) = e.pool(mode) else {
        return Err(ServiceError::invalid(
            "mode",
            "Choose whether you will come in person or online",
        ));
    };
    if user_id.is_none() && !e.price.is_free() {
        return Err(ServiceError::Conflict(format!(
            "{} costs {}: sign in to join its waiting list",
            e.title, e.price
        )));
    }
    if pool.left() > 0 {
        return Err(ServiceError::Conflict(format!(
            "There are places {}: book one instead",
            where_label(mode)
        )));
    }
    let already = entry::Entity::find()
        .filter(entry::Column::EventId.eq(e.id))
        .filter(entry::Column::Mode.eq(mode.as_str()))
        .filter(entry::Column::Email.eq(email.as_str()))
        .filter(entry::Column::State.is_in([WAITING, OFFERED]))
        .one(&txn)
        .await?;
    if already.is_some() {
        return Err(ServiceError::Conflict(format!(
            "{email} is already on the waiting list {} for {}",
            where_label(mode),
            e.title
        )));
    }
    let token = random_token();
    let saved = entry::ActiveModel {
        event_id: Set(e.id),
        mode: Set(mode.as_str().into()),
        user_id: Set(user_id),
        name: Set(name.clone()),
        email: Set(email.clone()),
        state: Set(WAITING.into()),
        token_hash: Set(hash_token(&token)),
        joined_at: Set(now),
        offered_at: Set(None),
        offer_expires_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    crate::email::enqueue(
        &txn,
        now,
        &email,
        &format!("You are on the waiting list for {}", e.title),
        &format!(
            "Dear {name},\n\nYou are on the waiting list for a place {} at {}. If a place comes free, we will email you an offer to take it.\n\nSee where you are on the list, or leave it: {}\n",
            where_label(mode),
            e.title,
            link(svc, &token)
        ),
    )
    .await?;
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("learning_waitlist_joined", Outcome::Success)
            .by_label(
                user_id,
                if user_id.is_some() {
                    "account"
                } else {
                    "guest"
                },
            )
            .entity("learning_waitlist", saved.id)
            .detail(format!("{} at {}", where_label(mode), e.title)),
    )
    .await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok(token)
}

fn where_label(mode: Mode) -> &'static str {
    match mode {
        Mode::InPerson => "in the room",
        Mode::Online => "online",
    }
}

fn link(svc: &Services, token: &str) -> String {
    format!(
        "{}/learning/waitlist/{token}",
        svc.settings.public_url.trim_end_matches('/')
    )
}

/// Offers up to `n` freed places of a kind at an event to those waiting longest, keeping them;
/// returns how many were kept (the rest go back on sale).
pub(crate) async fn offer_freed(
    svc: &Services,
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    event_id: i32,
    mode: Mode,
    n: i32,
) -> Result<i32, ServiceError> {
    if n <= 0 {
        return Ok(0);
    }
    let next = entry::Entity::find()
        .filter(entry::Column::EventId.eq(event_id))
        .filter(entry::Column::Mode.eq(mode.as_str()))
        .filter(entry::Column::State.eq(WAITING))
        .order_by_asc(entry::Column::JoinedAt)
        .order_by_asc(entry::Column::Id)
        .limit(n as u64)
        .all(txn)
        .await?;
    if next.is_empty() {
        return Ok(0);
    }
    let e = catalogue::whole(
        txn,
        store::entities::learning_event::Entity::find_by_id(event_id)
            .all(txn)
            .await?,
    )
    .await?
    .pop()
    .ok_or(ServiceError::NotFound("event"))?;
    let until = now + Duration::hours(svc.settings.waitlist_offer_hours);
    let mut kept = 0;
    for w in next {
        // The offer's own link: the one from joining cannot be sent again (only its hash is kept).
        let offer_token = random_token();
        // The offer moves only from waiting, once, whoever else is freeing places at once.
        let moved = entry::Entity::update_many()
            .col_expr(entry::Column::State, Expr::value(OFFERED))
            .col_expr(entry::Column::OfferedAt, Expr::value(now))
            .col_expr(entry::Column::OfferExpiresAt, Expr::value(until))
            .col_expr(
                entry::Column::OfferTokenHash,
                Expr::value(hash_token(&offer_token)),
            )
            .filter(entry::Column::Id.eq(w.id))
            .filter(entry::Column::State.eq(WAITING))
            .exec(txn)
            .await?;
        if moved.rows_affected != 1 {
            continue;
        }
        kept += 1;
        crate::email::enqueue(
            txn,
            now,
            &w.email,
            &format!("A place has come free: {}", e.title),
            &format!(
                "Dear {},\n\nA place {} at {} has come free, and it is kept for you until {}.\n\nTake it, or let it go to the next person: {}\n\nIf you do nothing, it goes to the next person on the list then.\n",
                w.name,
                where_label(mode),
                e.title,
                until
                    .with_timezone(&domain::dates::UK)
                    .format("%-I:%M%P on %A %-d %B"),
                link(svc, &offer_token)
            ),
        )
        .await?;
    }
    Ok(kept)
}

async fn entry_by_token(
    c: &impl sea_orm::ConnectionTrait,
    token: &str,
) -> Result<entry::Model, ServiceError> {
    let h = hash_token(token);
    entry::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(entry::Column::TokenHash.eq(h.clone()))
                .add(entry::Column::OfferTokenHash.eq(h)),
        )
        .one(c)
        .await?
        .ok_or(ServiceError::NotFound("waiting list place"))
}

/// Where the holder of this link stands.
pub async fn standing(svc: &Services, token: &str) -> Result<Place, ServiceError> {
    let w = entry_by_token(&svc.db, token).await?;
    let rows = store::entities::learning_event::Entity::find_by_id(w.event_id)
        .all(&svc.db)
        .await?;
    let event = catalogue::whole(&svc.db, rows)
        .await?
        .pop()
        .ok_or(ServiceError::NotFound("event"))?;
    let standing = match w.state.as_str() {
        WAITING => {
            use sea_orm::PaginatorTrait;
            let ahead = entry::Entity::find()
                .filter(entry::Column::EventId.eq(w.event_id))
                .filter(entry::Column::Mode.eq(w.mode.as_str()))
                .filter(entry::Column::State.eq(WAITING))
                .filter(entry::Column::Id.lt(w.id))
                .count(&svc.db)
                .await?;
            Standing::Waiting { ahead }
        }
        OFFERED => match w.offer_expires_at {
            Some(until) if until > svc.now() => Standing::Offered { until },
            _ => Standing::Expired,
        },
        BOOKED => Standing::Booked,
        EXPIRED => Standing::Expired,
        _ => Standing::Left,
    };
    Ok(Place {
        event,
        mode: Mode::parse(&w.mode).unwrap_or(Mode::InPerson),
        name: w.name,
        email: w.email,
        standing,
    })
}

/// Takes the place offered: a booking like any other (free: confirmed; paid: invoiced against
/// the purchase order number). Returns the booking's reference and its link's secret.
pub async fn accept(
    svc: &Services,
    meta: &RequestMeta,
    token: &str,
    po_number: &str,
) -> Result<(String, String), ServiceError> {
    let now = svc.now();
    let mut p = Problems::default();
    let po = p.str("po_number", po_number, super::booking::PO_NUMBER);
    p.finish()?;
    let txn = store::begin_write(&svc.db).await?;
    let w = entry_by_token(&txn, token).await?;
    let e = catalogue::whole(
        &txn,
        store::entities::learning_event::Entity::find_by_id(w.event_id)
            .all(&txn)
            .await?,
    )
    .await?
    .pop()
    .ok_or(ServiceError::NotFound("event"))?;
    match (w.state.as_str(), w.offer_expires_at) {
        (OFFERED, Some(until)) if until > now => {}
        (OFFERED, _) | (EXPIRED, _) => {
            return Err(ServiceError::Conflict(
                "The offer ran out and the place has gone to the next person on the list".into(),
            ));
        }
        (WAITING, _) => {
            return Err(ServiceError::Conflict(
                "No place has come free for you yet: we will email you when one does".into(),
            ));
        }
        (BOOKED, _) => {
            return Err(ServiceError::Conflict(
                "You have already taken this place".into(),
            ));
        }
        _ => {
            return Err(ServiceError::Conflict(
                "You left the waiting list, so the place went to someone else".into(),
            ));
        }
    }
    if !e.price.is_free() && po.is_none() {
        return Err(ServiceError::invalid(
            "po_number",
            "Enter the purchase order number to invoice",
        ));
    }
    let moved = entry::Entity::update_many()
        .col_expr(entry::Column::State, Expr::value(BOOKED))
        .filter(entry::Column::Id.eq(w.id))
        .filter(entry::Column::State.eq(OFFERED))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(ServiceError::Conflict(
            "You have already taken this place".into(),
        ));
    }
    let mode = Mode::parse(&w.mode).unwrap_or(Mode::InPerson);
    let (o, manage) = super::booking::book_kept_place(
        svc,
        &txn,
        now,
        &e,
        mode,
        w.user_id,
        &w.name,
        &w.email,
        if e.price.is_free() {
            OrderState::Confirmed
        } else {
            OrderState::Pending
        },
        Pence(e.price.0),
        po,
    )
    .await?;
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("learning_waitlist_offer_taken", Outcome::Success)
            .by_label(w.user_id, "waiting list link")
            .entity("learning_waitlist", w.id)
            .detail(format!(
                "{} at {}: booking {}",
                where_label(mode),
                e.title,
                o.code
            )),
    )
    .await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok((o.code, manage))
}

/// Leaves the list; a place kept for them passes to the next person (or back on sale).
pub async fn leave(svc: &Services, meta: &RequestMeta, token: &str) -> Result<(), ServiceError> {
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let w = entry_by_token(&txn, token).await?;
    if !matches!(w.state.as_str(), WAITING | OFFERED) {
        return Err(ServiceError::Conflict(
            "You are no longer on this waiting list".into(),
        ));
    }
    let moved = entry::Entity::update_many()
        .col_expr(entry::Column::State, Expr::value(LEFT))
        .filter(entry::Column::Id.eq(w.id))
        .filter(entry::Column::State.eq(w.state.clone()))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(ServiceError::Conflict(
            "You are no longer on this waiting list".into(),
        ));
    }
    if w.state == OFFERED {
        let mode = Mode::parse(&w.mode).unwrap_or(Mode::InPerson);
        pass_on(svc, &txn, now, w.event_id, mode, 1).await?;
    }
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("learning_waitlist_left", Outcome::Success)
            .by_label(w.user_id, "waiting list link")
            .entity("learning_waitlist", w.id),
    )
    .await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok(())
}

/// Places no longer kept for someone: offered to the next people waiting, the rest back on
/// sale.
async fn pass_on(
    svc: &Services,
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    event_id: i32,
    mode: Mode,
    n: i32,
) -> Result<(), ServiceError> {
    let kept = offer_freed(svc, txn, now, event_id, mode, n).await?;
    super::booking::give_back(txn, event_id, mode, n - kept).await
}

/// The chore: offers that ran out pass to the next person waiting.
pub async fn expire_offers(svc: &Services) -> Result<u64, ServiceError> {
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let lapsed = entry::Entity::find()
        .filter(entry::Column::State.eq(OFFERED))
        .filter(entry::Column::OfferExpiresAt.lte(now))
        .limit(500)
        .all(&txn)
        .await?;
    let mut n = 0;
    for w in lapsed {
        let moved = entry::Entity::update_many()
            .col_expr(entry::Column::State, Expr::value(EXPIRED))
            .filter(entry::Column::Id.eq(w.id))
            .filter(entry::Column::State.eq(OFFERED))
            .exec(&txn)
            .await?;
        if moved.rows_affected == 1 {
            let mode = Mode::parse(&w.mode).unwrap_or(Mode::InPerson);
            pass_on(svc, &txn, now, w.event_id, mode, 1).await?;
            n += 1;
        }
    }
    txn.commit().await?;
    if n > 0 {
        svc.jobs_queued();
    }
    Ok(n)
}

/// How many are waiting (or holding an offer) for a kind of place at an event.
pub async fn waiting(svc: &Services, event_id: i32, mode: Mode) -> Result<u64, ServiceError> {
    use sea_orm::PaginatorTrait;
    Ok(entry::Entity::find()
        .filter(entry::Column::EventId.eq(event_id))
        .filter(entry::Column::Mode.eq(mode.as_str()))
        .filter(entry::Column::State.is_in([WAITING, OFFERED]))
        .count(&svc.db)
        .await?)
}
