//! Referrals: the caseload, making a referral, reading one, recording a contact and discharge.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use services::care::Referral;
use services::care::discharge;
use services::care::referrals::{self, CaseloadFilter, ContactInput, ReferralInput};
use utoipa::{IntoParams, ToSchema};

use super::err;
use super::people::PersonDto;
use crate::AppState;
use crate::api::{ApiId, ApiJson, ApiQuery};
use crate::error::ApiError;
use crate::middleware::Viewer;
use crate::viewer::CurrentActor;

#[derive(Serialize, ToSchema)]
pub struct ReferralDto {
    pub id: i32,
    pub person_id: i32,
    pub team_org_id: i32,
    #[schema(schema_with = services::schema::care_service)]
    pub service: String,
    pub referred_on: chrono::NaiveDate,
    /// staff | self
    #[schema(schema_with = services::schema::referral_source)]
    pub source: String,
    pub referrer_name: String,
    #[schema(schema_with = services::schema::referral_method)]
    pub method: String,
    pub reason: String,
    #[schema(schema_with = services::schema::urgency)]
    pub urgency: String,
    /// received | contacted | active | discharged | declined | unable_to_contact
    #[schema(schema_with = services::schema::referral_state)]
    pub state: String,
    pub assigned_user_id: Option<i32>,
    pub possible_duplicate_of: Option<i32>,
    pub contact_attempts: i32,
    pub first_contact_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_contact_at: Option<chrono::DateTime<chrono::Utc>>,
    pub review_due: Option<chrono::NaiveDate>,
    /// Send back when changing the referral.
    pub version: i32,
}

impl From<Referral> for ReferralDto {
    fn from(r: Referral) -> Self {
        ReferralDto {
            id: r.id,
            person_id: r.person_id,
            team_org_id: r.team_org_id,
            service: r.service.as_str().to_owned(),
            referred_on: r.referred_on,
            source: r.source,
            referrer_name: r.referrer_name,
            method: r.method.as_str().to_owned(),
            reason: r.reason,
            urgency: r.urgency.as_str().to_owned(),
            state: r.state.as_str().to_owned(),
            assigned_user_id: r.assigned_user_id,
            possible_duplicate_of: r.possible_duplicate_of,
            contact_attempts: r.contact_attempts,
            first_contact_at: r.first_contact_at,
            last_contact_at: r.last_contact_at,
            review_due: r.review_due,
            version: r.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CaseloadItem {
    pub referral: ReferralDto,
    pub person: PersonDto,
    pub assigned_to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseloadPage {
    pub items: Vec<CaseloadItem>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseloadParams {
    /// open (default), all, or one state
    #[param(schema_with = services::schema::caseload_state)]
    pub state: Option<String>,
    pub assigned_to: Option<i32>,
    pub practice_id: Option<i32>,
    /// YYYY-MM-DD
    pub review_due_by: Option<chrono::NaiveDate>,
    #[param(minimum = 1, maximum = 3650)]
    pub no_contact_days: Option<i64>,
    /// referred | review_due | last_contact
    #[param(schema_with = services::schema::caseload_sort)]
    pub sort: Option<String>,
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u64>,
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u64>,
}

/// The caseload of the caller's teams.
#[utoipa::path(get, path = "/api/v1/caseload", tag = "care", params(CaseloadParams),
    responses((status = 200, description = "A page of referrals with their people", body = CaseloadPage), (status = 403, description = "Not a care role", body = crate::error::ErrorEnvelope)))]
pub async fn caseload(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiQuery(p): ApiQuery<CaseloadParams>,
) -> Result<Json<CaseloadPage>, ApiError> {
    let page = referrals::caseload(
        &state.svc,
        a,
        &v.meta,
        CaseloadFilter {
            state: p.state,
            assigned_to: p.assigned_to,
            practice_id: p.practice_id,
            review_due_by: p.review_due_by,
            no_contact_days: p.no_contact_days,
            sort: p.sort,
            page: p.page.unwrap_or(1),
            per_page: p.per_page.unwrap_or(50),
        },
    )
    .await
    .map_err(err(&v))?;
    Ok(Json(CaseloadPage {
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        items: page
            .rows
            .into_iter()
            .map(|r| CaseloadItem {
                referral: r.referral.into(),
                person: r.person.into_person().into(),
                assigned_to: r.assigned,
            })
            .collect(),
    }))
}

/// Refers a person (existing, or new with `person`). An open referral to the same service is
/// flagged in `possible_duplicate_of`, never merged.
#[utoipa::path(post, path = "/api/v1/referrals", tag = "care", request_body = ReferralInput,
    responses((status = 201, description = "Received", body = ReferralDto), (status = 422, description = "Invalid input, by field", body = crate::error::ErrorEnvelope)))]
pub async fn create_referral(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiJson(input): ApiJson<ReferralInput>,
) -> Result<(StatusCode, Json<ReferralDto>), ApiError> {
    let r = referrals::create(&state.svc, a, &v.meta, input)
        .await
        .map_err(err(&v))?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

#[utoipa::path(get, path = "/api/v1/referrals/{id}", tag = "care", params(("id" = i32, Path, description = "Referral id")),
    responses((status = 200, description = "The referral", body = ReferralDto), (status = 403, description = "Not the caller's team", body = crate::error::ErrorEnvelope)))]
