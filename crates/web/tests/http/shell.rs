use axum::http::{Method, StatusCode};

use crate::common::*;

seeded_db_test!(every_response_carries_the_security_headers, |db| {
    let app = app(db).await;
    let id = app.org_id("U90001").await;
    let mut admin = app.sign_in(ADMIN).await;
    let mut checked = 0;
    // Every operation of every route, signed out and signed in, whatever the answer (pages,
    // JSON, redirects, refusals, not found, assets), and a path no route serves.
    let mut requests: Vec<(Method, String)> = routes()
        .into_iter()
        .map(|(method, path)| (method, filled(path, id)))
        .collect();
    requests.push((Method::GET, "/no/such/page".into()));
    for (method, path) in requests {
        for b in [&mut Browser::default(), &mut admin] {
            let r = if method == Method::GET {
                app.get(b, &path).await
            } else {
                let req = axum::http::Request::builder()
                    .method(method.clone())
                    .uri(path.as_str())
                    .header(axum::http::header::COOKIE, b.cookie_header())
                    .body(axum::body::Body::empty())
                    .unwrap();
                app.send(req).await
            };
            let what = format!("{method} {path}: {}", r.status);
            let h = |k: &str| {
                r.headers
                    .get(k)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned()
            };
            let csp = h("content-security-policy");
            assert!(csp.contains("script-src 'self'"), "{what}");
            assert!(csp.contains("frame-ancestors 'none'"), "{what}");
            assert!(!csp.contains("unsafe-inline"), "{what}");
            assert_eq!(h("x-content-type-options"), "nosniff", "{what}");
            assert_eq!(h("x-frame-options"), "DENY", "{what}");
            assert_eq!(h("referrer-policy"), "same-origin", "{what}");
            // Assets say how long they keep (tests/http/assets.rs); nothing else is stored.
            let cache = if path.starts_with("/assets/") {
                "public, max-age=300"
            } else {
                "no-store"
            };
            assert_eq!(h("cache-control"), cache, "{what}");
            assert!(!h("x-request-id").is_empty(), "{what}: no request id");
            if h("content-type").starts_with("text/html") {
                assert!(
                    r.body
                        .contains("class=\"nhsuk-skip-link\" href=\"#maincontent\""),
                    "{what}"
                );
                assert!(!r.body.contains("<script>"), "{what}: inline script");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 2 * (routes().len() + 1));
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

seeded_db_test!(every_declared_route_is_served_by_the_built_router, |db| {
    // The router is built from the declarations; walk them and make sure each one reaches its
    // handler in the router as built (not the fallback), each with its access decision.
    use tower::ServiceExt;
    let app = app(db).await;
    let catalogue = web::routes::catalogue();
    let declared = &catalogue.declared;
    let paths: std::collections::BTreeSet<&str> =
        declared.iter().map(|d| d.path.as_str()).collect();
    assert_eq!((paths.len(), declared.len()), (203, 260), "{declared:?}");
    for d in declared {
        let req = axum::http::Request::builder()
            .method(d.method.clone())
            .uri(filled(&d.path, 1))
            .body(axum::body::Body::empty())
            .unwrap();
        let r = app.router.clone().oneshot(req).await.unwrap();
        let matched = r.extensions().get::<web::middleware::RouteLabel>();
        assert_eq!(
            matched.map(|m| m.0.as_str()),
            Some(d.path.as_str()),
            "{} {} is not served by the router",
            d.method,
            d.path
        );
        assert_eq!(catalogue.need(&d.method, &d.path), Some(d.need));
    }
    // Every API route is an operation of the document, and the document has nothing else.
    let documented: std::collections::BTreeSet<String> = catalogue
        .openapi
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            [
                ("GET", item.get.is_some()),
                ("PUT", item.put.is_some()),
                ("POST", item.post.is_some()),
                ("DELETE", item.delete.is_some()),
                ("PATCH", item.patch.is_some()),
            ]
            .into_iter()
            .filter(|(_, on)| *on)
            .map(move |(m, _)| format!("{m} {path}"))
        })
        .collect();
    let api: std::collections::BTreeSet<String> = declared
        .iter()
        .filter(|d| d.path.starts_with("/api/v1"))
        .map(|d| {
            assert!(
                d.documented,
                "{} {} is not in the document",
                d.method, d.path
            );
            format!("{} {}", d.method, d.path)
        })
        .collect();
    assert_eq!(api.len(), 53);
    assert_eq!(documented, api);
});

seeded_db_test!(static_assets_are_compressed_and_pages_are_not, |db| {
    use axum::body::Body;
    use axum::http::{Request, header};
    let app = app(db).await;
    let get = |path: &'static str, gzip: bool| {
        let mut r = Request::get(path);
        if gzip {
            r = r.header(header::ACCEPT_ENCODING, "gzip");
        }
        app.send(r.body(Body::empty()).unwrap())
    };
    let css = get("/assets/nhsuk-frontend.min.css", true).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers[header::CONTENT_ENCODING], "gzip");
    assert!(css.headers.contains_key("content-security-policy"));
    let plain = get("/assets/nhsuk-frontend.min.css", false).await;
    assert!(!plain.headers.contains_key(header::CONTENT_ENCODING));
    // Pages and JSON hold secrets beside reflected input: never compressed (BREACH).
    for path in ["/sign-in", "/api/openapi.json"] {
        let r = get(path, true).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(!r.headers.contains_key(header::CONTENT_ENCODING), "{path}");
    }
});

// Each tag names its classes once: a second `class` attribute is dropped by browsers, and with
// it the NHS.UK width class of an input (so a 10-digit NHS number box would span the page).
seeded_db_test!(form_fields_keep_their_width_classes, |db| {
    let app = app(db).await;
    let r = app.get(&mut Browser::default(), "/sign-in").await;
    let mut pages = vec![("/sign-in".to_owned(), r.body)];
    let mut b = app.sign_in(LINK_WORKER).await;
    for path in ["/referrals/new", "/account", "/caseload"] {
        let r = app.get(&mut b, path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        pages.push((path.to_owned(), r.body));
    }
    for (path, html) in &pages {
        for tag in html.split('<').skip(1) {
            let tag = tag.split('>').next().unwrap_or_default();
            assert!(
                tag.matches(" class=\"").count() <= 1,
                "{path}: a tag with two class attributes: <{tag}>"
            );
        }
    }
    let form = &pages[1].1;
    let nhs = form
        .split('<')
        .find(|t| t.starts_with("input") && t.contains("id=\"nhs_number\""))
        .expect("the NHS number field");
    assert!(
        nhs.contains("class=\"nhsuk-input nhsuk-input--width-10"),
        "{nhs}"
    );
});

#[test]
fn every_form_button_is_kept_from_sending_twice() {
    // The NHS.UK button's double-click protection, on every button that sends a form.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut stack = vec![dir];
    let mut checked = 0;
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for button in text.split("<button").skip(1) {
                let tag = button.split('>').next().unwrap_or_default();
                if tag.contains("nhsuk-button") && tag.contains("type=\"submit\"") {
                    checked += 1;
                    assert!(
                        tag.contains("data-module=\"nhsuk-button\"")
                            && tag.contains("data-prevent-double-click=\"true\""),
                        "{}: <button{tag}>",
                        path.display()
                    );
                }
            }
        }
    }
    assert!(checked > 30, "{checked} buttons found");
}
