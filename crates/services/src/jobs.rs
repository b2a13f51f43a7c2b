//! Jobs: work a change causes, done after it commits, by a worker in any instance.
//!
//! - [`enqueue`] adds a job on the caller's connection, so it is queued in the same transaction
//!   as the change that causes it (or not at all). After the commit, the caller calls
//!   [`Services::jobs_queued`] so this process's worker starts at once; other instances find it
//!   at their next poll.
//! - [`claim`] hands each due job to one worker: a single `UPDATE … RETURNING` that counts the
//!   attempt and locks the job until `now + lock_for` (PostgreSQL picks the rows with
//!   `FOR UPDATE SKIP LOCKED`, so instances claiming together take different jobs without
//!   waiting on each other; SQLite runs the statement in a write transaction, which it
//!   serialises).
//! - A job that succeeds is deleted. One that fails is retried after [`backoff`] (30 seconds,
//!   doubling, at most an hour), keeping its `last_error`; when its `max_attempts` are used up
//!   it stays in the table with `failed_at` set and is not run again ([`failed`] lists them).
//! - A job whose worker stopped (a crash, a lost connection) is claimed again once its lock
//!   expires; if that was its last attempt it is marked failed.
//! - [`Worker`] runs the jobs of the kinds in its [`Registry`], woken by
//!   [`Services::jobs_queued`] or every `poll` for jobs due later or queued by other instances,
//!   and the registry's periodic chores on their own timers.
//!
//! Running a job twice is possible (a worker that stops after the work but before the job is
//! deleted), so handlers make a second run harmless, as `send_email` does by checking the
//! message's `sent_at`.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, Statement, Value,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use store::entities::job;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::{ServiceError, Services};

/// Attempts a job has unless its caller says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 10;
/// The wait after a first failure; it doubles with each failure after that.
pub const FIRST_RETRY_SECS: i64 = 30;
/// The longest wait between attempts.
pub const LONGEST_RETRY_SECS: i64 = 3600;
/// The longest `last_error` kept, in characters.
const ERROR_CHARS: usize = 2000;

/// Queues a job of `kind` to run at `run_at` or soon after, with [`DEFAULT_MAX_ATTEMPTS`].
/// Pass the caller's transaction so the job exists exactly when the change that causes it does;
/// after committing, call [`Services::jobs_queued`].
pub async fn enqueue<C: ConnectionTrait, P: Serialize + ?Sized>(
    c: &C,
    now: DateTime<Utc>,
    kind: &str,
    payload: &P,
    run_at: DateTime<Utc>,
) -> Result<i32, ServiceError> {
    enqueue_with_attempts(c, now, kind, payload, run_at, DEFAULT_MAX_ATTEMPTS).await
}

/// [`enqueue`], allowing `max_attempts` runs (at least one).
pub async fn enqueue_with_attempts<C: ConnectionTrait, P: Serialize + ?Sized>(
    c: &C,
    now: DateTime<Utc>,
    kind: &str,
    payload: &P,
    run_at: DateTime<Utc>,
    max_attempts: i32,
) -> Result<i32, ServiceError> {
    let payload = serde_json::to_string(payload)
        .map_err(|e| ServiceError::Internal(format!("the {kind} job's payload: {e}")))?;
    let saved = job::ActiveModel {
        kind: Set(kind.to_owned()),
        payload: Set(payload),
        run_at: Set(run_at),
        attempts: Set(0),
        max_attempts: Set(max_attempts.max(1)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(c)
    .await?;
    Ok(saved.id)
}

/// How long to wait after the `attempts`-th failed attempt: 30 s, 60 s, 120 s, … at most an
/// hour.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    let secs = FIRST_RETRY_SECS
        .saturating_mul(1_i64 << doublings)
        .min(LONGEST_RETRY_SECS);
    chrono::Duration::seconds(secs)
}

/// A job a worker has claimed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub id: i32,
    pub kind: String,
    /// JSON text, as given to [`enqueue`].
    pub payload: String,
    /// This attempt's number, from 1.
    pub attempts: i32,
    pub max_attempts: i32,
}

