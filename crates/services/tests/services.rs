#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Use-case tests on both databases: ODS import and adding users.

use chrono::{TimeZone, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use services::ods_import::{Layout, import};
use services::{FixedClock, RequestMeta, ServiceError, Services, Settings};
use std::sync::Arc;
use store::entities::organisation;

async fn seeded(db: store::DatabaseConnection) -> Services {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap(),
    ));
    let svc = Services::new(db, clock, Settings::default());
    services::demo::seed(&svc).await.unwrap();
    svc
}

async fn by_code(svc: &Services, code: &str) -> Option<organisation::Model> {
    organisation::Entity::find()
        .filter(organisation::Column::OdsCode.eq(code))
        .one(svc.db())
        .await
        .unwrap()
}

// epraccur layout: code, name, grouping, geography, 5 address lines, postcode, open, close,
// status, sub-type, commissioner, join, left, phone, …, prescribing setting (column 26).
const PRACTICES: &str = "\
B91001,THE NEW RIVERSIDE SURGERY,Y90,QZ1,1 HIGH STREET,,RIVERDALE,,,RD1 3AA,20200101,,A,B,QZ1,20200101,,01134960000,,,,0,,,,4,
B91002,ST. MARY'S HEALTH CENTRE,Y90,QZ2,2 LOW STREET,,FELLSIDE,,,FS1 4BB,20200101,,A,B,QZ2,20200101,,01134960001,,,,0,,,,4,
B91003,BAD POSTCODE SURGERY,Y90,QZ1,3 ROAD,,RIVERDALE,,,NOT A POSTCODE,20200101,,A,B,QZ1,20200101,,,,,,0,,,,4,
12345,NOT A PRACTICE CODE,Y90,QZ1,4 ROAD,,RIVERDALE,,,RD1 3AB,20200101,,A,B,QZ1,20200101,,,,,,0,,,,4,
B91004,UNKNOWN COMMISSIONER,Y90,QZ9,5 ROAD,,RIVERDALE,,,RD1 3AC,20200101,,A,B,QZ9,20200101,,,,,,0,,,,4,
Y91005,A PHARMACY,Y90,QZ1,6 ROAD,,RIVERDALE,,,RD1 3AD,20200101,,A,B,QZ1,20200101,,,,,,0,,,,1,
B90001,RIVERSIDE MEDICAL CENTRE (RENAMED),Y90,QZ1,7 ROAD,,RIVERDALE,,,RD1 2AB,20200101,,A,B,QZ1,20200101,,,,,,0,,,,4,
TOO,FEW,COLUMNS
";

store::db_test!(
    practices_import_good_rows_and_report_bad_ones_by_line,
    |db| {
        let svc = seeded(db).await;
        let before = organisation::Entity::find().count(svc.db()).await.unwrap();
        let report = import(
            &svc,
            &RequestMeta::default(),
            Layout::Practices,
            PRACTICES.as_bytes(),
        )
        .await
        .unwrap();
        assert_eq!(
            (report.created, report.updated, report.skipped),
            (2, 1, 1),
            "{report:?}"
        );
        let lines: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 8], "{:?}", report.errors);
        assert!(
            report.errors[0].reason.contains("postcode"),
            "{:?}",
            report.errors[0]
        );
        assert!(report.errors[2].reason.contains("QZ9"));
        assert_eq!(
            organisation::Entity::find().count(svc.db()).await.unwrap(),
            before + 2
        );
        let p = by_code(&svc, "B91002").await.unwrap();
        assert_eq!(p.name, "St. Mary's Health Centre");
        assert_eq!(p.postcode.as_deref(), Some("FS1 4BB"));
        let icb = by_code(&svc, "QZ2").await.unwrap();
        assert_eq!(p.parent_id, Some(icb.id));
        assert_eq!(p.path, format!("{}{}/", icb.path, p.id));
        let renamed = by_code(&svc, "B90001").await.unwrap();
        assert_eq!(renamed.name, "Riverside Medical Centre (Renamed)");
        assert!(
            renamed
                .path
                .contains(&format!("/{}/", by_code(&svc, "U90001").await.unwrap().id)),
            "an update keeps PCN membership"
        );
    }
);

const MEMBERS: &str = "\
Partner Organisation Code,Partner Name,PCN Code,PCN Name,Practice to PCN Relationship Start Date,Practice to PCN Relationship End Date
B91001,THE NEW RIVERSIDE SURGERY,U91001,RIVERDALE SOUTH PCN,20200701,
B91002,ST. MARY'S HEALTH CENTRE,U90004,FELLSIDE PCN,20200701,
B91009,NEVER IMPORTED,U91001,RIVERDALE SOUTH PCN,20200701,
B91001,THE NEW RIVERSIDE SURGERY,X1,BROKEN PCN,20200701,
B90002,BRIDGE STREET SURGERY,U90003,MILLBROOK AND WEIR PCN,20190701,20200331
B90003,CASTLE VIEW PRACTICE,U90002,RIVERDALE NORTH PCN,20200701,soon
";

