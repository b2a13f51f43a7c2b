//! The job queue's operations on the `jobs` table: enqueue, claim, record success or failure,
//! give up abandoned last attempts, and list the jobs that failed for good.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, Statement, Value,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use store::entities::job;

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