impl Job {
    /// The payload as the handler's type; a payload that does not fit is the job's error.
    pub fn payload<T: DeserializeOwned>(&self) -> Result<T, String> {
        serde_json::from_str(&self.payload)
            .map_err(|e| format!("the {} job's payload {:?}: {e}", self.kind, self.payload))
    }
}

impl From<job::Model> for Job {
    fn from(m: job::Model) -> Self {
        Job {
            id: m.id,
            kind: m.kind,
            payload: m.payload,
            attempts: m.attempts,
            max_attempts: m.max_attempts,
        }
    }
}

/// Placeholders for one backend, numbered as values are added.
struct Args {
    backend: DbBackend,
    values: Vec<Value>,
}

impl Args {
    fn push(&mut self, v: impl Into<Value>) -> String {
        self.values.push(v.into());
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }
}

/// Jobs of these kinds that may run at `now`: due, not failed, attempts left, not locked.
fn claimable(now: DateTime<Utc>, kinds: &[&str]) -> sea_orm::Condition {
    use sea_orm::ExprTrait;
    sea_orm::Condition::all()
        .add(job::Column::FailedAt.is_null())
        .add(job::Column::RunAt.lte(now))
        .add(Expr::col(job::Column::Attempts).lt(Expr::col(job::Column::MaxAttempts)))
        .add(
            sea_orm::Condition::any()
                .add(job::Column::LockedUntil.is_null())
                .add(job::Column::LockedUntil.lt(now)),
        )
        .add(job::Column::Kind.is_in(kinds.iter().copied()))
}

/// Claims up to `n` due jobs of these kinds for `worker` until `now + lock_for`, counting an
/// attempt for each. Safe to run in any number of instances at once: each job goes to one.
pub async fn claim(
    svc: &Services,
    worker: &str,
    kinds: &[&str],
    n: u64,
    lock_for: chrono::Duration,
) -> Result<Vec<Job>, ServiceError> {
    if kinds.is_empty() || n == 0 {
        return Ok(Vec::new());
    }
    let now = svc.now();
    // A read first, so an idle poll takes no write lock.
    let any = job::Entity::find()
        .select_only()
        .column(job::Column::Id)
        .filter(claimable(now, kinds))
        .limit(1)
        .into_tuple::<i32>()
        .one(&svc.db)
        .await?;
    if any.is_none() {
        return Ok(Vec::new());
    }
    let txn = store::begin_write(&svc.db).await?;
    let claimed = claim_in(&txn, now, worker, kinds, n, lock_for).await?;
    txn.commit().await?;
    Ok(claimed)
}

/// [`claim`] within the caller's transaction (begun with [`store::begin_write`]); the jobs are
/// the caller's once it commits. One statement: on PostgreSQL the rows are chosen with
/// `FOR UPDATE SKIP LOCKED`, so a claim never waits for, nor takes, jobs that another claim not
/// yet committed holds; on SQLite the transaction holds the write lock, so claims take turns.
pub async fn claim_in(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    worker: &str,
    kinds: &[&str],
    n: u64,
    lock_for: chrono::Duration,
) -> Result<Vec<Job>, ServiceError> {
    if kinds.is_empty() || n == 0 {
        return Ok(Vec::new());
    }
    let backend = txn.get_database_backend();
    let mut a = Args {
        backend,
        values: Vec::new(),
    };
    let until = a.push(now + lock_for);
    let by = a.push(worker.to_owned());
    let due = a.push(now);
    let unlocked = a.push(now);
    let kinds = kinds
        .iter()
        .map(|k| a.push((*k).to_owned()))
        .collect::<Vec<_>>()
        .join(", ");
    let limit = a.push(i64::try_from(n).unwrap_or(i64::MAX));
    let skip_locked = if backend == DbBackend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE jobs SET attempts = attempts + 1, locked_until = {until}, locked_by = {by} \
         WHERE id IN (SELECT id FROM jobs \
           WHERE failed_at IS NULL AND run_at <= {due} AND attempts < max_attempts \
           AND (locked_until IS NULL OR locked_until < {unlocked}) AND kind IN ({kinds}) \
           ORDER BY run_at, id LIMIT {limit}{skip_locked}) \
         RETURNING *"
    );
    let mut claimed = job::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(backend, sql, a.values))
        .all(txn)
        .await?;
    claimed.sort_by_key(|j| (j.run_at, j.id));
    Ok(claimed.into_iter().map(Job::from).collect())
}

