//! Middleware: who is asking (session cookie or API token), whether the route allows them,
//! CSRF on every form, audit of refusals, metrics, and security headers.

use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use services::RequestMeta;
use services::audit::{self, Event, Outcome};
use services::identity::{
    self,
    session::{Current, Lookup},
};
use std::net::SocketAddr;
use std::time::Instant;

use crate::AppState;
use crate::error::{ApiError, Refused, page_error};
use crate::routes::{Need, catalogue};
pub use crate::viewer::Viewer;

/// The route template that matched, copied onto the response for metrics.
#[derive(Clone, Debug)]
pub struct RouteLabel(pub String);

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let secure = if state.cfg.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}{age}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn request_meta(state: &AppState, req: &Request) -> RequestMeta {
    let h = req.headers();
    let forwarded = state
        .cfg
        .trust_proxy
        .then(|| h.get("x-forwarded-for").and_then(|v| v.to_str().ok()))
        .flatten()
        .and_then(|v| v.split(',').next())
        .map(|s| s.trim().to_owned());
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    RequestMeta {
        request_id: h
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        ip: forwarded.or(peer),
        user_agent: h
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(300).collect()),
    }
}

fn is_api(route: &str) -> bool {
    route.starts_with("/api/v1")
}

fn safe_next(uri: &axum::http::Uri) -> String {
    let pq = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    if pq.starts_with('/') && !pq.starts_with("//") {
        pq.to_owned()
    } else {
        "/".into()
    }
}

/// Resolves the viewer, enforces the route's need and CSRF, and audits refusals.
pub async fn access(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let method = req.method().clone();
    let mut resp = access_inner(&state, &route, req, next).await;
    resp.extensions_mut().insert(RouteLabel(route.clone()));
    if let Some(Refused {
        what,
        actor_id,
        actor_label,
        meta,
    }) = resp.extensions_mut().remove::<Refused>()
    {
        let ev = Event::new("access_refused", Outcome::Refused)
            .by_label(actor_id, actor_label)
            .detail(format!("{method} {route}: {what}"));
        if let Err(e) = audit::log(&state.svc, state.svc.now(), &meta, ev).await {
            tracing::error!(error = %e, "could not audit a refusal");
        }
    }
    resp
}

