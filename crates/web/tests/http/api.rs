use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::*;

seeded_db_test!(the_api_answers_with_a_token_and_refuses_bad_ones, |db| {
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

seeded_db_test!(a_revoked_or_expired_token_stops_working, |db| {
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
        .one(app.svc.db())
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

seeded_db_test!(invalid_input_gets_the_error_envelope_with_fields, |db| {
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

seeded_db_test!(
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

seeded_db_test!(simultaneous_edits_of_one_version_save_exactly_one, |db| {
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

seeded_db_test!(the_openapi_document_lists_every_api_operation, |db| {
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
    let served: std::collections::BTreeSet<String> = routes()
        .into_iter()
        .filter(|(_, path)| path.starts_with("/api/v1/"))
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    assert_eq!(served.len(), 53, "the router's API operations: {served:?}");
    let documented: std::collections::BTreeSet<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| format!("{} {path}", method.to_uppercase()))
        })
        .collect();
    assert_eq!(
        documented, served,
        "the document lists exactly the operations the router serves"
    );
    let docs = app.get(&mut Browser::default(), "/api/docs").await;
    assert_eq!(docs.status, StatusCode::OK);
    for op in &served {
        assert!(
            docs.body.contains(&format!("<code>{op}</code>")),
            "the docs page lists {op}"
        );
    }
    assert_eq!(
        docs.body.matches("nhsuk-card__heading").count(),
        served.len(),
        "the docs page lists each operation once"
    );
});

seeded_db_test!(
    the_care_api_runs_a_referral_to_discharge_and_refuses_other_teams,
    |db| {
        let app = app(db).await;
        let token = app.token_for(LINK_WORKER).await;
        let pcn = app.org_id("U90001").await;
        let practice = app.org_id("B90001").await;
        let bad = app
        .api(Method::POST, "/api/v1/referrals", &token, Some(json!({"person": {"nhs_number": "9434765918", "given_name": "Ann", "family_name": "Lee", "date_of_birth": "2099-01-01", "phone": "07700 900999", "practice_id": practice}, "service": "social_prescribing", "team_org_id": pcn, "referrer_name": "Dr Shah", "method": "phone", "reason": "Isolated"})))
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<String> = bad.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(fields, vec!["person.nhs_number", "person.date_of_birth"]);
        let created = app
        .api(Method::POST, "/api/v1/referrals", &token, Some(json!({"person": {"nhs_number": "943 476 5919", "given_name": "Ann", "family_name": "Lee", "date_of_birth": "1951-01-01", "phone": "07700 900999", "practice_id": practice}, "service": "social_prescribing", "team_org_id": pcn, "referrer_name": "Dr Shah", "method": "phone", "reason": "Isolated"})))
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let r = created.json();
        let (rid, pid) = (r["id"].as_i64().unwrap(), r["person_id"].as_i64().unwrap());
        assert_eq!(r["state"], "received");
        let c = app
            .api(
                Method::POST,
                &format!("/api/v1/referrals/{rid}/contacts"),
                &token,
                Some(json!({"kind": "phone", "duration_minutes": 25})),
            )
            .await;
        assert_eq!(c.status, StatusCode::CREATED);
        let plan = app
        .api(Method::PUT, &format!("/api/v1/people/{pid}/plan"), &token, Some(json!({"based_on": 0, "content": {"strengths": "Funny", "needs": [{"description": "Lonely", "goals": [{"description": "Make a friend", "importance": 11, "status": "in_progress", "actions": [{"what": "Lunch club", "who": "Ann", "when": "2026-12-01", "status": "in_progress", "confidence": -1}]}]}]}})))
        .await;
        assert_eq!(plan.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            plan.json()["errors"][0]["field"],
            "needs[0].goals[0].importance"
        );
        assert_eq!(
            plan.json()["errors"][1]["field"],
            "needs[0].goals[0].actions[0].confidence"
        );
        let m = app.api(Method::POST, &format!("/api/v1/people/{pid}/measures"), &token, Some(json!({"instrument": "swemwbs", "timepoint": "start", "answers": [3, 3, 3, 3, 3, 6, 3]}))).await;
        assert_eq!(m.json()["errors"][0]["field"], "answers[5]");
        let m = app.api(Method::POST, &format!("/api/v1/people/{pid}/measures"), &token, Some(json!({"instrument": "swemwbs", "timepoint": "start", "answers": [3, 3, 3, 3, 3, 3, 3]}))).await;
        assert_eq!(m.status, StatusCode::CREATED);
        assert_eq!(m.json()["score"], 19.25);
        let current = app
            .api(
                Method::GET,
                &format!("/api/v1/referrals/{rid}"),
                &token,
                None,
            )
            .await
            .json();
        let d = app.api(Method::POST, &format!("/api/v1/referrals/{rid}/discharge"), &token, Some(json!({"version": current["version"], "reason": "goals_met", "summary": "Goes to lunch club weekly"}))).await;
        assert_eq!(d.status, StatusCode::CREATED, "{}", d.body);
        // The referral's code went to the GP at first contact; discharge carries the outcome.
        assert_eq!(d.json()["snomed_code"], "");
        assert!(
            d.json()["body"]
                .as_str()
                .unwrap_or_default()
                .contains("Reason for discharge: Goals met")
        );
        let again = app.api(Method::POST, &format!("/api/v1/referrals/{rid}/discharge"), &token, Some(json!({"version": current["version"], "reason": "goals_met", "summary": "again"}))).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        // Another PCN's worker cannot read any of it.
        let other = app.token_for(OTHER_LINK_WORKER).await;
        for path in [
            format!("/api/v1/referrals/{rid}"),
            format!("/api/v1/people/{pid}"),
            format!("/api/v1/people/{pid}/plan"),
            format!("/api/v1/people/{pid}/measures"),
            format!("/api/v1/people/{pid}/about-me"),
        ] {
            assert_eq!(
                app.api(Method::GET, &path, &other, None).await.status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
        let their_caseload = app
            .api(Method::GET, "/api/v1/caseload?state=all", &other, None)
            .await
            .json();
        assert!(
            their_caseload["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["person"]["family_name"] != "Lee")
        );
    }
);
