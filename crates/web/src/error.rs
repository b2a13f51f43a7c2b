//! Errors at the edge. The policy: a use case's [`ServiceError`] maps to one status; pages show
//! the NHS error page for that status (or re-show the form with its errors), and the API answers
//! with the envelope `{"errors":[{"code","detail","field"}]}`. Internal details are logged with the
//! request id, never shown. A refusal is marked on the response so the middleware audits it.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use services::{Actor, RequestMeta, ServiceError};
use utoipa::ToSchema;

/// Marks a response as a refusal; the access middleware records it in the audit log.
#[derive(Clone, Debug)]
pub struct Refused {
    pub what: String,
    pub actor_id: Option<i32>,
    pub actor_label: String,
    pub meta: RequestMeta,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorItem {
    /// A stable machine-readable code: invalid, not_found, forbidden, unauthorised, conflict, malformed, rate_limited, internal.
    pub code: &'static str,
    /// What went wrong and what to do, in plain English.
    pub detail: String,
    /// The input the error is about, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The error envelope of every API error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    pub errors: Vec<ErrorItem>,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub errors: Vec<ErrorItem>,
    pub refused: Option<Box<Refused>>,
    /// Seconds for the Retry-After header (with 429).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        detail: impl Into<String>,
        field: Option<&str>,
    ) -> Self {
        ApiError {
            status,
            errors: vec![ErrorItem {
                code,
                detail: detail.into(),
                field: field.map(str::to_owned),
            }],
            refused: None,
            retry_after: None,
        }
    }

    pub fn unauthorised(detail: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorised", detail, None)
    }

    pub fn forbidden(detail: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail, None)
    }

    /// Attaches who was refused, so the refusal is audited.
    pub fn for_actor(mut self, actor: &Actor, meta: &RequestMeta) -> Self {
        if self.status == StatusCode::FORBIDDEN {
            self.refused = Some(Box::new(Refused {
                what: self
                    .errors
                    .first()
                    .map(|e| e.detail.clone())
                    .unwrap_or_default(),
                actor_id: Some(actor.user_id),
                actor_label: actor.email.clone(),
                meta: meta.clone(),
            }));
        }
        self
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound(what) => Self::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("No {what} has that id"),
                None,
            ),
            ServiceError::Forbidden(what) => Self::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("You do not have permission to {what}"),
                None,
            ),
            ServiceError::Invalid(list) => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                errors: list
                    .into_iter()
                    .map(|f| ErrorItem {
                        code: "invalid",
                        detail: f.message,
                        field: Some(f.field),
                    })
                    .collect(),
                refused: None,
                retry_after: None,
            },
            ServiceError::Conflict(msg) => Self::new(StatusCode::CONFLICT, "conflict", msg, None),
            ServiceError::RateLimited { retry_after_secs } => ApiError {
                retry_after: Some(retry_after_secs),
                ..Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    format!(
                        "Too many attempts. Try again in {retry_after_secs} seconds (see Retry-After)"
                    ),
                    None,
                )
            },
            ServiceError::Db(e) => {
                tracing::error!(error = %e, "database error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong on our side; try again, and tell us if it keeps happening",
                    None,
                )
            }
            ServiceError::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong on our side; try again, and tell us if it keeps happening",
                    None,
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (
            self.status,
            Json(ErrorEnvelope {
                errors: self.errors,
            }),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        if let Some(secs) = self.retry_after {
            r.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        if let Some(refused) = self.refused {
            r.extensions_mut().insert(*refused);
        }
        r
    }
}

/// The envelope's code and a plain-English detail for a status, for responses that a layer
/// below the handlers produced (router, body limit, timeout, a panic).
pub fn status_detail(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => (
            "malformed",
            "The request could not be understood: check its parameters and body",
        ),
        401 => (
            "unauthorised",
            "Sign in or send an API token (Authorization: Bearer …)",
        ),
        403 => ("forbidden", "You do not have permission to do this"),
        404 => ("not_found", "There is nothing at this address"),
        405 => (
            "method_not_allowed",
            "This address does not accept that method: the Allow header lists those it does",
        ),
        408 => (
            "timeout",
            "The request took too long and was abandoned; nothing was saved",
        ),
        409 => (
            "conflict",
            "The record changed since it was read; read it again and retry",
        ),
        413 => (
            "too_large",
            "The request body is larger than this service accepts",
        ),
        415 => (
            "unsupported_media_type",
            "Send the body as JSON with the header Content-Type: application/json",
        ),
        422 => (
            "invalid",
            "The request has values this service cannot accept",
        ),
        429 => (
            "rate_limited",
            "Too many requests: wait and try again (see the Retry-After header)",
        ),
        503 => (
            "unavailable",
            "The service is busy or starting; try again shortly",
        ),
        _ if status.is_server_error() => (
            "internal",
            "Something went wrong on our side; try again, and tell us if it keeps happening",
        ),
        _ => ("malformed", "The request could not be handled"),
    }
}

/// The error envelope for a bare status.
pub fn envelope_for_status(status: StatusCode) -> Response {
    let (code, detail) = status_detail(status);
    ApiError::new(status, code, detail, None).into_response()
}

/// A page handler's error: shown as the NHS error page for its status.
pub struct PageError {
    pub error: ServiceError,
    pub actor: Option<Actor>,
    pub meta: RequestMeta,
}

impl PageError {
    pub fn new(error: ServiceError, v: &crate::middleware::Viewer) -> Self {
        PageError {
            error,
            actor: v.actor().cloned(),
            meta: v.meta.clone(),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let ServiceError::RateLimited { retry_after_secs } = self.error {
            return crate::pages::errors::too_many_attempts(retry_after_secs, self.actor.as_ref());
        }
        let status = match &self.error {
            ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
            ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ServiceError::Conflict(_) => StatusCode::CONFLICT,
            ServiceError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ServiceError::Db(e) => {
                tracing::error!(error = %e, request_id = ?self.meta.request_id, "database error");
                StatusCode::INTERNAL_SERVER_ERROR
            }
            ServiceError::Internal(e) => {
                tracing::error!(error = %e, request_id = ?self.meta.request_id, "internal error");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let mut r = page_error(status, self.actor.as_ref());
        if let (ServiceError::Forbidden(what), Some(a)) = (&self.error, &self.actor) {
            r.extensions_mut().insert(Refused {
                what: what.clone(),
                actor_id: Some(a.user_id),
                actor_label: a.email.clone(),
                meta: self.meta,
            });
        }
        r
    }
}

/// The NHS-style error page for a status.
pub fn page_error(status: StatusCode, actor: Option<&Actor>) -> Response {
    crate::pages::errors::render_status(status, actor)
}
