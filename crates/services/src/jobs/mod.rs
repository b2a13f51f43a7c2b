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
//!
//! `queue` holds the table's operations (enqueue, claim, record the outcome, list failures),
//! `registry` the job kinds and chores of whatmatters, and `worker` the loop that runs them.

mod queue;
mod registry;
mod worker;

pub use queue::{
    AfterFailure, DEFAULT_MAX_ATTEMPTS, FIRST_RETRY_SECS, Job, LONGEST_RETRY_SECS, backoff, claim,
    claim_in, enqueue, enqueue_with_attempts, failed, failed_attempt, give_up_abandoned, succeeded,
};
pub use registry::{Registry, registry};
pub use worker::{Ran, Worker, WorkerHandle};

#[cfg(doc)]
use crate::Services;
