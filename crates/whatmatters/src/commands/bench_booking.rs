//! `whatmatters bench-booking` (hidden): booking measured in process, the whole use case as a
//! guest's booking of a free place runs it (the capacity check and count, the order, the
//! place, the confirmation e-mail queued, the audit event, one write transaction), on a
//! database with the demo seeded:
//!
//! 1. the last places: `clients` buyers at once for the last `places` places of one event,
//!    each trying once; prints how many were sold (it must be exactly `places`) and how long
//!    each was kept waiting for an answer;
//! 2. contended: `clients` buyers booking places at one event, one after another each, for
//!    `seconds`;
//! 3. uncontended: the same, each buyer at an event of their own.
//!
//! Throughput is bookings a second; latency p50/p95/p99 in milliseconds.

use anyhow::{Result, bail};
use chrono::{Duration, Utc};
use domain::learning::{EventInput, Format, Kind, Mode, Pence, Session};
use services::learning::{booking, catalogue};
use services::{RequestMeta, ServiceError, Services};
use std::sync::Arc;
use std::time::Instant;

use super::services;
use crate::config::Config;

fn percentiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    if v.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    v.sort_by(f64::total_cmp);
    let at = |p: f64| v[((v.len() as f64 * p) as usize).min(v.len() - 1)];
    (at(0.50), at(0.95), at(0.99))
}

fn meta() -> RequestMeta {
    RequestMeta {
        request_id: None,
        ip: Some("192.0.2.1".into()),
        user_agent: Some("bench-booking".into()),
    }
}

async fn event(svc: &Services, title: &str, places: i32) -> Result<String> {
    let organiser =
        services::identity::users::find_by_email(svc, "network.organiser@demo.whatmatters.test")
            .await?;
    let Some(organiser) = organiser else {
        bail!("the demo is not seeded: run `whatmatters demo --no-serve` on this database first");
    };
    let actor = services::identity::users::actor_of(svc, &organiser).await?;
    let org = actor
        .grants
        .first()
        .map(|g| g.organisation_id)
        .unwrap_or_default();
    let start = Utc::now() + Duration::days(30);
    let input = EventInput {
        kind: Kind::Event,
        title: title.into(),
        summary: "A load test".into(),
        description: String::new(),
        topic: "core_skills".into(),
        region: String::new(),
        format: Format::Online,
        venue: String::new(),
        join_link: String::new(),
        in_person_places: 0,
        online_places: places,
        price: Pence::FREE,
        cpd_minutes: 60,
        audience: String::new(),
        sessions: vec![Session {
            title: String::new(),
            starts_at: start,
            ends_at: start + Duration::hours(1),
        }],
        certificate_months: None,
        accredited: false,
    };
    Ok(catalogue::create(svc, &actor, &meta(), org, &input).await?)
}

/// One booking, timed.
async fn book(
    svc: &Services,
    uuid: &str,
    n: usize,
) -> (f64, Result<(String, String), ServiceError>) {
    let t = Instant::now();
    let r = booking::book_as_guest(
        svc,
        &meta(),
        uuid,
        Mode::Online,
        "Load Test",
        &format!("load{n}@example.org"),
    )
    .await;
    (t.elapsed().as_secs_f64() * 1000.0, r)
}

/// `clients` buyers, each booking one after another for `seconds`, at the event given by
/// `target(client)`. Returns bookings a second and the latencies.
async fn run_for(
    svc: &Services,
    clients: usize,
    seconds: u64,
    targets: Arc<Vec<String>>,
) -> Result<(f64, Vec<f64>, usize)> {
    let start = Instant::now();
    let until = start + std::time::Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let svc = svc.clone();
            let targets = targets.clone();
            tokio::spawn(async move {
                let uuid = &targets[c % targets.len()];
                let (mut times, mut refused, mut n) = (Vec::new(), 0usize, 0usize);
                while Instant::now() < until {
                    let (ms, r) = book(&svc, uuid, c * 1_000_000 + n).await;
                    n += 1;
                    match r {
                        Ok(_) => times.push(ms),
                        Err(_) => refused += 1,
                    }
                }
                (times, refused)
            })
        })
        .collect();
    let (mut all, mut refused) = (Vec::new(), 0);
    for t in tasks {
        let (times, r) = t.await?;
        all.extend(times);
        refused += r;
    }
    let secs = start.elapsed().as_secs_f64();
    Ok((all.len() as f64 / secs, all, refused))
}

pub async fn run(cfg: &Config, clients: usize, places: i32, seconds: u64) -> Result<()> {
    let svc = services(cfg).await?;
    println!(
        "clients: {clients}; {} cores",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );

    // 1. The last places.
    let last = event(&svc, "The last places", places).await?;
    // A server that has been running has its pool's connections open; open them first, so
    // the race measures booking, not connecting.
    let warm: Vec<_> = (0..clients)
        .map(|_| {
            let svc = svc.clone();
            let last = last.clone();
            tokio::spawn(async move { catalogue::get(&svc, &last).await.map(|_| ()) })
        })
        .collect();
    for w in warm {
        w.await??;
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(clients));
    let start = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let svc = svc.clone();
            let last = last.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                book(&svc, &last, c).await
            })
        })
        .collect();
    let (mut times, mut sold, mut full, mut other) = (Vec::new(), 0, 0, 0);
    for t in tasks {
        let (ms, r) = t.await?;
        times.push(ms);
        match r {
            Ok(_) => sold += 1,
            Err(ServiceError::Conflict(_)) => full += 1,
            Err(e) => {
                other += 1;
                eprintln!("unexpected: {e}");
            }
        }
    }
    let all_answered = start.elapsed().as_secs_f64() * 1000.0;
    let (p50, p95, p99) = percentiles(times);
    println!(
        "the last {places} places, {clients} buyers at once: {sold} sold, {full} told it is full, {other} other errors; every answer within {all_answered:.0} ms; p50 {p50:.2} ms  p95 {p95:.2} ms  p99 {p99:.2} ms"
    );
    if sold != places as usize || other > 0 {
        bail!("sold {sold} of {places} places");
    }

    // 2. Contended: everyone at one event.
    let one = Arc::new(vec![
        event(&svc, "One popular event", domain::learning::MAX_PLACES).await?,
    ]);
    let (rate, times, refused) = run_for(&svc, clients, seconds, one).await?;
    let (p50, p95, p99) = percentiles(times);
    println!(
        "contended (one event):       {rate:8.0} bookings/s  p50 {p50:.2} ms  p95 {p95:.2} ms  p99 {p99:.2} ms  refused {refused}"
    );

    // 3. Uncontended: each buyer at an event of their own.
    let mut own = Vec::new();
    for c in 0..clients {
        own.push(event(&svc, &format!("Event {c}"), domain::learning::MAX_PLACES).await?);
    }
    let (rate, times, refused) = run_for(&svc, clients, seconds, Arc::new(own)).await?;
    let (p50, p95, p99) = percentiles(times);
    println!(
        "uncontended (own events):    {rate:8.0} bookings/s  p50 {p50:.2} ms  p95 {p95:.2} ms  p99 {p99:.2} ms  refused {refused}"
    );
    Ok(())
}
