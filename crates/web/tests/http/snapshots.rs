//! Snapshots of the API's contract: the OpenAPI document and the main answers, the same on both
//! databases (each backend's run compares with the one stored snapshot). Ids, times and dates
//! that follow the clock are redacted; everything else must match exactly.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

/// Replaces values that differ between runs or backends: ids, times and dates.
fn redacted(mut v: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (k, val) in map.iter_mut() {
                    let varies = k == "id"
                        || k.ends_with("_id")
                        || k.ends_with("_at")
                        || k.ends_with("_on")
                        || k.ends_with("_date")
                        || k.ends_with("_due")
                        || k == "reference";
                    if varies && !val.is_null() && !val.is_object() && !val.is_array() {
                        *val = Value::String("[redacted]".into());
                    } else {
                        walk(val);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    v
}

seeded_db_test!(the_openapi_document_is_as_recorded, |db| {
    let app = app(db).await;
    let r = app
        .send(
            axum::http::Request::get("/api/openapi.json")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    insta::assert_json_snapshot!("openapi", r.json());
});

seeded_db_test!(the_main_api_answers_are_as_recorded, |db| {
    let app = app(db).await;
    let token = app.token_for(LINK_WORKER).await;
    let get = |path: String| {
        let (app, token) = (&app, &token);
        async move {
            let r = app.api(Method::GET, &path, token, None).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
            r.json()
        }
    };
    insta::assert_json_snapshot!("me", redacted(get("/api/v1/me".into()).await));
    let caseload = get("/api/v1/caseload?per_page=3".into()).await;
    insta::assert_json_snapshot!("caseload", redacted(caseload.clone()));
    let first = &caseload["items"][0]["referral"];
    let referral = first["id"].as_i64().unwrap();
    let person = first["person_id"].as_i64().unwrap();
    insta::assert_json_snapshot!(
        "referral",
        redacted(get(format!("/api/v1/referrals/{referral}")).await)
    );
    insta::assert_json_snapshot!(
        "person",
        redacted(get(format!("/api/v1/people/{person}")).await)
    );
    for (name, path) in [
        ("about_me", "about-me"),
        ("plan", "plan"),
        ("measures", "measures"),
    ] {
        let r = app
            .api(
                Method::GET,
                &format!("/api/v1/people/{person}/{path}"),
                &token,
                None,
            )
            .await;
        insta::assert_json_snapshot!(
            name,
            json!({"status": r.status.as_u16(), "body": redacted(r.json())})
        );
    }
    // The error envelope, for a record out of reach and for input that breaks the rules.
    let missing = app
        .api(Method::GET, "/api/v1/people/999999", &token, None)
        .await;
    insta::assert_json_snapshot!(
        "not_found",
        json!({"status": missing.status.as_u16(), "body": missing.json()})
    );
    let invalid = app
        .api(
            Method::POST,
            &format!("/api/v1/people/{person}/measures"),
            &token,
            Some(json!({"instrument": "ons4", "timepoint": "start", "answers": [11, 0, 0]})),
        )
        .await;
    insta::assert_json_snapshot!(
        "invalid",
        json!({"status": invalid.status.as_u16(), "body": invalid.json()})
    );
});
