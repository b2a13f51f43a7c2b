//! Per-record authorisation: for each route that names a record, a user of another
//! organisation is refused, and the refusal is audited.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::*;

seeded_db_test!(
    every_protected_route_sends_anonymous_visitors_to_sign_in,
    |db| {
        let app = app(db).await;
        let id = app.org_id("U90001").await;
        let (mut pages, mut api) = (0, 0);
        for (method, template) in routes() {
            let need = web::routes::catalogue().need(&method, template).unwrap();
            if matches!(need, web::routes::Need::Public | web::routes::Need::Open) {
                continue;
            }
            let path = filled(template, id);
            let mut req = axum::http::Request::builder()
                .method(method.clone())
                .uri(path.as_str());
            let body = if method == Method::GET {
                axum::body::Body::empty()
            } else if template.starts_with("/api/") {
                req = req.header(axum::http::header::CONTENT_TYPE, "application/json");
                axum::body::Body::from("{}")
            } else {
                req = req.header(
                    axum::http::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                );
                axum::body::Body::from("csrf_token=none")
            };
            let r = app.send(req.body(body).unwrap()).await;
            let what = format!("{method} {path}");
            if template.starts_with("/api/") {
                assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{what}: {}", r.body);
                assert_eq!(r.json()["errors"][0]["code"], "unauthorised", "{what}");
                api += 1;
            } else {
                assert_eq!(r.status, StatusCode::SEE_OTHER, "{what}: {}", r.body);
                // A page asked for comes back after signing in.
                let to = if method == Method::GET {
                    "/sign-in?next="
                } else {
                    "/sign-in"
                };
                assert!(r.location().starts_with(to), "{what}: {}", r.location());
                pages += 1;
            }
        }
        assert_eq!((pages, api), (146, 46), "protected page and API operations");
    }
);

seeded_db_test!(another_pcns_worker_cannot_view_an_organisation_page, |db| {
    let app = app(db).await;
    let theirs = app.org_id("U90004").await;
    let mut b = app.sign_in(LINK_WORKER).await;
    let r = app.get(&mut b, &format!("/organisations/{theirs}")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.body
            .contains("You do not have permission to see this page")
    );
    assert_eq!(app.audit_count("access_refused", "refused").await, 1);
    // Their own PCN, and its ICB above it, are fine.
    let own = app.org_id("U90001").await;
    assert_eq!(
        app.get(&mut b, &format!("/organisations/{own}"))
            .await
            .status,
        StatusCode::OK
    );
    let icb = app.org_id("QZ1").await;
    assert_eq!(
        app.get(&mut b, &format!("/organisations/{icb}"))
            .await
            .status,
        StatusCode::OK
    );
});

