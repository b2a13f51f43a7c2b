//! Certificates: of attendance, issued when an organiser checks someone in (with the event's
//! CPD time, and an expiry if the event sets one), and of e-learning modules passed. Each
//! carries a code anyone can check on the public verification page; holders are reminded to
//! re-certify before one runs out. Who counts as trained is kept beside them.

use chrono::{DateTime, Duration, Months, Utc};
use domain::learning::elearning::Module;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use store::entities::{
    learning_certificate as cert, learning_event as event, learning_order as order,
    learning_place as place, learning_trained as trained, organisation,
};

use super::booking::readable_code;
use super::catalogue::Event;
use crate::{Actor, ServiceError, Services};

/// Days before a certificate runs out that its holder is reminded to re-certify.
pub const RECERTIFY_NOTICE_DAYS: i64 = 60;

/// A certificate as it is shown and checked.
#[derive(Clone, Debug)]
pub struct Certificate {
    pub code: String,
    pub name: String,
    /// "event" or "module".
    pub kind: String,
    pub title: String,
    /// Who ran it: the organiser's name, or the e-learning's.
    pub issuer: String,
    pub cpd_minutes: i32,
    pub issued_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub event_uuid: Option<String>,
    pub module_slug: Option<String>,
}

impl Certificate {
    /// Whether it is still current.
    pub fn current(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|e| e > now)
    }
}

/// Codes look like `WMC-7KQ4X-2M9PA`: 50 random bits, easy to read out.
fn new_code() -> String {
    let raw = readable_code("", 10);
    format!("WMC-{}-{}", &raw[..5], &raw[5..])
}

/// A code as typed: upper case, spaces gone, the dashes put back if left out.
pub fn normalise_code(code: &str) -> String {
    let s: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    match s.strip_prefix("WMC") {
        Some(rest) if rest.len() == 10 => format!("WMC-{}-{}", &rest[..5], &rest[5..]),
        _ => s,
    }
}