/// Records that `worker` finished `job`: it is deleted. False when the job was no longer
/// `worker`'s (its lock expired and another worker claimed it).
pub async fn succeeded(svc: &Services, job: &Job, worker: &str) -> Result<bool, ServiceError> {
    let r = job::Entity::delete_many()
        .filter(job::Column::Id.eq(job.id))
        .filter(job::Column::LockedBy.eq(worker))
        .exec(&svc.db)
        .await?;
    Ok(r.rows_affected == 1)
}

/// What became of a job that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterFailure {
    /// It runs again at this time.
    RetryAt(DateTime<Utc>),
    /// It had no attempts left, and is marked failed.
    GaveUp,
    /// It was no longer this worker's: nothing was recorded.
    NotHeld,
}

/// Records that `job` failed under `worker` with `error`: it is released to run again after
/// [`backoff`], or marked failed when it has no attempts left.
pub async fn failed_attempt(
    svc: &Services,
    job: &Job,
    worker: &str,
    error: &str,
) -> Result<AfterFailure, ServiceError> {
    let now = svc.now();
    let last = job.attempts >= job.max_attempts;
    let retry_at = now + backoff(job.attempts);
    let error: String = error.chars().take(ERROR_CHARS).collect();
    let r = job::Entity::update_many()
        .col_expr(job::Column::LockedUntil, Expr::value(None::<DateTime<Utc>>))
        .col_expr(job::Column::LockedBy, Expr::value(None::<String>))
        .col_expr(job::Column::LastError, Expr::value(Some(error)))
        .col_expr(
            job::Column::RunAt,
            Expr::value(if last { now } else { retry_at }),
        )
        .col_expr(job::Column::FailedAt, Expr::value(last.then_some(now)))
        .filter(job::Column::Id.eq(job.id))
        .filter(job::Column::LockedBy.eq(worker))
        .exec(&svc.db)
        .await?;
    Ok(match (r.rows_affected, last) {
        (0, _) => AfterFailure::NotHeld,
        (_, true) => AfterFailure::GaveUp,
        (_, false) => AfterFailure::RetryAt(retry_at),
    })
}

/// Marks failed the jobs whose last attempt's worker stopped before finishing (their lock
/// expired with no attempts left); returns how many.
pub async fn give_up_abandoned(svc: &Services) -> Result<u64, ServiceError> {
    use sea_orm::ExprTrait;
    let now = svc.now();
    let r = job::Entity::update_many()
        .col_expr(job::Column::FailedAt, Expr::value(Some(now)))
        .col_expr(job::Column::LockedUntil, Expr::value(None::<DateTime<Utc>>))
        .col_expr(job::Column::LockedBy, Expr::value(None::<String>))
        .col_expr(
            job::Column::LastError,
            Expr::value(Some(
                "the last attempt did not finish: its worker stopped".to_owned(),
            )),
        )
        .filter(job::Column::FailedAt.is_null())
        .filter(Expr::col(job::Column::Attempts).gte(Expr::col(job::Column::MaxAttempts)))
        .filter(job::Column::LockedUntil.lt(now))
        .exec(&svc.db)
        .await?;
    Ok(r.rows_affected)
}

