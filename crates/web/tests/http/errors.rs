//! One error shape: whatever layer answers (router, extractor, body limit, use case), an API
//! error is the JSON envelope and a page error is the NHS error page, both with the security
//! headers; no input a client sends gives a 5xx.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;

use crate::common::*;

/// The envelope's first error, after checking the shape and the security headers.
fn envelope(r: &Resp, status: StatusCode) -> serde_json::Value {
    assert_eq!(r.status, status, "{}", r.body);
    assert_secure(r);
    let ct = r.headers[header::CONTENT_TYPE].to_str().unwrap();
    assert!(ct.starts_with("application/json"), "{ct}: {}", r.body);
    let v = r.json();
    let errors = v["errors"].as_array().expect("errors array");
    assert!(!errors.is_empty());
    assert!(errors[0]["code"].is_string() && errors[0]["detail"].is_string());
    errors[0].clone()
}

fn nhs_page(r: &Resp, status: StatusCode) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_secure(r);
    let ct = r.headers[header::CONTENT_TYPE].to_str().unwrap();
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(r.body.contains("nhsuk-header"), "{}", r.body);
}

fn cookies(b: &Browser) -> String {
    b.cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn assert_secure(r: &Resp) {
    for h in [
        "content-security-policy",
        "x-content-type-options",
        "x-frame-options",
        "referrer-policy",
        "x-request-id",
    ] {
        assert!(r.headers.contains_key(h), "{h} missing on {}", r.status);
    }
}

async fn raw(
    app: &App,
    method: Method,
    path: &str,
    token: &str,
    ct: Option<&str>,
    body: Vec<u8>,
) -> Resp {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if let Some(ct) = ct {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    req = req.header(header::CONTENT_LENGTH, body.len());
    app.send(req.body(Body::from(body)).unwrap()).await
}

seeded_db_test!(api_errors_from_every_layer_are_the_envelope, |db| {
    let app = app(db).await;
    let t = app.token_for(ADMIN).await;
    // Router: unknown route, wrong method.
    let e = envelope(
        &app.api(Method::GET, "/api/v1/nothing-here", &t, None).await,
        StatusCode::NOT_FOUND,
    );
    assert_eq!(e["code"], "not_found");
    let worker = app.token_for(LINK_WORKER).await;
    let r = app
        .api(Method::DELETE, "/api/v1/caseload", &worker, None)
        .await;
    assert_eq!(
        envelope(&r, StatusCode::METHOD_NOT_ALLOWED)["code"],
        "method_not_allowed"
    );
    assert!(r.headers.contains_key(header::ALLOW));
    // Body limit: announced and actual.
    let big = vec![b' '; 3 * 1024 * 1024];
    let r = raw(
        &app,
        Method::POST,
        "/api/v1/organisations",
        &t,
        Some("application/json"),
        big,
    )
    .await;
    assert_eq!(
        envelope(&r, StatusCode::PAYLOAD_TOO_LARGE)["code"],
        "too_large"
    );
    // Content type missing or wrong: no field is named after the header.
    for ct in [None, Some("text/plain")] {
        let r = raw(
            &app,
            Method::POST,
            "/api/v1/organisations",
            &t,
            ct,
            b"{}".to_vec(),
        )
        .await;
        let e = envelope(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(e.get("field").is_none(), "{e}");
    }
    // Not JSON; JSON of the wrong shape names the field by its path.
    let r = raw(
        &app,
        Method::POST,
        "/api/v1/organisations",
        &t,
        Some("application/json"),
        b"{\"name\":".to_vec(),
    )
    .await;
    assert_eq!(envelope(&r, StatusCode::BAD_REQUEST)["code"], "malformed");
    let r = app
        .api(
            Method::POST,
            "/api/v1/organisations",
            &t,
            Some(json!({"name": 7})),
        )
        .await;
    assert_eq!(envelope(&r, StatusCode::BAD_REQUEST)["field"], "name");
    let r = app.api(Method::PUT, "/api/v1/people/1/plan", &t, Some(json!({"based_on": 0, "content": {"needs": [{"need": "x", "goals": [{"goal": "y", "importance": "very"}]}]}}))).await;
    let e = envelope(&r, StatusCode::BAD_REQUEST);
    assert!(
        e["field"].as_str().unwrap().starts_with("content.needs[0]"),
        "{e}"
    );
    // Query and path of the wrong form.
    let e = envelope(
        &app.api(Method::GET, "/api/v1/caseload?page=abc", &worker, None)
            .await,
        StatusCode::BAD_REQUEST,
    );
    assert_eq!(e["field"], "page");
    let e = envelope(
        &app.api(Method::GET, "/api/v1/organisations?page=-1", &t, None)
            .await,
        StatusCode::BAD_REQUEST,
    );
    assert_eq!(e["field"], "page");
    envelope(
        &app.api(Method::GET, "/api/v1/people/abc", &t, None).await,
        StatusCode::NOT_FOUND,
    );
    envelope(
        &app.api(Method::GET, "/api/v1/organisations/99999999999", &t, None)
            .await,
        StatusCode::NOT_FOUND,
    );
    // A control character in any query parameter.
    let e = envelope(
        &app.api(Method::GET, "/api/v1/organisations?q=a%00b", &t, None)
            .await,
        StatusCode::BAD_REQUEST,
    );
    assert_eq!(e["field"], "q");
    // No credentials.
    let r = app.api(Method::GET, "/api/v1/caseload", "", None).await;
    assert_eq!(
        envelope(&r, StatusCode::UNAUTHORIZED)["code"],
        "unauthorised"
    );
    assert_eq!(r.headers[header::WWW_AUTHENTICATE], "Bearer");
});

seeded_db_test!(
    page_numbers_and_day_counts_are_range_checked_not_crashes,
    |db| {
        let app = app(db).await;
        let admin = app.token_for(ADMIN).await;
        let worker = app.token_for(LINK_WORKER).await;
        let huge = "9223372036854775807";
        for (token, path) in [
            (&worker, format!("/api/v1/caseload?page={huge}")),
            (&admin, format!("/api/v1/audit-events?page={huge}")),
            (&admin, format!("/api/v1/organisations?page={huge}")),
            (&admin, "/api/v1/organisations?page=0".to_owned()),
        ] {
            let e = envelope(
                &app.api(Method::GET, &path, token, None).await,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
            assert_eq!(e["field"], "page", "{path}");
        }
        let e = envelope(
            &app.api(
                Method::GET,
                "/api/v1/organisations?per_page=201",
                &admin,
                None,
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
        assert_eq!(e["field"], "per_page");
        let e = envelope(
            &app.api(
                Method::GET,
                "/api/v1/caseload?no_contact_days=1099511627776",
                &worker,
                None,
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
        assert_eq!(e["field"], "no_contact_days");
        let e = envelope(
            &app.api(
                Method::GET,
                "/api/v1/caseload?no_contact_days=-5",
                &worker,
                None,
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
        assert_eq!(e["field"], "no_contact_days");
        // The last page that exists still answers.
        let ok = app
            .api(
                Method::GET,
                "/api/v1/organisations?page=100000&per_page=200",
                &admin,
                None,
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        // Pages: the NHS error page, never a crash.
        let mut b = app.sign_in(ADMIN).await;
        nhs_page(
            &app.get(&mut b, &format!("/admin/audit?page={huge}")).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
        let mut w = app.sign_in(LINK_WORKER).await;
        let r = app.get(&mut w, "/caseload?page=abc").await;
        assert!(r.status.is_client_error(), "{}", r.status);
        nhs_page(&r, r.status);
    }
);

seeded_db_test!(page_errors_from_every_layer_are_nhs_pages, |db| {
    let app = app(db).await;
    let mut b = app.sign_in(ADMIN).await;
    nhs_page(
        &app.get(&mut b, "/no-such-page").await,
        StatusCode::NOT_FOUND,
    );
    nhs_page(
        &app.get(&mut b, "/organisations/not-a-number").await,
        StatusCode::BAD_REQUEST,
    );
    nhs_page(
        &app.get(&mut b, "/organisations?q=%00").await,
        StatusCode::BAD_REQUEST,
    );
    let req = Request::builder()
        .method(Method::DELETE)
        .uri("/organisations")
        .header(header::COOKIE, cookies(&b))
        .body(Body::empty())
        .unwrap();
    nhs_page(&app.send(req).await, StatusCode::METHOD_NOT_ALLOWED);
    let big = "x".repeat(3 * 1024 * 1024);
    let r = app
        .post(&mut b, "/organisations/new", &[("name", big.as_str())])
        .await;
    nhs_page(&r, StatusCode::PAYLOAD_TOO_LARGE);
});

seeded_db_test!(
    an_api_change_sent_with_a_browser_session_is_refused_and_audited,
    |db| {
        let app = app(db).await;
        let mut b = app.sign_in(ADMIN).await;
        let before = app.audit_count("access_refused", "refused").await;
        let cookie = b
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/organisations")
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap();
        let r = app.send(req).await;
        assert_eq!(
            envelope(&r, StatusCode::UNAUTHORIZED)["code"],
            "unauthorised"
        );
        assert_eq!(
            app.audit_count("access_refused", "refused").await,
            before + 1
        );
        // Reading with the session is still allowed.
        assert_eq!(app.get(&mut b, "/api/v1/me").await.status, StatusCode::OK);
    }
);

seeded_db_test!(the_openapi_document_tells_the_truth, |db| {
    let app = app(db).await;
    let doc = app
        .get(&mut Browser::default(), "/api/openapi.json")
        .await
        .json();
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let what = format!("{method} {path}");
            let responses = op["responses"].as_object().unwrap();
            for code in ["401", "429", "500"] {
                assert!(
                    responses.contains_key(code),
                    "{what} does not document {code}"
                );
            }
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                let place = if path.contains(&format!("{{{name}}}")) {
                    "path"
                } else {
                    "query"
                };
                assert_eq!(p["in"], place, "{what}: {name}");
                assert_eq!(
                    p["required"].as_bool().unwrap_or(false),
                    place == "path",
                    "{what}: {name}"
                );
            }
            if op.get("requestBody").is_some() {
                for code in ["400", "413", "415", "422"] {
                    assert!(
                        responses.contains_key(code),
                        "{what} does not document {code}"
                    );
                }
            }
            if path.contains('{') {
                assert!(
                    responses.contains_key("404"),
                    "{what} does not document 404"
                );
            }
        }
    }
    assert_eq!(operations, 53, "every API operation is in the document");
    let schemas = &doc["components"]["schemas"];
    // The plan is described in full, not as an opaque object.
    assert_eq!(
        schemas["PlanInput"]["properties"]["content"]["$ref"],
        "#/components/schemas/PlanContent"
    );
    let goal = &schemas["Goal"]["properties"];
    assert_eq!(goal["importance"]["minimum"], 1);
    assert_eq!(goal["importance"]["maximum"], 10);
    assert!(
        goal["status"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == "achieved")
    );
    assert!(schemas["Action"]["properties"]["status"]["enum"].is_array());
    assert!(schemas["Need"]["properties"]["goals"]["items"]["$ref"].is_string());
    // Required fields and enums.
    let referral = &schemas["ReferralInput"];
    assert!(
        referral["required"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == "reason")
    );
    assert!(
        referral["properties"]["urgency"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == "urgent")
    );
    assert_eq!(
        schemas["ReferralDto"]["properties"]["state"]["enum"]
            .as_array()
            .unwrap()
            .len(),
        8
    );
    assert!(schemas["MeasureInput"]["properties"]["instrument"]["enum"].is_array());
    let caseload = &paths["/api/v1/caseload"]["get"]["parameters"];
    let page = caseload
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "page")
        .unwrap();
    assert_eq!(page["schema"]["minimum"], 1);
});

seeded_db_test!(
    a_referral_for_a_person_elsewhere_or_not_there_gets_the_same_field_error,
    |db| {
        let app = app(db).await;
        let token = app.token_for(OTHER_LINK_WORKER).await;
        let fellside = app.org_id("U90004").await;
        let refer = |person_id: i64| {
            json!({"person_id": person_id, "service": "social_prescribing", "team_org_id": fellside,
               "referrer_name": "Dr Shah", "method": "phone", "reason": "Isolated"})
        };
        let before = app.audit_count("referral_created", "refused").await;
        // Person 1 is on a Riverdale caseload; 999999 and -1 are no one.
        let answers: Vec<Resp> = futures::future::join_all(
            [1, 999_999, -1]
                .map(|id| app.api(Method::POST, "/api/v1/referrals", &token, Some(refer(id)))),
        )
        .await;
        for r in &answers {
            assert_eq!(
                envelope(r, StatusCode::UNPROCESSABLE_ENTITY)["field"],
                "person_id"
            );
            assert_eq!(r.body, answers[0].body);
        }
        assert_eq!(
            app.audit_count("referral_created", "refused").await,
            before + 3
        );
    }
);
