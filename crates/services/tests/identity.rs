#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Sign-in under attack, on both databases: the lockout holds under parallel guesses, a locked
//! account looks like a wrong password, hostile input is just an incorrect sign-in, and argon2
//! work stays bounded.

mod common;
use common::*;

use chrono::Duration;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use services::identity::password;
use services::identity::sign_in::{SignInError, sign_in};
use services::{RequestMeta, ServiceError, Services, limits};
use store::entities::{audit_event, user};

const LINK_WORKER: &str = "link.worker@demo.whatmatters.test";
const RIGHT: &str = services::demo::DEMO_PASSWORD;
fn from(ip: &str) -> RequestMeta {
    RequestMeta {
        request_id: None,
        ip: Some(ip.into()),
        user_agent: None,
    }
}

async fn account(svc: &Services) -> user::Model {
    services::identity::users::find_by_email(svc, LINK_WORKER)
        .await
        .unwrap()
        .unwrap()
}

async fn last_sign_in_audit(svc: &Services) -> audit_event::Model {
    audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("sign_in"))
        .order_by_desc(audit_event::Column::Id)
        .one(svc.db())
        .await
        .unwrap()
        .unwrap()
}

fn is_incorrect(r: &Result<(user::Model, String), SignInError>) -> bool {
    matches!(r, Err(SignInError::Incorrect))
}

fn is_rate_limited(r: &Result<(user::Model, String), SignInError>) -> bool {
    matches!(
        r,
        Err(SignInError::Service(ServiceError::RateLimited { .. }))
    )
}

store::db_test!(parallel_guesses_verify_at_most_the_threshold, |db| {
    let c = ctx(db).await;
    let threshold = usize::try_from(c.svc.settings.lockout_threshold).unwrap();
    // 40 at once, each from its own address so only the per-account limit and the lockout apply.
    let guesses = (0..40).map(|i| {
        let svc = c.svc.clone();
        async move {
            let guess = format!("guess number {i} of forty");
            sign_in(&svc, LINK_WORKER, &guess, &from(&format!("198.51.100.{i}"))).await
        }
    });
    let results = futures::future::join_all(guesses).await;
    let stats = c.svc.passwords.stats();
    assert!(
        stats.checked_against_hash <= threshold,
        "{} passwords were checked against the account's hash; the limit is {threshold}",
        stats.checked_against_hash
    );
    assert!(stats.checked_against_hash >= 1);
    eprintln!(
        "40 parallel guesses: {} checked against the hash, {} hashes in all, peak {} running",
        stats.checked_against_hash, stats.hashes, stats.peak_running
    );
    // Refused by the per-account bucket (a wait of a minute) or, past it, by the queue for
    // password work being full (a wait of a second).
    let waits: Vec<u64> = results
        .iter()
        .filter_map(|r| match r {
            Err(SignInError::Service(ServiceError::RateLimited { retry_after_secs })) => {
                Some(*retry_after_secs)
            }
            _ => None,
        })
        .collect();
    let by_bucket = waits.iter().filter(|w| **w > 1).count();
    let busy = waits.iter().filter(|w| **w == 1).count();
    let incorrect = results.iter().filter(|r| is_incorrect(r)).count();
    assert_eq!(
        by_bucket,
        40 - usize::try_from(limits::SIGN_IN_PER_ACCOUNT.capacity).unwrap(),
        "the per-account bucket lets exactly its capacity through"
    );
    assert_eq!(busy, stats.refused);
    assert_eq!(
        by_bucket + busy + incorrect,
        40,
        "no other answers: {results:?}"
    );
    let u = account(&c.svc).await;
    assert!(
        u.locked_until.is_some_and(|t| t > c.svc.now()),
        "the account is locked"
    );
    // The right password does not get in once locked, and is not even checked.
    c.clock.advance(Duration::minutes(2));
    let right = sign_in(&c.svc, LINK_WORKER, RIGHT, &from("203.0.113.1")).await;
    assert!(is_incorrect(&right), "{right:?}");
    assert_eq!(
        c.svc.passwords.stats().checked_against_hash,
        stats.checked_against_hash
    );
    // Nor do parallel tries with the right password.
    c.clock.advance(Duration::minutes(5));
    let rights = (0..4).map(|i| {
        let svc = c.svc.clone();
        async move { sign_in(&svc, LINK_WORKER, RIGHT, &from(&format!("203.0.113.{i}"))).await }
    });
    let rights = futures::future::join_all(rights).await;
    assert!(rights.iter().all(is_incorrect), "{rights:?}");
    // Once the lock ends, the right password works and the count starts again.
    c.clock
        .advance(Duration::minutes(c.svc.settings.lockout_minutes));
    sign_in(&c.svc, LINK_WORKER, RIGHT, &from("203.0.113.9"))
        .await
        .unwrap();
    let u = account(&c.svc).await;
    assert_eq!((u.failed_sign_ins, u.locked_until), (0, None));
});

