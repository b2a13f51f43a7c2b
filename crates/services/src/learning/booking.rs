//! Places: held in a basket for a while, then booked by an order (free: confirmed at once;
//! paid: by invoice, pending until the organiser marks it paid), or booked straight away by a
//! guest for a free event; cancelled by the attendee or organiser.
//!
//! Capacity is never oversold. A place is counted on its event's row (`*_taken`) by one
//! conditional UPDATE in the write transaction that takes it (PostgreSQL locks the row for the
//! UPDATE, and a second transaction re-checks the condition once the first commits; SQLite's
//! IMMEDIATE transaction runs one writer at a time), and a CHECK on the table holds the count
//! within the places there are. Holds that ran out are let go in the same transaction before
//! places are counted, and by a chore every minute, so they return to sale on time.

use chrono::{DateTime, Duration, Utc};
use domain::learning::{MAX_PLACES_PER_ORDER, Mode, OrderState, Pence};
use domain::{Email, Permission};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use store::entities::{
    learning_event as event, learning_order as order, learning_place as place, organisation,
};

use super::catalogue::{self, Event};
use crate::audit::{self, Event as AuditEvent, Outcome};
use crate::error::Problems;
use crate::identity::{hash_token, random_token};
use crate::{Actor, RequestMeta, ServiceError, Services};

const HELD: &str = "held";
const BOOKED: &str = "booked";
const CANCELLED: &str = "cancelled";
/// A hold that ran out: its place went back on sale; the row stays a day so its holder can be
/// told.
const LAPSED: &str = "lapsed";

/// Places of one kind at one event, in a basket or an order.
#[derive(Clone, Debug)]
pub struct Line {
    pub event: Event,
    pub mode: Mode,
    pub places: i32,
    pub price_each: Pence,
}

impl Line {
    pub fn cost(&self) -> Pence {
        Pence(self.price_each.0 * i64::from(self.places))
    }
}

/// What someone's basket holds, and until when.
#[derive(Clone, Debug, Default)]
pub struct Basket {
    pub lines: Vec<Line>,
    /// When the first of its holds runs out.
    pub expires_at: Option<DateTime<Utc>>,
    /// Places that were held for their time and went back on sale.
    pub lapsed: u64,
}

impl Basket {
    pub fn total(&self) -> Pence {
        Pence(self.lines.iter().map(|l| l.cost().0).sum())
    }

    pub fn places(&self) -> i32 {
        self.lines.iter().map(|l| l.places).sum()
    }
}

/// An order and the places it booked.
#[derive(Clone, Debug)]
pub struct Order {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub email: String,
    pub state: OrderState,
    pub total: Pence,
    pub po_number: Option<String>,
    pub created_at: DateTime<Utc>,
    pub lines: Vec<Line>,
    /// The joining links of its online events, for those booked (event UUID, link).
    pub join_links: Vec<(String, String)>,
}

fn taken_column(mode: Mode) -> (event::Column, event::Column) {
    match mode {
        Mode::InPerson => (event::Column::InPersonTaken, event::Column::InPersonPlaces),
        Mode::Online => (event::Column::OnlineTaken, event::Column::OnlinePlaces),
    }
}

