//! What organisers do with an event once it is published: see who has booked (and export them
//! as CSV), check people in, cancel it (everyone booked or waiting is told), and the reminders
//! sent a week and a day before.

use chrono::{DateTime, Duration, Utc};
use domain::Permission;
use domain::learning::{Mode, OrderState};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use store::entities::{
    learning_event as event, learning_order as order, learning_place as place,
    learning_waitlist as entry, organisation,
};

use super::catalogue::{self, Event};
use crate::audit::{self, Event as AuditEvent, Outcome};
use crate::{Actor, RequestMeta, ServiceError, Services};

/// Someone booked on an event.
#[derive(Clone, Debug)]
pub struct Attendee {
    pub place_id: i32,
    pub name: String,
    pub email: String,
    pub mode: Mode,
    pub order_code: String,
    pub order_state: OrderState,
    pub checked_in_at: Option<DateTime<Utc>>,
}

/// The event, if the actor organises it (others are refused: the event is public, who booked
/// it is not).
async fn organised(svc: &Services, actor: &Actor, uuid: &str) -> Result<Event, ServiceError> {
    let e = catalogue::get(svc, uuid).await?;
    let org = organisation::Entity::find_by_id(e.organisation_id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("event"))?;
    actor.require_at(
        Permission::OrganiseEvents,
        &org.path,
        "see who has booked: only the event's organisers can",
    )?;
    Ok(e)
}

/// The event's attendees, in the order they booked, and how many are waiting.
pub async fn attendees(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    uuid: &str,
) -> Result<(Event, Vec<Attendee>, u64), ServiceError> {
    let e = organised(svc, actor, uuid).await?;
    let places = place::Entity::find()
        .filter(place::Column::EventId.eq(e.id))
        .filter(place::Column::State.eq("booked"))
        .order_by_asc(place::Column::Id)
        .all(&svc.db)
        .await?;
    let orders = order::Entity::find()
        .filter(order::Column::Id.is_in(places.iter().filter_map(|p| p.order_id)))
        .all(&svc.db)
        .await?;
    let list = places
        .into_iter()
        .filter_map(|p| {
            let o = orders.iter().find(|o| Some(o.id) == p.order_id)?;
            Some(Attendee {
                place_id: p.id,
                name: p.attendee_name.unwrap_or_else(|| o.name.clone()),
                email: p.attendee_email.unwrap_or_else(|| o.email.clone()),
                mode: Mode::parse(&p.mode).unwrap_or(Mode::InPerson),
                order_code: o.code.clone(),
                order_state: OrderState::parse(&o.state).unwrap_or(OrderState::Confirmed),
                checked_in_at: p.checked_in_at,
            })
        })
        .collect::<Vec<_>>();
    let waiting = entry::Entity::find()
        .filter(entry::Column::EventId.eq(e.id))
        .filter(entry::Column::State.is_in(["waiting", "offered"]))
        .count(&svc.db)
        .await?;
    audit::log(
        svc,
        svc.now(),
        meta,
        AuditEvent::new("learning_attendees_viewed", Outcome::Success)
            .by(actor)
            .entity("learning_event", e.id)
            .detail(format!("{} attendee(s)", list.len())),
    )
    .await?;
    Ok((e, list, waiting))
}

/// Someone on an event's waiting list, as its organisers see them.
#[derive(Clone, Debug)]
pub struct Waiting {
    pub name: String,
    pub email: String,
    pub mode: Mode,
    pub joined_at: DateTime<Utc>,
    /// Until when a freed place is kept for them, when one has been offered.
    pub offered_until: Option<DateTime<Utc>>,
}

/// The event's waiting list in the order places will be offered (longest waiting first), for
/// its organisers.
pub async fn waiting_list(
    svc: &Services,
    actor: &Actor,
    uuid: &str,
) -> Result<Vec<Waiting>, ServiceError> {
    let e = organised(svc, actor, uuid).await?;
    Ok(entry::Entity::find()
        .filter(entry::Column::EventId.eq(e.id))
        .filter(entry::Column::State.is_in(["waiting", "offered"]))
        .order_by_asc(entry::Column::JoinedAt)
        .order_by_asc(entry::Column::Id)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|w| Waiting {
            mode: Mode::parse(&w.mode).unwrap_or(Mode::InPerson),
            offered_until: (w.state == "offered")
                .then_some(w.offer_expires_at)
                .flatten(),
            name: w.name,
            email: w.email,
            joined_at: w.joined_at,
        })
        .collect())
}

