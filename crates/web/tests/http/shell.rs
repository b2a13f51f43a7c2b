use axum::http::{Method, StatusCode};

use crate::common::*;

seeded_db_test!(every_response_carries_the_security_headers, |db| {
    let app = app(db).await;
    let r = app.get(&mut Browser::default(), "/sign-in").await;
    let h = |k: &str| {
        r.headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    assert!(h("content-security-policy").contains("script-src 'self'"));
    assert!(h("content-security-policy").contains("frame-ancestors 'none'"));
    assert!(!h("content-security-policy").contains("unsafe-inline"));
    assert_eq!(h("x-content-type-options"), "nosniff");
    assert_eq!(h("cache-control"), "no-store");
    assert!(
        !h("x-request-id").is_empty(),
        "every response has a request id"
    );
    assert!(
        r.body
            .contains("class=\"nhsuk-skip-link\" href=\"#maincontent\"")
    );
    assert!(!r.body.contains("<script>"), "no inline script");
});

seeded_db_test!(unknown_pages_get_the_nhs_not_found_page, |db| {
    let app = app(db).await;
    let r = app.get(&mut Browser::default(), "/no/such/page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("Page not found"));
    let mut b = app.sign_in(ADMIN).await;
    let r = app.get(&mut b, "/organisations/999999").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
});

seeded_db_test!(health_readiness_and_metrics_answer, |db| {
    let token = "a-scraper-token-0123456789";
    let app = app_with(
        db,
        web::WebConfig {
            metrics_token: Some(token.into()),
            ..web::WebConfig::default()
        },
    )
    .await;
    let mut b = Browser::default();
    assert_eq!(app.get(&mut b, "/healthz").await.status, StatusCode::OK);
    let ready = app.get(&mut b, "/readyz").await;
    assert_eq!(ready.json()["database"], "ok");
    // Without the token, or with another, /metrics is not there.
    assert_eq!(
        app.get(&mut b, "/metrics").await.status,
        StatusCode::NOT_FOUND
    );
    let wrong = app
        .api(Method::GET, "/metrics", "a-scraper-token-0123456780", None)
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    let metrics = app.api(Method::GET, "/metrics", token, None).await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(
        metrics.body.contains("http_requests_total"),
        "{}",
        metrics.body
    );
    let css = app.get(&mut b, "/assets/nhsuk-frontend.min.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.len() > 100_000);
});

seeded_db_test!(metrics_are_not_served_without_a_configured_token, |db| {
    let app = app(db).await;
    for token in ["", "anything-at-all-long-enough"] {
        let r = app.api(Method::GET, "/metrics", token, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(!r.body.contains("http_requests_total"));
    }
});

seeded_db_test!(the_home_page_signed_out_invites_sign_in, |db| {
    let app = app(db).await;
    let r = app.get(&mut Browser::default(), "/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("href=\"/sign-in\""));
});

#[test]
fn every_route_has_an_access_decision() {
    // The router refuses (500) any route missing from the access table; make sure none is.
    let src = include_str!("../../src/lib.rs");
    // Every `.route(` call, however it is formatted: the path is its first string.
    let paths: Vec<&str> = src
        .split(".route(")
        .skip(1)
        .filter_map(|rest| rest.split('"').nth(1))
        .collect();
    assert!(paths.len() > 30, "routes found: {paths:?}");
    for path in paths {
        for m in [
            axum::http::Method::GET,
            axum::http::Method::POST,
            axum::http::Method::PUT,
        ] {
            assert!(
                web::access::need(&m, path).is_some(),
                "{path} has no entry in access::need"
            );
        }
    }
}
