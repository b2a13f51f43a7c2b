//! The JSON API under /api/v1. Handlers are small: they call one use case and shape its answer.

pub mod audit;
pub mod care;
pub mod leadership;
pub mod learning;
pub mod networks;
pub mod organisations;

use domain::Permission::{ManageOrganisations, ViewAudit, ViewOrganisations};
use utoipa_axum::routes;

use crate::routes::{Need, Routes, permission};

/// The platform's API: who is asking, organisations and the audit log.
pub fn routes() -> Routes {
    Routes::new()
        .api(Need::SignedIn, routes!(me))
        .api(permission(ViewOrganisations), routes!(organisations::list))
        .api(
            permission(ManageOrganisations),
            routes!(organisations::create),
        )
        .api(permission(ViewOrganisations), routes!(organisations::get))
        .api(
            permission(ManageOrganisations),
            routes!(organisations::update),
        )
        .api(permission(ViewAudit), routes!(audit::search))
}

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::middleware::Viewer;
use crate::viewer::CurrentActor;

/// A JSON body. Every way it can be wrong answers with the error envelope: a missing or other
/// content type (415), a body over the limit (413), text that is not JSON (400), and JSON of the
/// wrong shape (400, naming the field by its path, like `needs[0].goals[1].importance`).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            })
            .unwrap_or(false);
        if !json_type {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as JSON with the header Content-Type: application/json",
                None,
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    "The request body is larger than this service accepts",
                    None,
                )
            } else {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "malformed",
                    "The request body could not be read",
                    None,
                )
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses JSON, naming the field at fault by its path.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let inner = e.inner();
        let syntax = matches!(
            inner.classify(),
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof
        );
        if syntax {
            return ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed",
                format!("The request body is not valid JSON: {inner}"),
                None,
            );
        }
        let path = e.path().to_string();
        let message = inner.to_string();
        // "missing field `x`" is reported at the parent; name the missing field itself.
        let field = match message
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
        {
            Some(missing) if path == "." => missing.to_owned(),
            Some(missing) => format!("{path}.{missing}"),
            None => path,
        };
        let detail = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_owned();
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("The request body does not fit this operation: {detail}"),
            (field != ".").then_some(field.as_str()),
        )
    })
}

/// Query parameters. A value of the wrong type answers 400 with the envelope, naming the
/// parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let field = e.path().to_string();
                let detail = e.inner().to_string();
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "malformed",
                    format!("A query parameter has the wrong form: {detail}"),
                    (field != ".").then_some(field.as_str()),
                )
            })
    }
}

/// A record id in the path. Text that is not a 32-bit whole number names no record, so it answers
/// 404 in the envelope; any number goes to the use case, which answers "not found" alike for a
/// record that is not there and one that is not the caller's.
pub struct ApiId(pub i32);

impl<S: Send + Sync> FromRequestParts<S> for ApiId {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let not_found = || {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "No record has that id",
                Some("id"),
            )
        };
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| not_found())?;
        raw.parse::<i32>().map(ApiId).map_err(|_| not_found())
    }
}

pub fn actor(v: &Viewer) -> Result<&services::Actor, ApiError> {
    v.actor()
        .ok_or_else(|| ApiError::unauthorised("Sign in or send an API token"))
}

#[derive(Serialize, ToSchema)]
pub struct MeGrant {
    pub role: String,
    pub organisation_id: i32,
    pub organisation_name: String,
    pub organisation_kind: String,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user_id: i32,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<MeGrant>,
    pub permissions: Vec<String>,
}

/// Who the caller is: their roles and permissions.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity",
    responses((status = 200, description = "The caller", body = Me), (status = 401, description = "Not signed in", body = crate::error::ErrorEnvelope)))]
pub async fn me(_v: Viewer, CurrentActor(ref a): CurrentActor) -> Result<Json<Me>, ApiError> {
    let mut permissions: Vec<String> = a
        .grants
        .iter()
        .flat_map(|g| g.role.permissions().iter().map(|p| p.as_str().to_owned()))
        .collect();
    permissions.sort();
    permissions.dedup();
    Ok(Json(Me {
        user_id: a.user_id,
        email: a.email.clone(),
        display_name: a.display_name.clone(),
        roles: a
            .grants
            .iter()
            .map(|g| MeGrant {
                role: g.role.as_str().into(),
                organisation_id: g.organisation_id,
                organisation_name: g.organisation_name.clone(),
                organisation_kind: g.organisation_kind.as_str().into(),
            })
            .collect(),
        permissions,
    }))
}
