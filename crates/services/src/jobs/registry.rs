//! What a worker can run: the handler for each job kind and the chores on timers; and
//! [`registry`], where every kind and chore of whatmatters is registered.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use super::Job;
use crate::Services;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type Handler = Arc<dyn Fn(Services, Job) -> BoxFuture<Result<(), String>> + Send + Sync>;
type ChoreFn = Arc<dyn Fn(Services) -> BoxFuture<Result<u64, String>> + Send + Sync>;

#[derive(Clone)]
pub(super) struct Chore {
    pub(super) name: &'static str,
    pub(super) every: Duration,
    pub(super) run: ChoreFn,
}

/// What a worker can run: a handler per job kind, and chores that run on a timer in every
/// instance (so a chore must be harmless to run twice, as deleting expired rows is).
#[derive(Clone, Default)]
pub struct Registry {
    pub(super) handlers: BTreeMap<String, Handler>,
    pub(super) chores: Vec<Chore>,
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
        .on(
            crate::networks::lists::DELIVER,
            crate::networks::lists::deliver,
        )
        .every(
            "expired sessions removed",
            TEN_MINUTES,
            |svc: Services| async move { crate::identity::session::purge_expired(&svc).await },
        )
        .every(
            "sign-up links a day out of date forgotten",
            TEN_MINUTES,
            |svc: Services| async move { crate::identity::sign_up::purge_expired(&svc).await },
        )
        .every(
            "full rate-limit buckets removed",
            TEN_MINUTES,
            |svc: Services| async move { crate::limits::purge_full(&svc).await },
        )
        .every(
            "owners of listings not checked for three months reminded",
            Duration::from_secs(3600),
            |svc: Services| async move { crate::directory::curation::remind_stale(&svc).await },
        )
        .every(
            "basket holds that ran out returned to sale",
            Duration::from_secs(60),
            |svc: Services| async move { crate::learning::booking::release_expired(&svc).await },
        )
        .every(
            "everyone booked reminded a week and a day before",
            TEN_MINUTES,
            |svc: Services| async move { crate::learning::organise::remind(&svc).await },
        )
        .every(
            "holders of certificates running out reminded to re-certify",
            Duration::from_secs(3600),
            |svc: Services| async move {
                crate::learning::certificates::remind_expiring(&svc).await
            },
        )
        .every(
            "waiting-list offers that ran out passed to the next person",
            Duration::from_secs(60),
            |svc: Services| async move { crate::learning::waitlist::expire_offers(&svc).await },
        )
}