/// Records that a professional counts as trained (the first reason is kept).
pub(crate) async fn mark_trained(
    c: &impl ConnectionTrait,
    now: DateTime<Utc>,
    user_id: i32,
    source: String,
) -> Result<(), ServiceError> {
    trained::Entity::insert(trained::ActiveModel {
        user_id: Set(user_id),
        source: Set(source),
        trained_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(trained::Column::UserId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(c)
    .await?;
    Ok(())
}

/// What a certificate is for.
pub(crate) enum Of<'a> {
    /// Attending an event (at a place), current for so many months if the event says.
    Place {
        event_id: i32,
        place_id: i32,
        months: Option<i32>,
    },
    /// Passing an e-learning module (by its slug).
    Module(&'a str),
}

/// A certificate to issue: to whom, for what, when.
pub(crate) struct Issue<'a> {
    pub user_id: Option<i32>,
    pub name: &'a str,
    pub email: &'a str,
    pub title: &'a str,
    pub cpd_minutes: i32,
    pub at: DateTime<Utc>,
    pub of: Of<'a>,
}

/// Writes a certificate with a new code, unless the place (or the learner, for the module)
/// already has one. Returns its code and when it runs out, or None if it was there already.
pub(crate) async fn issue(
    c: &impl ConnectionTrait,
    i: Issue<'_>,
) -> Result<Option<(String, Option<DateTime<Utc>>)>, ServiceError> {
    let code = new_code();
    let (kind, event_id, place_id, module, months, mut once_per) = match i.of {
        Of::Place {
            event_id,
            place_id,
            months,
        } => (
            "event",
            Some(event_id),
            Some(place_id),
            None,
            months,
            OnConflict::column(cert::Column::PlaceId),
        ),
        Of::Module(slug) => (
            "module",
            None,
            None,
            Some(slug.to_owned()),
            None,
            OnConflict::columns([cert::Column::UserId, cert::Column::ModuleSlug]),
        ),
    };
    let expires_at = months
        .and_then(|m| u32::try_from(m).ok())
        .and_then(|m| i.at.checked_add_months(Months::new(m)));
    let written = cert::Entity::insert(cert::ActiveModel {
        code: Set(code.clone()),
        user_id: Set(i.user_id),
        name: Set(i.name.to_owned()),
        email: Set(i.email.to_owned()),
        kind: Set(kind.into()),
        title: Set(i.title.to_owned()),
        event_id: Set(event_id),
        place_id: Set(place_id),
        module_slug: Set(module),
        cpd_minutes: Set(i.cpd_minutes),
        issued_at: Set(i.at),
        expires_at: Set(expires_at),
        recert_reminded_at: Set(None),
        ..Default::default()
    })
    .on_conflict(once_per.do_nothing().to_owned())
    .exec_without_returning(c)
    .await?;
    Ok((written == 1).then_some((code, expires_at)))
}

/// Issues the certificate of attendance for a place just checked in, e-mails its holder, and
/// counts them trained if the event is accredited and they booked with an account.
pub(crate) async fn for_place(
    svc: &Services,
    c: &impl ConnectionTrait,
    now: DateTime<Utc>,
    e: &Event,
    p: &place::Model,
) -> Result<String, ServiceError> {
    let o = match p.order_id {
        Some(id) => order::Entity::find_by_id(id).one(c).await?,
        None => None,
    }
    .ok_or(ServiceError::NotFound("attendee"))?;
    let name = p.attendee_name.clone().unwrap_or_else(|| o.name.clone());
    let email = p.attendee_email.clone().unwrap_or_else(|| o.email.clone());
    let Some((code, expires_at)) = issue(
        c,
        Issue {
            user_id: o.user_id,
            name: &name,
            email: &email,
            title: &e.title,
            cpd_minutes: e.cpd_minutes,
            at: now,
            of: Of::Place {
                event_id: e.id,
                place_id: p.id,
                months: e.certificate_months,
            },
        },
    )
    .await?
    else {
        return Err(ServiceError::Conflict(format!(
            "{name} already has a certificate for this place"
        )));
    };
    if let (true, Some(user)) = (e.accredited, o.user_id) {
        mark_trained(c, now, user, format!("event:{}", e.uuid)).await?;
    }
    let base = svc.settings.public_url.trim_end_matches('/');
    crate::email::enqueue(
        c,
        now,
        &email,
        &format!("Your certificate: {}", e.title),
        &format!(
            "Dear {name},\n\nThank you for attending {}. Your certificate of attendance{} is ready to view, print or download:\n\n{base}/certificates/{code}\n\nIts verification code is {code}; anyone can check it at {base}/certificates/verify.{}\n\nwhatmatters\n",
            e.title,
            match e.cpd_minutes {
                0 => String::new(),
                m => format!(" ({})", domain::learning::cpd_label(m)),
            },
            expires_at
                .map(|t| format!(
                    " It is current until {}.",
                    domain::dates::long(domain::dates::uk_date(t))
                ))
                .unwrap_or_default()
        ),
    )
    .await?;
    Ok(code)
}

/// Issues the certificate for a module passed, once per learner; counts them trained if the
/// module does. Returns the code, or None if they already had one.
pub(crate) async fn for_module(
    c: &impl ConnectionTrait,
    now: DateTime<Utc>,
    actor: &Actor,
    m: &Module,
) -> Result<Option<String>, ServiceError> {
    let issued = issue(
        c,
        Issue {
            user_id: Some(actor.user_id),
            name: &actor.display_name,
            email: &actor.email,
            title: m.title,
            cpd_minutes: m.minutes,
            at: now,
            of: Of::Module(m.slug),
        },
    )
    .await?;
    if m.counts_as_trained {
        mark_trained(c, now, actor.user_id, format!("module:{}", m.slug)).await?;
    }
    Ok(issued.map(|(code, _)| code))
}

/// The issuer's name for each certificate.
async fn shown(
    c: &impl ConnectionTrait,
    rows: Vec<cert::Model>,
) -> Result<Vec<Certificate>, ServiceError> {
    let event_ids: Vec<i32> = rows.iter().filter_map(|r| r.event_id).collect();
    let events = event::Entity::find()
        .filter(event::Column::Id.is_in(event_ids))
        .all(c)
        .await?;
    let orgs = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(events.iter().map(|e| e.organisation_id)))
        .all(c)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let ev = events.iter().find(|e| Some(e.id) == r.event_id);
            let issuer = ev
                .and_then(|e| orgs.iter().find(|o| o.id == e.organisation_id))
                .map(|o| o.name.clone())
                .unwrap_or_else(|| "whatmatters e-learning".into());
            Certificate {
                code: r.code,
                name: r.name,
                kind: r.kind,
                title: r.title,
                issuer,
                cpd_minutes: r.cpd_minutes,
                issued_at: r.issued_at,
                expires_at: r.expires_at,
                event_uuid: ev.map(|e| e.uuid.clone()),
                module_slug: r.module_slug,
            }
        })
        .collect())
}

