//! Mailing lists ("Keep in the loop"): anyone may ask to join; the address's owner confirms by
//! a signed link that runs out after [`CONFIRM_DAYS`] (double opt-in); every consent given,
//! confirmed or withdrawn is recorded with the exact wording shown, when, and from where.
//! Every message carries a link to leave, and RFC 8058 headers so a mail program can offer to
//! unsubscribe in one click (a POST that asks nothing more).
//!
//! Organisers send a message to a list's subscribers as one job per recipient, all queued in
//! the transaction that records the message. Each job hands its recipient's e-mail to the
//! outbox and marks its delivery done in one transaction, so a send stopped half-way resumes
//! where it stopped and nobody gets a message twice.

use chrono::{DateTime, Duration, Utc};
use domain::networks::{self as rules, SubscriptionState};
use domain::{Email, Permission};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};
use serde::{Deserialize, Serialize};
use store::entities::{
    email_outbox, list_consent as consent, list_delivery as delivery, list_message as message,
    list_subscription as subscription, mailing_list, organisation,
};

use crate::audit::{self, Event as AuditEvent, Outcome};
use crate::error::Problems;
use crate::jobs::{self, Job};
use crate::signing::{self, Refused};
use crate::{Actor, RequestMeta, ServiceError, Services, limits};

/// How long a confirmation link works.
pub const CONFIRM_DAYS: i64 = 7;
/// The job kind that sends one list message to one subscriber.
pub const DELIVER: &str = "list_delivery";
const CONFIRM: &str = "list-confirm";
const LEAVE: &str = "list-unsubscribe";

/// A mailing list, as its page shows it.
#[derive(Clone, Debug)]
pub struct List {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub organisation_id: i32,
    pub organisation: String,
    pub path: String,
    pub network_id: Option<i32>,
    pub wording_version: i32,
    /// What someone agrees to by subscribing, shown beside the button and kept with each consent.
    pub wording: String,
}

impl List {
    pub fn organised_by(&self, actor: &Actor) -> bool {
        actor.can_at(Permission::RunNetworks, &self.path)
    }
}

async fn whole(c: &impl ConnectionTrait, l: mailing_list::Model) -> Result<List, ServiceError> {
    let org = organisation::Entity::find_by_id(l.organisation_id)
        .one(c)
        .await?
        .ok_or(ServiceError::NotFound("mailing list"))?;
    Ok(List {
        id: l.id,
        slug: l.slug,
        name: l.name,
        description: l.description,
        organisation_id: l.organisation_id,
        organisation: org.name,
        path: org.path,
        network_id: l.network_id,
        wording_version: l.wording_version,
        wording: l.wording,
    })
}

/// One list by its slug (public).
pub async fn get(svc: &Services, slug: &str) -> Result<List, ServiceError> {
    let l = mailing_list::Entity::find()
        .filter(mailing_list::Column::Slug.eq(slug))
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("mailing list"))?;
    whole(&svc.db, l).await
}