/// The attendees as CSV (a spreadsheet's first row names the columns).
pub fn to_csv(list: &[Attendee]) -> Result<String, ServiceError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ServiceError::Internal(format!("writing CSV: {e}"));
    w.write_record([
        "Name",
        "Email",
        "Taking part",
        "Booking",
        "Status",
        "Checked in",
    ])
    .map_err(fail)?;
    for a in list {
        w.write_record([
            // A cell starting =, +, - or @ is a formula to a spreadsheet; a quote keeps it text.
            defuse(&a.name).as_str(),
            defuse(&a.email).as_str(),
            a.mode.label(),
            a.order_code.as_str(),
            a.order_state.label(),
            &a.checked_in_at
                .map(|t| {
                    t.with_timezone(&domain::dates::UK)
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_default(),
        ])
        .map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ServiceError::Internal(format!("writing CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| ServiceError::Internal(e.to_string()))
}

pub(crate) fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// Checks someone in (once), which issues their certificate of attendance and e-mails it to
/// them. Returns the certificate's code.
pub async fn check_in(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    uuid: &str,
    place_id: i32,
) -> Result<String, ServiceError> {
    let e = organised(svc, actor, uuid).await?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let p = place::Entity::find_by_id(place_id)
        .one(&txn)
        .await?
        .filter(|p| p.event_id == e.id && p.state == "booked")
        .ok_or(ServiceError::NotFound("attendee"))?;
    let moved = place::Entity::update_many()
        .col_expr(place::Column::CheckedInAt, Expr::value(now))
        .filter(place::Column::Id.eq(p.id))
        .filter(place::Column::CheckedInAt.is_null())
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(ServiceError::Conflict(format!(
            "{} is already checked in",
            p.attendee_name.unwrap_or_default()
        )));
    }
    let code = super::certificates::for_place(svc, &txn, now, &e, &p).await?;
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("learning_checked_in", Outcome::Success)
            .by(actor)
            .entity("learning_place", p.id)
            .detail(format!("certificate {code}")),
    )
    .await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok(code)
}

/// Cancels an event: its places and waiting list end, orders wholly for it are cancelled
/// (refunded, if paid), and everyone booked or waiting is e-mailed the reason. Returns how many
/// people were told.
pub async fn cancel_event(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    uuid: &str,
    reason: &str,
) -> Result<usize, ServiceError> {
    let e = organised(svc, actor, uuid).await?;
    let mut p = crate::error::Problems::default();
    let reason = p.str(
        "reason",
        reason,
        domain::text::TextField::lines("Reason", 500),
    );
    if reason.is_none() && p.is_empty() {
        p.add("reason", "Say why it is cancelled: attendees will be told");
    }
    p.finish()?;
    let reason = reason.unwrap_or_default();
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let moved = event::Entity::update_many()
        .col_expr(event::Column::State, Expr::value("cancelled"))
        .col_expr(event::Column::CancelReason, Expr::value(reason.clone()))
        .col_expr(event::Column::InPersonTaken, Expr::value(0))
        .col_expr(event::Column::OnlineTaken, Expr::value(0))
        .col_expr(event::Column::UpdatedAt, Expr::value(now))
        .filter(event::Column::Id.eq(e.id))
        .filter(event::Column::State.eq("scheduled"))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(ServiceError::Conflict(format!(
            "{} is already cancelled",
            e.title
        )));
    }
    let places = place::Entity::find()
        .filter(place::Column::EventId.eq(e.id))
        .filter(place::Column::State.is_in(["booked", "held"]))
        .all(&txn)
        .await?;
    let told = booked_and_waiting(&txn, e.id).await?;
    place::Entity::update_many()
        .col_expr(place::Column::State, Expr::value("cancelled"))
        .filter(place::Column::Id.is_in(places.iter().map(|p| p.id)))
        .exec(&txn)
        .await?;
    let mut order_ids: Vec<i32> = places.iter().filter_map(|p| p.order_id).collect();
    order_ids.sort_unstable();
    order_ids.dedup();
    for o in order::Entity::find()
        .filter(order::Column::Id.is_in(order_ids))
        .all(&txn)
        .await?
    {
        let live_elsewhere = place::Entity::find()
            .filter(place::Column::OrderId.eq(o.id))
            .filter(place::Column::State.eq("booked"))
            .count(&txn)
            .await?;
        if live_elsewhere == 0 {
            let next = if o.state == OrderState::Paid.as_str() {
                OrderState::Refunded
            } else {
                OrderState::Cancelled
            };
            order::Entity::update_many()
                .col_expr(order::Column::State, Expr::value(next.as_str()))
                .col_expr(order::Column::CancelledAt, Expr::value(now))
                .col_expr(
                    order::Column::CancelReason,
                    Expr::value(format!("The event was cancelled: {reason}")),
                )
                .filter(order::Column::Id.eq(o.id))
                .exec(&txn)
                .await?;
        }
    }
    entry::Entity::update_many()
        .col_expr(entry::Column::State, Expr::value("left"))
        .filter(entry::Column::EventId.eq(e.id))
        .filter(entry::Column::State.is_in(["waiting", "offered"]))
        .exec(&txn)
        .await?;
    let day = domain::dates::long(domain::dates::uk_date(e.starts_at));
    tell_all(
        svc,
        txn,
        Told {
            now,
            meta,
            actor,
            event_id: e.id,
            people: &told,
            subject: &format!("Cancelled: {}", e.title),
            body: &|name| {
                format!(
                    "Dear {name},\n\n{} on {day} has been cancelled. {reason}\n\nYour booking or place on the waiting list has ended; a paid place will be refunded.\n",
                    e.title
                )
            },
            action: "learning_event_cancelled",
            detail: String::new(),
        },
    )
    .await
}

/// The chore: a week before an event, and a day before, everyone booked is reminded (each
/// event's reminder claimed by one conditional update, so it goes once).
pub async fn remind(svc: &Services) -> Result<u64, ServiceError> {
    let now = svc.now();
    let mut sent = 0;
    for (ahead, col, words) in [
        (
            Duration::days(7),
            event::Column::RemindedWeekAt,
            "next week",
        ),
        (Duration::days(1), event::Column::RemindedDayAt, "tomorrow"),
    ] {
        let due = event::Entity::find()
            .filter(event::Column::State.eq("scheduled"))
            .filter(event::Column::StartsAt.gt(now))
            .filter(event::Column::StartsAt.lte(now + ahead))
            .filter(col.is_null())
            .all(&svc.db)
            .await?;
        for row in due {
            let txn = store::begin_write(&svc.db).await?;
            let claimed = event::Entity::update_many()
                .col_expr(col, Expr::value(now))
                .filter(event::Column::Id.eq(row.id))
                .filter(col.is_null())
                .exec(&txn)
                .await?;
            if claimed.rows_affected != 1 {
                continue;
            }
            let e = catalogue::whole(&txn, vec![row]).await?.pop();
            let Some(e) = e else { continue };
            let mut people: Vec<(String, String)> = place::Entity::find()
                .filter(place::Column::EventId.eq(e.id))
                .filter(place::Column::State.eq("booked"))
                .all(&txn)
                .await?
                .into_iter()
                .filter_map(|p| Some((p.attendee_email?, p.attendee_name.unwrap_or_default())))
                .collect();
            people.sort();
            people.dedup_by(|a, b| a.0 == b.0);
            let base = svc.settings.public_url.trim_end_matches('/');
            for (email, name) in &people {
                crate::email::enqueue(
                    &txn,
                    now,
                    email,
                    &format!("Reminder: {} {words}", e.title),
                    &format!(
                        "Dear {name},\n\nA reminder that {} is {words}: {}.\n{}\nThe details: {base}/learning/events/{}\n\nIf you can no longer come, cancel your booking from its e-mail so someone else can have your place.\n",
                        e.title,
                        domain::learning::when(e.starts_at, e.ends_at),
                        e.venue
                            .as_deref()
                            .map(|v| format!("Where: {}\n", v.replace('\n', ", ")))
                            .unwrap_or_default(),
                        e.uuid
                    ),
                )
                .await?;
                sent += 1;
            }
            txn.commit().await?;
        }
    }
    if sent > 0 {
        svc.jobs_queued();
    }
    Ok(sent)
}

/// Everyone booked on an event, and whoever booked each place for them, once each by e-mail
/// address: (e-mail, name).
async fn booked_people(
    c: &impl sea_orm::ConnectionTrait,
    event_id: i32,
) -> Result<Vec<(String, String)>, ServiceError> {
    let places = place::Entity::find()
        .filter(place::Column::EventId.eq(event_id))
        .filter(place::Column::State.eq("booked"))
        .all(c)
        .await?;
    let orders = order::Entity::find()
        .filter(order::Column::Id.is_in(places.iter().filter_map(|p| p.order_id)))
        .all(c)
        .await?;
    let mut people: Vec<(String, String)> = orders
        .iter()
        .map(|o| (o.email.clone(), o.name.clone()))
        .collect();
    people.extend(places.into_iter().filter_map(|p| {
        let o = orders.iter().find(|o| Some(o.id) == p.order_id)?;
        Some((
            p.attendee_email.unwrap_or_else(|| o.email.clone()),
            p.attendee_name.unwrap_or_else(|| o.name.clone()),
        ))
    }));
    Ok(once_each(people))
}

/// Everyone booked on an event or waiting for a place at it.
async fn booked_and_waiting(
    c: &impl sea_orm::ConnectionTrait,
    event_id: i32,
) -> Result<Vec<(String, String)>, ServiceError> {
    let mut people = booked_people(c, event_id).await?;
    people.extend(
        entry::Entity::find()
            .filter(entry::Column::EventId.eq(event_id))
            .filter(entry::Column::State.is_in(["waiting", "offered"]))
            .all(c)
            .await?
            .into_iter()
            .map(|w| (w.email, w.name)),
    );
    Ok(once_each(people))
}

fn once_each(mut people: Vec<(String, String)>) -> Vec<(String, String)> {
    people.sort_by_key(|(email, _)| email.to_lowercase());
    people.dedup_by(|a, b| a.0.eq_ignore_ascii_case(&b.0));
    people
}

/// What organisers tell everyone concerned, and how it is recorded.
struct Told<'a> {
    now: DateTime<Utc>,
    meta: &'a RequestMeta,
    actor: &'a Actor,
    event_id: i32,
    people: &'a [(String, String)],
    subject: &'a str,
    body: &'a (dyn Fn(&str) -> String + Sync),
    action: &'static str,
    /// Said before how many were told.
    detail: String,
}

