#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Jobs on both databases: each job runs once however many workers claim, failures back off and
//! stop, a stopped worker's jobs are taken over, and jobs queued here run at once. E-mail is
//! delivered through them.

use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm::{EntityTrait, PaginatorTrait};
use services::jobs::{self, Job, Registry, Worker};
use services::{FixedClock, RequestMeta, Services, Settings};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;
use store::entities::{email_outbox, job};

const COUNT: &str = "count";
const LINK_WORKER: &str = "link.worker@demo.whatmatters.test";

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap()
}

fn handle(db: &store::DatabaseConnection, clock: &Arc<FixedClock>) -> Services {
    Services::new(db.clone(), clock.clone(), Settings::default())
}

/// A registry whose `count` jobs record their id and attempt, then take a moment.
fn counting(seen: &Arc<Mutex<Vec<(i32, i32)>>>) -> Registry {
    let seen = seen.clone();
    Registry::new().on(COUNT, move |_svc: Services, job: Job| {
        let seen = seen.clone();
        async move {
            seen.lock().unwrap().push((job.id, job.attempts));
            tokio::time::sleep(StdDuration::from_millis(2)).await;
            Ok::<(), String>(())
        }
    })
}

/// Queues `n` count jobs in one transaction, as a use case would.
async fn queue(svc: &Services, n: usize) -> Vec<i32> {
    let txn = store::begin_write(svc.db()).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(
            jobs::enqueue(
                &txn,
                svc.now(),
                COUNT,
                &serde_json::json!({ "n": i }),
                svc.now(),
            )
            .await
            .unwrap(),
        );
    }
    txn.commit().await.unwrap();
    svc.jobs_queued();
    ids
}

async fn jobs_left(svc: &Services) -> u64 {
    job::Entity::find().count(svc.db()).await.unwrap()
}

async fn job_row(svc: &Services, id: i32) -> job::Model {
    job::Entity::find_by_id(id)
        .one(svc.db())
        .await
        .unwrap()
        .unwrap()
}