/// The certificate with this code, for anyone who has the code (that is what it is for).
pub async fn by_code(svc: &Services, code: &str) -> Result<Certificate, ServiceError> {
    let code = normalise_code(code);
    if code.len() > 16 {
        return Err(ServiceError::NotFound("certificate"));
    }
    let row = cert::Entity::find()
        .filter(cert::Column::Code.eq(code))
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("certificate"))?;
    shown(&svc.db, vec![row])
        .await?
        .pop()
        .ok_or(ServiceError::NotFound("certificate"))
}

/// The actor's certificates, newest first.
pub async fn mine(svc: &Services, actor: &Actor) -> Result<Vec<Certificate>, ServiceError> {
    let rows = cert::Entity::find()
        .filter(cert::Column::UserId.eq(actor.user_id))
        .order_by_desc(cert::Column::IssuedAt)
        .order_by_desc(cert::Column::Id)
        .limit(500)
        .all(&svc.db)
        .await?;
    shown(&svc.db, rows).await
}

/// The chore: holders of certificates running out within [`RECERTIFY_NOTICE_DAYS`] are
/// reminded to re-certify, once each (claimed by a conditional update).
pub async fn remind_expiring(svc: &Services) -> Result<u64, ServiceError> {
    let now = svc.now();
    let due = cert::Entity::find()
        .filter(cert::Column::ExpiresAt.gt(now))
        .filter(cert::Column::ExpiresAt.lte(now + Duration::days(RECERTIFY_NOTICE_DAYS)))
        .filter(cert::Column::RecertRemindedAt.is_null())
        .limit(500)
        .all(&svc.db)
        .await?;
    let base = svc.settings.public_url.trim_end_matches('/').to_owned();
    let mut sent = 0;
    for c in due {
        let txn = store::begin_write(&svc.db).await?;
        let claimed = cert::Entity::update_many()
            .col_expr(cert::Column::RecertRemindedAt, Expr::value(now))
            .filter(cert::Column::Id.eq(c.id))
            .filter(cert::Column::RecertRemindedAt.is_null())
            .exec(&txn)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        let topic = match c.event_id {
            Some(id) => event::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .map(|e| e.topic),
            None => None,
        };
        let find = topic
            .map(|t| format!("{base}/learning?topic={t}"))
            .unwrap_or_else(|| format!("{base}/learning"));
        crate::email::enqueue(
            &txn,
            now,
            &c.email,
            &format!("Time to re-certify: {}", c.title),
            &format!(
                "Dear {},\n\nYour certificate for {} ({}) stops being current on {}.\n\nTo stay certified, book a place on a course before then: {find}\n\nwhatmatters\n",
                c.name,
                c.title,
                c.code,
                c.expires_at
                    .map(|t| domain::dates::long(domain::dates::uk_date(t)))
                    .unwrap_or_default(),
            ),
        )
        .await?;
        txn.commit().await?;
        sent += 1;
    }
    if sent > 0 {
        svc.jobs_queued();
    }
    Ok(sent)
}
