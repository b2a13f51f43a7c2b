//! /api/v1/organisations

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use services::org::Organisation;
use services::org::{self, ListFilter, OrgInput};
use utoipa::{IntoParams, ToSchema};

use super::{ApiId, ApiJson, ApiQuery};
use crate::AppState;
use crate::error::ApiError;
use crate::middleware::Viewer;
use crate::viewer::CurrentActor;

/// An organisation as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct OrganisationDto {
    pub id: i32,
    /// region | icb | pcn | practice | vcse | team
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ods_code: Option<String>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<i32>,
    /// active | closed
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list_size: Option<i32>,
    pub pcn_opted_out: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commissioner_arrangement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charity_number: Option<String>,
    /// Send this back when editing; a newer version means someone else changed the record.
    pub version: i32,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Organisation> for OrganisationDto {
    fn from(o: Organisation) -> Self {
        OrganisationDto {
            id: o.id,
            kind: o.kind,
            ods_code: o.ods_code,
            name: o.name,
            parent_id: o.parent_id,
            status: o.status,
            list_size: o.list_size,
            pcn_opted_out: o.pcn_opted_out,
            commissioner_arrangement: o.commissioner_arrangement,
            postcode: o.postcode,
            email: o.email,
            phone: o.phone,
            website: o.website,
            charity_number: o.charity_number,
            version: o.version,
            updated_at: o.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationPage {
    pub items: Vec<OrganisationDto>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
    pub total_pages: u64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only this kind: region, icb, pcn, practice, vcse or team.
    #[param(schema_with = services::schema::org_kind)]
    pub kind: Option<String>,
    /// Text in the name or ODS code.
    pub q: Option<String>,
    /// Only direct members of this organisation.
    pub parent_id: Option<i32>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u64>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u64>,
}

/// Organisations the caller may see.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations", params(ListParams),
    responses((status = 200, description = "A page of organisations", body = OrganisationPage),
              (status = 401, description = "No valid token or session", body = crate::error::ErrorEnvelope),
              (status = 422, description = "A parameter is not valid", body = crate::error::ErrorEnvelope)))]
pub async fn list(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<OrganisationPage>, ApiError> {
    let kind = match p.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(k.parse().map_err(|_| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "kind must be one of region, icb, pcn, practice, vcse, team",
                Some("kind"),
            )
        })?),
    };
    let page = org::list(
        &state.svc,
        a,
        ListFilter {
            kind,
            q: p.q,
            parent_id: p.parent_id,
            page: p.page.unwrap_or(1),
            per_page: p.per_page.unwrap_or(50),
        },
    )
    .await
    .map_err(|e| ApiError::from(e).for_actor(a, &v.meta))?;
    Ok(Json(OrganisationPage {
        total_pages: page.total_pages(),
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// One organisation.
#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "organisations", params(("id" = i32, Path, description = "Organisation id")),
    responses((status = 200, description = "The organisation", body = OrganisationDto),
              (status = 403, description = "Outside the caller's organisations", body = crate::error::ErrorEnvelope),
              (status = 404, description = "No such organisation", body = crate::error::ErrorEnvelope)))]
pub async fn get(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiId(id): ApiId,
) -> Result<Json<OrganisationDto>, ApiError> {
    let o = org::get(&state.svc, a, id)
        .await
        .map_err(|e| ApiError::from(e).for_actor(a, &v.meta))?;
    Ok(Json(o.into()))
}

/// Adds an organisation under one the caller manages.
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", request_body = OrgInput,
    responses((status = 201, description = "Created", body = OrganisationDto),
              (status = 403, description = "The caller may not add organisations there", body = crate::error::ErrorEnvelope),
              (status = 422, description = "Invalid input; each error names its field", body = crate::error::ErrorEnvelope)))]
pub async fn create(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiJson(input): ApiJson<OrgInput>,
) -> Result<(StatusCode, Json<OrganisationDto>), ApiError> {
    let o = org::create(&state.svc, a, &v.meta, input)
        .await
        .map_err(|e| ApiError::from(e).for_actor(a, &v.meta))?;
    Ok((StatusCode::CREATED, Json(o.into())))
}

/// Replaces an organisation's details. Send the `version` you read: if the record changed since,
/// the answer is 409 and nothing is saved.
#[utoipa::path(put, path = "/api/v1/organisations/{id}", tag = "organisations", params(("id" = i32, Path, description = "Organisation id")), request_body = OrgInput,
    responses((status = 200, description = "Saved", body = OrganisationDto),
              (status = 403, description = "The caller may not edit this organisation", body = crate::error::ErrorEnvelope),
              (status = 409, description = "Changed by someone else since `version`", body = crate::error::ErrorEnvelope),
              (status = 422, description = "Invalid input", body = crate::error::ErrorEnvelope)))]
pub async fn update(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiId(id): ApiId,
    ApiJson(input): ApiJson<OrgInput>,
) -> Result<Json<OrganisationDto>, ApiError> {
    let o = org::update(&state.svc, a, &v.meta, id, input)
        .await
        .map_err(|e| ApiError::from(e).for_actor(a, &v.meta))?;
    Ok(Json(o.into()))
}