/// E-mails each person (through the jobs queue), records the action with how many were told,
/// and commits. Returns how many were told.
async fn tell_all(
    svc: &Services,
    txn: sea_orm::DatabaseTransaction,
    t: Told<'_>,
) -> Result<usize, ServiceError> {
    for (email, name) in t.people {
        crate::email::enqueue(&txn, t.now, email, t.subject, &(t.body)(name)).await?;
    }
    audit::record(
        &txn,
        t.now,
        t.meta,
        AuditEvent::new(t.action, Outcome::Success)
            .by(t.actor)
            .entity("learning_event", t.event_id)
            .detail(format!("{}{} told", t.detail, t.people.len())),
    )
    .await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok(t.people.len())
}

/// Moves an event to new dates and times: its sessions are replaced, reminders will go again
/// before the new date, and everyone booked or waiting is told (with how to cancel if they
/// can no longer come). Returns how many were told.
pub async fn move_event(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    uuid: &str,
    sessions: Vec<domain::learning::Session>,
) -> Result<usize, ServiceError> {
    let e = organised(svc, actor, uuid).await?;
    if e.cancelled {
        return Err(ServiceError::Conflict(format!(
            "{} is cancelled: it cannot be moved",
            e.title
        )));
    }
    let now = svc.now();
    if e.starts_at <= now {
        return Err(ServiceError::Conflict(format!(
            "{} has already started: it cannot be moved",
            e.title
        )));
    }
    let input = domain::learning::EventInput {
        kind: e.kind,
        title: e.title.clone(),
        summary: e.summary.clone(),
        description: e.description.clone(),
        topic: e.topic.clone(),
        region: e.region.clone().unwrap_or_default(),
        format: e.format,
        venue: e.venue.clone().unwrap_or_default(),
        join_link: String::new(),
        in_person_places: e.pool(Mode::InPerson).map_or(0, |p| p.places),
        online_places: e.pool(Mode::Online).map_or(0, |p| p.places),
        price: e.price,
        cpd_minutes: e.cpd_minutes,
        audience: e.audience.clone(),
        sessions,
        certificate_months: e.certificate_months,
        accredited: e.accredited,
    };
    let cleaned = input.clean().map_err(catalogue::problems)?;
    let Some((starts_at, ends_at)) = cleaned.span() else {
        return Err(ServiceError::invalid(
            "date",
            "Give the date and time it starts and ends",
        ));
    };
    if starts_at <= now {
        return Err(ServiceError::invalid(
            "date",
            "The new start must be in the future",
        ));
    }
    if ends_at > now + Duration::days(catalogue::HORIZON_DAYS) {
        return Err(ServiceError::invalid(
            "date",
            "It must be held within the next five years",
        ));
    }
    if cleaned.sessions == e.sessions {
        return Err(ServiceError::invalid(
            "date",
            "Give a new date or time: these are the ones it has",
        ));
    }
    let txn = store::begin_write(&svc.db).await?;
    let moved = event::Entity::update_many()
        .col_expr(event::Column::StartsAt, Expr::value(starts_at))
        .col_expr(event::Column::EndsAt, Expr::value(ends_at))
        .col_expr(
            event::Column::RemindedWeekAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            event::Column::RemindedDayAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(event::Column::UpdatedAt, Expr::value(now))
        .filter(event::Column::Id.eq(e.id))
        .filter(event::Column::State.eq("scheduled"))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(ServiceError::Conflict(format!(
            "{} was cancelled a moment ago",
            e.title
        )));
    }
    catalogue::save_sessions(&txn, e.id, &cleaned.sessions).await?;
    let told = booked_and_waiting(&txn, e.id).await?;
    let base = svc.settings.public_url.trim_end_matches('/');
    let was = domain::learning::when(e.starts_at, e.ends_at);
    let new_when = cleaned
        .sessions
        .iter()
        .map(|s| format!("- {}", domain::learning::when(s.starts_at, s.ends_at)))
        .collect::<Vec<_>>()
        .join("\n");
    tell_all(
        svc,
        txn,
        Told {
            now,
            meta,
            actor,
            event_id: e.id,
            people: &told,
            subject: &format!("New date: {}", e.title),
            body: &|name| {
                format!(
                    "Dear {name},\n\n{} has moved. It was {was}. It is now:\n\n{new_when}\n\nYour booking, or your place on the waiting list, carries over. If you can no longer come, cancel from your booking's e-mail so someone else can have your place.\n\nThe details: {base}/learning/events/{}\n",
                    e.title, e.uuid
                )
            },
            action: "learning_event_moved",
            detail: format!("from {was}; "),
        },
    )
    .await
}