seeded_db_test!(
    another_pcns_manager_cannot_open_or_post_the_edit_form,
    |db| {
        let app = app(db).await;
        let theirs = app.org_id("U90004").await;
        let mut b = app.sign_in(PCN_MANAGER).await;
        let r = app
            .get(&mut b, &format!("/organisations/{theirs}/edit"))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .post(
                &mut b,
                &format!("/organisations/{theirs}/edit"),
                &[
                    ("name", "Taken over"),
                    ("ods_code", "U90004"),
                    ("version", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(app.audit_count("access_refused", "refused").await, 2);
        use sea_orm::EntityTrait;
        let o = store::entities::organisation::Entity::find_by_id(theirs)
            .one(app.svc.db())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(o.name, "Fellside PCN", "nothing changed");
    }
);

seeded_db_test!(
    an_organisation_cannot_be_added_under_another_pcn_which_is_answered_as_not_there,
    |db| {
        let app = app(db).await;
        let theirs = app.org_id("U90004").await.to_string();
        let mut b = app.sign_in(PCN_MANAGER).await;
        let r = app
            .post(
                &mut b,
                "/organisations/new",
                &[
                    ("kind", "practice"),
                    ("name", "Sneaky Surgery"),
                    ("ods_code", "B99999"),
                    ("parent_id", theirs.as_str()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let token = app.token_for(PCN_MANAGER).await;
        let mut answers = Vec::new();
        for parent in [theirs.parse::<i32>().unwrap(), 999_999] {
            let r = app.api(Method::POST, "/api/v1/organisations", &token, Some(json!({"kind": "practice", "name": "Sneaky Surgery", "ods_code": "B99999", "parent_id": parent}))).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            let e = &r.json()["errors"][0];
            assert_eq!(
                (&e["code"], &e["field"]),
                (&json!("invalid"), &json!("parent_id"))
            );
            answers.push(
                e["detail"]
                    .as_str()
                    .unwrap()
                    .replace(&parent.to_string(), "{id}"),
            );
        }
        assert_eq!(
            answers[0], answers[1],
            "the same answer as for an id not there"
        );
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let made = store::entities::organisation::Entity::find()
            .filter(store::entities::organisation::Column::OdsCode.eq("B99999"))
            .one(app.svc.db())
            .await
            .unwrap();
        assert!(made.is_none());
    }
);

seeded_db_test!(another_pcns_worker_is_refused_through_the_api, |db| {
    let app = app(db).await;
    let theirs = app.org_id("U90004").await;
    let token = app.token_for(PCN_MANAGER).await;
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/organisations/{theirs}"),
            &token,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.api(Method::PUT, &format!("/api/v1/organisations/{theirs}"), &token, Some(json!({"name": "Taken over", "ods_code": "U90004", "parent_id": app.org_id("QZ2").await, "version": 1}))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Listing is scoped: another PCN's members are simply not there.
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/organisations?parent_id={theirs}"),
            &token,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["total"], 0);
    assert_eq!(app.audit_count("access_refused", "refused").await, 2);
});

seeded_db_test!(only_admins_read_the_audit_log, |db| {
    let app = app(db).await;
    let mut b = app.sign_in(PCN_MANAGER).await;
    assert_eq!(
        app.get(&mut b, "/admin/audit").await.status,
        StatusCode::FORBIDDEN
    );
    let token = app.token_for(PCN_MANAGER).await;
    assert_eq!(
        app.api(Method::GET, "/api/v1/audit-events", &token, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mut a = app.sign_in(ADMIN).await;
    let page = app.get(&mut a, "/admin/audit?action=access_refused").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("2 events"),
        "both refusals are listed: {}",
        page.body
    );
    assert!(page.body.contains("pcn.manager@demo.whatmatters.test"));
});

seeded_db_test!(a_person_sees_no_staff_pages, |db| {
    let app = app(db).await;
    let mut b = app.sign_in(PERSON).await;
    for p in [
        "/organisations",
        "/admin/users",
        "/admin/audit",
        "/organisations/new",
    ] {
        assert_eq!(
            app.get(&mut b, p).await.status,
            StatusCode::FORBIDDEN,
            "{p}"
        );
    }
    let home = app.get(&mut b, "/").await;
    assert!(home.body.contains("Who is supporting you"));
    assert!(
        !home.body.contains("href=\"/organisations\""),
        "no staff navigation for a person"
    );
});

seeded_db_test!(users_list_shows_only_the_managers_organisations, |db| {
    let app = app(db).await;
    let mut b = app.sign_in(PCN_MANAGER).await;
    let r = app.get(&mut b, "/admin/users").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Amira Khan"), "their PCN's link worker");
    assert!(
        !r.body.contains("Nadia Rahman"),
        "not another PCN's link worker"
    );
});

seeded_db_test!(a_token_of_another_user_cannot_be_revoked, |db| {
    let app = app(db).await;
    let _ = app.token_for(PCN_MANAGER).await;
    use sea_orm::EntityTrait;
    let t = store::entities::api_token::Entity::find()
        .one(app.svc.db())
        .await
        .unwrap()
        .unwrap();
    let mut b = app.sign_in(LINK_WORKER).await;
    let r = app
        .post(&mut b, &format!("/account/api-tokens/{}/revoke", t.id), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let still = store::entities::api_token::Entity::find_by_id(t.id)
        .one(app.svc.db())
        .await
        .unwrap()
        .unwrap();
    assert!(still.revoked_at.is_none());
});
