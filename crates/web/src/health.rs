//! Liveness, readiness and Prometheus metrics.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::AppState;

/// The process is up.
pub async fn healthz() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

/// The process can serve: the database answers.
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.svc.ping().await {
        Ok(()) => Json(json!({"status": "ready", "database": "ok"})).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "database": "unreachable"})),
            )
                .into_response()
        }
    }
}

/// Prometheus metrics, for a scraper that sends the configured `metrics_token` as a bearer
/// token. Without a configured token the endpoint does not exist (404); a wrong or missing
/// token answers 404 too, so the endpoint is not advertised.
pub async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let sent = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let allowed = match (state.cfg.metrics_token.as_deref(), sent) {
        (Some(want), Some(sent)) => services::identity::constant_time_eq(want, sent),
        _ => false,
    };
    if !allowed {
        return crate::pages::errors::render_status(StatusCode::NOT_FOUND, None);
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        state.metrics.render(),
    )
        .into_response()
}
