use axum::http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use store::entities::{person, referral};

use crate::common::*;

async fn referral_of(app: &App, family: &str) -> referral::Model {
    let p = person::Entity::find()
        .filter(person::Column::FamilyName.eq(family))
        .one(&app.svc.db)
        .await
        .unwrap()
        .unwrap();
    referral::Entity::find()
        .filter(referral::Column::PersonId.eq(p.id))
        .one(&app.svc.db)
        .await
        .unwrap()
        .unwrap()
}

store::db_test!(
    another_pcns_worker_is_refused_on_every_care_record_route,
    |db| {
        let app = app(db).await;
        let r = referral_of(&app, "Turner").await;
        let mut b = app.sign_in(OTHER_LINK_WORKER).await;
        let v = r.version.to_string();
        let gets = [
            format!("/referrals/{}", r.id),
            format!("/referrals/{}/discharge", r.id),
            format!("/referrals/{}/message", r.id),
            format!("/people/{}", r.person_id),
            format!("/referrals/new?person_id={}", r.person_id),
        ];
        for path in &gets {
            assert_eq!(
                app.get(&mut b, path).await.status,
                StatusCode::FORBIDDEN,
                "GET {path}"
            );
        }
        let posts: [(String, Vec<(&str, &str)>); 4] = [
            (
                format!("/referrals/{}/contacts", r.id),
                vec![("kind", "phone")],
            ),
            (
                format!("/referrals/{}/assign", r.id),
                vec![("assigned_user_id", ""), ("version", v.as_str())],
            ),
            (
                format!("/referrals/{}/state", r.id),
                vec![("to", "declined"), ("reason", "x"), ("version", v.as_str())],
            ),
            (
                format!("/referrals/{}/discharge", r.id),
                vec![
                    ("reason", "goals_met"),
                    ("summary", "x"),
                    ("version", v.as_str()),
                ],
            ),
        ];
        for (path, form) in &posts {
            assert_eq!(
                app.post(&mut b, path, form).await.status,
                StatusCode::FORBIDDEN,
                "POST {path}"
            );
        }
        let unchanged = referral::Entity::find_by_id(r.id)
            .one(&app.svc.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(unchanged.version, r.version, "nothing changed");
        let caseload = app.get(&mut b, "/caseload").await;
        assert!(
            !caseload.body.contains("Jack Turner"),
            "not on another PCN's caseload"
        );
        use sea_orm::PaginatorTrait;
        let refused = store::entities::audit_event::Entity::find()
            .filter(store::entities::audit_event::Column::Outcome.eq("refused"))
            .filter(store::entities::audit_event::Column::PersonId.eq(r.person_id))
            .count(&app.svc.db)
            .await
            .unwrap();
        assert!(
            refused >= 8,
            "refusals are audited against the person ({refused})"
        );
    }
);

store::db_test!(a_person_and_non_care_staff_cannot_open_the_caseload, |db| {
    let app = app(db).await;
    for who in [PERSON, PCN_MANAGER, "vcse@demo.whatmatters.test"] {
        let mut b = app.sign_in(who).await;
        assert_eq!(
            app.get(&mut b, "/caseload").await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
        assert_eq!(
            app.get(&mut b, "/people?q=jack").await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
});

store::db_test!(the_caseload_filters_and_flags_people_waiting, |db| {
    let app = app(db).await;
    let mut b = app.sign_in(LINK_WORKER).await;
    let open = app.get(&mut b, "/caseload").await;
    assert!(open.body.contains("Jack Turner") && open.body.contains("Peter Lowe"));
    assert!(
        !open.body.contains("Sofia Nowak"),
        "discharged people leave the open caseload"
    );
    let discharged = app.get(&mut b, "/caseload?state=discharged").await;
    assert!(discharged.body.contains("Sofia Nowak"));
    let lost = app.get(&mut b, "/caseload/no-one-lost").await;
    assert!(
        lost.body.contains("Peter Lowe") && lost.body.contains("Waiting 9 days for first contact"),
        "{}",
        lost.body
    );
    let bad = app.get(&mut b, "/caseload?no_contact_days=soon").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("Days without contact must be a whole number")
    );
});

store::db_test!(
    a_self_referral_through_the_page_reaches_the_caseload,
    |db| {
        let app = app(db).await;
        let mut anon = Browser::default();
        anon.csrf = app.get(&mut anon, "/self-referral").await.csrf();
        let practice = app.org_id("B90002").await.to_string();
        let empty = app
            .post(&mut anon, "/self-referral", &[("given_name", "")])
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        for msg in [
            "Enter the person&#39;s first name",
            "Choose your GP practice",
            "Confirm we may contact you",
        ] {
            assert!(empty.body.contains(msg), "{msg}");
        }
        let form = [
            ("given_name", "Elsie"),
            ("family_name", "Brennan"),
            ("date_of_birth", "1946-10-03"),
            ("practice_id", practice.as_str()),
            ("preferred_contact", "phone"),
            ("phone", "07700 900555"),
            ("service", "social_prescribing"),
            ("reason", "Lonely since my sister moved away"),
            ("consent_to_contact", "yes"),
            ("website", ""),
        ];
        let ok = app.post(&mut anon, "/self-referral", &form).await;
        assert_eq!(ok.status, StatusCode::CREATED);
        assert!(ok.body.contains("Your reference is"));
        let mut b = app.sign_in(LINK_WORKER).await;
        let caseload = app.get(&mut b, "/caseload").await;
        assert!(caseload.body.contains("Elsie Brennan"));
    }
);

store::db_test!(
    discharging_through_the_page_writes_the_gp_message_once,
    |db| {
        let app = app(db).await;
        let r = referral_of(&app, "Reid").await;
        let mut b = app.sign_in(LINK_WORKER).await;
        let page = app
            .get(&mut b, &format!("/referrals/{}/discharge", r.id))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let v = r.version.to_string();
        let missing = app
            .post(
                &mut b,
                &format!("/referrals/{}/discharge", r.id),
                &[("version", v.as_str())],
            )
            .await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(missing.body.contains("Choose the reason for discharge"));
        let done = app
            .post(
                &mut b,
                &format!("/referrals/{}/discharge", r.id),
                &[
                    ("version", v.as_str()),
                    ("reason", "goals_met"),
                    ("summary", "Back at work and running twice a week"),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        let msg = app.get(&mut b, done.location()).await;
        assert!(msg.body.contains("Message to the GP and referrer"));
        assert!(msg.body.contains("Back at work and running twice a week"));
        let again = app
            .post(
                &mut b,
                &format!("/referrals/{}/discharge", r.id),
                &[
                    ("version", v.as_str()),
                    ("reason", "goals_met"),
                    ("summary", "again"),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(again.body.contains("already discharged"), "{}", again.body);
    }
);

store::db_test!(recording_a_contact_moves_a_received_referral_on, |db| {
    let app = app(db).await;
    let r = referral_of(&app, "Begum").await;
    let mut b = app.sign_in(LINK_WORKER).await;
    let bad = app
        .post(
            &mut b,
            &format!("/referrals/{}/contacts", r.id),
            &[("kind", ""), ("duration_minutes", "an hour")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = app
        .post(
            &mut b,
            &format!("/referrals/{}/contacts", r.id),
            &[
                ("kind", "video"),
                ("duration_minutes", "40"),
                ("notes", "Talked about respite options"),
                ("outcome", "contact"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let page = app.get(&mut b, ok.location()).await;
    assert!(page.body.contains("The contact has been recorded"));
    assert!(page.body.contains(">Contacted<"));
    assert!(page.body.contains("Talked about respite options"));
});