/// Waits up to `secs` seconds for `done` to hold.
async fn until<F, Fut>(secs: u64, mut done: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + StdDuration::from_secs(secs);
    while tokio::time::Instant::now() < deadline {
        if done().await {
            return true;
        }
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    done().await
}

store::db_test!(two_workers_run_each_of_many_jobs_exactly_once, |db| {
    let clock = Arc::new(FixedClock::new(start()));
    let seen = Arc::new(Mutex::new(Vec::new()));
    // Two handles on one database, as two instances of whatmatters would have.
    let (a, b) = (handle(&db, &clock), handle(&db, &clock));
    let workers = [&a, &b].map(|svc| {
        Worker::new(svc.clone(), counting(&seen))
            .batch(3)
            .poll_every(StdDuration::from_millis(10))
            .spawn()
    });
    let mut ids = queue(&a, 30).await;
    ids.extend(queue(&b, 30).await);
    assert!(
        until(60, || async {
            seen.lock().unwrap().len() >= 60 && jobs_left(&a).await == 0
        })
        .await,
        "ran {} of 60",
        seen.lock().unwrap().len()
    );
    for w in workers {
        w.stop(StdDuration::from_secs(5)).await;
    }
    let ran = seen.lock().unwrap().clone();
    let mut ran_ids: Vec<i32> = ran.iter().map(|(id, _)| *id).collect();
    ran_ids.sort_unstable();
    ids.sort_unstable();
    assert_eq!(ran_ids, ids, "each job once");
    assert!(ran.iter().all(|(_, attempt)| *attempt == 1), "{ran:?}");
});

store::db_test!(concurrent_claims_never_hand_out_a_job_twice, |db| {
    let clock = Arc::new(FixedClock::new(start()));
    let (a, b) = (handle(&db, &clock), handle(&db, &clock));
    let mut ids = queue(&a, 80).await;
    let claimers = (0..8).map(|i| {
        let svc = if i % 2 == 0 { a.clone() } else { b.clone() };
        tokio::spawn(async move {
            let me = format!("claimer-{i}");
            let mut mine = Vec::new();
            loop {
                let got = jobs::claim(&svc, &me, &[COUNT], 4, Duration::minutes(5))
                    .await
                    .unwrap();
                if got.is_empty() {
                    break;
                }
                mine.extend(got.iter().map(|j| j.id));
            }
            mine
        })
    });
    let mut claimed = Vec::new();
    for c in claimers {
        claimed.extend(c.await.unwrap());
    }
    claimed.sort_unstable();
    ids.sort_unstable();
    assert_eq!(claimed, ids, "every job claimed, none twice");
    // Claimed jobs are locked: nobody gets them again while the locks hold.
    assert!(
        jobs::claim(&a, "late", &[COUNT], 100, Duration::minutes(5))
            .await
            .unwrap()
            .is_empty()
    );
});

store::db_test!(
    a_claim_never_takes_the_jobs_of_a_claim_not_yet_committed,
    |db| {
        let clock = Arc::new(FixedClock::new(start()));
        let (a, b) = (handle(&db, &clock), handle(&db, &clock));
        queue(&a, 8).await;
        // The first claim's transaction stays open while the second claims.
        let txn = store::begin_write(a.db()).await.unwrap();
        let first = jobs::claim_in(&txn, a.now(), "first", &[COUNT], 4, Duration::minutes(5))
            .await
            .unwrap();
        let second = tokio::spawn(async move {
            jobs::claim(&b, "second", &[COUNT], 4, Duration::minutes(5))
                .await
                .unwrap()
        });
        // PostgreSQL skips the rows the first holds at once; SQLite waits for its commit.
        tokio::time::sleep(StdDuration::from_millis(300)).await;
        txn.commit().await.unwrap();
        let second = second.await.unwrap();
        let ids = |js: &[Job]| js.iter().map(|j| j.id).collect::<BTreeSet<_>>();
        assert_eq!((first.len(), second.len()), (4, 4));
        assert!(
            ids(&first).is_disjoint(&ids(&second)),
            "{first:?} {second:?}"
        );
    }
);

store::db_test!(
    a_failing_job_backs_off_doubling_and_stops_after_its_last_attempt_with_its_error,
    |db| {
        let clock = Arc::new(FixedClock::new(start()));
        let svc = handle(&db, &clock);
        let registry = Registry::new().on("flaky", |_svc: Services, job: Job| async move {
            Err::<(), String>(format!(
                "no answer from the server (attempt {})",
                job.attempts
            ))
        });
        let worker = Worker::new(svc.clone(), registry);
        let id = jobs::enqueue_with_attempts(svc.db(), svc.now(), "flaky", &(), svc.now(), 3)
            .await
            .unwrap();

        let ran = worker.run_due().await.unwrap();
        assert_eq!((ran.succeeded, ran.failed), (0, 1));
        let row = job_row(&svc, id).await;
        assert_eq!(row.attempts, 1);
        assert_eq!(
            row.run_at,
            start() + Duration::seconds(30),
            "30 s after the first"
        );
        assert_eq!(
            row.last_error.as_deref(),
            Some("no answer from the server (attempt 1)")
        );
        assert_eq!(
            (row.locked_until, row.locked_by, row.failed_at),
            (None, None, None)
        );

        // Not before it is due.
        assert_eq!(worker.run_due().await.unwrap().failed, 0);
        clock.advance(Duration::seconds(29));
        assert_eq!(worker.run_due().await.unwrap().failed, 0);
        clock.advance(Duration::seconds(1));
        assert_eq!(worker.run_due().await.unwrap().failed, 1);
        let row = job_row(&svc, id).await;
        assert_eq!(row.attempts, 2);
        assert_eq!(
            row.run_at,
            clock_now(&svc) + Duration::seconds(60),
            "then 60 s"
        );

        clock.advance(Duration::seconds(59));
        assert_eq!(worker.run_due().await.unwrap().failed, 0);
        clock.advance(Duration::seconds(1));
        assert_eq!(worker.run_due().await.unwrap().failed, 1);
        let row = job_row(&svc, id).await;
        assert_eq!(row.attempts, 3);
        assert_eq!(row.failed_at, Some(clock_now(&svc)), "failed for good");
        assert_eq!(
            row.last_error.as_deref(),
            Some("no answer from the server (attempt 3)")
        );

        // Never run again, and listed as failed.
        clock.advance(Duration::days(2));
        assert_eq!(worker.run_due().await.unwrap(), jobs::Ran::default());
        let failed = jobs::failed(&svc).await.unwrap();
        assert_eq!(failed.iter().map(|j| j.id).collect::<Vec<_>>(), vec![id]);
    }
);

store::db_test!(a_handler_that_panics_is_a_failed_attempt, |db| {
    let clock = Arc::new(FixedClock::new(start()));
    let svc = handle(&db, &clock);
    let registry = Registry::new().on("panics", |_svc: Services, _job: Job| async move {
        if true {
            panic!("a bug in the handler");
        }
        Ok::<(), String>(())
    });
    let id = jobs::enqueue(svc.db(), svc.now(), "panics", &(), svc.now())
        .await
        .unwrap();
    let ran = Worker::new(svc.clone(), registry).run_due().await.unwrap();
    assert_eq!((ran.succeeded, ran.failed), (0, 1));
    let row = job_row(&svc, id).await;
    assert_eq!(row.last_error.as_deref(), Some("the handler panicked"));
    assert_eq!(row.run_at, start() + Duration::seconds(30));
});

fn clock_now(svc: &Services) -> DateTime<Utc> {
    svc.now()
}

store::db_test!(
    a_job_locked_by_a_stopped_worker_runs_once_its_lock_expires,
    |db| {
        let clock = Arc::new(FixedClock::new(start()));
        let svc = handle(&db, &clock);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let worker = Worker::new(svc.clone(), counting(&seen));
        let id = queue(&svc, 1).await[0];
        // A worker claims it, then stops (crashes) without finishing.
        let taken = jobs::claim(&svc, "stopped", &[COUNT], 10, Duration::minutes(5))
            .await
            .unwrap();
        assert_eq!(taken.iter().map(|j| j.id).collect::<Vec<_>>(), vec![id]);

        assert_eq!(worker.run_due().await.unwrap(), jobs::Ran::default());
        clock.advance(Duration::minutes(5));
        assert_eq!(
            worker.run_due().await.unwrap(),
            jobs::Ran::default(),
            "still locked at the moment it expires"
        );
        clock.advance(Duration::seconds(1));
        assert_eq!(worker.run_due().await.unwrap().succeeded, 1);
        assert_eq!(*seen.lock().unwrap(), vec![(id, 2)], "its second attempt");
        assert_eq!(jobs_left(&svc).await, 0);
        // The stopped worker, had it come back, could not record the job as its own.
        assert!(!jobs::succeeded(&svc, &taken[0], "stopped").await.unwrap());
    }
);

store::db_test!(
    a_last_attempt_abandoned_by_a_stopped_worker_is_marked_failed,
    |db| {
        let clock = Arc::new(FixedClock::new(start()));
        let svc = handle(&db, &clock);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let worker = Worker::new(svc.clone(), counting(&seen));
        let id = jobs::enqueue_with_attempts(svc.db(), svc.now(), COUNT, &(), svc.now(), 1)
            .await
            .unwrap();
        jobs::claim(&svc, "stopped", &[COUNT], 10, Duration::minutes(5))
            .await
            .unwrap();
        clock.advance(Duration::minutes(6));
        assert_eq!(worker.run_due().await.unwrap(), jobs::Ran::default());
        assert!(seen.lock().unwrap().is_empty(), "no attempts left to run");
        assert_eq!(jobs::give_up_abandoned(&svc).await.unwrap(), 1);
        let row = job_row(&svc, id).await;
        assert_eq!(row.failed_at, Some(svc.now()));
        assert!(row.last_error.unwrap().contains("did not finish"));
        assert_eq!(jobs::give_up_abandoned(&svc).await.unwrap(), 0);
    }
);

store::db_test!(
    a_job_queued_in_process_runs_without_waiting_for_the_poll,
    |db| {
        let clock = Arc::new(FixedClock::new(start()));
        let svc = handle(&db, &clock);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let worker = Worker::new(svc.clone(), counting(&seen))
            .poll_every(StdDuration::from_secs(3600))
            .spawn();
        // Let the worker find nothing and settle into waiting for an hour.
        tokio::time::sleep(StdDuration::from_millis(200)).await;
        let began = std::time::Instant::now();
        let id = queue(&svc, 1).await[0];
        assert!(
            until(5, || async { !seen.lock().unwrap().is_empty() }).await,
            "not run"
        );
        let took = began.elapsed();
        assert!(took < StdDuration::from_secs(2), "took {took:?}");
        assert_eq!(*seen.lock().unwrap(), vec![(id, 1)]);
        worker.stop(StdDuration::from_secs(5)).await;
    }
);

store::db_test!(a_stopped_worker_finishes_its_jobs_and_takes_no_more, |db| {
    let clock = Arc::new(FixedClock::new(start()));
    let svc = handle(&db, &clock);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let worker = Worker::new(svc.clone(), counting(&seen))
        .poll_every(StdDuration::from_secs(3600))
        .spawn();
    queue(&svc, 5).await;
    assert!(until(5, || async { jobs_left(&svc).await == 0 }).await);
    worker.stop(StdDuration::from_secs(5)).await;
    queue(&svc, 1).await;
    tokio::time::sleep(StdDuration::from_millis(200)).await;
    assert_eq!(seen.lock().unwrap().len(), 5);
    assert_eq!(jobs_left(&svc).await, 1, "left for another instance");
});

fn outbox(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "wm-jobs-{tag}-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ))
}

fn eml_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .collect()
        })
        .unwrap_or_default()
}

