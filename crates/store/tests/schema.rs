#![allow(clippy::unwrap_used, clippy::expect_used)]
use chrono::Utc;
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};
use store::entities::{measure, organisation, person, referral};

fn org(code: &str) -> organisation::ActiveModel {
    let now = Utc::now();
    organisation::ActiveModel {
        kind: Set("practice".into()),
        ods_code: Set(Some(code.into())),
        name: Set("Riverside Surgery".into()),
        parent_id: Set(None),
        path: Set("/".into()),
        status: Set("active".into()),
        list_size: Set(Some(8200)),
        pcn_opted_out: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
}

store::db_test!(organisations_round_trip, |db| {
    let saved = org("B82001").insert(&db).await.unwrap();
    let found = organisation::Entity::find_by_id(saved.id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.ods_code.as_deref(), Some("B82001"));
    assert_eq!(found.list_size, Some(8200));
});

store::db_test!(ods_codes_are_unique, |db| {
    org("B82002").insert(&db).await.unwrap();
    assert!(org("B82002").insert(&db).await.is_err());
});

store::db_test!(migrations_are_idempotent, |db| {
    store::migrate(&db).await.unwrap();
    store::ping(&db).await.unwrap();
});

fn person(nhs: &str, needs_reconciliation: bool) -> person::ActiveModel {
    let now = Utc::now();
    person::ActiveModel {
        nhs_number: Set(Some(nhs.into())),
        given_name: Set("Jack".into()),
        family_name: Set("Turner".into()),
        search_name: Set("jack turner".into()),
        preferred_contact: Set("phone".into()),
        needs_reconciliation: Set(needs_reconciliation),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
}

store::db_test!(
    an_nhs_number_is_unique_among_people_not_awaiting_reconciliation,
    |db| {
        person("9434765919", false).insert(&db).await.unwrap();
        assert!(person("9434765919", false).insert(&db).await.is_err());
        // Kept for an administrator to reconcile: allowed, as often as it happens.
        person("9434765919", true).insert(&db).await.unwrap();
        person("9434765919", true).insert(&db).await.unwrap();
    }
);

store::db_test!(
    the_input_integrity_migration_keeps_people_their_records_and_exact_scores,
    |db| {
        use sea_orm::{ConnectionTrait, Statement};
        use sea_orm_migration::MigratorTrait;
        // Back to the schema before m0005, with a person, a referral and a noisy score.
        // (m0005 and every migration after it.)
        let after_m0004 = store::migration::Migrator::migrations().len() - 4;
        store::migration::Migrator::down(&db, Some(u32::try_from(after_m0004).unwrap()))
            .await
            .unwrap();
        let practice = org("B82003").insert(&db).await.unwrap();
        db.execute_unprepared(&format!(
            "INSERT INTO people (nhs_number, given_name, family_name, search_name, \
             preferred_contact, practice_id, created_at, updated_at, version) VALUES \
             ('9434765919', 'Jack', 'Turner', 'jack turner', 'phone', {}, \
             '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z', 3)",
            practice.id
        ))
        .await
        .unwrap();
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT id FROM people",
            ))
            .await
            .unwrap()
            .unwrap();
        let pid: i32 = row.try_get("", "id").unwrap();
        let now = Utc::now();
        // Inserted without reading the row back: the entity knows columns added later.
        referral::Entity::insert(referral::ActiveModel {
            person_id: Set(pid),
            team_org_id: Set(practice.id),
            service: Set("social_prescribing".into()),
            referred_on: Set(now.date_naive()),
            source: Set("staff".into()),
            referrer_name: Set("Dr Shah".into()),
            method: Set("phone".into()),
            reason: Set("Lonely".into()),
            urgency: Set("routine".into()),
            state: Set("received".into()),
            contact_attempts: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        })
        .exec_without_returning(&db)
        .await
        .unwrap();
        measure::ActiveModel {
            person_id: Set(pid),
            instrument: Set("swemwbs".into()),
            timepoint: Set("start".into()),
            taken_on: Set(now.date_naive()),
            answers: Set("2,1,1,1,1,1,1".into()),
            score: Set(Some(f64::from(9.51f32))),
            by_person: Set(false),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&db)
        .await
        .unwrap();

        store::migrate(&db).await.unwrap();

        let p = person::Entity::find_by_id(pid)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                p.nhs_number.as_deref(),
                p.family_name.as_str(),
                p.practice_id,
                p.version,
                p.needs_reconciliation
            ),
            (Some("9434765919"), "Turner", Some(practice.id), 3, false)
        );
        assert_eq!(
            referral::Entity::find().count(&db).await.unwrap(),
            1,
            "the person's referral is kept"
        );
        let m = measure::Entity::find().one(&db).await.unwrap().unwrap();
        assert_eq!(m.score, Some(9.51), "the float noise is gone");
        assert_eq!(serde_json::to_string(&m.score).unwrap(), "9.51");
        // References to people are still enforced, and still cascade.
        let orphan = referral::ActiveModel {
            person_id: Set(pid + 1000),
            ..referral::Entity::find()
                .one(&db)
                .await
                .unwrap()
                .unwrap()
                .into()
        };
        let mut orphan = orphan;
        orphan.id = sea_orm::ActiveValue::NotSet;
        assert!(orphan.insert(&db).await.is_err());
        assert!(person("9434765919", false).insert(&db).await.is_err());
        person::Entity::delete_by_id(pid).exec(&db).await.unwrap();
        assert_eq!(referral::Entity::find().count(&db).await.unwrap(), 0);
    }
);