store::db_test!(
    the_right_password_among_parallel_guesses_gets_in_only_within_the_threshold,
    |db| {
        let c = ctx(db).await;
        let threshold = usize::try_from(c.svc.settings.lockout_threshold).unwrap();
        let tries = (0..20).map(|i| {
            let svc = c.svc.clone();
            async move {
                let pw = if i == 10 {
                    RIGHT.to_owned()
                } else {
                    format!("wrong guess {i}")
                };
                sign_in(&svc, LINK_WORKER, &pw, &from(&format!("198.51.100.{i}"))).await
            }
        });
        let results = futures::future::join_all(tries).await;
        let signed_in = results.iter().filter(|r| r.is_ok()).count();
        let checked = c.svc.passwords.stats().checked_against_hash;
        if signed_in == 0 {
            assert!(checked <= threshold, "{checked} checked");
            assert!(account(&c.svc).await.locked_until.is_some());
        } else {
            // The right password was among the first attempts counted; its success reset the
            // count, so at most one more run of wrong guesses was checked after it.
            assert_eq!(signed_in, 1);
            assert!(checked <= 2 * threshold, "{checked} checked");
        }
    }
);

store::db_test!(
    a_locked_account_answers_exactly_like_a_wrong_password,
    |db| {
        let c = ctx(db).await;
        let m = from("192.0.2.10");
        let wrong = sign_in(&c.svc, LINK_WORKER, "not the password", &m).await;
        let unknown = sign_in(
            &c.svc,
            "nobody@demo.whatmatters.test",
            "not the password",
            &m,
        )
        .await;
        for _ in 0..4 {
            sign_in(&c.svc, LINK_WORKER, "not the password", &m)
                .await
                .unwrap_err();
        }
        assert!(account(&c.svc).await.locked_until.is_some());
        let before = c.svc.passwords.stats();
        let locked = sign_in(&c.svc, LINK_WORKER, RIGHT, &m).await;
        let after = c.svc.passwords.stats();
        for r in [&wrong, &unknown, &locked] {
            let e = r.as_ref().unwrap_err();
            assert!(matches!(e, SignInError::Incorrect), "{e:?}");
            assert_eq!(e.to_string(), "The email address or password is incorrect");
        }
        assert_eq!(
            (
                after.hashes - before.hashes,
                after.checked_against_hash - before.checked_against_hash
            ),
            (1, 0),
            "a locked account costs one dummy hash, as a wrong password costs one real one"
        );
        // The audit log keeps the real reason.
        let ev = last_sign_in_audit(&c.svc).await;
        assert_eq!(
            (ev.outcome.as_str(), ev.detail.as_deref()),
            ("refused", Some("account locked"))
        );
        let reasons: Vec<Option<String>> = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("sign_in"))
            .order_by_asc(audit_event::Column::Id)
            .all(c.svc.db())
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.detail)
            .collect();
        assert_eq!(reasons[0].as_deref(), Some("wrong password"));
        assert_eq!(reasons[1].as_deref(), Some("unknown account"));
        assert_eq!(
            reasons[5].as_deref(),
            Some("wrong password; account now locked")
        );
    }
);

store::db_test!(
    hostile_sign_in_input_is_an_incorrect_sign_in_not_an_error,
    |db| {
        let c = ctx(db).await;
        let m = from("192.0.2.11");
        let long = format!("{}@demo.whatmatters.test", "a".repeat(300));
        let cases = [
            ("link.worker\0@demo.whatmatters.test", RIGHT),
            ("\0", "\0"),
            ("link.worker@demo.whatmatters.test\u{1b}[2J", RIGHT),
            ("link.worker@demo.whatmatters.test", "whatmatters-demo\0"),
            (long.as_str(), RIGHT),
            ("a@b.uk\r\nBcc: x@y.uk", RIGHT),
        ];
        let hashes = c.svc.passwords.stats().hashes;
        for (email, pw) in cases {
            let r = sign_in(&c.svc, email, pw, &m).await;
            assert!(is_incorrect(&r), "{email:?}: {r:?}");
        }
        assert_eq!(
            c.svc.passwords.stats().hashes,
            hashes,
            "no password work spent"
        );
        let ev = last_sign_in_audit(&c.svc).await;
        assert_eq!(ev.outcome, "failure");
        // Nothing counted against the real account.
        assert_eq!(account(&c.svc).await.failed_sign_ins, 0);
    }
);