store::db_test!(pcn_membership_import_places_practices_in_their_pcns, |db| {
    let svc = seeded(db).await;
    import(
        &svc,
        &RequestMeta::default(),
        Layout::Practices,
        PRACTICES.as_bytes(),
    )
    .await
    .unwrap();
    let report = import(
        &svc,
        &RequestMeta::default(),
        Layout::PcnMembers,
        MEMBERS.as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(report.created, 1, "one new PCN: {report:?}");
    assert_eq!(report.updated, 2);
    assert_eq!(report.skipped, 1, "an ended relationship is skipped");
    let lines: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![4, 5, 7], "{:?}", report.errors);
    assert!(
        report.errors[0]
            .reason
            .contains("import the GP practices file first")
    );
    let pcn = by_code(&svc, "U91001").await.unwrap();
    assert_eq!(pcn.name, "Riverdale South PCN");
    assert_eq!(pcn.parent_id, Some(by_code(&svc, "QZ1").await.unwrap().id));
    let practice = by_code(&svc, "B91001").await.unwrap();
    assert_eq!(practice.parent_id, Some(pcn.id));
    assert_eq!(practice.path, format!("{}{}/", pcn.path, practice.id));
    // Bridge Street's ended relationship left it where it was.
    assert_eq!(
        by_code(&svc, "B90002").await.unwrap().parent_id,
        Some(by_code(&svc, "U90001").await.unwrap().id)
    );
});

store::db_test!(
    a_membership_file_without_the_expected_header_is_refused_whole,
    |db| {
        let svc = seeded(db).await;
        let r = import(
            &svc,
            &RequestMeta::default(),
            Layout::PcnMembers,
            "a,b,c\n1,2,3\n".as_bytes(),
        )
        .await;
        match r {
            Err(ServiceError::Invalid(list)) => {
                assert!(list[0].message.contains("Partner Organisation Code"))
            }
            other => panic!("{other:?}"),
        }
    }
);

store::db_test!(adding_a_user_validates_every_field, |db| {
    let svc = seeded(db).await;
    let pcn = by_code(&svc, "U90001").await.unwrap().id;
    let input = services::identity::users::NewUser {
        email: "link.worker@demo.whatmatters.test".into(),
        display_name: " ".into(),
        password: "short".into(),
        memberships: vec![
            (domain::Role::LinkWorker, pcn),
            (domain::Role::LinkWorker, 999_999),
        ],
    };
    let Err(ServiceError::Invalid(list)) =
        services::identity::users::create(&svc, None, &RequestMeta::default(), input).await
    else {
        panic!()
    };
    let fields: Vec<&str> = list.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        vec!["display_name", "password", "memberships", "email"],
        "{list:?}"
    );
    let ok = services::identity::users::create(
        &svc,
        None,
        &RequestMeta::default(),
        services::identity::users::NewUser {
            email: "New.Coach@Demo.whatmatters.test".into(),
            display_name: "New Coach".into(),
            password: "a long enough passphrase".into(),
            memberships: vec![(domain::Role::HealthAndWellbeingCoach, pcn)],
        },
    )
    .await
    .unwrap();
    assert_eq!(ok.email, "new.coach@demo.whatmatters.test");
    assert!(ok.password_hash.unwrap().starts_with("$argon2id$"));
});

store::db_test!(the_demo_seed_is_a_realistic_region, |db| {
    let svc = seeded(db).await;
    let count = |kind: &'static str| {
        let db = svc.db().clone();
        async move {
            organisation::Entity::find()
                .filter(organisation::Column::Kind.eq(kind))
                .count(&db)
                .await
                .unwrap()
        }
    };
    assert_eq!(count("region").await, 1);
    assert_eq!(count("icb").await, 2);
    assert_eq!(count("pcn").await, 6);
    assert_eq!(count("practice").await, 24);
    assert_eq!(count("vcse").await, 6);
    let opted_out = organisation::Entity::find()
        .filter(organisation::Column::PcnOptedOut.eq(true))
        .all(svc.db())
        .await
        .unwrap();
    assert_eq!(opted_out.len(), 1);
    assert!(opted_out[0].commissioner_arrangement.is_some());
    // Seeding again changes nothing.
    assert!(!services::demo::seed(&svc).await.unwrap());
    assert_eq!(count("practice").await, 24);
});