async fn access_inner(state: &AppState, route: &str, mut req: Request, next: Next) -> Response {
    let api = is_api(route);
    let Some(need) = catalogue().need(req.method(), route) else {
        if catalogue().declares(route) {
            // A method the route does not answer: the router says 405, no handler runs.
            return next.run(req).await;
        }
        tracing::error!(route, "route was not declared with its need; refusing");
        return page_error(StatusCode::INTERNAL_SERVER_ERROR, None);
    };
    if need == Need::Open {
        return next.run(req).await;
    }
    let meta = request_meta(state, &req);
    let mut current = None;
    let mut expired = false;
    let mut new_csrf_cookie = None;
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    if let (true, Some(token)) = (api, bearer) {
        match identity::token::authenticate(&state.svc, token.trim(), &meta).await {
            Ok(Some(actor)) => {
                current = Some(Current {
                    actor,
                    csrf_token: String::new(),
                    id_hash: String::new(),
                })
            }
            Ok(None) => {
                return ApiError::unauthorised(
                    "The API token is not valid: it may be mistyped, expired or revoked",
                )
                .into_response();
            }
            Err(e) => return ApiError::from(e).into_response(),
        }
    } else if let Some(token) = cookie(req.headers(), state.session_cookie()) {
        match identity::session::lookup(&state.svc, &token, &meta).await {
            Ok(Lookup::Found(c)) => current = Some(c),
            Ok(Lookup::Expired) => expired = true,
            Ok(Lookup::Missing) => {}
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                return if api {
                    ApiError::from(e).into_response()
                } else {
                    page_error(StatusCode::INTERNAL_SERVER_ERROR, None)
                };
            }
        }
        // A browser session may read the API, but changes through the API need a token.
        if api
            && req.method() != Method::GET
            && req.method() != Method::HEAD
            && let Some(c) = &current
        {
            let mut r = ApiError::unauthorised("Changes through the API need an API token (Authorization: Bearer …), not a browser session").into_response();
            r.extensions_mut().insert(Refused {
                what: "an API change sent with a browser session instead of an API token".into(),
                actor_id: Some(c.actor.user_id),
                actor_label: c.actor.email.clone(),
                meta,
            });
            return r;
        }
    }
    let csrf = match &current {
        Some(c) if !c.csrf_token.is_empty() => c.csrf_token.clone(),
        _ => match cookie(req.headers(), state.csrf_cookie()) {
            Some(v) if v.len() >= 32 => v,
            _ => {
                let t = identity::random_token();
                new_csrf_cookie = Some(t.clone());
                t
            }
        },
    };

    // Is the viewer allowed here at all? (Which records they may touch is the use case's check.)
    let refusal = match (need, &current) {
        (Need::Open | Need::Public, _) => None,
        (_, None) => {
            if api {
                return ApiError::unauthorised(
                    "Sign in or send an API token (Authorization: Bearer …)",
                )
                .into_response();
            }
            let next_url = safe_next(req.uri());
            let q = serde_urlencoded::to_string([("next", next_url.as_str())]).unwrap_or_default();
            let to = if expired {
                format!("/sign-in?expired=1&{q}")
            } else {
                format!("/sign-in?{q}")
            };
            let mut r = axum::response::Redirect::to(&to).into_response();
            if expired {
                r.headers_mut().append(
                    header::SET_COOKIE,
                    set_cookie(state, state.session_cookie(), "", Some(0)),
                );
            }
            return r;
        }
        (Need::SignedIn, Some(_)) => None,
        (Need::Permission(p), Some(c)) => {
            (!c.actor.can(p)).then(|| format!("needs permission {}", p.as_str()))
        }
    };
    if let Some(what) = refusal {
        let c = current.as_ref();
        let mut r = if api {
            ApiError::forbidden("You do not have permission to do this").into_response()
        } else {
            page_error(StatusCode::FORBIDDEN, c.map(|c| &c.actor))
        };
        r.extensions_mut().insert(Refused {
            what,
            actor_id: c.map(|c| c.actor.user_id),
            actor_label: c.map(|c| c.actor.email.clone()).unwrap_or_default(),
            meta,
        });
        return r;
    }

    // CSRF: every form post must carry the token of its session (or of its pre-sign-in cookie).
    if !api && req.method() == Method::POST {
        let (parts, body) = req.into_parts();
        let bytes = match axum::body::to_bytes(body, 2 * 1024 * 1024).await {
            Ok(b) => b,
            Err(_) => {
                return page_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    current.as_ref().map(|c| &c.actor),
                );
            }
        };
        let sent = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|kv| {
                kv.into_iter()
                    .find(|(k, _)| k == "csrf_token")
                    .map(|(_, v)| v)
            });
        let ok = new_csrf_cookie.is_none()
            && sent
                .as_deref()
                .is_some_and(|s| identity::constant_time_eq(s, &csrf));
        if !ok {
            let c = current.as_ref();
            let ev = Event::new("csrf_rejected", Outcome::Refused)
                .by_label(
                    c.map(|c| c.actor.user_id),
                    c.map(|c| c.actor.email.clone())
                        .unwrap_or_else(|| "anonymous".into()),
                )
                .detail(format!(
                    "POST {route}: {}",
                    if sent.is_some() {
                        "token did not match"
                    } else {
                        "no token"
                    }
                ));
            let _ = audit::log(&state.svc, state.svc.now(), &meta, ev).await;
            return crate::pages::errors::csrf_failed(c.map(|c| &c.actor));
        }
        req = Request::from_parts(parts, Body::from(bytes));
    }

    req.extensions_mut().insert(Viewer {
        current,
        csrf,
        meta,
        expired,
    });
    let mut resp = next.run(req).await;
    if let Some(t) = new_csrf_cookie {
        resp.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(state, state.csrf_cookie(), &t, None),
        );
    }
    resp
}

/// Paths answered in JSON, whatever goes wrong.
pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/v1/") || path == "/api/v1" || path == "/api/openapi.json"
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