store::db_test!(
    emails_not_yet_sent_before_the_jobs_migration_each_get_a_send_email_job,
    |db| {
        use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
        use sea_orm_migration::MigratorTrait;
        use store::entities::{email_outbox, job};
        // Back to the schema before m0006 (undoing it and every migration after it).
        let after_m0005 = store::migration::Migrator::migrations().len() - 5;
        store::migration::Migrator::down(&db, Some(u32::try_from(after_m0005).unwrap()))
            .await
            .unwrap();
        let now = Utc::now();
        let mail = |to: &str, sent: bool, attempts: i32| email_outbox::ActiveModel {
            to_address: Set(to.into()),
            subject: Set("Reset your whatmatters password".into()),
            body_text: Set("Open this link".into()),
            created_at: Set(now),
            sent_at: Set(sent.then_some(now)),
            attempts: Set(attempts),
            last_error: Set((attempts > 0).then(|| "SMTP: connection refused".into())),
            ..Default::default()
        };
        // Inserted without reading the row back: the entity has columns later migrations add.
        let add = |m: email_outbox::ActiveModel| {
            let db = db.clone();
            async move {
                email_outbox::Entity::insert(m)
                    .exec(&db)
                    .await
                    .unwrap()
                    .last_insert_id
            }
        };
        add(mail("sent@example.org", true, 1)).await;
        let waiting = add(mail("waiting@example.org", false, 2)).await;
        add(mail("given-up@example.org", false, 10)).await;
        let fresh = add(mail("fresh@example.org", false, 0)).await;

        store::migrate(&db).await.unwrap();

        let jobs = job::Entity::find()
            .filter(job::Column::Kind.eq("send_email"))
            .order_by_asc(job::Column::Id)
            .all(&db)
            .await
            .unwrap();
        let got: Vec<(serde_json::Value, i32, i32, Option<String>)> = jobs
            .into_iter()
            .map(|j| {
                (
                    serde_json::from_str(&j.payload).unwrap(),
                    j.attempts,
                    j.max_attempts,
                    j.last_error,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    serde_json::json!({ "email_id": waiting }),
                    2,
                    10,
                    Some("SMTP: connection refused".into())
                ),
                (serde_json::json!({ "email_id": fresh }), 0, 10, None),
            ]
        );
    }
);

/// The bundled SQLite is built with the options in .cargo/config.toml: statements keep their
/// plan whatever is bound (else every query with `LIMIT ?` is parsed again on each run), and no
/// global lock counts memory.
#[tokio::test]
async fn sqlite_is_built_to_plan_statements_once() {
    use sea_orm::{ConnectionTrait, Statement};
    let dir = std::env::temp_dir().join(format!("wm-options-{}.db", std::process::id()));
    let db = store::connect(&format!("sqlite://{}", dir.display()))
        .await
        .unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "PRAGMA compile_options",
        ))
        .await
        .unwrap();
    let options: Vec<String> = rows
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect();
    drop(db);
    let _ = std::fs::remove_file(&dir);
    for wanted in ["ENABLE_QPSG", "DEFAULT_MEMSTATUS=0"] {
        assert!(
            options.iter().any(|o| o == wanted),
            "SQLite built without {wanted}: {options:?}"
        );
    }
}
