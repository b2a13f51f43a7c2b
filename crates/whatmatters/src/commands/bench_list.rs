//! `whatmatters bench-list` (hidden): a message to a mailing list of `subscribers` confirmed
//! addresses, on a database with the demo seeded, measured in process:
//!
//! 1. sending: the one transaction that records the message and queues a delivery and a job for
//!    every subscriber (milliseconds);
//! 2. delivering: a job worker running those jobs (each marks its delivery and puts the copy in
//!    the outbox, with its leave link and headers, in one transaction) until none is left:
//!    deliveries a second, and how many copies each subscriber got (it must be exactly one).
//!
//! The e-mails the copies queue are not delivered here: that is the mail server's time.

use anyhow::{Result, bail};
use sea_orm::{ConnectionTrait, Statement};
use services::jobs::{Registry, Worker};
use services::networks::lists;
use services::{RequestMeta, Services};
use std::time::Instant;

use super::services;
use crate::config::Config;

pub async fn run(cfg: &Config, subscribers: usize, batch: u64) -> Result<()> {
    let svc: Services = services(cfg).await?;
    let db = store::open(&cfg.database_url, cfg.sqlite_durability()?).await?;
    let Some(organiser) =
        services::identity::users::find_by_email(&svc, "network.organiser@demo.whatmatters.test")
            .await?
    else {
        bail!("the demo is not seeded: run `whatmatters demo --no-serve` on this database first");
    };
    let organiser = services::identity::users::actor_of(&svc, &organiser).await?;
    let list = lists::get(&svc, "keep-in-the-loop").await?;
    let backend = db.get_database_backend();
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let now = chrono::Utc::now();
    let t = Instant::now();
    for chunk in (0..subscribers).collect::<Vec<_>>().chunks(500) {
        let mut sql = String::from(
            "INSERT INTO list_subscriptions (list_id, email, name, state, created_at, confirmed_at) VALUES ",
        );
        let mut values: Vec<sea_orm::Value> = Vec::new();
        for (k, i) in chunk.iter().enumerate() {
            if k > 0 {
                sql.push_str(", ");
            }
            let b = values.len();
            sql.push_str(&format!(
                "(${}, ${}, '', 'subscribed', ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4
            ));
            values.extend([
                list.id.into(),
                format!("reader.{i}.{tag}@example.org").into(),
                now.into(),
                now.into(),
            ]);
        }
        db.execute_raw(Statement::from_sql_and_values(backend, &sql, values))
            .await?;
    }
    println!(
        "{subscribers} confirmed subscribers added in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let meta = RequestMeta {
        request_id: None,
        ip: Some("192.0.2.1".into()),
        user_agent: Some("bench-list".into()),
    };
    let subject = format!("Bench {tag}");
    let t = Instant::now();
    let (message, recipients) = lists::send(
        &svc,
        &organiser,
        &meta,
        "keep-in-the-loop",
        &subject,
        "A load test.",
    )
    .await?;
    let queued_ms = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "sending: {recipients} deliveries and jobs queued in one transaction in {queued_ms:.0} ms"
    );
    let t = Instant::now();
    let ran = Worker::new(
        svc.clone(),
        Registry::new().on(lists::DELIVER, lists::deliver),
    )
    .batch(batch)
    .run_due()
    .await?;
    let secs = t.elapsed().as_secs_f64();
    let copies = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            "SELECT COUNT(*) AS n, COUNT(DISTINCT to_address) AS d FROM email_outbox WHERE subject = $1",
            [subject.clone().into()],
        ))
        .await?;
    let (n, d): (i64, i64) = match copies {
        Some(r) => (r.try_get("", "n")?, r.try_get("", "d")?),
        None => (0, 0),
    };
    println!(
        "delivering: {} jobs ({} failed) in {secs:.1} s = {:.0} deliveries/s, {batch} at a time; {n} copies to {d} addresses (message {message})",
        ran.succeeded,
        ran.failed,
        ran.succeeded as f64 / secs
    );
    if n != d || usize::try_from(n).unwrap_or(0) != usize::try_from(recipients).unwrap_or(0) {
        bail!("each subscriber must get exactly one copy");
    }
    Ok(())
}