/// Jobs that failed for good, latest first.
pub async fn failed(svc: &Services) -> Result<Vec<job::Model>, ServiceError> {
    Ok(job::Entity::find()
        .filter(job::Column::FailedAt.is_not_null())
        .order_by_desc(job::Column::FailedAt)
        .order_by_desc(job::Column::Id)
        .all(&svc.db)
        .await?)
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type Handler = Arc<dyn Fn(Services, Job) -> BoxFuture<Result<(), String>> + Send + Sync>;
type ChoreFn = Arc<dyn Fn(Services) -> BoxFuture<Result<u64, String>> + Send + Sync>;

#[derive(Clone)]
struct Chore {
    name: &'static str,
    every: Duration,
    run: ChoreFn,
}

/// What a worker can run: a handler per job kind, and chores that run on a timer in every
/// instance (so a chore must be harmless to run twice, as deleting expired rows is).
#[derive(Clone, Default)]
pub struct Registry {
    handlers: BTreeMap<String, Handler>,
    chores: Vec<Chore>,
}

impl Registry {
    pub fn new() -> Self {
        Registry::default()
    }

    /// Runs jobs of `kind` with `handler`; an `Err` is the attempt's error.
    pub fn on<F, Fut, E>(mut self, kind: &str, handler: F) -> Self
    where
        F: Fn(Services, Job) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: std::fmt::Display,
    {
        let handler = Arc::new(handler);
        self.handlers.insert(
            kind.to_owned(),
            Arc::new(move |svc, job| {
                let fut = handler(svc, job);
                Box::pin(async move { fut.await.map_err(|e| e.to_string()) })
            }),
        );
        self
    }

    /// Runs `chore` every `every` (and once at start); it returns how many things it did,
    /// logged when more than none.
    pub fn every<F, Fut, E>(mut self, name: &'static str, every: Duration, chore: F) -> Self
    where
        F: Fn(Services) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<u64, E>> + Send + 'static,
        E: std::fmt::Display,
    {
        let chore = Arc::new(chore);
        self.chores.push(Chore {
            name,
            every: every.max(Duration::from_millis(1)),
            run: Arc::new(move |svc| {
                let fut = chore(svc);
                Box::pin(async move { fut.await.map_err(|e| e.to_string()) })
            }),
        });
        self
    }

    /// The job kinds this registry runs.
    pub fn kinds(&self) -> Vec<&str> {
        self.handlers.keys().map(String::as_str).collect()
    }
}

/// Every job kind and chore of whatmatters. A context that adds a kind registers its handler
/// here.
pub fn registry() -> Registry {
    const TEN_MINUTES: Duration = Duration::from_secs(600);
    Registry::new()
        .on(crate::email::SEND_EMAIL, crate::email::send)
        .every(
            "expired sessions removed",
            TEN_MINUTES,
            |svc: Services| async move { crate::identity::session::purge_expired(&svc).await },
        )
        .every(
            "full rate-limit buckets removed",
            TEN_MINUTES,
            |svc: Services| async move { crate::limits::purge_full(&svc).await },
        )
}

/// How many jobs a run of [`Worker::run_due`] finished and how many failed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ran {
    pub succeeded: usize,
    pub failed: usize,
}

/// Runs the jobs of its registry's kinds, a batch at a time, each in a task of its own.
#[derive(Clone)]
pub struct Worker {
    svc: Services,
    registry: Arc<Registry>,
    id: String,
    poll: Duration,
    batch: u64,
    lock_for: chrono::Duration,
    timeout: Duration,
}

impl Worker {
    /// A worker with a name of its own, polling every 5 seconds, running up to 10 jobs at once,
    /// each locked for 5 minutes and stopped after 4.
    pub fn new(svc: Services, registry: Registry) -> Self {
        let host = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
            .map(|h| h.trim().chars().take(60).collect::<String>())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "host".into());
        let tag: String = crate::identity::random_token().chars().take(8).collect();
        Worker {
            svc,
            registry: Arc::new(registry),
            id: format!("{host}:{}:{tag}", std::process::id()),
            poll: Duration::from_secs(5),
            batch: 10,
            lock_for: chrono::Duration::minutes(5),
            timeout: Duration::from_secs(240),
        }
    }

    /// How often to look for jobs due later or queued by other instances.
    pub fn poll_every(mut self, poll: Duration) -> Self {
        self.poll = poll.max(Duration::from_millis(1));
        self
    }

    /// How many jobs to claim, and run at once, at a time.
    pub fn batch(mut self, n: u64) -> Self {
        self.batch = n.max(1);
        self
    }

    /// How long a claim holds a job; a handler is stopped after four fifths of it, so a job is
    /// only claimed again when its worker has stopped.
    pub fn lock_for(mut self, lock_for: chrono::Duration) -> Self {
        self.lock_for = lock_for;
        let ms = u64::try_from(lock_for.num_milliseconds()).unwrap_or(0);
        self.timeout = Duration::from_millis(ms / 5 * 4);
        self
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Claims and runs due jobs until none is left.
    pub async fn run_due(&self) -> Result<Ran, ServiceError> {
        self.drain(None).await
    }

    async fn drain(&self, stop: Option<&watch::Receiver<bool>>) -> Result<Ran, ServiceError> {
        let mut ran = Ran::default();
        while !stop.is_some_and(|s| *s.borrow()) {
            let batch = self.run_batch().await?;
            if batch == Ran::default() {
                break;
            }
            ran.succeeded += batch.succeeded;
            ran.failed += batch.failed;
        }
        Ok(ran)
    }

    /// Claims one batch and runs it to the end.
    async fn run_batch(&self) -> Result<Ran, ServiceError> {
        let kinds = self.registry.kinds();
        let jobs = claim(&self.svc, &self.id, &kinds, self.batch, self.lock_for).await?;
        let running: Vec<(Job, JoinHandle<_>)> = jobs
            .into_iter()
            .map(|job| {
                let handler = self.registry.handlers.get(&job.kind).cloned();
                let svc = self.svc.clone();
                let timeout = self.timeout;
                let j = job.clone();
                let task = tokio::spawn(async move {
                    let Some(handler) = handler else {
                        return Err(format!("no handler for jobs of kind {:?}", j.kind));
                    };
                    match tokio::time::timeout(timeout, handler(svc, j)).await {
                        Ok(r) => r,
                        Err(_) => Err(format!("stopped after {} seconds", timeout.as_secs())),
                    }
                });
                (job, task)
            })
            .collect();
        let mut ran = Ran::default();
        let mut unrecorded = None;
        for (job, task) in running {
            let result = match task.await {
                Ok(r) => r,
                Err(e) if e.is_panic() => Err("the handler panicked".to_owned()),
                Err(e) => Err(format!("the handler did not finish: {e}")),
            };
            // Each outcome is recorded even when another could not be (that job stays locked
            // and is run again when its lock expires).
            match self.record(&job, result).await {
                Ok(true) => ran.succeeded += 1,
                Ok(false) => ran.failed += 1,
                Err(e) => {
                    tracing::warn!(job = job.id, kind = %job.kind, error = %e, "a job's outcome was not recorded");
                    unrecorded.get_or_insert(e);
                }
            }
        }
        match unrecorded {
            Some(e) => Err(e),
            None => Ok(ran),
        }
    }

    /// Records how `job` went; true when it succeeded.
    async fn record(&self, job: &Job, result: Result<(), String>) -> Result<bool, ServiceError> {
        let error = match result {
            Ok(()) => {
                if !succeeded(&self.svc, job, &self.id).await? {
                    tracing::warn!(job = job.id, kind = %job.kind, "a job finished after its lock expired");
                }
                return Ok(true);
            }
            Err(error) => error,
        };
        match failed_attempt(&self.svc, job, &self.id, &error).await? {
            AfterFailure::RetryAt(at) => tracing::warn!(
                job = job.id, kind = %job.kind, attempt = job.attempts, %error, retry_at = %at,
                "a job failed; it will be tried again"
            ),
            AfterFailure::GaveUp => tracing::error!(
                job = job.id, kind = %job.kind, attempts = job.attempts, %error,
                "a job failed its last attempt; it will not be tried again"
            ),
            AfterFailure::NotHeld => tracing::warn!(
                job = job.id, kind = %job.kind, %error,
                "a job failed after its lock expired"
            ),
        }
        Ok(false)
    }

    /// Starts the worker loop and the registry's chores on this runtime.
    pub fn spawn(self) -> WorkerHandle {
        let (stop_tx, stop) = watch::channel(false);
        let mut tasks = Vec::new();
        let mut chores = self.registry.chores.clone();
        chores.push(Chore {
            name: "abandoned last attempts marked failed",
            every: Duration::from_secs(60),
            run: Arc::new(|svc: Services| {
                Box::pin(async move { give_up_abandoned(&svc).await.map_err(|e| e.to_string()) })
            }),
        });
        for chore in chores {
            let svc = self.svc.clone();
            let mut stop = stop.clone();
            tasks.push(tokio::spawn(async move {
                let mut tick = tokio::time::interval(chore.every);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tokio::select! {
                        _ = stop.changed() => break,
                        _ = tick.tick() => match (chore.run)(svc.clone()).await {
                            Ok(0) => {}
                            Ok(n) => tracing::info!(count = n, "{}", chore.name),
                            Err(error) => tracing::warn!(%error, chore = chore.name, "a chore failed"),
                        },
                    }
                }
            }));
        }
        tasks.push(tokio::spawn(self.run(stop)));
        WorkerHandle {
            stop: stop_tx,
            tasks,
        }
    }

    /// Runs due jobs whenever woken or polled, until told to stop; the batch under way is
    /// finished first.
    async fn run(self, mut stop: watch::Receiver<bool>) {
        let wake = self.svc.jobs_signal.clone();
        let mut poll = tokio::time::interval(self.poll);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        poll.reset();
        tracing::info!(worker = %self.id, kinds = ?self.registry.kinds(), "job worker started");
        loop {
            if *stop.borrow() {
                break;
            }
            if let Err(error) = self.drain(Some(&stop)).await {
                tracing::warn!(%error, "running jobs failed");
            }
            tokio::select! {
                changed = stop.changed() => if changed.is_err() { break },
                _ = wake.notified() => {}
                _ = poll.tick() => {}
            }
        }
        tracing::info!(worker = %self.id, "job worker stopped");
    }
}

/// A running worker; [`WorkerHandle::stop`] ends it.
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl WorkerHandle {
    /// Stops claiming jobs, lets the jobs under way finish for up to `grace`, then ends. A job
    /// still running after that is claimed again, by any instance, when its lock expires.
    pub async fn stop(self, grace: Duration) {
        let _ = self.stop.send(true);
        let aborts: Vec<_> = self.tasks.iter().map(JoinHandle::abort_handle).collect();
        if tokio::time::timeout(grace, futures_join(self.tasks))
            .await
            .is_err()
        {
            tracing::warn!("jobs were still running at shutdown; they will be run again");
            for a in aborts {
                a.abort();
            }
        }
    }
}

async fn futures_join(tasks: Vec<JoinHandle<()>>) {
    for t in tasks {
        let _ = t.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_30_seconds_doubling_to_an_hour() {
        let secs: Vec<i64> = (1..=10).map(|n| backoff(n).num_seconds()).collect();
        assert_eq!(
            secs,
            vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
        );
        assert_eq!(backoff(0).num_seconds(), 30);
        assert_eq!(backoff(i32::MAX).num_seconds(), 3600);
    }
}