pub async fn get_referral(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiId(id): ApiId,
) -> Result<Json<ReferralDto>, ApiError> {
    Ok(Json(
        referrals::get(&state.svc, a, &v.meta, id)
            .await
            .map_err(err(&v))?
            .into_referral()
            .into(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i32,
}

/// Records a contact, an attempt to reach the person, or a missed appointment.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/contacts", tag = "care", params(("id" = i32, Path, description = "Referral id")), request_body = ContactInput,
    responses((status = 201, description = "Recorded", body = Created), (status = 409, description = "The referral is closed", body = crate::error::ErrorEnvelope)))]
pub async fn record_contact(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiId(id): ApiId,
    ApiJson(input): ApiJson<ContactInput>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let c = referrals::record_contact(&state.svc, a, &v.meta, id, input)
        .await
        .map_err(err(&v))?;
    Ok((StatusCode::CREATED, Json(Created { id: c.id })))
}

#[derive(Deserialize, ToSchema)]
pub struct DischargeInput {
    pub version: i32,
    /// goals_met | connected_to_support | moved_away | person_chose_to_end | other
    #[schema(schema_with = services::schema::discharge_reason)]
    pub reason: String,
    pub summary: String,
}

#[derive(Serialize, ToSchema)]
pub struct DischargeMessageDto {
    pub referral_id: i32,
    /// SNOMED CT code to record in the GP record (empty when there is none: the referral's
    /// code goes with the message at first contact, a decline's with the decline)
    pub snomed_code: String,
    pub snomed_display: String,
    pub body: String,
    /// The practice address it was queued to
    pub sent_to: Option<String>,
    /// Why it was not e-mailed, when it was not
    pub not_sent_reason: Option<String>,
}

/// Discharges a referral once and returns the message back to the GP and referrer.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/discharge", tag = "care", params(("id" = i32, Path, description = "Referral id")), request_body = DischargeInput,
    responses((status = 201, description = "Discharged", body = DischargeMessageDto), (status = 409, description = "Already discharged or changed meanwhile", body = crate::error::ErrorEnvelope)))]
pub async fn discharge_referral(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiId(id): ApiId,
    ApiJson(input): ApiJson<DischargeInput>,
) -> Result<(StatusCode, Json<DischargeMessageDto>), ApiError> {
    let m = discharge::discharge(
        &state.svc,
        a,
        &v.meta,
        id,
        input.version,
        &input.reason,
        &input.summary,
    )
    .await
    .map_err(err(&v))?;
    Ok((
        StatusCode::CREATED,
        Json(DischargeMessageDto {
            referral_id: m.referral_id,
            snomed_code: m.snomed_code,
            snomed_display: m.snomed_display,
            body: m.body,
            sent_to: m.sent_to,
            not_sent_reason: m.not_sent_reason,
        }),
    ))
}
