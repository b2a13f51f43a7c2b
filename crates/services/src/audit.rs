//! The audit log: written in the same transaction as the change it records, searched by admins.

use chrono::{DateTime, Utc};
use domain::Permission;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use store::entities::audit_event;

use crate::paging::Paging;
use crate::{Actor, RequestMeta, ServiceError, Services};

/// How an audited action ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Refused,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Refused => "refused",
        }
    }
}

/// One event to record. Build with [`Event::new`] and the `with_*` methods.
#[derive(Clone, Debug)]
pub struct Event {
    pub action: &'static str,
    pub outcome: Outcome,
    pub actor_user_id: Option<i32>,
    pub actor_label: String,
    pub entity: Option<(&'static str, String)>,
    pub person_id: Option<i32>,
    pub organisation_id: Option<i32>,
    pub purpose: Option<String>,
    pub detail: Option<String>,
}

impl Event {
    pub fn new(action: &'static str, outcome: Outcome) -> Self {
        Event {
            action,
            outcome,
            actor_user_id: None,
            actor_label: "anonymous".into(),
            entity: None,
            person_id: None,
            organisation_id: None,
            purpose: None,
            detail: None,
        }
    }

    pub fn by(mut self, actor: &Actor) -> Self {
        self.actor_user_id = Some(actor.user_id);
        self.actor_label = actor.email.clone();
        self
    }

    pub fn by_label(mut self, user_id: Option<i32>, label: impl Into<String>) -> Self {
        self.actor_user_id = user_id;
        self.actor_label = label.into();
        self
    }

    pub fn entity(mut self, kind: &'static str, id: impl ToString) -> Self {
        self.entity = Some((kind, id.to_string()));
        self
    }

    pub fn organisation(mut self, id: i32) -> Self {
        self.organisation_id = Some(id);
        self
    }

    pub fn purpose(mut self, p: impl Into<String>) -> Self {
        self.purpose = Some(p.into());
        self
    }

    pub fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = Some(d.into());
        self
    }
}

fn model(at: DateTime<Utc>, meta: &RequestMeta, e: Event) -> audit_event::ActiveModel {
    let (entity_type, entity_id) = match e.entity {
        Some((t, id)) => (Some(t.to_owned()), Some(id)),
        None => (None, None),
    };
    audit_event::ActiveModel {
        at: Set(at),
        request_id: Set(meta.request_id.clone()),
        actor_user_id: Set(e.actor_user_id),
        actor_label: Set(printable(&e.actor_label, 254)),
        action: Set(e.action.to_owned()),
        entity_type: Set(entity_type),
        entity_id: Set(entity_id),
        person_id: Set(e.person_id),
        organisation_id: Set(e.organisation_id),
        purpose: Set(e.purpose),
        outcome: Set(e.outcome.as_str().to_owned()),
        detail: Set(e.detail.map(|d| printable(&d, 2_000))),
        ip: Set(meta.ip.clone()),
        ..Default::default()
    }
}

/// Writes an event on the given connection or transaction: for a change, in the change's own
/// transaction, so the change and its record commit together or not at all.
pub async fn record<C: ConnectionTrait>(
    c: &C,
    at: DateTime<Utc>,
    meta: &RequestMeta,
    e: Event,
) -> Result<(), ServiceError> {
    model(at, meta, e).insert(c).await?;
    Ok(())
}

/// Writes an event that belongs to no transaction (a read, a refusal, a sign-in) by group
/// commit: it joins the events waiting to be written, they are written together in one
/// transaction, and this returns once that transaction has committed. No event is lost (the
/// caller waits for its own), and many reads share one commit.
pub async fn log(
    svc: &Services,
    at: DateTime<Utc>,
    meta: &RequestMeta,
    e: Event,
) -> Result<(), ServiceError> {
    let (reply, done) = tokio::sync::oneshot::channel();
    svc.audit
        .sender()
        .send((model(at, meta, e), reply))
        .await
        .map_err(|_| ServiceError::Internal("the audit writer has stopped".into()))?;
    done.await
        .map_err(|_| ServiceError::Internal("the audit writer has stopped".into()))?
        .map_err(|e| ServiceError::Internal(format!("writing audit events: {e}")))
}

type Pending = (
    audit_event::ActiveModel,
    tokio::sync::oneshot::Sender<Result<(), String>>,
);

/// Events written together at most (well within both databases' limits on bound values).
const BATCH: usize = 256;