store::db_test!(
    an_email_queued_by_a_password_reset_is_delivered_exactly_once_by_two_workers,
    |db| {
        let clock = Arc::new(FixedClock::new(start()));
        // Two instances, each writing to an outbox folder of its own: a message delivered
        // twice would show as a file in each.
        let dirs = [outbox("a"), outbox("b")];
        let [a, b] = dirs.clone().map(|dir| {
            Services::new(
                db.clone(),
                clock.clone(),
                Settings {
                    outbox_dir: dir,
                    ..Settings::default()
                },
            )
        });
        services::demo::seed_base(&a).await.unwrap();
        let workers = [&a, &b].map(|svc| {
            Worker::new(svc.clone(), jobs::registry())
                .poll_every(StdDuration::from_millis(10))
                .spawn()
        });
        let meta = RequestMeta {
            ip: Some("192.0.2.1".into()),
            ..RequestMeta::default()
        };
        for _ in 0..3 {
            services::identity::reset::request(&a, LINK_WORKER, &meta)
                .await
                .unwrap();
        }
        let sent = || async {
            email_outbox::Entity::find()
                .all(a.db())
                .await
                .unwrap()
                .iter()
                .all(|m| m.sent_at.is_some())
                && jobs_left(&a).await == 0
        };
        assert!(until(30, sent).await, "not delivered");
        for w in workers {
            w.stop(StdDuration::from_secs(5)).await;
        }
        let mails = email_outbox::Entity::find().all(a.db()).await.unwrap();
        assert_eq!(mails.len(), 3);
        let files: Vec<PathBuf> = dirs.iter().flat_map(|d| eml_files(d)).collect();
        assert_eq!(files.len(), 3, "one file per message: {files:?}");
        let names: BTreeSet<String> = files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        for m in &mails {
            assert_eq!(m.attempts, 1);
            let file = PathBuf::from(m.delivered_to.clone().unwrap());
            assert!(names.contains(&format!("{:06}-20261102T100000.eml", m.id)));
            let text = std::fs::read_to_string(&file).unwrap();
            assert!(text.contains(LINK_WORKER) && text.contains("/password-reset/"));
        }
        for d in &dirs {
            let _ = std::fs::remove_dir_all(d);
        }
    }
);