/// Every list, by name (public).
pub async fn all(svc: &Services) -> Result<Vec<List>, ServiceError> {
    let rows = mailing_list::Entity::find()
        .order_by_asc(mailing_list::Column::Name)
        .all(&svc.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for l in rows {
        out.push(whole(&svc.db, l).await?);
    }
    Ok(out)
}

/// The lists of a network.
pub async fn of_network(svc: &Services, network_id: i32) -> Result<Vec<List>, ServiceError> {
    Ok(all(svc)
        .await?
        .into_iter()
        .filter(|l| l.network_id == Some(network_id))
        .collect())
}

async fn organised(svc: &Services, actor: &Actor, slug: &str) -> Result<List, ServiceError> {
    let l = get(svc, slug).await?;
    if !l.organised_by(actor) {
        return Err(ServiceError::Forbidden(format!(
            "run {}: only its organisers can",
            l.name
        )));
    }
    Ok(l)
}

/// The form's fields in the order they appear.
pub const SUBSCRIBE_FIELDS: [&str; 2] = ["name", "email"];

fn base(svc: &Services) -> String {
    svc.settings.public_url.trim_end_matches('/').to_owned()
}

async fn record_consent(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    meta: &RequestMeta,
    s: &subscription::Model,
    action: &str,
    wording: Option<(i32, &str)>,
    source: &str,
) -> Result<(), ServiceError> {
    consent::ActiveModel {
        subscription_id: Set(s.id),
        list_id: Set(s.list_id),
        action: Set(action.into()),
        wording_version: Set(wording.map(|w| w.0)),
        wording: Set(wording.map(|w| w.1.to_owned())),
        source: Set(source.chars().take(100).collect()),
        ip: Set(meta.ip.as_ref().map(|ip| ip.chars().take(64).collect())),
        at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Asks to join a list. Whoever owns the address gets an e-mail: a link to confirm, or, if they
/// are already subscribed, a note saying so. The caller sees the same answer either way.
/// `source` says where they asked (a page's address, "api").
pub async fn subscribe(
    svc: &Services,
    meta: &RequestMeta,
    slug: &str,
    name: &str,
    email_addr: &str,
    source: &str,
) -> Result<(), ServiceError> {
    let l = get(svc, slug).await?;
    let mut p = Problems::default();
    let name = p
        .text("name", &Some(name.to_owned()), rules::SUBSCRIBER_NAME)
        .unwrap_or_default();
    let addr = if email_addr.trim().is_empty() {
        p.add("email", "Enter your email address");
        None
    } else {
        p.take("email", Email::parse(email_addr))
    };
    p.finish()?;
    let Some(addr) = addr else {
        return Err(ServiceError::Internal("validated address missing".into()));
    };
    limits::check(svc, &limits::LIST_PER_ADDRESS, &limits::address(meta)).await?;
    limits::check(
        svc,
        &limits::LIST_PER_EMAIL,
        &limits::account(addr.as_str()),
    )
    .await?;
    let key = signing::key(svc).await?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let backend = txn.get_database_backend();
    // One row an address a list, however many ask at once.
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        "INSERT INTO list_subscriptions (list_id, email, name, state, created_at) VALUES ($1, $2, $3, 'pending', $4) ON CONFLICT (list_id, email) DO NOTHING",
        [l.id.into(), addr.as_str().into(), name.clone().into(), now.into()],
    ))
    .await?;
    let s = subscription::Entity::find()
        .filter(subscription::Column::ListId.eq(l.id))
        .filter(subscription::Column::Email.eq(addr.as_str()))
        .one(&txn)
        .await?
        .ok_or_else(|| ServiceError::Internal("the subscription was not kept".into()))?;
    let state = SubscriptionState::parse(&s.state).unwrap_or(SubscriptionState::Pending);
    let greeting = if s.name.is_empty() && name.is_empty() {
        "Hello".to_owned()
    } else {
        format!("Dear {}", if name.is_empty() { &s.name } else { &name })
    };
    if state == SubscriptionState::Subscribed {
        crate::email::enqueue(
            &txn,
            now,
            &s.email,
            &format!("You are already on {}", l.name),
            &format!(
                "{greeting},\n\nSomeone asked to add this address to {}, which it is already on, so nothing has changed.\n\nTo leave the list: {}/lists/{}/leave/{}\n\n{}\n",
                l.name,
                base(svc),
                l.slug,
                key.sign(LEAVE, s.id, None),
                l.organisation
            ),
        )
        .await?;
    } else {
        if state == SubscriptionState::Unsubscribed || !name.is_empty() {
            subscription::Entity::update_many()
                .col_expr(subscription::Column::State, Expr::value("pending"))
                .col_expr(subscription::Column::Name, Expr::value(name.clone()))
                .filter(subscription::Column::Id.eq(s.id))
                .filter(subscription::Column::State.ne("subscribed"))
                .exec(&txn)
                .await?;
        }
        record_consent(
            &txn,
            now,
            meta,
            &s,
            "given",
            Some((l.wording_version, &l.wording)),
            source,
        )
        .await?;
        let token = key.sign(CONFIRM, s.id, Some(now + Duration::days(CONFIRM_DAYS)));
        crate::email::enqueue(
            &txn,
            now,
            &s.email,
            &format!("Confirm you want to join {}", l.name),
            &format!(
                "{greeting},\n\nPlease confirm that you want to receive {} from {}:\n\n{}/lists/confirm/{token}\n\nThe link works for {CONFIRM_DAYS} days. Until you confirm, we will send you nothing else.\n\nWhat you agreed to: {}\n\nIf it was not you, ignore this email and you will not be added.\n\n{}\n",
                l.name,
                l.organisation,
                base(svc),
                l.wording,
                l.organisation
            ),
        )
        .await?;
    }
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("list_subscribe_requested", Outcome::Success)
            .by_label(None, s.email.clone())
            .entity("list_subscription", s.id)
            .organisation(l.organisation_id),
    )
    .await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok(())
}