/// Takes `n` places of a kind at an event, if there are that many left; false when not.
pub(crate) async fn take(
    txn: &DatabaseTransaction,
    event_id: i32,
    mode: Mode,
    n: i32,
) -> Result<bool, ServiceError> {
    let (taken, places) = taken_column(mode);
    let r = event::Entity::update_many()
        .col_expr(taken, Expr::col(taken).add(n))
        .filter(event::Column::Id.eq(event_id))
        .filter(Expr::col(taken).add(n).lte(Expr::col(places)))
        .exec(txn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// When this few places of a kind are left, they are counted first in the transaction that
/// takes them.
pub const LAST_FEW: i32 = 20;

/// In-process queues, one per event, for its last few places. Buyers wait their turn here
/// rather than on a database connection and the event's row: each in turn reads the event
/// plainly and is told at once when it has gone full, so the few who win write one after
/// another and everyone else is answered without writing. Capacity itself is still guarded by
/// the database (the conditional count and the CHECK), whatever other instances do.
#[derive(Default)]
pub struct Gates(std::sync::Mutex<std::collections::HashMap<i32, Arc<tokio::sync::Mutex<()>>>>);

impl Gates {
    fn of(&self, event_id: i32) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Forget queues no one is in, so the map stays as small as the events selling out.
        if map.len() > 1_000 {
            map.retain(|_, g| Arc::strong_count(g) > 1);
        }
        map.entry(event_id).or_default().clone()
    }
}

/// Waits for the event's turn when its last few places are being sold (as `seen` on a plain
/// read), then reads it again: when it has gone full meanwhile, the buyer is told at once.
/// Returns the turn, held until the booking is written.
async fn last_few_turn(
    svc: &Services,
    seen: &Event,
    mode: Mode,
    n: i32,
    now: DateTime<Utc>,
) -> Result<Option<tokio::sync::OwnedMutexGuard<()>>, ServiceError> {
    if !count_first(seen, mode) {
        return Ok(None);
    }
    let turn = svc.last_places.of(seen.id).lock_owned().await;
    let seen = catalogue::row_in(&svc.db, &seen.uuid).await?;
    check_bookable(&seen, mode, n, now)?;
    if seen.pool(mode).is_some_and(|p| p.left() < n) && !holds_run_out(svc, seen.id, now).await? {
        return Err(full_as(
            &seen,
            mode,
            seen.pool(mode).map_or(0, |p| p.left()),
            n,
        ));
    }
    Ok(Some(turn))
}

/// Whether to count a place first: with plenty left, counting last keeps the event's row
/// locked (PostgreSQL) only for the count and the commit, so bookings at a busy event overlap;
/// with the last few left, most who ask will be told it is full, and counting first tells them
/// before they write anything (the winners hold the row while they write, one after another).
fn count_first(e: &Event, mode: Mode) -> bool {
    e.pool(mode).is_some_and(|p| p.left() <= LAST_FEW)
}

/// Gives back `n` places of a kind at an event.
pub(crate) async fn give_back(
    txn: &DatabaseTransaction,
    event_id: i32,
    mode: Mode,
    n: i32,
) -> Result<(), ServiceError> {
    let (taken, _) = taken_column(mode);
    event::Entity::update_many()
        .col_expr(taken, Expr::col(taken).sub(n))
        .filter(event::Column::Id.eq(event_id))
        .filter(Expr::col(taken).gte(n))
        .exec(txn)
        .await?;
    Ok(())
}

/// Frees places, counted by event and kind: each is kept for the next person on its waiting
/// list (who is offered it), or goes back on sale.
async fn free_all(
    svc: &Services,
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    places: &[place::Model],
) -> Result<(), ServiceError> {
    let mut counts: BTreeMap<(i32, &str), i32> = BTreeMap::new();
    for p in places {
        *counts.entry((p.event_id, p.mode.as_str())).or_default() += 1;
    }
    for ((event_id, mode), n) in counts {
        if let Some(m) = Mode::parse(mode) {
            let kept = super::waitlist::offer_freed(svc, txn, now, event_id, m, n).await?;
            give_back(txn, event_id, m, n - kept).await?;
        }
    }
    Ok(())
}

/// Lets go of holds that ran out (of one holder, or of everyone), returning their places.
async fn release_expired_in(
    svc: &Services,
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    holder: Option<i32>,
) -> Result<u64, ServiceError> {
    let mut q = place::Entity::find()
        .filter(place::Column::State.eq(HELD))
        .filter(place::Column::HoldExpiresAt.lte(now));
    if let Some(h) = holder {
        q = q.filter(place::Column::HolderId.eq(h));
    }
    let seen = q.order_by_asc(place::Column::Id).all(txn).await?;
    // Each hold is claimed by a conditional update before its place is freed: of two
    // transactions that saw it run out, only one frees it (in id order, so they cannot
    // deadlock).
    let mut gone = Vec::with_capacity(seen.len());
    for p in seen {
        let claimed = place::Entity::update_many()
            .col_expr(place::Column::State, Expr::value(LAPSED))
            .filter(place::Column::Id.eq(p.id))
            .filter(place::Column::State.eq(HELD))
            .exec(txn)
            .await?
            .rows_affected
            == 1;
        if claimed {
            gone.push(p);
        }
    }
    free_all(svc, txn, now, &gone).await?;
    Ok(gone.len() as u64)
}

/// Forgets the holder's lapsed holds (once they have been told, or have moved on); returns
/// how many there were.
async fn forget_lapsed(txn: &DatabaseTransaction, holder: i32) -> Result<u64, ServiceError> {
    Ok(place::Entity::delete_many()
        .filter(place::Column::HolderId.eq(holder))
        .filter(place::Column::State.eq(LAPSED))
        .exec(txn)
        .await?
        .rows_affected)
}

/// Whether any hold on the event has run out (and so will free a place when next let go).
async fn holds_run_out(
    svc: &Services,
    event_id: i32,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    Ok(place::Entity::find()
        .filter(place::Column::EventId.eq(event_id))
        .filter(place::Column::State.eq(HELD))
        .filter(place::Column::HoldExpiresAt.lte(now))
        .count(&svc.db)
        .await?
        > 0)
}

/// The chore: holds that ran out go back on sale.
pub async fn release_expired(svc: &Services) -> Result<u64, ServiceError> {
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let n = release_expired_in(svc, &txn, now, None).await?;
    place::Entity::delete_many()
        .filter(place::Column::State.eq(LAPSED))
        .filter(place::Column::HoldExpiresAt.lt(now - Duration::days(1)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(n)
}

/// The event and the pool asked for, checked as open for booking.
fn check_bookable(e: &Event, mode: Mode, n: i32, now: DateTime<Utc>) -> Result<(), ServiceError> {
    if !(1..=MAX_PLACES_PER_ORDER).contains(&n) {
        return Err(ServiceError::invalid(
            "places",
            format!("Places must be a whole number from 1 to {MAX_PLACES_PER_ORDER}"),
        ));
    }
    if e.cancelled {
        return Err(ServiceError::Conflict(format!(
            "{} has been cancelled",
            e.title
        )));
    }
    if e.starts_at <= now {
        return Err(ServiceError::Conflict(format!(
            "{} has already started: it can no longer be booked",
            e.title
        )));
    }
    if e.pool(mode).is_none() {
        return Err(ServiceError::invalid(
            "mode",
            format!("{} has no places {}", e.title, where_label(mode)),
        ));
    }
    Ok(())
}

fn where_label(mode: Mode) -> &'static str {
    match mode {
        Mode::InPerson => "in the room",
        Mode::Online => "online",
    }
}

/// Why places could not be taken: how many are left.
async fn full(
    txn: &DatabaseTransaction,
    e: &Event,
    mode: Mode,
    wanted: i32,
) -> Result<ServiceError, ServiceError> {
    let now_left = catalogue::row_in(txn, &e.uuid)
        .await?
        .pool(mode)
        .map(|p| p.left())
        .unwrap_or(0);
    Ok(full_as(e, mode, now_left, wanted))
}

/// The answer when only `left` places remain of the `wanted`.
fn full_as(e: &Event, mode: Mode, left: i32, wanted: i32) -> ServiceError {
    ServiceError::Conflict(match left {
        0 => format!(
            "{} is full {}: join the waiting list to be offered a place if one comes free",
            e.title,
            where_label(mode)
        ),
        n => format!(
            "Only {n} place{} left {} at {} (you asked for {wanted})",
            if n == 1 { " is" } else { "s are" },
            where_label(mode),
            e.title
        ),
    })
}

/// Refuses at once when the event, as read, has too few places left: the count taken at the
/// end is what decides, but in a race for the last places most buyers can be told without
/// writing anything.
fn enough_left(e: &Event, mode: Mode, wanted: i32) -> Result<(), ServiceError> {
    match e.pool(mode).map(|p| p.left()) {
        Some(left) if left < wanted => Err(full_as(e, mode, left, wanted)),
        _ => Ok(()),
    }
}

/// Puts `n` places of a kind at an event in the actor's basket, held for the configured time.
pub async fn hold(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    event_uuid: &str,
    mode: Mode,
    n: i32,
) -> Result<(), ServiceError> {
    let now = svc.now();
    let seen = catalogue::row_in(&svc.db, event_uuid).await?;
    let _turn = last_few_turn(svc, &seen, mode, n, now).await?;
    let txn = store::begin_write(&svc.db).await?;
    // Holds that ran out go first, so what is left is read true.
    release_expired_in(svc, &txn, now, None).await?;
    let e = catalogue::row_in(&txn, event_uuid).await?;
    check_bookable(&e, mode, n, now)?;
    enough_left(&e, mode, n)?;
    let first = count_first(&e, mode);
    if first && !take(&txn, e.id, mode, n).await? {
        return Err(full(&txn, &e, mode, n).await?);
    }
    forget_lapsed(&txn, actor.user_id).await?;
    let already = place::Entity::find()
        .filter(place::Column::EventId.eq(e.id))
        .filter(place::Column::HolderId.eq(actor.user_id))
        .filter(place::Column::State.eq(HELD))
        .all(&txn)
        .await?
        .len() as i32;
    if already + n > MAX_PLACES_PER_ORDER {
        return Err(ServiceError::invalid(
            "places",
            format!(
                "You can book {MAX_PLACES_PER_ORDER} places at most at one event; your basket has {already}"
            ),
        ));
    }
    let until = now + Duration::minutes(svc.settings.basket_hold_minutes);
    for _ in 0..n {
        place::ActiveModel {
            event_id: Set(e.id),
            mode: Set(mode.as_str().into()),
            state: Set(HELD.into()),
            holder_id: Set(Some(actor.user_id)),
            hold_expires_at: Set(Some(until)),
            order_id: Set(None),
            price_pence: Set(e.price.0),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("learning_places_held", Outcome::Success)
            .by(actor)
            .entity("learning_event", e.id)
            .detail(format!("{n} {}", where_label(mode))),
    )
    .await?;
    // Otherwise counted last: the event's row is locked (PostgreSQL) only for the count and
    // the commit.
    if !first && !take(&txn, e.id, mode, n).await? {
        return Err(full(&txn, &e, mode, n).await?);
    }
    txn.commit().await?;
    Ok(())
}

/// What the actor's basket holds (holds that ran out are left out: they are let go).
pub async fn basket(svc: &Services, actor: &Actor) -> Result<Basket, ServiceError> {
    let now = svc.now();
    let held = place::Entity::find()
        .filter(place::Column::HolderId.eq(actor.user_id))
        .filter(place::Column::State.eq(HELD))
        .filter(place::Column::HoldExpiresAt.gt(now))
        .order_by_asc(place::Column::Id)
        .all(&svc.db)
        .await?;
    let expires_at = held.iter().filter_map(|p| p.hold_expires_at).min();
    let lapsed = place::Entity::find()
        .filter(place::Column::HolderId.eq(actor.user_id))
        .filter(
            sea_orm::Condition::any()
                .add(place::Column::State.eq(LAPSED))
                .add(
                    sea_orm::Condition::all()
                        .add(place::Column::State.eq(HELD))
                        .add(place::Column::HoldExpiresAt.lte(now)),
                ),
        )
        .count(&svc.db)
        .await?;
    Ok(Basket {
        lines: lines_of(&svc.db, &held).await?,
        expires_at,
        lapsed,
    })
}

/// Places grouped into lines by event and kind, in the order first seen.
async fn lines_of(
    c: &impl sea_orm::ConnectionTrait,
    places: &[place::Model],
) -> Result<Vec<Line>, ServiceError> {
    let mut ids: Vec<i32> = places.iter().map(|p| p.event_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let rows = event::Entity::find()
        .filter(event::Column::Id.is_in(ids))
        .all(c)
        .await?;
    let events = catalogue::whole(c, rows).await?;
    let mut lines: Vec<Line> = Vec::new();
    for p in places {
        let Some(mode) = Mode::parse(&p.mode) else {
            continue;
        };
        if let Some(l) = lines
            .iter_mut()
            .find(|l| l.event.id == p.event_id && l.mode == mode)
        {
            l.places += 1;
            continue;
        }
        if let Some(e) = events.iter().find(|e| e.id == p.event_id) {
            lines.push(Line {
                event: e.clone(),
                mode,
                places: 1,
                price_each: Pence(p.price_pence),
            });
        }
    }
    Ok(lines)
}

/// Takes a line out of the basket, returning its places.
pub async fn remove(
    svc: &Services,
    actor: &Actor,
    event_uuid: &str,
    mode: Mode,
) -> Result<(), ServiceError> {
    let txn = store::begin_write(&svc.db).await?;
    let e = catalogue::get_in(&txn, event_uuid).await?;
    let held = place::Entity::find()
        .filter(place::Column::EventId.eq(e.id))
        .filter(place::Column::Mode.eq(mode.as_str()))
        .filter(place::Column::HolderId.eq(actor.user_id))
        .filter(place::Column::State.eq(HELD))
        .all(&txn)
        .await?;
    if held.is_empty() {
        return Err(ServiceError::NotFound("basket line"));
    }
    // Taken out only while still held (a hold that ran out meanwhile was freed by whoever let
    // it go), and only those are freed.
    let mut taken_out = Vec::with_capacity(held.len());
    for p in held {
        let gone = place::Entity::delete_many()
            .filter(place::Column::Id.eq(p.id))
            .filter(place::Column::State.eq(HELD))
            .exec(&txn)
            .await?
            .rows_affected
            == 1;
        if gone {
            taken_out.push(p);
        }
    }
    free_all(svc, &txn, svc.now(), &taken_out).await?;
    txn.commit().await?;
    Ok(())
}

/// What checking out needs: for a basket that costs something, the purchase order number the
/// invoice is raised against.
#[derive(Clone, Debug, Default)]
pub struct Checkout {
    pub po_number: String,
}

pub const PO_NUMBER: domain::text::TextField =
    domain::text::TextField::line("Purchase order number", 50);

/// Books what the basket holds: one order, confirmed when free, pending payment by invoice
/// when not. Returns the order's reference.
pub async fn checkout(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    input: &Checkout,
) -> Result<String, ServiceError> {
    let now = svc.now();
    let mut p = Problems::default();
    let po = p.str("po_number", &input.po_number, PO_NUMBER);
    p.finish()?;
    let txn = store::begin_write(&svc.db).await?;
    release_expired_in(svc, &txn, now, Some(actor.user_id)).await?;
    let lapsed = forget_lapsed(&txn, actor.user_id).await?;
    let held = place::Entity::find()
        .filter(place::Column::HolderId.eq(actor.user_id))
        .filter(place::Column::State.eq(HELD))
        .order_by_asc(place::Column::Id)
        .all(&txn)
        .await?;
    if held.is_empty() {
        // Letting the lapsed holds go is kept: the buyer has now been told.
        txn.commit().await?;
        return Err(ServiceError::Conflict(if lapsed > 0 {
            "Your basket's places were held for their time and have gone back on sale: add them again".into()
        } else {
            "Your basket is empty".into()
        }));
    }
    let total = Pence(held.iter().map(|p| p.price_pence).sum());
    if !total.is_free() && po.is_none() {
        return Err(ServiceError::invalid(
            "po_number",
            "Enter the purchase order number to invoice",
        ));
    }
    let state = if total.is_free() {
        OrderState::Confirmed
    } else {
        OrderState::Pending
    };
    let (o, token) = new_order(
        &txn,
        now,
        Some(actor.user_id),
        &actor.display_name,
        &actor.email,
        state,
        total,
        po,
    )
    .await?;
    place::Entity::update_many()
        .col_expr(place::Column::State, Expr::value(BOOKED))
        .col_expr(place::Column::OrderId, Expr::value(o.id))
        .col_expr(place::Column::HolderId, Expr::value(Option::<i32>::None))
        .col_expr(
            place::Column::HoldExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            place::Column::AttendeeName,
            Expr::value(actor.display_name.clone()),
        )
        .col_expr(
            place::Column::AttendeeEmail,
            Expr::value(actor.email.clone()),
        )
        .filter(place::Column::Id.is_in(held.iter().map(|p| p.id)))
        .exec(&txn)
        .await?;
    let lines = lines_of(&txn, &held).await?;
    confirm_by_email(svc, &txn, now, &o, &lines, &token).await?;
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("learning_order_placed", Outcome::Success)
            .by(actor)
            .entity("learning_order", o.id)
            .detail(format!("{} place(s), {}", held.len(), total)),
    )
    .await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok(o.code)
}

/// A reference people can read out: "WM-" and six letters and digits that cannot be misread.
fn order_code() -> String {
    readable_code("WM-", 6)
}

/// `prefix` then `n` random letters and digits that cannot be misread (no I, O, 0 or 1).
pub(crate) fn readable_code(prefix: &str, n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = vec![0u8; n];
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("the operating system's random number generator");
    // 256 is a multiple of the alphabet's 32 letters, so each is equally likely.
    let code: String = bytes
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect();
    format!("{prefix}{code}")
}

#[expect(clippy::too_many_arguments, reason = "an order's fields, each needed")]
async fn new_order(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    user_id: Option<i32>,
    name: &str,
    email: &str,
    state: OrderState,
    total: Pence,
    po: Option<String>,
) -> Result<(order::Model, String), ServiceError> {
    let token = random_token();
    // A clash of references is all but impossible; try again on one rather than fail.
    for _ in 0..5 {
        let r = order::ActiveModel {
            code: Set(order_code()),
            user_id: Set(user_id),
            name: Set(name.to_owned()),
            email: Set(email.to_owned()),
            state: Set(state.as_str().into()),
            total_pence: Set(total.0),
            po_number: Set(po.clone()),
            manage_token_hash: Set(hash_token(&token)),
            created_at: Set(now),
            paid_at: Set(None),
            cancelled_at: Set(None),
            cancel_reason: Set(None),
            ..Default::default()
        }
        .insert(txn)
        .await;
        match r {
            Ok(o) => return Ok((o, token)),
            Err(e)
                if matches!(
                    e.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) =>
            {
                continue;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ServiceError::Internal("no free order reference".into()))
}

/// The confirmation e-mail: what was booked, when, where, and how to manage it.
async fn confirm_by_email(
    svc: &Services,
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    o: &order::Model,
    lines: &[Line],
    token: &str,
) -> Result<(), ServiceError> {
    let base = svc.settings.public_url.trim_end_matches('/');
    let mut body = format!("Dear {},\n\nYour booking {} is confirmed", o.name, o.code);
    if o.state == OrderState::Pending.as_str() {
        body.push_str(&format!(
            ". An invoice for {} will follow (purchase order {}); your places are kept for you meanwhile",
            Pence(o.total_pence),
            o.po_number.as_deref().unwrap_or("")
        ));
    }
    body.push_str(".\n\n");
    for l in lines {
        body.push_str(&format!(
            "- {} ({}): {} place{} {}, {}\n",
            l.event.title,
            domain::dates::long(domain::dates::uk_date(l.event.starts_at)),
            l.places,
            if l.places == 1 { "" } else { "s" },
            where_label(l.mode),
            l.cost()
        ));
        if let (Mode::InPerson, Some(v)) = (l.mode, &l.event.venue) {
            body.push_str(&format!("  Where: {}\n", v.replace('\n', ", ")));
        }
    }
    body.push_str(&format!(
        "\nSee, or cancel, your booking: {base}/learning/bookings/{}?token={token}\n",
        o.code
    ));
    crate::email::enqueue(
        txn,
        now,
        &o.email,
        &format!("Booking {} confirmed", o.code),
        &body,
    )
    .await
}

/// A guest books one place at a free event with their name and e-mail address; the
/// confirmation e-mail carries the link that manages the booking. Returns the order's reference
/// and that link's secret.
pub async fn book_as_guest(
    svc: &Services,
    meta: &RequestMeta,
    event_uuid: &str,
    mode: Mode,
    name: &str,
    email: &str,
) -> Result<(String, String), ServiceError> {
    let now = svc.now();
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
        Ok(e) => Some(e),
        Err(e) => {
            p.add("email", e.to_string());
            None
        }
    };
    p.finish()?;
    let (Some(name), Some(email)) = (name, email) else {
        return Err(ServiceError::invalid("name", "Enter your name"));
    };
    // A plain read first: when the event is plainly full (no hold has run out), the buyer is
    // told without waiting for the write lock, which in a race for the last places is most.
    let seen = catalogue::row_in(&svc.db, event_uuid).await?;
    check_bookable(&seen, mode, 1, now)?;
    if seen.pool(mode).is_some_and(|p| p.left() == 0) && !holds_run_out(svc, seen.id, now).await? {
        return Err(full_as(&seen, mode, 0, 1));
    }
    let _turn = last_few_turn(svc, &seen, mode, 1, now).await?;
    let txn = store::begin_write(&svc.db).await?;
    release_expired_in(svc, &txn, now, None).await?;
    let e = catalogue::row_in(&txn, event_uuid).await?;
    check_bookable(&e, mode, 1, now)?;
    enough_left(&e, mode, 1)?;
    if !e.price.is_free() {
        return Err(ServiceError::Conflict(format!(
            "{} costs {}: create an account, or sign in, to book it",
            e.title, e.price
        )));
    }
    let first = count_first(&e, mode);
    if first && !take(&txn, e.id, mode, 1).await? {
        return Err(full(&txn, &e, mode, 1).await?);
    }
    let (o, token) = book_kept_place(
        svc,
        &txn,
        now,
        &e,
        mode,
        None,
        &name,
        email.as_str(),
        OrderState::Confirmed,
        Pence::FREE,
        None,
    )
    .await?;
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("learning_order_placed", Outcome::Success)
            .by_label(None, "guest")
            .entity("learning_order", o.id)
            .detail(format!("1 place {} at {}", where_label(mode), e.title)),
    )
    .await?;
    // Otherwise the place is counted last, so the event's row is locked (PostgreSQL) only for
    // the count and the commit; when it cannot be, everything above is rolled back.
    if !first && !take(&txn, e.id, mode, 1).await? {
        return Err(full(&txn, &e, mode, 1).await?);
    }
    txn.commit().await?;
    svc.jobs_queued();
    Ok((o.code, token))
}

/// Books one place already counted as taken (by the caller, or kept from a waiting list) on
/// an order of its own, and e-mails the confirmation. Returns the order and the secret of the
/// link that manages it.
#[expect(clippy::too_many_arguments, reason = "an order's fields, each needed")]
pub(crate) async fn book_kept_place(
    svc: &Services,
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    e: &Event,
    mode: Mode,
    user_id: Option<i32>,
    name: &str,
    email: &str,
    state: OrderState,
    price: Pence,
    po: Option<String>,
) -> Result<(order::Model, String), ServiceError> {
    let (o, token) = new_order(txn, now, user_id, name, email, state, price, po).await?;
    let booked = place::ActiveModel {
        event_id: Set(e.id),
        mode: Set(mode.as_str().into()),
        state: Set(BOOKED.into()),
        holder_id: Set(None),
        hold_expires_at: Set(None),
        order_id: Set(Some(o.id)),
        price_pence: Set(price.0),
        attendee_name: Set(Some(name.to_owned())),
        attendee_email: Set(Some(email.to_owned())),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let line = Line {
        event: e.clone(),
        mode,
        places: 1,
        price_each: Pence(booked.price_pence),
    };
    confirm_by_email(svc, txn, now, &o, std::slice::from_ref(&line), &token).await?;
    Ok((o, token))
}

/// Who is asking about an order: its account, or whoever holds the link from its e-mail.
pub enum Holder<'a> {
    Account(&'a Actor),
    Link(&'a str),
}

/// The order with this reference, if the holder may see it (otherwise: not found, as for one
/// that does not exist).
async fn order_row(
    c: &impl sea_orm::ConnectionTrait,
    code: &str,
    who: &Holder<'_>,
) -> Result<order::Model, ServiceError> {
    let o = order::Entity::find()
        .filter(order::Column::Code.eq(code.trim().to_uppercase()))
        .one(c)
        .await?;
    let mine = |o: &order::Model| match who {
        Holder::Account(a) => o.user_id == Some(a.user_id),
        Holder::Link(t) => crate::identity::constant_time_eq(&hash_token(t), &o.manage_token_hash),
    };
    o.filter(mine).ok_or(ServiceError::NotFound("booking"))
}

async fn whole_order(
    c: &impl sea_orm::ConnectionTrait,
    o: order::Model,
) -> Result<Order, ServiceError> {
    let places = place::Entity::find()
        .filter(place::Column::OrderId.eq(o.id))
        .order_by_asc(place::Column::Id)
        .all(c)
        .await?;
    let state = OrderState::parse(&o.state).unwrap_or(OrderState::Cancelled);
    let lines = lines_of(c, &places).await?;
    let mut join_links = Vec::new();
    if state.holds_places() {
        let online: Vec<i32> = places
            .iter()
            .filter(|p| p.mode == Mode::Online.as_str() && p.state == BOOKED)
            .map(|p| p.event_id)
            .collect();
        for r in event::Entity::find()
            .filter(event::Column::Id.is_in(online))
            .all(c)
            .await?
        {
            if let Some(link) = r.join_link {
                join_links.push((r.uuid, link));
            }
        }
    }
    Ok(Order {
        id: o.id,
        code: o.code,
        name: o.name,
        email: o.email,
        state,
        total: Pence(o.total_pence),
        po_number: o.po_number,
        created_at: o.created_at,
        lines,
        join_links,
    })
}

/// One order, for its holder.
pub async fn order(svc: &Services, code: &str, who: Holder<'_>) -> Result<Order, ServiceError> {
    let o = order_row(&svc.db, code, &who).await?;
    whole_order(&svc.db, o).await
}

/// The actor's orders, newest first.
pub async fn my_orders(svc: &Services, actor: &Actor) -> Result<Vec<Order>, ServiceError> {
    let rows = order::Entity::find()
        .filter(order::Column::UserId.eq(actor.user_id))
        .order_by_desc(order::Column::CreatedAt)
        .order_by_desc(order::Column::Id)
        .all(&svc.db)
        .await?;
    let mut out = Vec::new();
    for o in rows.into_iter().take(200) {
        out.push(whole_order(&svc.db, o).await?);
    }
    Ok(out)
}

/// Cancels an order: its places go back on sale. Cancelling twice says so and changes nothing.
pub async fn cancel(
    svc: &Services,
    meta: &RequestMeta,
    code: &str,
    who: Holder<'_>,
) -> Result<(), ServiceError> {
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let o = order_row(&txn, code, &who).await?;
    let state = OrderState::parse(&o.state).unwrap_or(OrderState::Cancelled);
    if !state.may_become(OrderState::Cancelled) {
        return Err(ServiceError::Conflict(format!(
            "Booking {} is already {}",
            o.code,
            state.label().to_lowercase()
        )));
    }
    // The state moves only from the one read, so two cancellations at once cancel once.
    let moved = order::Entity::update_many()
        .col_expr(
            order::Column::State,
            Expr::value(OrderState::Cancelled.as_str()),
        )
        .col_expr(order::Column::CancelledAt, Expr::value(now))
        .filter(order::Column::Id.eq(o.id))
        .filter(order::Column::State.eq(o.state.clone()))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(ServiceError::Conflict(format!(
            "Booking {} is already cancelled",
            o.code
        )));
    }
    let places = place::Entity::find()
        .filter(place::Column::OrderId.eq(o.id))
        .filter(place::Column::State.eq(BOOKED))
        .all(&txn)
        .await?;
    free_all(svc, &txn, now, &places).await?;
    place::Entity::update_many()
        .col_expr(place::Column::State, Expr::value(CANCELLED))
        .filter(place::Column::Id.is_in(places.iter().map(|p| p.id)))
        .exec(&txn)
        .await?;
    crate::email::enqueue(
        &txn,
        now,
        &o.email,
        &format!("Booking {} cancelled", o.code),
        &format!(
            "Dear {},\n\nYour booking {} has been cancelled, as you asked. Its places have been freed for others.\n",
            o.name, o.code
        ),
    )
    .await?;
    let mut ev = AuditEvent::new("learning_order_cancelled", Outcome::Success)
        .entity("learning_order", o.id)
        .detail(format!("{} place(s)", places.len()));
    ev = match who {
        Holder::Account(a) => ev.by(a),
        Holder::Link(_) => ev.by_label(None, "booking link"),
    };
    audit::record(&txn, now, meta, ev).await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok(())
}

/// The organiser marks an invoiced order paid. Paying twice says so and changes nothing.
pub async fn mark_paid(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    code: &str,
) -> Result<(), ServiceError> {
    actor.require(Permission::OrganiseEvents, "take payments")?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let o = order::Entity::find()
        .filter(order::Column::Code.eq(code.trim().to_uppercase()))
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound("booking"))?;
    // Only an organiser of one of its events may, and to anyone else it is not there.
    let event_ids: Vec<i32> = place::Entity::find()
        .filter(place::Column::OrderId.eq(o.id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| p.event_id)
        .collect();
    let org_ids: Vec<i32> = event::Entity::find()
        .filter(event::Column::Id.is_in(event_ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|e| e.organisation_id)
        .collect();
    let organises = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(org_ids))
        .all(&txn)
        .await?
        .iter()
        .any(|org| actor.can_at(Permission::OrganiseEvents, &org.path));
    if !organises {
        return Err(ServiceError::NotFound("booking"));
    }
    let state = OrderState::parse(&o.state).unwrap_or(OrderState::Cancelled);
    if !state.may_become(OrderState::Paid) {
        return Err(ServiceError::Conflict(format!(
            "Booking {} is {}: it cannot be marked paid",
            o.code,
            state.label().to_lowercase()
        )));
    }
    let moved = order::Entity::update_many()
        .col_expr(order::Column::State, Expr::value(OrderState::Paid.as_str()))
        .col_expr(order::Column::PaidAt, Expr::value(now))
        .filter(order::Column::Id.eq(o.id))
        .filter(order::Column::State.eq(OrderState::Pending.as_str()))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(ServiceError::Conflict(format!(
            "Booking {} is already paid",
            o.code
        )));
    }
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("learning_order_paid", Outcome::Success)
            .by(actor)
            .entity("learning_order", o.id)
            .detail(Pence(o.total_pence).to_string()),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// How many places at an event are booked (not held, not cancelled).
pub async fn booked_count(svc: &Services, event_uuid: &str) -> Result<u64, ServiceError> {
    let e = catalogue::get(svc, event_uuid).await?;
    Ok(place::Entity::find()
        .filter(place::Column::EventId.eq(e.id))
        .filter(place::Column::State.eq(BOOKED))
        .count(&svc.db)
        .await?)
}

/// Orders waiting for payment by invoice for the events the actor organises, oldest first.
pub async fn awaiting_payment(svc: &Services, actor: &Actor) -> Result<Vec<Order>, ServiceError> {
    let events: Vec<i32> = catalogue::organised(svc, actor, false)
        .await?
        .into_iter()
        .chain(catalogue::organised(svc, actor, true).await?)
        .map(|e| e.id)
        .collect();
    let order_ids: Vec<i32> = place::Entity::find()
        .filter(place::Column::EventId.is_in(events))
        .filter(place::Column::State.eq(BOOKED))
        .all(&svc.db)
        .await?
        .into_iter()
        .filter_map(|p| p.order_id)
        .collect();
    let rows = order::Entity::find()
        .filter(order::Column::Id.is_in(order_ids))
        .filter(order::Column::State.eq(OrderState::Pending.as_str()))
        .order_by_asc(order::Column::CreatedAt)
        .all(&svc.db)
        .await?;
    let mut out = Vec::new();
    for o in rows.into_iter().take(200) {
        out.push(whole_order(&svc.db, o).await?);
    }
    Ok(out)
}
