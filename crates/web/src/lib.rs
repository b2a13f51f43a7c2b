//! The HTTP layer: NHS.UK pages, the JSON API under /api/v1, its OpenAPI document, health and
//! metrics endpoints, and the middleware every request passes (request ids, security headers,
//! access checks, CSRF, audit of refusals).

pub mod api;
pub mod assets;
pub mod charts;
pub mod error;
pub mod forms;
pub mod health;
pub mod middleware;
pub mod openapi;
pub mod openreferral;
pub mod pages;
pub mod routes;
pub mod view;
pub mod viewer;

use axum::Router;
use metrics_exporter_prometheus::PrometheusHandle;
use routes::{Need, Routes};
use services::Services;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

/// Settings of the web layer.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Cookies get the Secure attribute and the __Host- prefix (needs HTTPS).
    pub secure_cookies: bool,
    /// Send Strict-Transport-Security (when served behind TLS).
    pub hsts: bool,
    /// Take the client address from X-Forwarded-For (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// Seconds before a request is abandoned with 408.
    pub request_timeout_secs: u64,
    /// The bearer token /metrics requires; None answers 404 there.
    pub metrics_token: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            hsts: false,
            trust_proxy: false,
            request_timeout_secs: 30,
            metrics_token: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub svc: Services,
    pub cfg: Arc<WebConfig>,
    pub metrics: PrometheusHandle,
}

impl AppState {
    pub fn new(svc: Services, cfg: WebConfig) -> Self {
        AppState {
            svc,
            cfg: Arc::new(cfg),
            metrics: metrics_handle(),
        }
    }

    pub fn session_cookie(&self) -> &'static str {
        if self.cfg.secure_cookies {
            "__Host-wm_session"
        } else {
            "wm_session"
        }
    }

    pub fn csrf_cookie(&self) -> &'static str {
        if self.cfg.secure_cookies {
            "__Host-wm_csrf"
        } else {
            "wm_csrf"
        }
    }
}

/// The process-wide Prometheus recorder (installed once, shared by every router).
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = metrics_exporter_prometheus::PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ])
                .map(|b| b.build_recorder())
                .unwrap_or_else(|_| {
                    metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder()
                });
            let handle = recorder.handle();
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Every route of the service, context by context. A new context adds its pages' and its
/// API's `routes()` here.
pub fn all_routes() -> Routes {
    Routes::new()
        .merge(platform_routes())
        .merge(pages::routes())
        .merge(api::routes())
        .merge(pages::care::routes())
        .merge(api::care::routes())
        .merge(openreferral::routes())
        .merge(pages::directory::routes())
        .merge(pages::learning::routes())
        .merge(pages::networks::routes())
        .merge(pages::leadership::routes())
        .merge(api::learning::routes())
        .merge(api::networks::routes())
        .merge(api::leadership::routes())
}

/// Endpoints for machines and browsers rather than people: health, metrics, assets, the API
/// document.
fn platform_routes() -> Routes {
    Routes::new()
        .get("/healthz", Need::Open, health::healthz)
        .get("/readyz", Need::Open, health::readyz)
        .get("/metrics", Need::Open, health::metrics)
        .get("/assets/{*path}", Need::Open, assets::serve)
        .get("/api/openapi.json", Need::Open, openapi::json)
}

/// The service: every route, behind the access check and the layers every request passes.
pub fn router(state: AppState) -> Router {
    let (routes, _) = all_routes().finish();
    let routes = routes.route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        middleware::access,
    ));
    let timeout = Duration::from_secs(state.cfg.request_timeout_secs);
    // Outermost last: request ids, then security headers and the one error shape around
    // everything else, so even a 413, a 408 or a panic carries them.
    routes
        .fallback(pages::errors::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::observe,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            pages::errors::panic_response,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            2 * 1024 * 1024,
        ))
        .layer(axum::middleware::from_fn(middleware::shape_errors))
        // Static assets (the NHS.UK stylesheet, scripts, icons) go gzipped to clients that ask.
        // Pages and JSON do not: they carry secrets (the CSRF token, personal data) beside what
        // a client sent, which compression would expose to size-based attacks (BREACH).
        .layer(
            tower_http::compression::CompressionLayer::new().compress_when({
                use tower_http::compression::predicate::{
                    DefaultPredicate, NotForContentType, Predicate,
                };
                DefaultPredicate::new()
                    .and(NotForContentType::const_new("text/html"))
                    .and(NotForContentType::const_new("application/json"))
            }),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::security_headers,
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}
