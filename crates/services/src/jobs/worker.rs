//! The worker: claims due jobs a batch at a time, runs each in a task of its own with a
//! timeout, records how it went, and runs the registry's chores on their timers.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::registry::{Chore, Registry};
use super::{AfterFailure, Job, claim, failed_attempt, give_up_abandoned, succeeded};
use crate::{ServiceError, Services};

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
