//! Static assets, embedded in the binary: the NHS.UK frontend (from npm, at build time) and
//! our own small additions in web/static.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

macro_rules! nhsuk {
    ($p:literal) => {
        include_bytes!(concat!(env!("NHSUK_DIST"), "/", $p)).as_slice()
    };
}
macro_rules! ours {
    ($p:literal) => {
        include_bytes!(concat!(env!("WM_STATIC"), "/", $p)).as_slice()
    };
}

fn lookup(path: &str) -> Option<(&'static [u8], &'static str)> {
    Some(match path {
        "nhsuk-frontend.min.css" => (nhsuk!("nhsuk-frontend.min.css"), "text/css; charset=utf-8"),
        "nhsuk-frontend.min.js" => (
            nhsuk!("nhsuk-frontend.min.js"),
            "text/javascript; charset=utf-8",
        ),
        "app.css" => (ours!("app.css"), "text/css; charset=utf-8"),
        "app.js" => (ours!("app.js"), "text/javascript; charset=utf-8"),
        "images/favicon.svg" => (nhsuk!("assets/images/favicon.svg"), "image/svg+xml"),
        "images/favicon.ico" => (nhsuk!("assets/images/favicon.ico"), "image/x-icon"),
        "images/nhsuk-icon-arrow-down.svg" => (
            nhsuk!("assets/images/nhsuk-icon-arrow-down.svg"),
            "image/svg+xml",
        ),
        "images/nhsuk-icon-arrow-up.svg" => (
            nhsuk!("assets/images/nhsuk-icon-arrow-up.svg"),
            "image/svg+xml",
        ),
        "images/nhsuk-icon-arrow-up-down.svg" => (
            nhsuk!("assets/images/nhsuk-icon-arrow-up-down.svg"),
            "image/svg+xml",
        ),
        "images/nhsuk-icon-cross.svg" => (
            nhsuk!("assets/images/nhsuk-icon-cross.svg"),
            "image/svg+xml",
        ),
        "images/nhsuk-icon-search.svg" => (
            nhsuk!("assets/images/nhsuk-icon-search.svg"),
            "image/svg+xml",
        ),
        "images/nhsuk-icon-tick.svg" => {
            (nhsuk!("assets/images/nhsuk-icon-tick.svg"), "image/svg+xml")
        }
        "images/nhsuk-icon-chevron-right-circle.svg" => (
            nhsuk!("assets/images/nhsuk-icon-chevron-right-circle.svg"),
            "image/svg+xml",
        ),
        _ => return None,
    })
}

pub async fn serve(Path(path): Path<String>) -> Response {
    match lookup(&path) {
        Some((bytes, mime)) => {
            let mut r = bytes.into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            );
            r
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