store::db_test!(sign_ins_from_one_address_are_limited_then_refill, |db| {
    let c = ctx(db).await;
    let m = from("192.0.2.12");
    let cap = limits::SIGN_IN_PER_ADDRESS.capacity;
    for i in 0..cap {
        let r = sign_in(&c.svc, &format!("nobody{i}@demo.whatmatters.test"), "x", &m).await;
        assert!(is_incorrect(&r), "attempt {i}: {r:?}");
    }
    let r = sign_in(&c.svc, LINK_WORKER, RIGHT, &m).await;
    match r {
        Err(SignInError::Service(ServiceError::RateLimited { retry_after_secs })) => {
            assert_eq!(retry_after_secs, limits::SIGN_IN_PER_ADDRESS.refill_secs)
        }
        other => panic!("expected a rate limit: {other:?}"),
    }
    // Another address is not affected, and the limited one earns a try back with time.
    sign_in(&c.svc, LINK_WORKER, RIGHT, &from("192.0.2.13"))
        .await
        .unwrap();
    let secs = i64::try_from(limits::SIGN_IN_PER_ADDRESS.refill_secs).unwrap();
    c.clock.advance(Duration::seconds(secs));
    sign_in(&c.svc, LINK_WORKER, RIGHT, &m).await.unwrap();
    assert!(is_rate_limited(
        &sign_in(&c.svc, LINK_WORKER, RIGHT, &m).await
    ));
});

store::db_test!(
    parallel_sign_ins_keep_argon2_within_the_cores_and_refuse_the_excess,
    |db| {
        let c = ctx(db).await;
        let tries = (0..200).map(|i| {
            let svc = c.svc.clone();
            async move {
                let ip = format!("10.{}.{}.1", i / 100, i % 100);
                sign_in(
                    &svc,
                    &format!("user{i}@demo.whatmatters.test"),
                    "x",
                    &from(&ip),
                )
                .await
            }
        });
        let results = futures::future::join_all(tries).await;
        let s = c.svc.passwords.stats();
        let cores = std::thread::available_parallelism().unwrap().get();
        assert_eq!(s.cores, cores);
        assert!(s.peak_running >= 1 && s.peak_running <= cores, "{s:?}");
        assert!(
            s.peak_admitted <= cores * (1 + password::WAITING_PER_CORE),
            "{s:?}"
        );
        let busy = results.iter().filter(|r| is_rate_limited(r)).count();
        let incorrect = results.iter().filter(|r| is_incorrect(r)).count();
        assert_eq!(busy + incorrect, 200, "{results:?}");
        assert!(busy > 0, "the excess is refused, not queued: {s:?}");
        assert_eq!(busy, s.refused, "every refusal is a 429");
        eprintln!(
            "200 parallel sign-ins: peak {} hashes running on {} cores, peak {} admitted, {} refused",
            s.peak_running, cores, s.peak_admitted, s.refused
        );
        // Straight at the hashing, with no database work to space the arrivals, the queue fills
        // and the excess is refused at once.
        let direct = (0..200).map(|_| password::verify(&c.svc, "x".into(), None));
        let direct = futures::future::join_all(direct).await;
        let refused = direct
            .iter()
            .filter(|r| matches!(r, Err(ServiceError::RateLimited { .. })))
            .count();
        let s = c.svc.passwords.stats();
        assert!(s.peak_running <= cores, "{s:?}");
        assert!(
            refused >= 200 - 2 * cores * (1 + password::WAITING_PER_CORE),
            "{refused} refused"
        );
    }
);

store::db_test!(a_closed_account_says_so_only_to_the_right_password, |db| {
    use sea_orm::{ActiveModelTrait, Set};
    let c = ctx(db).await;
    let mut am: user::ActiveModel = account(&c.svc).await.into();
    am.active = Set(false);
    am.update(c.svc.db()).await.unwrap();
    let m = from("192.0.2.40");
    let wrong = sign_in(&c.svc, LINK_WORKER, "not the password", &m).await;
    assert!(is_incorrect(&wrong), "{wrong:?}");
    for _ in 0..6 {
        let right = sign_in(&c.svc, LINK_WORKER, RIGHT, &m).await;
        assert!(matches!(right, Err(SignInError::Disabled)), "{right:?}");
    }
    assert_eq!(account(&c.svc).await.failed_sign_ins, 0);
});
