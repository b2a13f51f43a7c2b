#![allow(clippy::unwrap_used, clippy::expect_used)]
use chrono::Utc;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use store::entities::organisation;

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
