//! What is recorded for a person: About Me, the care and support plan, measures and shared decisions.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use services::care::Measure;
use services::care::people::{self};
use services::care::{about_me, measures, plans, sdm};
use utoipa::ToSchema;

use super::err;
use super::referrals::Created;
use crate::AppState;
use crate::api::{ApiId, ApiJson};
use crate::error::ApiError;
use crate::middleware::Viewer;
use crate::viewer::CurrentActor;

#[derive(Serialize, Deserialize, ToSchema)]
pub struct AboutMeDto {
    /// The saved version (0 when none); send it back as `based_on` when saving.
    pub version: i32,
    /// Keys: most_important, important_people, communication, wellness, do_and_dont, support, also_worth_knowing
    pub sections: std::collections::BTreeMap<String, String>,
    pub helped_by: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/people/{id}/about-me", tag = "care", params(("id" = i32, Path, description = "Person id")), responses((status = 200, description = "The latest version", body = AboutMeDto)))]
pub async fn get_about_me(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiId(id): ApiId,
) -> Result<Json<AboutMeDto>, ApiError> {
    let cur = about_me::current(&state.svc, a, &v.meta, id)
        .await
        .map_err(err(&v))?;
    Ok(Json(match cur {
        Some(c) => AboutMeDto {
            version: c.version,
            sections: about_me::sections_of(&c),
            helped_by: c.helped_by,
        },
        None => AboutMeDto {
            version: 0,
            sections: Default::default(),
            helped_by: None,
        },
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct AboutMeInput {
    pub based_on: i32,
    pub sections: std::collections::BTreeMap<String, String>,
    pub helped_by: Option<String>,
}

/// Saves a new version; 409 if someone saved since `based_on`.
#[utoipa::path(put, path = "/api/v1/people/{id}/about-me", tag = "care", params(("id" = i32, Path, description = "Person id")), request_body = AboutMeInput,
    responses((status = 200, description = "Saved", body = AboutMeDto), (status = 409, description = "Someone saved a newer version", body = crate::error::ErrorEnvelope)))]
pub async fn put_about_me(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiId(id): ApiId,
    ApiJson(input): ApiJson<AboutMeInput>,
) -> Result<Json<AboutMeDto>, ApiError> {
    let saved = about_me::save(
        &state.svc,
        a,
        &v.meta,
        id,
        input.based_on,
        input.sections,
        input.helped_by,
    )
    .await
    .map_err(err(&v))?;
    Ok(Json(AboutMeDto {
        version: saved.version,
        sections: about_me::sections_of(&saved),
        helped_by: saved.helped_by,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct PlanDto {
    pub version: i32,
    pub content: domain::plan::PlanContent,
    pub agreed_with: Option<String>,
    pub review_date: Option<chrono::NaiveDate>,
    pub saved_by: String,
    pub saved_at: chrono::DateTime<chrono::Utc>,
}

#[utoipa::path(get, path = "/api/v1/people/{id}/plan", tag = "care", params(("id" = i32, Path, description = "Person id")),
    responses((status = 200, description = "The latest version", body = PlanDto), (status = 404, description = "No plan yet", body = crate::error::ErrorEnvelope)))]
pub async fn get_plan(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiId(id): ApiId,
) -> Result<Json<PlanDto>, ApiError> {
    let p = plans::current(&state.svc, a, &v.meta, id)
        .await
        .map_err(err(&v))?
        .ok_or_else(|| ApiError::from(services::ServiceError::NotFound("plan")))?;
    Ok(Json(PlanDto {
        version: p.version,
        content: plans::content_of(&p),
        agreed_with: p.agreed_with.clone(),
        review_date: p.review_date,
        saved_by: p.updated_by_label.clone(),
        saved_at: p.created_at,
    }))
}

/// Saves a new version of the plan; 422 names each invalid field by its path
/// (`needs[0].goals[0].importance`); 409 if someone saved since `based_on`.
#[utoipa::path(put, path = "/api/v1/people/{id}/plan", tag = "care", params(("id" = i32, Path, description = "Person id")), request_body = services::care::plans::PlanInput,
    responses((status = 200, description = "Saved", body = PlanDto), (status = 409, description = "Someone saved a newer version", body = crate::error::ErrorEnvelope), (status = 422, description = "Invalid, by field", body = crate::error::ErrorEnvelope)))]
pub async fn put_plan(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiId(id): ApiId,
    ApiJson(input): ApiJson<plans::PlanInput>,
) -> Result<Json<PlanDto>, ApiError> {
    let p = plans::save(&state.svc, a, &v.meta, id, input)
        .await
        .map_err(err(&v))?;
    Ok(Json(PlanDto {
        version: p.version,
        content: plans::content_of(&p),
        agreed_with: p.agreed_with.clone(),
        review_date: p.review_date,
        saved_by: p.updated_by_label.clone(),
        saved_at: p.created_at,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct MeasureDto {
    pub id: i32,
    /// ons4 | swemwbs | pam
    #[schema(schema_with = services::schema::instrument)]
    pub instrument: String,
    /// start | review | end | self
    #[schema(schema_with = services::schema::timepoint)]
    pub timepoint: String,
    pub taken_on: chrono::NaiveDate,
    /// ONS4: four 0-10 answers, reported separately; SWEMWBS: seven 1-5 answers
    pub answers: Vec<u8>,
    /// SWEMWBS metric score, or PAM score
    pub score: Option<f64>,
    /// PAM level
    pub level: Option<i32>,
}

impl From<Measure> for MeasureDto {
    fn from(m: Measure) -> Self {
        MeasureDto {
            answers: m.answers,
            id: m.id,
            instrument: m.instrument.as_str().to_owned(),
            timepoint: m.timepoint.as_str().to_owned(),
            taken_on: m.taken_on,
            score: m.score,
            level: m.level,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/people/{id}/measures", tag = "care", params(("id" = i32, Path, description = "Person id")), responses((status = 200, description = "Oldest first", body = [MeasureDto])))]
pub async fn list_measures(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiId(id): ApiId,
) -> Result<Json<Vec<MeasureDto>>, ApiError> {
    let person = people::get(&state.svc, a, &v.meta, id)
        .await
        .map_err(err(&v))?;
    let list = measures::list(&state.svc, &person)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Records ONS4, SWEMWBS (scored to the metric) or PAM level and score.
#[utoipa::path(post, path = "/api/v1/people/{id}/measures", tag = "care", params(("id" = i32, Path, description = "Person id")), request_body = measures::MeasureInput,
    responses((status = 201, description = "Recorded", body = MeasureDto), (status = 422, description = "An answer out of range, named by `answers[i]`", body = crate::error::ErrorEnvelope)))]
pub async fn record_measure(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiId(id): ApiId,
    ApiJson(input): ApiJson<measures::MeasureInput>,
) -> Result<(StatusCode, Json<MeasureDto>), ApiError> {
    let m = measures::record(&state.svc, a, &v.meta, id, input)
        .await
        .map_err(err(&v))?;
    Ok((StatusCode::CREATED, Json(m.into())))
}

/// Records a shared decision.
#[utoipa::path(post, path = "/api/v1/people/{id}/decisions", tag = "care", params(("id" = i32, Path, description = "Person id")), request_body = sdm::SdmInput,
    responses((status = 201, description = "Recorded", body = Created), (status = 422, description = "Invalid, by field", body = crate::error::ErrorEnvelope)))]
pub async fn record_decision(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiId(id): ApiId,
    ApiJson(input): ApiJson<sdm::SdmInput>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let d = sdm::record(&state.svc, a, &v.meta, id, input)
        .await
        .map_err(err(&v))?;
    Ok((StatusCode::CREATED, Json(Created { id: d.id })))
}
