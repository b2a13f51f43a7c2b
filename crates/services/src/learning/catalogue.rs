//! The catalogue: organisers publish events and courses; anyone finds them by format, date,
//! region, topic and price, and sees how many places are left of each kind.

use chrono::{DateTime, NaiveDate, Utc};
use domain::Permission;
use domain::learning::{EventInput, Format, Kind, Mode, Pence, Session};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use store::entities::{learning_event as event, learning_session as session, organisation};

use crate::audit::{self, Event as AuditEvent, Outcome};
use crate::paging::Paging;
use crate::{Actor, FieldError, RequestMeta, ServiceError, Services};

/// The places of one kind at an event, and how many are taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pool {
    pub mode: Mode,
    pub places: i32,
    pub taken: i32,
}

impl Pool {
    pub fn left(&self) -> i32 {
        Ord::max(self.places - self.taken, 0)
    }
}

/// An event or course as the catalogue shows it (never its joining link: that is for those
/// booked, from [`super::booking`]).
#[derive(Clone, Debug)]
pub struct Event {
    pub id: i32,
    pub uuid: String,
    pub organisation_id: i32,
    pub organiser: String,
    pub kind: Kind,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub topic: String,
    pub region: Option<String>,
    pub format: Format,
    pub venue: Option<String>,
    pub price: Pence,
    pub cpd_minutes: i32,
    pub audience: String,
    pub pools: Vec<Pool>,
    pub cancelled: bool,
    pub cancel_reason: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub sessions: Vec<Session>,
    /// How long its certificate stays current, in months; none for ever.
    pub certificate_months: Option<i32>,
    /// Attending counts a professional as trained.
    pub accredited: bool,
}

impl Event {
    pub(crate) fn of(row: event::Model, organiser: String, sessions: Vec<Session>) -> Self {
        let format = Format::parse(&row.format).unwrap_or(Format::InPerson);
        let pools = format
            .modes()
            .iter()
            .map(|&mode| match mode {
                Mode::InPerson => Pool {
                    mode,
                    places: row.in_person_places,
                    taken: row.in_person_taken,
                },
                Mode::Online => Pool {
                    mode,
                    places: row.online_places,
                    taken: row.online_taken,
                },
            })
            .collect();
        Event {
            id: row.id,
            uuid: row.uuid,
            organisation_id: row.organisation_id,
            organiser,
            kind: Kind::parse(&row.kind).unwrap_or(Kind::Event),
            title: row.title,
            summary: row.summary,
            description: row.description,
            topic: row.topic,
            region: row.region,
            format,
            venue: row.venue,
            price: Pence(row.price_pence),
            cpd_minutes: row.cpd_minutes,
            audience: row.audience,
            pools,
            cancelled: row.state == "cancelled",
            cancel_reason: row.cancel_reason,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            sessions,
            certificate_months: row.certificate_months,
            accredited: row.accredited,
        }
    }

    pub fn pool(&self, mode: Mode) -> Option<Pool> {
        self.pools.iter().copied().find(|p| p.mode == mode)
    }

    /// Places left of every kind.
    pub fn left(&self) -> i32 {
        self.pools.iter().map(Pool::left).sum()
    }

    /// Whether places can be booked now: not cancelled, not started.
    pub fn on_sale(&self, now: DateTime<Utc>) -> bool {
        !self.cancelled && self.starts_at > now
    }
}

/// What the catalogue is searched by.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub text: String,
    pub format: Option<Format>,
    pub topic: Option<String>,
    pub region: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Some(true) for free only, Some(false) for paid only.
    pub free: Option<bool>,
    /// Only those run by this organisation.
    pub organisation_id: Option<i32>,
    /// Past events too (newest first then).
    pub past: bool,
}

pub struct Found {
    pub events: Vec<Event>,
    pub total: u64,
    pub paging: Paging,
}