/// What happened to a confirmation or unsubscribe link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkResult {
    /// Done (or already done): the list's name and slug.
    Done { list: String, slug: String },
    /// The link has run out: the list's slug, to ask again.
    Expired { slug: String },
    /// Not a link of ours.
    Invalid,
}

async fn list_of(c: &impl ConnectionTrait, s: &subscription::Model) -> Result<List, ServiceError> {
    let l = mailing_list::Entity::find_by_id(s.list_id)
        .one(c)
        .await?
        .ok_or(ServiceError::NotFound("mailing list"))?;
    whole(c, l).await
}

/// Confirms a subscription by its e-mailed link.
pub async fn confirm(
    svc: &Services,
    meta: &RequestMeta,
    token: &str,
) -> Result<LinkResult, ServiceError> {
    let now = svc.now();
    let id = match signing::key(svc).await?.check(CONFIRM, token, now) {
        Ok(id) => id,
        Err(Refused::Invalid) => return Ok(LinkResult::Invalid),
        Err(Refused::Expired) => {
            let slug = match subscription_by_token_id(svc, token).await? {
                Some(s) => list_of(&svc.db, &s).await?.slug,
                None => return Ok(LinkResult::Invalid),
            };
            return Ok(LinkResult::Expired { slug });
        }
    };
    let txn = store::begin_write(&svc.db).await?;
    let Some(s) = subscription::Entity::find_by_id(id).one(&txn).await? else {
        return Ok(LinkResult::Invalid);
    };
    let l = list_of(&txn, &s).await?;
    // Pending only: a confirmation link from before someone left does not bring them back.
    if s.state == "pending" {
        subscription::Entity::update_many()
            .col_expr(subscription::Column::State, Expr::value("subscribed"))
            .col_expr(subscription::Column::ConfirmedAt, Expr::value(Some(now)))
            .col_expr(
                subscription::Column::UnsubscribedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(subscription::Column::Id.eq(s.id))
            .filter(subscription::Column::State.eq("pending"))
            .exec(&txn)
            .await?;
        record_consent(
            &txn,
            now,
            meta,
            &s,
            "confirmed",
            Some((l.wording_version, &l.wording)),
            "confirmation link",
        )
        .await?;
        audit::record(
            &txn,
            now,
            meta,
            AuditEvent::new("list_subscribed", Outcome::Success)
                .by_label(None, s.email.clone())
                .entity("list_subscription", s.id)
                .organisation(l.organisation_id),
        )
        .await?;
    } else if s.state == "unsubscribed" {
        return Ok(LinkResult::Expired { slug: l.slug });
    }
    txn.commit().await?;
    Ok(LinkResult::Done {
        list: l.name,
        slug: l.slug,
    })
}

/// The subscription a token names, read without checking it (only to say which list an
/// expired link was for).
async fn subscription_by_token_id(
    svc: &Services,
    token: &str,
) -> Result<Option<subscription::Model>, ServiceError> {
    let Some(id) = token.split('-').next().and_then(|x| x.parse::<i32>().ok()) else {
        return Ok(None);
    };
    Ok(subscription::Entity::find_by_id(id).one(&svc.db).await?)
}

async fn withdraw(
    svc: &Services,
    meta: &RequestMeta,
    s: &subscription::Model,
    l: &List,
    source: &str,
) -> Result<(), ServiceError> {
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let done = subscription::Entity::update_many()
        .col_expr(subscription::Column::State, Expr::value("unsubscribed"))
        .col_expr(subscription::Column::UnsubscribedAt, Expr::value(Some(now)))
        .filter(subscription::Column::Id.eq(s.id))
        .filter(subscription::Column::State.ne("unsubscribed"))
        .exec(&txn)
        .await?;
    if done.rows_affected > 0 {
        record_consent(&txn, now, meta, s, "withdrawn", None, source).await?;
        audit::record(
            &txn,
            now,
            meta,
            AuditEvent::new("list_unsubscribed", Outcome::Success)
                .by_label(None, s.email.clone())
                .entity("list_subscription", s.id)
                .organisation(l.organisation_id)
                .detail(source.to_owned()),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Leaves a list by the link in a message (a click on the page, or a mail program's one-click
/// POST). Leaving twice is the same as once.
pub async fn unsubscribe(
    svc: &Services,
    meta: &RequestMeta,
    slug: &str,
    token: &str,
    source: &str,
) -> Result<LinkResult, ServiceError> {
    let Ok(id) = signing::key(svc).await?.check(LEAVE, token, svc.now()) else {
        return Ok(LinkResult::Invalid);
    };
    let Some(s) = subscription::Entity::find_by_id(id).one(&svc.db).await? else {
        return Ok(LinkResult::Invalid);
    };
    let l = list_of(&svc.db, &s).await?;
    if l.slug != slug {
        return Ok(LinkResult::Invalid);
    }
    withdraw(svc, meta, &s, &l, source).await?;
    Ok(LinkResult::Done {
        list: l.name,
        slug: l.slug,
    })
}

/// Leaves a list by typing an address. The answer is the same whether or not the address was
/// on the list, so nobody can learn who is.
pub async fn unsubscribe_address(
    svc: &Services,
    meta: &RequestMeta,
    slug: &str,
    email_addr: &str,
) -> Result<(), ServiceError> {
    let l = get(svc, slug).await?;
    let addr = if email_addr.trim().is_empty() {
        return Err(ServiceError::invalid("email", "Enter your email address"));
    } else {
        Email::parse(email_addr).map_err(|e| ServiceError::invalid("email", e.to_string()))?
    };
    limits::check(svc, &limits::LIST_PER_ADDRESS, &limits::address(meta)).await?;
    let s = subscription::Entity::find()
        .filter(subscription::Column::ListId.eq(l.id))
        .filter(subscription::Column::Email.eq(addr.as_str()))
        .one(&svc.db)
        .await?;
    if let Some(s) = s {
        withdraw(svc, meta, &s, &l, "address typed on the list's page").await?;
    }
    Ok(())
}

/// A list as its organisers see it: how many are subscribed or waiting to confirm, and the
/// messages sent, newest first, with how many have gone.
pub struct Overview {
    pub list: List,
    pub subscribed: u64,
    pub pending: u64,
    pub messages: Vec<Sent>,
}

#[derive(Clone, Debug)]
pub struct Sent {
    pub id: i32,
    pub subject: String,
    pub created_at: DateTime<Utc>,
    pub recipients: i32,
    pub delivered: u64,
}

pub async fn overview(svc: &Services, actor: &Actor, slug: &str) -> Result<Overview, ServiceError> {
    let list = organised(svc, actor, slug).await?;
    let count = |state: &'static str| {
        subscription::Entity::find()
            .filter(subscription::Column::ListId.eq(list.id))
            .filter(subscription::Column::State.eq(state))
            .count(&svc.db)
    };
    let subscribed = count("subscribed").await?;
    let pending = count("pending").await?;
    let rows = message::Entity::find()
        .filter(message::Column::ListId.eq(list.id))
        .order_by_desc(message::Column::Id)
        .limit(50)
        .all(&svc.db)
        .await?;
    let mut messages = Vec::with_capacity(rows.len());
    for m in rows {
        let delivered = delivery::Entity::find()
            .filter(delivery::Column::MessageId.eq(m.id))
            .filter(delivery::Column::SentAt.is_not_null())
            .count(&svc.db)
            .await?;
        messages.push(Sent {
            id: m.id,
            subject: m.subject,
            created_at: m.created_at,
            recipients: m.recipients,
            delivered,
        });
    }
    Ok(Overview {
        list,
        subscribed,
        pending,
        messages,
    })
}

/// The payload of a [`DELIVER`] job.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Deliver {
    pub delivery_id: i32,
}

/// The form's fields in the order they appear.
pub const SEND_FIELDS: [&str; 2] = ["subject", "body"];

/// Sends a message to everyone subscribed to a list now: records it, and queues one delivery
/// and one job for each subscriber, all in one transaction. Returns the message's id and how
/// many it is going to.
pub async fn send(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    slug: &str,
    subject: &str,
    body: &str,
) -> Result<(i32, i32), ServiceError> {
    let l = organised(svc, actor, slug).await?;
    let mut p = Problems::default();
    let subject = p.required(
        "subject",
        &Some(subject.to_owned()),
        rules::LIST_SUBJECT,
        "Enter a subject",
    );
    let body = p.required(
        "body",
        &Some(body.to_owned()),
        rules::LIST_BODY,
        "Enter the message",
    );
    p.finish()?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let m = message::ActiveModel {
        list_id: Set(l.id),
        subject: Set(subject.unwrap_or_default()),
        body: Set(body.unwrap_or_default()),
        sent_by: Set(Some(actor.user_id)),
        recipients: Set(0),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let backend = txn.get_database_backend();
    let queued = txn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO list_deliveries (message_id, subscription_id) SELECT $1, id FROM list_subscriptions WHERE list_id = $2 AND state = 'subscribed'",
            [m.id.into(), l.id.into()],
        ))
        .await?
        .rows_affected();
    if queued == 0 {
        return Err(ServiceError::Conflict(format!(
            "No one has confirmed they want {} yet, so there is no one to send to",
            l.name
        )));
    }
    // One job a recipient, made by the database in one statement however many there are.
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        "INSERT INTO jobs (kind, payload, run_at, attempts, max_attempts, created_at) SELECT $1, '{\"delivery_id\":' || id || '}', $2, 0, $3, $4 FROM list_deliveries WHERE message_id = $5",
        [
            DELIVER.into(),
            now.into(),
            jobs::DEFAULT_MAX_ATTEMPTS.into(),
            now.into(),
            m.id.into(),
        ],
    ))
    .await?;
    let recipients = i32::try_from(queued).unwrap_or(i32::MAX);
    message::Entity::update_many()
        .col_expr(message::Column::Recipients, Expr::value(recipients))
        .filter(message::Column::Id.eq(m.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("list_message_sent", Outcome::Success)
            .by(actor)
            .entity("list_message", m.id)
            .organisation(l.organisation_id)
            .detail(format!("{}: {recipients} recipient(s)", l.slug)),
    )
    .await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok((m.id, recipients))
}

/// The [`DELIVER`] job: puts one subscriber's copy of a message in the outbox (with its leave
/// link in the text and RFC 8058 headers) and marks the delivery done, together. A delivery
/// already done is not done again; one to someone who left meanwhile is skipped.
pub async fn deliver(svc: Services, job: Job) -> Result<(), String> {
    let Deliver { delivery_id } = job.payload()?;
    deliver_one(&svc, delivery_id)
        .await
        .map_err(|e| e.to_string())
}

async fn deliver_one(svc: &Services, delivery_id: i32) -> Result<(), ServiceError> {
    let key = signing::key(svc).await?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let backend = txn.get_database_backend();
    // Claimed and marked done in one statement: a delivery already done is left alone, and
    // two runs of the same job cannot both get past here.
    let Some(row) = txn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            "UPDATE list_deliveries SET sent_at = $1, outcome = 'queued' WHERE id = $2 AND sent_at IS NULL RETURNING message_id, subscription_id",
            [now.into(), delivery_id.into()],
        ))
        .await?
    else {
        return Ok(());
    };
    let message_id: i32 = row.try_get("", "message_id")?;
    let subscription_id: i32 = row.try_get("", "subscription_id")?;
    let Some(r) = txn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            "SELECT m.subject, m.body, s.email, s.state, l.name, l.slug, o.name AS organisation \
             FROM list_messages m \
             JOIN list_subscriptions s ON s.id = $1 \
             JOIN mailing_lists l ON l.id = m.list_id \
             JOIN organisations o ON o.id = l.organisation_id \
             WHERE m.id = $2",
            [subscription_id.into(), message_id.into()],
        ))
        .await?
    else {
        return Err(ServiceError::NotFound("list message"));
    };
    let get = |col: &str| r.try_get::<String>("", col);
    if get("state")? != SubscriptionState::Subscribed.as_str() {
        delivery::Entity::update_many()
            .col_expr(delivery::Column::Outcome, Expr::value("skipped"))
            .filter(delivery::Column::Id.eq(delivery_id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        return Ok(());
    }
    // A page for people, and for mail programs the API's one-click POST (RFC 8058).
    let token = key.sign(LEAVE, subscription_id, None);
    let slug = get("slug")?;
    let leave = format!("{}/lists/{slug}/leave/{token}", base(svc));
    let one_click = format!("{}/api/v1/lists/{slug}/unsubscribe/{token}", base(svc));
    let saved = email_outbox::ActiveModel {
        to_address: Set(get("email")?),
        subject: Set(get("subject")?),
        body_text: Set(format!(
            "{}\n\n--\nYou are getting this because you joined {} from {}. To leave the list: {leave}\n",
            get("body")?,
            get("name")?,
            get("organisation")?
        )),
        created_at: Set(now),
        attempts: Set(0),
        list_unsubscribe: Set(Some(one_click)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    jobs::enqueue(
        &txn,
        now,
        crate::email::SEND_EMAIL,
        &crate::email::SendEmail { email_id: saved.id },
        now,
    )
    .await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok(())
}

/// A consent record, as an organiser or the address's owner may be shown it.
#[derive(Clone, Debug)]
pub struct Consent {
    pub action: String,
    pub wording_version: Option<i32>,
    pub wording: Option<String>,
    pub source: String,
    pub at: DateTime<Utc>,
}

/// The consent records of one address on a list, oldest first (organisers).
pub async fn consents(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    slug: &str,
    email_addr: &str,
) -> Result<Vec<Consent>, ServiceError> {
    let l = organised(svc, actor, slug).await?;
    let addr =
        Email::parse(email_addr).map_err(|e| ServiceError::invalid("email", e.to_string()))?;
    let Some(s) = subscription::Entity::find()
        .filter(subscription::Column::ListId.eq(l.id))
        .filter(subscription::Column::Email.eq(addr.as_str()))
        .one(&svc.db)
        .await?
    else {
        return Ok(Vec::new());
    };
    let list = consent::Entity::find()
        .filter(consent::Column::SubscriptionId.eq(s.id))
        .order_by_asc(consent::Column::Id)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|c| Consent {
            action: c.action,
            wording_version: c.wording_version,
            wording: c.wording,
            source: c.source,
            at: c.at,
        })
        .collect();
    audit::log(
        svc,
        svc.now(),
        meta,
        AuditEvent::new("list_consents_viewed", Outcome::Success)
            .by(actor)
            .entity("list_subscription", s.id)
            .organisation(l.organisation_id),
    )
    .await?;
    Ok(list)
}
