//! /api/v1/audit-events

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use services::audit;
use utoipa::{IntoParams, ToSchema};

use super::ApiQuery;
use crate::AppState;
use crate::error::ApiError;
use crate::middleware::Viewer;
use crate::viewer::CurrentActor;

#[derive(Serialize, ToSchema)]
pub struct AuditEventDto {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub actor_user_id: Option<i32>,
    pub action: String,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub person_id: Option<i32>,
    pub organisation_id: Option<i32>,
    pub purpose: Option<String>,
    /// success | failure | refused
    #[schema(schema_with = services::schema::audit_outcome)]
    pub outcome: String,
    pub detail: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEventDto>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Text in the actor's email.
    pub actor: Option<String>,
    /// An action name, like sign_in.
    pub action: Option<String>,
    /// success, failure or refused.
    #[param(schema_with = services::schema::audit_outcome)]
    pub outcome: Option<String>,
    pub person_id: Option<i32>,
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u64>,
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u64>,
}

/// Searches the audit log (administrators only), newest first.
#[utoipa::path(get, path = "/api/v1/audit-events", tag = "audit", params(AuditParams),
    responses((status = 200, description = "A page of events", body = AuditPage),
              (status = 403, description = "Not an administrator", body = crate::error::ErrorEnvelope)))]
pub async fn search(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> Result<Json<AuditPage>, ApiError> {
    let page = audit::search(
        &state.svc,
        a,
        audit::Search {
            actor: p.actor,
            action: p.action,
            outcome: p.outcome,
            person_id: p.person_id,
            from: None,
            to: None,
            page: p.page.unwrap_or(1),
            per_page: p.per_page.unwrap_or(50),
        },
    )
    .await
    .map_err(|e| ApiError::from(e).for_actor(a, &v.meta))?;
    Ok(Json(AuditPage {
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        items: page
            .events
            .into_iter()
            .map(|e| AuditEventDto {
                id: e.id,
                at: e.at,
                actor: e.actor_label,
                actor_user_id: e.actor_user_id,
                action: e.action,
                entity_type: e.entity_type,
                entity_id: e.entity_id,
                person_id: e.person_id,
                organisation_id: e.organisation_id,
                purpose: e.purpose,
                outcome: e.outcome,
                detail: e.detail,
                request_id: e.request_id,
            })
            .collect(),
    }))
}
