//! Password hashing with argon2id at OWASP's recommended cost (m=19456 KiB, t=2, p=1).
//!
//! The cost is fixed for every running service. Only test harnesses, through the `testing`
//! feature (never enabled in a release build), may choose [`PasswordWork::cheap_for_tests`];
//! a stored hash carries its own parameters, so verification always uses the cost it was made with.
//!
//! Each hash holds 19 MiB and a core for tens of milliseconds, so the work is bounded: at most one
//! hash per core runs at once ([`PasswordWork`]), at most 8 per core wait their turn, and a hash
//! beyond that is refused with [`ServiceError::RateLimited`] (429) rather than queued, so a flood
//! of sign-ins cannot exhaust memory or the blocking thread pool.

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Semaphore;

use crate::{ServiceError, Services};

/// Hashes that may wait for a core, per core.
pub const WAITING_PER_CORE: usize = 8;

/// The cost of one hash: argon2id's memory in KiB, passes and lanes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cost {
    m_kib: u32,
    t: u32,
    p: u32,
}

/// OWASP's recommendation for argon2id, used by every running service.
const OWASP: Cost = Cost {
    m_kib: 19_456,
    t: 2,
    p: 1,
};

/// argon2's minimum (8 KiB, one pass): for test harnesses only, which sign in hundreds of times.
#[cfg(feature = "testing")]
const CHEAP_FOR_TESTS: Cost = Cost {
    m_kib: 8,
    t: 1,
    p: 1,
};

fn hasher(cost: Cost) -> Result<Argon2<'static>, ServiceError> {
    let params = Params::new(cost.m_kib, cost.t, cost.p, None)
        .map_err(|e| ServiceError::Internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The bound on password work: `cores` hashes run at once on blocking threads and
/// `cores × WAITING_PER_CORE` more may wait; any more are refused. One per [`Services`].
pub struct PasswordWork {
    permits: Arc<Semaphore>,
    cores: usize,
    /// Running plus waiting, at most `cores + waiting`.
    admitted: Arc<AtomicUsize>,
    waiting: usize,
    stats: Arc<Counters>,
    cost: Cost,
}

#[derive(Default)]
struct Counters {
    running: AtomicUsize,
    peak_running: AtomicUsize,
    peak_admitted: AtomicUsize,
    checked_against_hash: AtomicUsize,
    hashes: AtomicUsize,
    refused: AtomicUsize,
}

/// What the bound has seen so far (for tests and diagnostics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkStats {
    /// Hashes allowed to run at once.
    pub cores: usize,
    /// Hashes allowed to wait.
    pub waiting: usize,
    /// The most hashes that ran at the same moment.
    pub peak_running: usize,
    /// The most hashes running or waiting at the same moment.
    pub peak_admitted: usize,
    /// Passwords checked against an account's stored hash (not counting the dummy checks made for
    /// unknown or locked accounts).
    pub checked_against_hash: usize,
    /// Hashes run, real or dummy.
    pub hashes: usize,
    /// Hashes refused because too many were waiting.
    pub refused: usize,
}

impl Default for PasswordWork {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        PasswordWork::new(cores, cores.saturating_mul(WAITING_PER_CORE))
    }
}

/// Gives back a place (running or waiting) when dropped, however the work ends.
struct Place(Arc<AtomicUsize>);

impl Drop for Place {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Running(Arc<Counters>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::SeqCst);
    }
}

impl PasswordWork {
    /// `cores` hashes at once (at least one), `waiting` more queued.
    pub fn new(cores: usize, waiting: usize) -> Self {
        let cores = cores.max(1);
        PasswordWork {
            permits: Arc::new(Semaphore::new(cores)),
            cores,
            admitted: Arc::new(AtomicUsize::new(0)),
            waiting,
            stats: Arc::new(Counters::default()),
            cost: OWASP,
        }
    }

    /// The default bound with argon2's minimum cost instead of OWASP's, so that test suites
    /// signing in many times stay fast. Only with the `testing` feature, which test harnesses
    /// enable as a dev-dependency; a service built for use cannot choose it.
    #[cfg(feature = "testing")]
    pub fn cheap_for_tests() -> Self {
        PasswordWork {
            cost: CHEAP_FOR_TESTS,
            ..PasswordWork::default()
        }
    }

    pub fn stats(&self) -> WorkStats {
        let s = &self.stats;
        WorkStats {
            cores: self.cores,
            waiting: self.waiting,
            peak_running: s.peak_running.load(Ordering::SeqCst),
            peak_admitted: s.peak_admitted.load(Ordering::SeqCst),
            checked_against_hash: s.checked_against_hash.load(Ordering::SeqCst),
            hashes: s.hashes.load(Ordering::SeqCst),
            refused: s.refused.load(Ordering::SeqCst),
        }
    }