/// Events and courses matching the filter: upcoming ones soonest first (or past ones, newest
/// first), cancelled ones included and marked.
pub async fn find(svc: &Services, f: &Filter, paging: Paging) -> Result<Found, ServiceError> {
    let now = svc.now();
    let mut cond = Condition::all();
    cond = if f.past {
        cond.add(event::Column::EndsAt.lte(now))
    } else {
        cond.add(event::Column::EndsAt.gt(now))
    };
    if let Some(fm) = f.format {
        cond = cond.add(event::Column::Format.eq(fm.as_str()));
    }
    if let Some(t) = &f.topic {
        cond = cond.add(event::Column::Topic.eq(t.as_str()));
    }
    if let Some(r) = &f.region {
        cond = cond.add(event::Column::Region.eq(r.as_str()));
    }
    if let Some(d) = f.from {
        cond = cond.add(event::Column::StartsAt.gte(start_of(d)));
    }
    if let Some(d) = f.to {
        cond = cond.add(event::Column::StartsAt.lt(start_of(d + chrono::Duration::days(1))));
    }
    match f.free {
        Some(true) => cond = cond.add(event::Column::PricePence.eq(0)),
        Some(false) => cond = cond.add(event::Column::PricePence.gt(0)),
        None => {}
    }
    if let Some(o) = f.organisation_id {
        cond = cond.add(event::Column::OrganisationId.eq(o));
    }
    let text = f.text.trim().to_lowercase();
    if !text.is_empty() {
        for w in text.split_whitespace().take(6) {
            let like = format!("%{}%", w.replace(['%', '_'], ""));
            cond = cond.add(
                Condition::any()
                    .add(Expr::expr(Func::lower(Expr::col(event::Column::Title))).like(&like))
                    .add(Expr::expr(Func::lower(Expr::col(event::Column::Summary))).like(&like)),
            );
        }
    }
    let q = event::Entity::find().filter(cond);
    let total = q.clone().count(&svc.db).await?;
    let q = if f.past {
        q.order_by_desc(event::Column::StartsAt)
    } else {
        q.order_by_asc(event::Column::StartsAt)
    };
    let rows = q
        .order_by_asc(event::Column::Id)
        .offset(paging.offset())
        .limit(paging.per_page)
        .all(&svc.db)
        .await?;
    Ok(Found {
        events: whole(&svc.db, rows).await?,
        total,
        paging,
    })
}

/// Midnight at the start of a day in the UK.
fn start_of(d: NaiveDate) -> DateTime<Utc> {
    domain::dates::uk_instant(d, chrono::NaiveTime::MIN)
        .unwrap_or_else(|| d.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// Events with their organiser's name and sessions, in the order given.
pub(crate) async fn whole(
    c: &impl ConnectionTrait,
    rows: Vec<event::Model>,
) -> Result<Vec<Event>, ServiceError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let mut org_ids: Vec<i32> = rows.iter().map(|r| r.organisation_id).collect();
    org_ids.sort_unstable();
    org_ids.dedup();
    let orgs = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(org_ids))
        .all(c);
    let sessions = session::Entity::find()
        .filter(session::Column::EventId.is_in(ids))
        .order_by_asc(session::Column::EventId)
        .order_by_asc(session::Column::Position)
        .all(c);
    let (orgs, sessions) = tokio::try_join!(orgs, sessions)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let organiser = orgs
                .iter()
                .find(|o| o.id == r.organisation_id)
                .map(|o| o.name.clone())
                .unwrap_or_default();
            let own = sessions
                .iter()
                .filter(|s| s.event_id == r.id)
                .map(|s| Session {
                    title: s.title.clone().unwrap_or_default(),
                    starts_at: s.starts_at,
                    ends_at: s.ends_at,
                })
                .collect();
            Event::of(r, organiser, own)
        })
        .collect())
}

/// One event or course by its UUID (for anyone: the catalogue is public).
pub async fn get(svc: &Services, uuid: &str) -> Result<Event, ServiceError> {
    get_in(&svc.db, uuid).await
}

pub(crate) async fn get_in(c: &impl ConnectionTrait, uuid: &str) -> Result<Event, ServiceError> {
    let row = event::Entity::find()
        .filter(event::Column::Uuid.eq(uuid))
        .one(c)
        .await?
        .ok_or(ServiceError::NotFound("event"))?;
    whole(c, vec![row])
        .await?
        .pop()
        .ok_or(ServiceError::NotFound("event"))
}

/// One event or course by its UUID, without its organiser's name or its sessions (for the
/// booking paths, which need only the event's own row).
pub(crate) async fn row_in(c: &impl ConnectionTrait, uuid: &str) -> Result<Event, ServiceError> {
    let row = event::Entity::find()
        .filter(event::Column::Uuid.eq(uuid))
        .one(c)
        .await?
        .ok_or(ServiceError::NotFound("event"))?;
    Ok(Event::of(row, String::new(), Vec::new()))
}