/// The subject and body of a message to attendees.
pub const MESSAGE_SUBJECT: domain::text::TextField = domain::text::TextField::line("Subject", 150);
pub const MESSAGE_BODY: domain::text::TextField = domain::text::TextField::lines("Message", 5_000);

/// E-mails everyone booked on an event (each address once), from the organiser. Returns how
/// many it went to.
pub async fn message(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    uuid: &str,
    subject: &str,
    body: &str,
) -> Result<usize, ServiceError> {
    let e = organised(svc, actor, uuid).await?;
    let mut p = crate::error::Problems::default();
    let subject = p.required(
        "subject",
        &Some(subject.to_owned()),
        MESSAGE_SUBJECT,
        "Enter a subject",
    );
    let body = p.required(
        "body",
        &Some(body.to_owned()),
        MESSAGE_BODY,
        "Enter the message",
    );
    p.finish()?;
    let (subject, body) = (subject.unwrap_or_default(), body.unwrap_or_default());
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let people = booked_people(&txn, e.id).await?;
    if people.is_empty() {
        return Err(ServiceError::Conflict(format!(
            "No one is booked on {} yet",
            e.title
        )));
    }
    let base = svc.settings.public_url.trim_end_matches('/');
    tell_all(
        svc,
        txn,
        Told {
            now,
            meta,
            actor,
            event_id: e.id,
            people: &people,
            // The outbox keeps subjects of 300 characters at most.
            subject: &format!("{}: {subject}", e.title)
                .chars()
                .take(300)
                .collect::<String>(),
            body: &|name| {
                format!(
                    "Dear {name},\n\n{body}\n\n{} ({}), for everyone booked on {}: {base}/learning/events/{}\n",
                    actor.display_name, e.organiser, e.title, e.uuid
                )
            },
            action: "learning_attendees_messaged",
            detail: format!("\"{subject}\" "),
        },
    )
    .await
}

