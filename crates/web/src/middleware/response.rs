//! What is done to every response: one error shape for pages and the API, metrics by route,
//! and security headers.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Instant;

use super::RouteLabel;
use crate::AppState;
use crate::error::{ApiError, page_error};

/// Paths answered in JSON, whatever goes wrong.
pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/v1/")
        || path == "/api/v1"
        || path == "/api/openapi.json"
        || path == "/openreferral"
        || path.starts_with("/openreferral/")
}

/// The first query parameter whose name or value holds a control character (NUL included):
/// no query of ours needs one, and PostgreSQL refuses NUL in text.
fn control_in_query(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(k, v)| k.chars().chain(v.chars()).any(char::is_control))
        .map(|(k, _)| k.chars().filter(|c| !c.is_control()).take(64).collect())
}

/// One error shape: whatever layer answered (router, extractor, body limit, timeout, panic),
/// an API error is the JSON envelope and a page error is the NHS error page.
pub async fn shape_errors(req: Request, next: Next) -> Response {
    // The open directory is open to every origin, whatever the answer (errors included).
    let open = req.uri().path().starts_with("/openreferral");
    let mut resp = shape(req, next).await;
    if open {
        resp.headers_mut().insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            axum::http::HeaderValue::from_static("*"),
        );
    }
    resp
}

async fn shape(req: Request, next: Next) -> Response {
    let api = is_api_path(req.uri().path());
    if let Some(field) = control_in_query(req.uri().query()) {
        return if api {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed",
                "A query parameter holds a control character, which is never accepted",
                Some(&field),
            )
            .into_response()
        } else {
            page_error(StatusCode::BAD_REQUEST, None)
        };
    }
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let shaped = if api {
        content_type.starts_with("application/json")
    } else {
        content_type.starts_with("text/html")
    };
    if shaped {
        return resp;
    }
    let (parts, _) = resp.into_parts();
    let mut fresh = if api {
        crate::error::envelope_for_status(status)
    } else {
        page_error(status, None)
    };
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(v) = parts.headers.get(&name) {
            fresh.headers_mut().insert(name, v.clone());
        }
    }
    for v in parts.headers.get_all(header::SET_COOKIE) {
        fresh.headers_mut().append(header::SET_COOKIE, v.clone());
    }
    fresh.extensions_mut().extend(parts.extensions);
    fresh
}

/// Counts and times every request by route and status.
pub async fn observe(State(_state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let resp = next.run(req).await;
    let route = resp
        .extensions()
        .get::<RouteLabel>()
        .map(|r| r.0.clone())
        .unwrap_or_else(|| "unmatched".into());
    let status = resp.status().as_u16().to_string();
    let elapsed = start.elapsed().as_secs_f64();
    metrics::counter!("http_requests_total", "method" => method.to_string(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("http_request_duration_seconds", "route" => route.clone()).record(elapsed);
    tracing::debug!(%method, route, status = resp.status().as_u16(), ms = elapsed * 1000.0, "request");
    resp
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Security headers on every response; pages are never cached (they may hold personal data).
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let https = state.cfg.trust_proxy
        && req
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            == Some("https");
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if state.cfg.hsts || https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    // Assets set their own (`assets::serve`); anything without one, an asset's 404 included, is
    // not to be stored.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    async fn boom() -> &'static str {
        panic!("a handler bug")
    }

    fn app() -> Router {
        Router::new()
            .route("/api/v1/boom", get(boom))
            .route("/boom", get(boom))
            .layer(tower_http::catch_panic::CatchPanicLayer::custom(
                crate::pages::errors::panic_response,
            ))
            .layer(axum::middleware::from_fn(shape_errors))
    }

    async fn get_path(path: &str) -> Response {
        app()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_panic_in_the_api_answers_with_the_envelope() {
        let r = get_path("/api/v1/boom").await;
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
        let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["errors"][0]["code"], "internal");
        assert!(!String::from_utf8_lossy(&body).contains("a handler bug"));
    }

    #[tokio::test]
    async fn a_panic_on_a_page_answers_with_the_nhs_error_page() {
        let r = get_path("/boom").await;
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            r.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(text.contains("Sorry, there is a problem with the service"));
        assert!(!text.contains("a handler bug"));
    }

    #[test]
    fn control_characters_in_a_query_are_found_by_parameter() {
        assert_eq!(control_in_query(Some("q=a%00b")), Some("q".into()));
        assert_eq!(
            control_in_query(Some("page=1&name=x%0Ay")),
            Some("name".into())
        );
        assert_eq!(control_in_query(Some("q=caf%C3%A9&page=2")), None);
        assert_eq!(control_in_query(None), None);
    }
}
