//! Static assets: pages link them by the hash of their bytes, those names are cached for good,
//! the plain names briefly (with ETags), and a hash that is not the current one is not found.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sha2::{Digest, Sha256};

use crate::common::*;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const SHORT: &str = "public, max-age=300";

async fn fetch(app: &App, path: &str, headers: &[(header::HeaderName, &str)]) -> Resp {
    let mut req = Request::get(path);
    for (k, v) in headers {
        req = req.header(k, *v);
    }
    app.send(req.body(Body::empty()).unwrap()).await
}

fn h(r: &Resp, name: header::HeaderName) -> &str {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// `/assets/images/favicon.svg` with these bytes → `/assets/images/favicon.<8 hex>.svg`.
fn hashed(plain: &str, bytes: &str) -> String {
    let hex: String = Sha256::digest(bytes.as_bytes())
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect();
    let (stem, ext) = plain.rsplit_once('.').unwrap();
    format!("{stem}.{hex}.{ext}")
}

/// Every `"/assets/…"` and `'/assets/…'` in a text, in order.
fn asset_refs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for quote in ['"', '\''] {
        let open = format!("{quote}/assets/");
        for (i, _) in text.match_indices(&open) {
            let rest = &text[i + 1..];
            out.push(rest[..rest.find(quote).unwrap()].to_owned());
        }
    }
    out
}

