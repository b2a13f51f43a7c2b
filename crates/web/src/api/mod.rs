//! The JSON API under /api/v1. Handlers are small: they call one use case and shape its answer.

pub mod audit;
pub mod care;
pub mod organisations;

use axum::Json;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::middleware::Viewer;

/// A JSON body whose parse errors answer with the error envelope, naming the field when known.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) => {
                let detail = e.body_text();
                let field = detail
                    .split_once(": ")
                    .and_then(|(_, rest)| rest.split('.').next())
                    .filter(|f| !f.contains(' '))
                    .map(str::to_owned);
                Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "malformed",
                    format!("The request body is not valid JSON for this operation: {detail}"),
                    field.as_deref(),
                ))
            }
        }
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
pub async fn me(v: Viewer) -> Result<Json<Me>, ApiError> {
    let a = actor(&v)?;
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
