//! Certificates: of attendance, issued when an organiser checks someone in (with the event's
//! CPD time, and an expiry if the event sets one), and of e-learning modules passed. Each
//! carries a code anyone can check on the public verification page; holders are reminded to
//! re-certify before one runs out. Who counts as trained is kept beside them.

use chrono::{DateTime, Duration, Months, Utc};
use domain::learning::elearning::Module;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
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
    let expires_at = e
        .certificate_months
        .and_then(|m| u32::try_from(m).ok())
        .and_then(|m| now.checked_add_months(Months::new(m)));
    let code = new_code();
    cert::ActiveModel {
        code: Set(code.clone()),
        user_id: Set(o.user_id),
        name: Set(name.clone()),
        email: Set(email.clone()),
        kind: Set("event".into()),
        title: Set(e.title.clone()),
        event_id: Set(Some(e.id)),
        place_id: Set(Some(p.id)),
        module_slug: Set(None),
        cpd_minutes: Set(e.cpd_minutes),
        issued_at: Set(now),
        expires_at: Set(expires_at),
        recert_reminded_at: Set(None),
        ..Default::default()
    }
    .insert(c)
    .await?;
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
    let code = new_code();
    let written = cert::Entity::insert(cert::ActiveModel {
        code: Set(code.clone()),
        user_id: Set(Some(actor.user_id)),
        name: Set(actor.display_name.clone()),
        email: Set(actor.email.clone()),
        kind: Set("module".into()),
        title: Set(m.title.into()),
        event_id: Set(None),
        place_id: Set(None),
        module_slug: Set(Some(m.slug.into())),
        cpd_minutes: Set(m.minutes),
        issued_at: Set(now),
        expires_at: Set(None),
        recert_reminded_at: Set(None),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([cert::Column::UserId, cert::Column::ModuleSlug])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(c)
    .await?;
    if m.counts_as_trained {
        mark_trained(c, now, actor.user_id, format!("module:{}", m.slug)).await?;
    }
    Ok((written == 1).then_some(code))
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