seeded_db_test!(pages_link_each_asset_by_the_hash_of_its_bytes, |db| {
    let app = app(db).await;
    let page = app.get(&mut Browser::default(), "/sign-in").await;
    assert_eq!(page.status, StatusCode::OK);
    let mut expected = Vec::new();
    for (plain, content_type) in [
        ("/assets/nhsuk-frontend.min.css", "text/css; charset=utf-8"),
        ("/assets/app.css", "text/css; charset=utf-8"),
        ("/assets/images/favicon.svg", "image/svg+xml"),
        ("/assets/app.js", "text/javascript; charset=utf-8"),
    ] {
        let original = fetch(&app, plain, &[]).await;
        assert_eq!(original.status, StatusCode::OK, "{plain}");
        assert_eq!(h(&original, header::CACHE_CONTROL), SHORT, "{plain}");
        let url = hashed(plain, &original.body);
        let r = fetch(&app, &url, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{url}");
        assert_eq!(h(&r, header::CACHE_CONTROL), IMMUTABLE, "{url}");
        assert_eq!(h(&r, header::CONTENT_TYPE), content_type, "{url}");
        assert!(h(&r, header::ETAG).starts_with("W/\""), "{url}");
        assert_eq!(r.body, original.body, "{url}");
        expected.push(url);
    }
    // Exactly these, in the layout's order, and no plain name.
    assert_eq!(asset_refs(&page.body), expected);
    let [css, app_css, favicon, js] = &expected[..] else {
        unreachable!()
    };
    assert!(page.body.contains(&format!(
        "<link rel=\"stylesheet\" href=\"{css}\">\n  <link rel=\"stylesheet\" href=\"{app_css}\">\n  <link rel=\"icon\" href=\"{favicon}\" type=\"image/svg+xml\">\n  <script type=\"module\" src=\"{js}\"></script>"
    )));

    // app.js imports the NHS.UK script by its hashed name too, which is cached for good.
    let script = fetch(&app, js, &[]).await;
    let nhsuk_js = fetch(&app, "/assets/nhsuk-frontend.min.js", &[]).await;
    let nhsuk_url = hashed("/assets/nhsuk-frontend.min.js", &nhsuk_js.body);
    assert_eq!(asset_refs(&script.body), vec![nhsuk_url.clone()]);
    assert!(
        script
            .body
            .contains(&format!("import {{ initAll }} from '{nhsuk_url}'")),
        "{}",
        script.body
    );
    let r = fetch(&app, &nhsuk_url, &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(h(&r, header::CACHE_CONTROL), IMMUTABLE);
    assert_eq!(
        h(&r, header::CONTENT_TYPE),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(r.body, nhsuk_js.body);
});

seeded_db_test!(an_asset_under_another_hash_is_not_found, |db| {
    let app = app(db).await;
    let css = fetch(&app, "/assets/app.css", &[]).await;
    let current = hashed("/assets/app.css", &css.body);
    assert_eq!(fetch(&app, &current, &[]).await.status, StatusCode::OK);
    // The current hash with one digit changed, a hash of other bytes, and no hash of 8 digits.
    let (start, rest) = current.split_at("/assets/app.".len());
    let flipped = if rest.starts_with('0') { "1" } else { "0" };
    let stale = format!("{start}{flipped}{}", &rest[1..]);
    let other = hashed("/assets/app.css", "body { color: red }");
    for path in [
        stale.as_str(),
        other.as_str(),
        "/assets/app.0123abc.css",
        "/assets/app..css",
    ] {
        assert_ne!(path, current);
        let r = fetch(&app, path, &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            h(&r, header::CONTENT_TYPE),
            "text/html; charset=utf-8",
            "{path}"
        );
        assert!(r.body.contains("Page not found"), "{path}");
        assert_eq!(h(&r, header::CACHE_CONTROL), "no-store", "{path}");
        assert_eq!(h(&r, header::LOCATION), "", "{path}");
    }
});

seeded_db_test!(assets_answer_not_modified_to_their_etag, |db| {
    let app = app(db).await;
    let first = fetch(&app, "/assets/app.css", &[]).await;
    let etag = h(&first, header::ETAG).to_owned();
    assert!(etag.starts_with("W/\"") && etag.len() == 4 + 16, "{etag}");
    let again = fetch(
        &app,
        "/assets/app.css",
        &[(header::IF_NONE_MATCH, etag.as_str())],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert_eq!(again.body, "");
    assert_eq!(h(&again, header::ETAG), etag);
    assert_eq!(h(&again, header::CACHE_CONTROL), SHORT);
    // The hashed name has the same ETag.
    let url = hashed("/assets/app.css", &first.body);
    let r = fetch(&app, &url, &[(header::IF_NONE_MATCH, etag.as_str())]).await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert_eq!(h(&r, header::CACHE_CONTROL), IMMUTABLE);
    // Another version's ETag gets the bytes.
    let other = fetch(
        &app,
        "/assets/app.css",
        &[(header::IF_NONE_MATCH, "W/\"0000000000000000\"")],
    )
    .await;
    assert_eq!(other.status, StatusCode::OK);
    assert_eq!(other.body, first.body);
    assert_eq!(h(&other, header::ETAG), etag);
});

seeded_db_test!(the_icons_the_nhs_stylesheet_refers_to_are_served, |db| {
    // The NHS.UK stylesheet refers to its icons by plain absolute path, `url(/assets/…)`.
    let app = app(db).await;
    let css = fetch(&app, "/assets/nhsuk-frontend.min.css", &[]).await;
    let mut icons: Vec<&str> = css
        .body
        .split("url(")
        .skip(1)
        .filter_map(|s| s.split(')').next())
        .filter(|u| !u.starts_with("https://") && !u.starts_with("data:"))
        .collect();
    icons.sort_unstable();
    icons.dedup();
    assert_eq!(
        icons,
        [
            "/assets/images/nhsuk-icon-arrow-down.svg",
            "/assets/images/nhsuk-icon-arrow-up-down.svg",
            "/assets/images/nhsuk-icon-arrow-up.svg",
            "/assets/images/nhsuk-icon-cross.svg",
        ]
    );
    for icon in icons {
        let r = fetch(&app, icon, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{icon}");
        assert_eq!(h(&r, header::CONTENT_TYPE), "image/svg+xml", "{icon}");
        assert_eq!(h(&r, header::CACHE_CONTROL), SHORT, "{icon}");
        assert!(r.body.starts_with("<svg"), "{icon}");
    }
});