store::db_test!(
    an_email_already_sent_is_not_sent_again_by_a_second_run,
    |db| {
        let clock = Arc::new(FixedClock::new(start()));
        let dir = outbox("again");
        let svc = Services::new(
            db.clone(),
            clock.clone(),
            Settings {
                outbox_dir: dir.clone(),
                ..Settings::default()
            },
        );
        services::demo::seed_base(&svc).await.unwrap();
        services::identity::reset::request(&svc, LINK_WORKER, &RequestMeta::default())
            .await
            .unwrap();
        let worker = Worker::new(svc.clone(), jobs::registry());
        assert_eq!(worker.run_due().await.unwrap().succeeded, 1);
        let file = eml_files(&dir).pop().unwrap();
        std::fs::remove_file(&file).unwrap();
        // As if the worker had stopped after sending but before recording the job as done.
        let m = email_outbox::Entity::find()
            .one(svc.db())
            .await
            .unwrap()
            .unwrap();
        jobs::enqueue(
            svc.db(),
            svc.now(),
            services::email::SEND_EMAIL,
            &services::email::SendEmail { email_id: m.id },
            svc.now(),
        )
        .await
        .unwrap();
        assert_eq!(worker.run_due().await.unwrap().succeeded, 1);
        assert!(eml_files(&dir).is_empty(), "not written again");
        let _ = std::fs::remove_dir_all(&dir);
    }
);
