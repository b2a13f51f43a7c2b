//! The HTTP layer: NHS.UK pages, the JSON API under /api/v1, its OpenAPI document, health and
//! metrics endpoints, and the middleware every request passes (request ids, security headers,
//! access checks, CSRF, audit of refusals).

pub mod access;
pub mod api;
pub mod assets;
pub mod charts;
pub mod error;
pub mod forms;
pub mod health;
pub mod middleware;
pub mod openapi;
pub mod pages;
pub mod view;

use axum::Router;
use axum::routing::{get, post};
use metrics_exporter_prometheus::PrometheusHandle;
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

/// Every route of the service. Each must have an entry in [`access::need`].
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/", get(pages::home::show))
        .route(
            "/sign-in",
            get(pages::auth::sign_in_form).post(pages::auth::sign_in),
        )
        .route("/sign-out", post(pages::auth::sign_out))
        .route(
            "/password-reset",
            get(pages::auth::reset_request_form).post(pages::auth::reset_request),
        )
        .route(
            "/password-reset/{token}",
            get(pages::auth::reset_form).post(pages::auth::reset),
        )
        .route("/organisations", get(pages::organisations::list))
        .route(
            "/organisations/new",
            get(pages::organisations::new_form).post(pages::organisations::create),
        )
        .route("/organisations/{id}", get(pages::organisations::show))
        .route(
            "/organisations/{id}/edit",
            get(pages::organisations::edit_form).post(pages::organisations::update),
        )
        .route("/caseload", get(pages::care::caseload))
        .route("/caseload/no-one-lost", get(pages::care::no_one_lost))
        .route(
            "/referrals/new",
            get(pages::care::new_referral_form).post(pages::care::create_referral),
        )
        .route("/referrals/{id}", get(pages::care::referral))
        .route(
            "/referrals/{id}/contacts",
            post(pages::care::record_contact),
        )
        .route("/referrals/{id}/assign", post(pages::care::assign))
        .route("/referrals/{id}/state", post(pages::care::change_state))
        .route(
            "/referrals/{id}/discharge",
            get(pages::care::discharge_form).post(pages::care::discharge),
        )
        .route("/referrals/{id}/message", get(pages::care::message))
        .route("/people", get(pages::care::search))
        .route("/people/{id}", get(pages::care::person))
        .route("/me", get(pages::record::me))
        .route("/people/{id}/plan", get(pages::record::plan))
        .route(
            "/people/{id}/edit",
            get(pages::person_edit::form).post(pages::person_edit::save),
        )
        .route(
            "/people/{id}/consents",
            post(pages::person_edit::record_consent),
        )
        .route(
            "/people/{id}/decisions",
            get(pages::decisions::show).post(pages::decisions::record),
        )
        .route(
            "/people/{id}/plan/edit",
            get(pages::plan_form::form).post(pages::plan_form::save),
        )
        .route(
            "/people/{id}/about-me",
            get(pages::record::about_me_form).post(pages::record::save_about_me),
        )
        .route(
            "/people/{id}/measures",
            get(pages::record::measures_form).post(pages::record::record_measure),
        )
        .route(
            "/self-referral",
            get(pages::care::self_referral_form).post(pages::care::self_referral),
        )
        .route("/admin/audit", get(pages::admin::audit))
        .route("/admin/users", get(pages::admin::users))
        .route("/account", get(pages::account::show))
        .route("/account/api-tokens", post(pages::account::create_token))
        .route(
            "/account/api-tokens/{id}/revoke",
            post(pages::account::revoke_token),
        )
        .route("/api/docs", get(pages::docs::show))
        .route("/api/openapi.json", get(openapi::json))
        .route("/api/v1/me", get(api::me))
        .route(
            "/api/v1/organisations",
            get(api::organisations::list).post(api::organisations::create),
        )
        .route(
            "/api/v1/organisations/{id}",
            get(api::organisations::get).put(api::organisations::update),
        )
        .route("/api/v1/audit-events", get(api::audit::search))
        .route("/api/v1/caseload", get(api::care::caseload))
        .route("/api/v1/referrals", post(api::care::create_referral))
        .route("/api/v1/referrals/{id}", get(api::care::get_referral))
        .route(
            "/api/v1/referrals/{id}/contacts",
            post(api::care::record_contact),
        )
        .route(
            "/api/v1/referrals/{id}/discharge",
            post(api::care::discharge_referral),
        )
        .route("/api/v1/people", get(api::care::search_people))
        .route("/api/v1/people/{id}", get(api::care::get_person))
        .route(
            "/api/v1/people/{id}/about-me",
            get(api::care::get_about_me).put(api::care::put_about_me),
        )
        .route(
            "/api/v1/people/{id}/plan",
            get(api::care::get_plan).put(api::care::put_plan),
        )
        .route(
            "/api/v1/people/{id}/measures",
            get(api::care::list_measures).post(api::care::record_measure),
        )
        .route(
            "/api/v1/people/{id}/decisions",
            post(api::care::record_decision),
        )
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/assets/{*path}", get(assets::serve))
        .route_layer(axum::middleware::from_fn_with_state(
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