/// The organisations the actor may run events for: where they hold [`Permission::OrganiseEvents`]
/// (and those below).
pub async fn organisers(svc: &Services, actor: &Actor) -> Result<Vec<(i32, String)>, ServiceError> {
    let scopes = actor.scopes(Permission::OrganiseEvents);
    if scopes.is_empty() {
        return Ok(Vec::new());
    }
    let mut any = Condition::any();
    for p in &scopes {
        any = any.add(organisation::Column::Path.starts_with(p.as_str()));
    }
    Ok(organisation::Entity::find()
        .filter(any)
        .order_by_asc(organisation::Column::Name)
        .limit(500)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// How far ahead events may be published (or moved): five years.
pub const HORIZON_DAYS: i64 = 5 * 366;

/// Publishes an event or course run by `organisation_id`, which the actor must organise for.
pub async fn create(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    organisation_id: i32,
    input: &EventInput,
) -> Result<String, ServiceError> {
    actor.require(Permission::OrganiseEvents, "run events")?;
    let org = organisation::Entity::find_by_id(organisation_id)
        .one(&svc.db)
        .await?
        .filter(|o| actor.can_at(Permission::OrganiseEvents, &o.path))
        .ok_or_else(|| {
            ServiceError::invalid("organisation", "Choose an organisation you run events for")
        })?;
    let e = input.clean().map_err(problems)?;
    let now = svc.now();
    let Some((starts_at, ends_at)) = e.span() else {
        return Err(ServiceError::invalid(
            "starts_at",
            "Give the date and time it starts and ends",
        ));
    };
    if starts_at <= now {
        return Err(ServiceError::invalid(
            "starts_at",
            "The start must be in the future",
        ));
    }
    if ends_at > now + chrono::Duration::days(HORIZON_DAYS) {
        return Err(ServiceError::invalid(
            "starts_at",
            "It must be held within the next five years",
        ));
    }
    let uuid = uuid::Uuid::new_v4().to_string();
    let txn = store::begin_write(&svc.db).await?;
    let saved = event::ActiveModel {
        uuid: Set(uuid.clone()),
        organisation_id: Set(org.id),
        kind: Set(e.kind.as_str().into()),
        title: Set(e.title.clone()),
        summary: Set(e.summary.clone()),
        description: Set(e.description.clone()),
        topic: Set(e.topic.clone()),
        region: Set(Some(e.region.clone()).filter(|r| !r.is_empty())),
        format: Set(e.format.as_str().into()),
        venue: Set(Some(e.venue.clone()).filter(|v| !v.is_empty())),
        join_link: Set(Some(e.join_link.clone()).filter(|v| !v.is_empty())),
        price_pence: Set(e.price.0),
        cpd_minutes: Set(e.cpd_minutes),
        audience: Set(e.audience.clone()),
        in_person_places: Set(e.in_person_places),
        online_places: Set(e.online_places),
        in_person_taken: Set(0),
        online_taken: Set(0),
        state: Set("scheduled".into()),
        cancel_reason: Set(None),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(now),
        updated_at: Set(now),
        certificate_months: Set(e.certificate_months),
        accredited: Set(e.accredited),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    save_sessions(&txn, saved.id, &e.sessions).await?;
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("learning_event_created", Outcome::Success)
            .by(actor)
            .entity("learning_event", saved.id)
            .detail(format!("{} by {}", e.title, org.name)),
    )
    .await?;
    txn.commit().await?;
    Ok(uuid)
}

pub(crate) async fn save_sessions(
    c: &impl ConnectionTrait,
    event_id: i32,
    sessions: &[Session],
) -> Result<(), ServiceError> {
    session::Entity::delete_many()
        .filter(session::Column::EventId.eq(event_id))
        .exec(c)
        .await?;
    for (i, s) in sessions.iter().enumerate() {
        session::ActiveModel {
            event_id: Set(event_id),
            position: Set(i as i32),
            title: Set(Some(s.title.clone()).filter(|t| !t.is_empty())),
            starts_at: Set(s.starts_at),
            ends_at: Set(s.ends_at),
            ..Default::default()
        }
        .insert(c)
        .await?;
    }
    Ok(())
}

pub(crate) fn problems(list: Vec<domain::learning::Problem>) -> ServiceError {
    ServiceError::Invalid(
        list.into_iter()
            .map(|p| FieldError::new(&p.field, p.message))
            .collect(),
    )
}

/// The events and courses of the organisations the actor organises for: upcoming ones soonest
/// first, then (with `past`) those finished, newest first.
pub async fn organised(
    svc: &Services,
    actor: &Actor,
    past: bool,
) -> Result<Vec<Event>, ServiceError> {
    actor.require(Permission::OrganiseEvents, "run events")?;
    let orgs: Vec<i32> = organisers(svc, actor)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let now = svc.now();
    let q = event::Entity::find().filter(event::Column::OrganisationId.is_in(orgs));
    let q = if past {
        q.filter(event::Column::EndsAt.lte(now))
            .order_by_desc(event::Column::StartsAt)
    } else {
        q.filter(event::Column::EndsAt.gt(now))
            .order_by_asc(event::Column::StartsAt)
    };
    let rows = q.limit(200).all(&svc.db).await?;
    whole(&svc.db, rows).await
}
