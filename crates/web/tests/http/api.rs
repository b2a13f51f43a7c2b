use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::*;

store::db_test!(the_api_answers_with_a_token_and_refuses_bad_ones, |db| {
    let app = app(db).await;
    let token = app.token_for(LINK_WORKER).await;
    let me = app.api(Method::GET, "/api/v1/me", &token, None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["email"], LINK_WORKER);
    assert_eq!(me.json()["roles"][0]["role"], "link_worker");
    let bad = app
        .api(Method::GET, "/api/v1/me", "wm_not-a-real-token", None)
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.audit_count("api_token_rejected", "refused").await, 1);
});

store::db_test!(a_revoked_or_expired_token_stops_working, |db| {
    let app = app(db).await;
    let token = app.token_for(LINK_WORKER).await;
    app.clock.advance(chrono::Duration::days(31));
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", &token, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "expired after 30 days"
    );
    let token = app.token_for(LINK_WORKER).await;
    let mut b = app.sign_in(LINK_WORKER).await;
    use sea_orm::{EntityTrait, QueryOrder};
    let t = store::entities::api_token::Entity::find()
        .order_by_desc(store::entities::api_token::Column::Id)
        .one(&app.svc.db)
        .await
        .unwrap()
        .unwrap();
    let r = app
        .post(&mut b, &format!("/account/api-tokens/{}/revoke", t.id), &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", &token, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
});

store::db_test!(invalid_input_gets_the_error_envelope_with_fields, |db| {
    let app = app(db).await;
    let token = app.token_for(ADMIN).await;
    let icb = app.org_id("QZ1").await;
    let r = app.api(Method::POST, "/api/v1/organisations", &token, Some(json!({"kind": "practice", "name": "", "ods_code": "12345", "parent_id": icb, "list_size": -5}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = r.json()["errors"].as_array().unwrap().clone();
    let fields: Vec<&str> = errors
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["name", "ods_code", "list_size", "pcn_opted_out"] {
        assert!(fields.contains(&f), "{f} missing in {errors:?}");
    }
    assert!(errors.iter().all(|e| e["code"] == "invalid"));
    let malformed = app
        .api(
            Method::POST,
            "/api/v1/organisations",
            &token,
            Some(json!({"kind": "vcse", "name": "X", "list_size": "lots"})),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.json()["errors"][0]["code"], "malformed");
    let unknown_kind = app
        .api(
            Method::GET,
            "/api/v1/organisations?kind=trust",
            &token,
            None,
        )
        .await;
    assert_eq!(unknown_kind.json()["errors"][0]["field"], "kind");
});

store::db_test!(
    a_browser_session_cannot_change_things_through_the_api,
    |db| {
        let app = app(db).await;
        let b = app.sign_in(ADMIN).await;
        let cookie = b
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = axum::http::Request::post("/api/v1/organisations")
            .header("cookie", cookie.clone())
            .header("content-type", "application/json")
            .body(axum::body::Body::from(
                json!({"kind": "vcse", "name": "Via cookie", "parent_id": app.org_id("QZ1").await})
                    .to_string(),
            ))
            .unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let get = axum::http::Request::get("/api/v1/me")
            .header("cookie", cookie)
            .body(axum::body::Body::empty())
            .unwrap();
        assert_eq!(
            app.send(get).await.status,
            StatusCode::OK,
            "reading with a session is fine"
        );
    }
);

store::db_test!(simultaneous_edits_of_one_version_save_exactly_one, |db| {
    let app = app(db).await;
    let token = app.token_for(ADMIN).await;
    let id = app.org_id("U90002").await;
    let icb = app.org_id("QZ1").await;
    let edits = (0..6).map(|i| {
        let body = json!({"name": format!("Riverdale North PCN edit {i}"), "ods_code": "U90002", "parent_id": icb, "version": 1});
        let path = format!("/api/v1/organisations/{id}");
        let app = &app;
        let token = token.clone();
        async move { app.api(Method::PUT, &path, &token, Some(body)).await }
    });
    let results = futures::future::join_all(edits).await;
    let ok = results
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    let conflicts = results
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT)
        .count();
    assert_eq!(
        (ok, conflicts),
        (1, 5),
        "{:?}",
        results
            .iter()
            .map(|r| (r.status, r.body.clone()))
            .collect::<Vec<_>>()
    );
    let now = app
        .api(
            Method::GET,
            &format!("/api/v1/organisations/{id}"),
            &token,
            None,
        )
        .await
        .json();
    assert_eq!(now["version"], 2);
});

store::db_test!(the_openapi_document_lists_every_api_operation, |db| {
    let app = app(db).await;
    let r = app
        .send(
            axum::http::Request::get("/api/openapi.json")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for p in [
        "/api/v1/me",
        "/api/v1/organisations",
        "/api/v1/organisations/{id}",
        "/api/v1/audit-events",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p} missing");
    }
    let docs = app.get(&mut Browser::default(), "/api/docs").await;
    assert!(docs.body.contains("GET /api/v1/organisations"));
});
