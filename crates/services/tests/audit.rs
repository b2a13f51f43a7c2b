#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Audit events outside a change's transaction are written by group commit: none is lost, and
//! simultaneous ones share commits.

use chrono::{TimeZone, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use services::audit::{self, Event, Outcome};
use services::{FixedClock, RequestMeta, Services, Settings};
use std::sync::Arc;
use store::entities::audit_event;

store::db_test!(simultaneous_reads_are_all_audited_in_fewer_commits, |db| {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap(),
    ));
    let svc = Services::new(db, clock, Settings::default());
    let reads = (0..200).map(|i| {
        let svc = svc.clone();
        async move {
            audit::log(
                &svc,
                svc.now(),
                &RequestMeta::default(),
                Event::new("person_viewed", Outcome::Success)
                    .by_label(Some(1), "reader@example.test")
                    .entity("person", i),
            )
            .await
        }
    });
    let results = futures::future::join_all(reads).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let written = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("person_viewed"))
        .count(svc.db())
        .await
        .unwrap();
    assert_eq!(
        written, 200,
        "every read is recorded before its call returns"
    );
    let commits = svc.audit.commits();
    assert!(
        (1..200).contains(&commits),
        "200 simultaneous events took {commits} commits"
    );
});