/// The group-commit writer of one [`Services`]: a task started on first use.
pub struct GroupCommit {
    db: store::DatabaseConnection,
    sender: std::sync::OnceLock<tokio::sync::mpsc::Sender<Pending>>,
    commits: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl GroupCommit {
    pub fn new(db: store::DatabaseConnection) -> Self {
        GroupCommit {
            db,
            sender: std::sync::OnceLock::new(),
            commits: Default::default(),
        }
    }

    /// Transactions committed so far (each holding one or more events).
    pub fn commits(&self) -> u64 {
        self.commits.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn sender(&self) -> tokio::sync::mpsc::Sender<Pending> {
        self.sender
            .get_or_init(|| {
                let (tx, rx) = tokio::sync::mpsc::channel(4 * BATCH);
                tokio::spawn(write_batches(self.db.clone(), rx, self.commits.clone()));
                tx
            })
            .clone()
    }
}

/// Takes whatever has queued (up to [`BATCH`]) while the last commit ran, writes it in one
/// transaction and tells each waiter how it went.
async fn write_batches(
    db: store::DatabaseConnection,
    mut rx: tokio::sync::mpsc::Receiver<Pending>,
    commits: std::sync::Arc<std::sync::atomic::AtomicU64>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        let (models, replies): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
        let written: Result<(), sea_orm::DbErr> = async {
            let txn = store::begin_write(&db).await?;
            let mut models = models.into_iter();
            for n in chunk_sizes(models.len()) {
                audit_event::Entity::insert_many(models.by_ref().take(n))
                    .exec(&txn)
                    .await?;
            }
            txn.commit().await
        }
        .await;
        if written.is_ok() {
            commits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        let outcome = written.map_err(|e| {
            tracing::error!(error = %e, "could not write audit events");
            e.to_string()
        });
        for reply in replies {
            let _ = reply.send(outcome.clone());
        }
    }
}

/// How to split `n` events into inserts whose sizes are powers of two, largest first. Each
/// size of insert is a statement of its own text, prepared once and kept by each connection:
/// a few sizes stay in the connections' statement caches, where every size from 1 to
/// [`BATCH`] would crowd out the statements the requests use.
fn chunk_sizes(n: usize) -> impl Iterator<Item = usize> {
    (0..usize::BITS)
        .rev()
        .map(|bit| 1usize << bit)
        .filter(move |size| n & size != 0)
}

/// A label or detail fit for the log: at most `max` characters, control characters (which may
/// come from what someone typed, as an e-mail address when signing in) shown as U+FFFD.
fn printable(s: &str, max: usize) -> String {
    s.chars()
        .take(max)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

/// Filters for the admin search page and API.
#[derive(Clone, Debug, Default)]
pub struct Search {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    pub person_id: Option<i32>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub page: u64,
    pub per_page: u64,
}

pub struct Page {
    pub events: Vec<audit_event::Model>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl Page {
    pub fn total_pages(&self) -> u64 {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }
}

pub async fn search(svc: &Services, actor: &Actor, s: Search) -> Result<Page, ServiceError> {
    actor.require(Permission::ViewAudit, "search the audit log")?;
    let mut p = crate::error::Problems::default();
    let (who, action, outcome) = (
        p.text("actor", &s.actor, domain::text::SEARCH),
        p.text("action", &s.action, domain::text::SEARCH),
        p.text("outcome", &s.outcome, domain::text::SEARCH),
    );
    p.finish()?;
    let mut q = audit_event::Entity::find();
    if let Some(a) = who {
        q = q.filter(audit_event::Column::ActorLabel.contains(a.to_lowercase()));
    }
    if let Some(a) = action {
        q = q.filter(audit_event::Column::Action.eq(a));
    }
    if let Some(o) = outcome {
        q = q.filter(audit_event::Column::Outcome.eq(o));
    }
    if let Some(p) = s.person_id {
        q = q.filter(audit_event::Column::PersonId.eq(p));
    }
    if let Some(f) = s.from {
        q = q.filter(audit_event::Column::At.gte(f));
    }
    if let Some(t) = s.to {
        q = q.filter(audit_event::Column::At.lt(t));
    }
    let paging = Paging::new(s.page, s.per_page)?;
    let (page, per_page) = (paging.page, paging.per_page);
    let total = q.clone().count(&svc.db).await?;
    let events = q
        .order_by_desc(audit_event::Column::At)
        .order_by_desc(audit_event::Column::Id)
        .offset(paging.offset())
        .limit(per_page)
        .all(&svc.db)
        .await?;
    Ok(Page {
        events,
        total,
        page,
        per_page,
    })
}

/// The distinct actions recorded so far, for the search form's options.
pub const ACTIONS: &[&str] = &[
    "sign_in",
    "sign_out",
    "session_expired",
    "password_reset_requested",
    "password_reset_completed",
    "api_token_created",
    "api_token_revoked",
    "api_token_rejected",
    "access_refused",
    "csrf_rejected",
    "organisation_created",
    "organisation_updated",
    "organisation_viewed",
    "user_created",
    "membership_added",
    "ods_import",
    "audit_searched",
];

#[cfg(test)]
mod chunk_tests {
    use super::{BATCH, chunk_sizes};

    #[test]
    fn batches_split_into_a_few_sizes_of_insert() {
        assert_eq!(chunk_sizes(37).collect::<Vec<_>>(), vec![32, 4, 1]);
        assert_eq!(chunk_sizes(1).collect::<Vec<_>>(), vec![1]);
        assert_eq!(chunk_sizes(0).count(), 0);
        let mut sizes = std::collections::BTreeSet::new();
        for n in 1..=BATCH {
            let parts: Vec<usize> = chunk_sizes(n).collect();
            assert_eq!(parts.iter().sum::<usize>(), n);
            sizes.extend(parts);
        }
        assert_eq!(sizes.len(), 9, "1, 2, 4 ... 256");
    }
}