/// An event as its organisers edit it: the catalogue's view and its joining link.
pub async fn for_editing(
    svc: &Services,
    actor: &Actor,
    uuid: &str,
) -> Result<(Event, Option<String>), ServiceError> {
    let e = organised(svc, actor, uuid).await?;
    let link = event::Entity::find_by_id(e.id)
        .one(&svc.db)
        .await?
        .and_then(|r| r.join_link);
    Ok((e, link))
}

/// Changes an event's details (its dates change by [`move_event`]). Once places are taken its
/// format and price stay as they are, and each kind keeps at least as many places as are
/// taken. Places added go first to those waiting, who are offered them.
pub async fn edit_event(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    uuid: &str,
    input: &domain::learning::EventInput,
) -> Result<(), ServiceError> {
    let e = organised(svc, actor, uuid).await?;
    let now = svc.now();
    if e.cancelled || e.ends_at <= now {
        return Err(ServiceError::Conflict(format!(
            "{} is {}: it cannot be changed",
            e.title,
            if e.cancelled { "cancelled" } else { "over" }
        )));
    }
    let mut whole = input.clone();
    whole.kind = e.kind;
    whole.sessions = e.sessions.clone();
    let c = whole.clean().map_err(catalogue::problems)?;
    let txn = store::begin_write(&svc.db).await?;
    // The event as it stands, locked: what is taken cannot change under the checks below.
    store::lock_for_update::<event::Entity>(&txn, &[e.id]).await?;
    let now_row = event::Entity::find_by_id(e.id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound("event"))?;
    let was = Event::of(now_row, e.organiser.clone(), e.sessions.clone());
    if was.cancelled {
        return Err(ServiceError::Conflict(format!(
            "{} was cancelled a moment ago",
            was.title
        )));
    }
    let taken: i32 = was.pools.iter().map(|p| p.taken).sum();
    let mut p = crate::error::Problems::default();
    if taken > 0 && c.format != was.format {
        p.add(
            "format",
            format!("{taken} places are taken: how it is held cannot change now; cancel it and publish it again"),
        );
    }
    if taken > 0 && c.price != was.price {
        p.add(
            "price",
            format!("{taken} places are taken: the price cannot change now"),
        );
    }
    for (mode, field, what) in [
        (Mode::InPerson, "in_person_places", "in the room"),
        (Mode::Online, "online_places", "online"),
    ] {
        let had = was.pool(mode).map_or(0, |p| p.taken);
        if had > 0 && (!c.format.modes().contains(&mode) || c.places(mode) < had) {
            p.add(
                field,
                format!("{had} places {what} are taken: there must be at least {had}"),
            );
        }
    }
    p.finish()?;
    event::Entity::update_many()
        .col_expr(event::Column::Title, Expr::value(c.title.clone()))
        .col_expr(event::Column::Summary, Expr::value(c.summary.clone()))
        .col_expr(
            event::Column::Description,
            Expr::value(c.description.clone()),
        )
        .col_expr(event::Column::Topic, Expr::value(c.topic.clone()))
        .col_expr(
            event::Column::Region,
            Expr::value(Some(c.region.clone()).filter(|r| !r.is_empty())),
        )
        .col_expr(event::Column::Format, Expr::value(c.format.as_str()))
        .col_expr(
            event::Column::Venue,
            Expr::value(Some(c.venue.clone()).filter(|v| !v.is_empty())),
        )
        .col_expr(
            event::Column::JoinLink,
            Expr::value(Some(c.join_link.clone()).filter(|v| !v.is_empty())),
        )
        .col_expr(event::Column::PricePence, Expr::value(c.price.0))
        .col_expr(event::Column::CpdMinutes, Expr::value(c.cpd_minutes))
        .col_expr(event::Column::Audience, Expr::value(c.audience.clone()))
        .col_expr(
            event::Column::InPersonPlaces,
            Expr::value(c.in_person_places),
        )
        .col_expr(event::Column::OnlinePlaces, Expr::value(c.online_places))
        .col_expr(
            event::Column::CertificateMonths,
            Expr::value(c.certificate_months),
        )
        .col_expr(event::Column::Accredited, Expr::value(c.accredited))
        .col_expr(event::Column::UpdatedAt, Expr::value(now))
        .filter(event::Column::Id.eq(e.id))
        .exec(&txn)
        .await?;
    // Places added go to those waiting longest first.
    let mut offered = 0;
    for mode in c.format.modes() {
        // Counted as taken while offered, as a freed place is; what no one waits for is given
        // back at once.
        let n = c.places(*mode) - was.pool(*mode).map_or(0, |p| p.places);
        if n > 0 && super::booking::take(&txn, e.id, *mode, n).await? {
            let kept = super::waitlist::offer_freed(svc, &txn, now, e.id, *mode, n).await?;
            super::booking::give_back(&txn, e.id, *mode, n - kept).await?;
            offered += kept;
        }
    }
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("learning_event_edited", Outcome::Success)
            .by(actor)
            .entity("learning_event", e.id)
            .detail(format!("{offered} place(s) offered to those waiting")),
    )
    .await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok(())
}
