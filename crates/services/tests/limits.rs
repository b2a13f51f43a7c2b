#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The token buckets on both databases: atomic under parallel use, refilled by the clock, and
//! applied to password resets, API tokens and the self-referral form.

mod common;
use common::*;

use chrono::Duration;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use services::care::people::PersonInput;
use services::care::referrals::{self, SelfReferralInput};
use services::identity::{reset, token, users};
use services::limits::{self, Bucket};
use services::{RequestMeta, ServiceError, Services, Settings};
use store::entities::{email_outbox, organisation, rate_limit, referral};

const LINK_WORKER: &str = "link.worker@demo.whatmatters.test";
fn from(ip: &str) -> RequestMeta {
    RequestMeta {
        request_id: None,
        ip: Some(ip.into()),
        user_agent: None,
    }
}

fn limited(r: &Result<(), ServiceError>) -> Option<u64> {
    match r {
        Err(ServiceError::RateLimited { retry_after_secs }) => Some(*retry_after_secs),
        _ => None,
    }
}

const TEST_BUCKET: Bucket = Bucket {
    name: "test",
    capacity: 3,
    refill_secs: 10,
};

store::db_test!(a_token_bucket_refills_with_the_clock, |db| {
    let c = ctx(db).await;
    let take = || limits::take(&c.svc, &TEST_BUCKET, "someone");
    for _ in 0..3 {
        assert!(take().await.unwrap().allowed);
    }
    let refused = take().await.unwrap();
    assert_eq!((refused.allowed, refused.retry_after_secs), (false, 10));
    // A refusal takes nothing, so trying again and again does not push the wait back.
    for _ in 0..5 {
        assert!(!take().await.unwrap().allowed);
    }
    c.clock.advance(Duration::seconds(7));
    let r = take().await.unwrap();
    assert_eq!((r.allowed, r.retry_after_secs), (false, 3));
    assert!(
        !limits::peek(&c.svc, &TEST_BUCKET, "someone")
            .await
            .unwrap()
            .allowed
    );
    c.clock.advance(Duration::seconds(3));
    assert!(
        limits::peek(&c.svc, &TEST_BUCKET, "someone")
            .await
            .unwrap()
            .allowed
    );
    assert!(take().await.unwrap().allowed);
    assert!(!take().await.unwrap().allowed);
    // Refilling stops at the capacity, however long the wait.
    c.clock.advance(Duration::days(3));
    for _ in 0..3 {
        assert!(take().await.unwrap().allowed);
    }
    assert!(!take().await.unwrap().allowed);
    // Fractions of a token carry over: 15 s earn 1.5 tokens, one is taken, 5 s more make one.
    c.clock.advance(Duration::seconds(15));
    assert!(take().await.unwrap().allowed);
    assert!(!take().await.unwrap().allowed);
    c.clock.advance(Duration::milliseconds(4900));
    assert!(!take().await.unwrap().allowed);
    c.clock.advance(Duration::milliseconds(100));
    assert!(take().await.unwrap().allowed);
    // Another subject has a bucket of its own.
    assert!(
        limits::take(&c.svc, &TEST_BUCKET, "someone else")
            .await
            .unwrap()
            .allowed
    );
    // Full buckets are purged; a missing bucket is full.
    c.clock.advance(Duration::days(1));
    // The two buckets this test used, "someone" and "someone else".
    assert_eq!(limits::purge_full(&c.svc).await.unwrap(), 2);
    assert_eq!(
        rate_limit::Entity::find().count(c.svc.db()).await.unwrap(),
        0
    );
});

store::db_test!(parallel_takes_never_overdraw_a_bucket, |db| {
    let c = ctx(db).await;
    let bucket = Bucket {
        name: "test",
        capacity: 20,
        refill_secs: 3600,
    };
    let takes = (0..60).map(|_| {
        let svc = c.svc.clone();
        async move { limits::take(&svc, &bucket, "one").await.unwrap() }
    });
    let results = futures::future::join_all(takes).await;
    assert_eq!(results.iter().filter(|d| d.allowed).count(), 20);
    assert!(
        results
            .iter()
            .filter(|d| !d.allowed)
            .all(|d| d.retry_after_secs > 0)
    );
    let row = rate_limit::Entity::find_by_id("test:one".to_owned())
        .one(c.svc.db())
        .await
        .unwrap()
        .unwrap();
    assert!(row.tokens.abs() < 1e-6, "{row:?}");
});