    /// Runs `f` on a blocking thread once a core is free, or refuses at once if the queue is full.
    /// The place and the core are held by the blocking task, so a request that gives up early
    /// (a client hanging up) does not free them while its hash still runs.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ServiceError> {
        let limit = self.cores.saturating_add(self.waiting);
        let Ok(before) = self
            .admitted
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < limit).then_some(n + 1)
            })
        else {
            self.stats.refused.fetch_add(1, Ordering::SeqCst);
            return Err(ServiceError::RateLimited {
                retry_after_secs: 1,
            });
        };
        let place = Place(self.admitted.clone());
        self.stats
            .peak_admitted
            .fetch_max(before.saturating_add(1), Ordering::SeqCst);
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| ServiceError::Internal(format!("password work: {e}")))?;
        let stats = self.stats.clone();
        tokio::task::spawn_blocking(move || {
            let _place = place;
            let _permit = permit;
            let now = stats
                .running
                .fetch_add(1, Ordering::SeqCst)
                .saturating_add(1);
            let _running = Running(stats.clone());
            stats.peak_running.fetch_max(now, Ordering::SeqCst);
            stats.hashes.fetch_add(1, Ordering::SeqCst);
            f()
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("password work: {e}")))
    }
}

/// Hashes a new password (within the bound on password work).
pub async fn hash(svc: &Services, password: String) -> Result<String, ServiceError> {
    let cost = svc.passwords.cost;
    svc.passwords
        .run(move || {
            hasher(cost)?
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| ServiceError::Internal(format!("hashing password: {e}")))
        })
        .await?
}

/// Checks a password against a stored PHC string. With no stored hash, a dummy hash is made so
/// that unknown or locked accounts take as long as known ones. Refused (429) when too much
/// password work is already waiting.
pub async fn verify(
    svc: &Services,
    password: String,
    stored: Option<String>,
) -> Result<bool, ServiceError> {
    let stats = svc.passwords.stats.clone();
    let cost = svc.passwords.cost;
    svc.passwords
        .run(move || {
            let Ok(h) = hasher(cost) else { return false };
            match stored {
                Some(s) => {
                    stats.checked_against_hash.fetch_add(1, Ordering::SeqCst);
                    match PasswordHash::new(&s) {
                        Ok(parsed) => h.verify_password(password.as_bytes(), &parsed).is_ok(),
                        Err(_) => false,
                    }
                }
                None => {
                    let _ = h.hash_password(password.as_bytes());
                    false
                }
            }
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FixedClock, Settings};

    async fn svc() -> Services {
        let db = store::connect("sqlite::memory:").await.unwrap();
        Services::new(
            db,
            Arc::new(FixedClock::new(chrono::Utc::now())),
            Settings::default(),
        )
    }

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let s = svc().await;
        let h = hash(&s, "correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(
            verify(&s, "correct horse battery".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify(&s, "wrong horse battery".into(), Some(h))
                .await
                .unwrap()
        );
        assert!(!verify(&s, "anything".into(), None).await.unwrap());
        assert_eq!(s.passwords.stats().checked_against_hash, 2);
    }

    #[tokio::test]
    async fn hashes_stored_before_the_argon2_upgrade_still_verify() {
        // Made by argon2 0.5 for the demo password; the PHC string format did not change.
        let stored = "$argon2id$v=19$m=19456,t=2,p=1$2e1x1dYdDNPlfJCsqHUkjw$cv0Gard3WTcKR6jniJhnbtvhY3OpnWQnktmPhA/lBDs";
        let s = svc().await;
        assert!(
            verify(&s, crate::demo::DEMO_PASSWORD.into(), Some(stored.into()))
                .await
                .unwrap()
        );
        assert!(
            !verify(&s, "not the password".into(), Some(stored.into()))
                .await
                .unwrap()
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_refuses_instead_of_waiting() {
        let work = Arc::new(PasswordWork::new(1, 2));
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let rx = Arc::new(std::sync::Mutex::new(rx));
        let mut held = Vec::new();
        for _ in 0..3 {
            let w = work.clone();
            let rx = rx.clone();
            held.push(tokio::spawn(async move {
                w.run(move || {
                    let _ = rx.lock().map(|r| r.recv());
                })
                .await
            }));
        }
        // Wait until all three are admitted (one running, two waiting).
        while work.stats().peak_admitted < 3 {
            tokio::task::yield_now().await;
        }
        let refused = work.run(|| ()).await;
        assert!(matches!(
            refused,
            Err(ServiceError::RateLimited {
                retry_after_secs: 1
            })
        ));
        for _ in 0..3 {
            tx.send(()).unwrap();
        }
        for h in held {
            h.await.unwrap().unwrap();
        }
        let s = work.stats();
        assert_eq!((s.peak_running, s.refused), (1, 1));
        assert!(
            work.run(|| ()).await.is_ok(),
            "room again once the work is done"
        );
    }
}