store::db_test!(reset_requests_send_at_most_three_emails_an_hour, |db| {
    let c = ctx(db).await;
    let mut answers = Vec::new();
    for email in [LINK_WORKER, "nobody@demo.whatmatters.test"] {
        let mut these = Vec::new();
        for i in 0..25 {
            // Each from its own address: the per-account limit is what holds.
            let r = reset::request(&c.svc, email, &from(&format!("198.51.100.{i}"))).await;
            these.push(limited(&r));
        }
        answers.push(these);
    }
    assert_eq!(
        answers[0], answers[1],
        "the same answers whether or not the account exists"
    );
    assert_eq!(answers[0].iter().filter(|a| a.is_none()).count(), 3);
    assert_eq!(answers[0][3], Some(1200), "the next e-mail in 20 minutes");
    let mails = email_outbox::Entity::find()
        .filter(email_outbox::Column::ToAddress.eq(LINK_WORKER))
        .count(c.svc.db())
        .await
        .unwrap();
    assert_eq!(mails, 3);
    // The e-mails really go out (.eml files in the outbox folder, no SMTP configured).
    let dir = std::env::temp_dir().join(format!("wm-outbox-{}", uuid_like()));
    let svc = Services::new(
        c.svc.db().clone(),
        c.clock.clone(),
        Settings {
            outbox_dir: dir.clone(),
            ..Settings::default()
        },
    );
    let worker = services::jobs::Worker::new(svc.clone(), services::jobs::registry());
    assert_eq!(worker.run_due().await.unwrap().succeeded, 3);
    let files = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "eml"))
        })
        .count();
    assert_eq!(files, 3);
    let _ = std::fs::remove_dir_all(&dir);
    // 20 minutes later, one more.
    c.clock.advance(Duration::minutes(20));
    reset::request(&c.svc, LINK_WORKER, &from("192.0.2.99"))
        .await
        .unwrap();
    assert!(limited(&reset::request(&c.svc, LINK_WORKER, &from("192.0.2.99")).await).is_some());
});

fn uuid_like() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

store::db_test!(reset_requests_from_one_address_are_limited, |db| {
    let c = ctx(db).await;
    let m = from("192.0.2.20");
    let cap = limits::RESET_PER_ADDRESS.capacity;
    for i in 0..cap {
        reset::request(&c.svc, &format!("person{i}@example.org"), &m)
            .await
            .unwrap();
    }
    let r = reset::request(&c.svc, LINK_WORKER, &m).await;
    assert_eq!(limited(&r), Some(limits::RESET_PER_ADDRESS.refill_secs));
    assert_eq!(
        email_outbox::Entity::find()
            .count(c.svc.db())
            .await
            .unwrap(),
        0
    );
});

store::db_test!(failed_api_tokens_from_one_address_are_refused, |db| {
    let c = ctx(db).await;
    let u = users::find_by_email(&c.svc, LINK_WORKER)
        .await
        .unwrap()
        .unwrap();
    let actor = users::load_actor(c.svc.db(), &u).await.unwrap();
    let (_, good) = token::create(&c.svc, &actor, &from("192.0.2.1"), "sync", Some(30))
        .await
        .unwrap();
    let bad = from("192.0.2.66");
    let cap = limits::BEARER_FAILURES_PER_ADDRESS.capacity;
    for i in 0..cap {
        let r = token::authenticate(&c.svc, &format!("wm_guess{i}"), &bad).await;
        assert!(r.unwrap().is_none());
    }
    let r = token::authenticate(&c.svc, "wm_one_more_guess", &bad).await;
    assert!(
        matches!(r, Err(ServiceError::RateLimited { retry_after_secs }) if retry_after_secs == limits::BEARER_FAILURES_PER_ADDRESS.refill_secs),
        "{r:?}"
    );
    // While limited, even a good token from that address waits: nothing is looked up.
    assert!(token::authenticate(&c.svc, &good, &bad).await.is_err());
    // Other addresses are unaffected; good tokens never use up the limit.
    for _ in 0..30 {
        assert!(
            token::authenticate(&c.svc, &good, &from("192.0.2.1"))
                .await
                .unwrap()
                .is_some()
        );
    }
    c.clock.advance(Duration::seconds(30));
    assert!(
        token::authenticate(&c.svc, &good, &bad)
            .await
            .unwrap()
            .is_some()
    );
});

fn self_referral(practice: i32) -> SelfReferralInput {
    SelfReferralInput {
        person: PersonInput {
            given_name: Some("Jack".into()),
            family_name: Some("Turner".into()),
            date_of_birth: Some("1962-02-14".into()),
            phone: Some("07700 900123".into()),
            preferred_contact: Some("phone".into()),
            practice_id: Some(practice),
            ..Default::default()
        },
        service: Some("social_prescribing".into()),
        reason: Some("I would like to find a walking group".into()),
        consent_to_contact: true,
        trap: None,
    }
}

store::db_test!(a_parallel_self_referral_flood_saves_only_the_limit, |db| {
    let c = ctx(db).await;
    let practice = organisation::Entity::find()
        .filter(organisation::Column::OdsCode.eq("B90001"))
        .one(c.svc.db())
        .await
        .unwrap()
        .unwrap()
        .id;
    let flood =
        (0..15).map(|_| {
            let svc = c.svc.clone();
            async move {
                referrals::self_refer(&svc, &from("192.0.2.30"), self_referral(practice)).await
            }
        });
    let results = futures::future::join_all(flood).await;
    let refused = results
        .iter()
        .filter(|r| matches!(r, Err(ServiceError::RateLimited { .. })))
        .count();
    let limit = referrals::SELF_REFERRALS_PER_ADDRESS_PER_HOUR;
    assert_eq!(refused, 15 - usize::try_from(limit).unwrap(), "{results:?}");
    assert_eq!(
        referral::Entity::find().count(c.svc.db()).await.unwrap(),
        limit,
        "{results:?}"
    );
});
