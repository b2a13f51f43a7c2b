//! /api/v1/leaders, /api/v1/pldp and /api/v1/consultations: open opportunities and applying
//! to them (leaders), the payments due (organisations that post them), the public check of an
//! accreditation, a person's place on the Peer Leadership Development Programme and enrolling,
//! and responding to a consultation. The same use cases, rules and audit as the pages.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use domain::Permission;
use serde::{Deserialize, Serialize};
use services::leadership::{influence, opportunities, pldp, pool};
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::ApiJson;
use crate::AppState;
use crate::error::ApiError;
use crate::middleware::Viewer;
use crate::routes::{Need, Routes, permission};
use crate::viewer::CurrentActor;

pub fn routes() -> Routes {
    Routes::new()
        .api(Need::SignedIn, routes!(list_opportunities))
        .api(
            permission(Permission::PostOpportunities),
            routes!(post_opportunity),
        )
        .api(Need::SignedIn, routes!(put_profile))
        .api(permission(Permission::PostOpportunities), routes!(select))
        .api(
            permission(Permission::PostOpportunities),
            routes!(record_hours),
        )
        .api(Need::SignedIn, routes!(apply))
        .api(
            permission(Permission::PostOpportunities),
            routes!(list_payments),
        )
        .api(Need::Public, routes!(verify_accreditation))
        .api(Need::SignedIn, routes!(my_progress, enrol))
        .api(Need::SignedIn, routes!(respond))
}

fn err(v: &Viewer) -> impl Fn(services::ServiceError) -> ApiError + '_ {
    super::care::err(v)
}

#[derive(Serialize, ToSchema)]
pub struct OpportunityDto {
    pub id: i32,
    pub title: String,
    /// board_seat | co_design | interview_panel | lay_member | speaking | reading_group
    pub kind: String,
    pub description: String,
    pub organisation: String,
    /// Skill codes sought, like co_design.
    pub skills: Vec<String>,
    /// An NHS England region code; absent for anywhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// weekdays | evenings | weekends | flexible
    pub availability: String,
    pub minutes: i32,
    pub payment_level: String,
    /// Today's hourly rate for its level, in pence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pence_per_hour: Option<i32>,
    pub closes_on: NaiveDate,
}

/// Opportunities still open, closing soonest first.
#[utoipa::path(get, path = "/api/v1/leaders/opportunities", tag = "leadership",
    responses((status = 200, description = "Open opportunities", body = [OpportunityDto])))]
pub async fn list_opportunities(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(_): CurrentActor,
) -> Result<Json<Vec<OpportunityDto>>, ApiError> {
    let list = opportunities::open(&state.svc).await.map_err(err(&v))?;
    Ok(Json(
        list.into_iter()
            .map(|o| OpportunityDto {
                id: o.id,
                title: o.title,
                kind: o.kind,
                description: o.description,
                organisation: o.organisation,
                skills: o.skills,
                region: o.region,
                availability: o.availability,
                minutes: o.minutes,
                payment_level: o.payment_level,
                pence_per_hour: o.pence_per_hour,
                closes_on: o.closes_on,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ApplicationBody {
    #[serde(default)]
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct Applied {
    pub opportunity_id: i32,
    /// applied
    pub state: String,
}

/// Applies for an open opportunity as the caller (who needs a leader's profile), or says yes
/// to an invitation. Applying twice, or after it closes, is a 409.
#[utoipa::path(post, path = "/api/v1/leaders/opportunities/{id}/applications", tag = "leadership",
    params(("id" = i32, Path, description = "The opportunity's id")),
    request_body = ApplicationBody,
    responses((status = 201, description = "Applied", body = Applied),
        (status = 409, description = "Already applied, closed, or no profile yet", body = crate::error::ErrorEnvelope)))]
pub async fn apply(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    ApiJson(b): ApiJson<ApplicationBody>,
) -> Result<(StatusCode, Json<Applied>), ApiError> {
    opportunities::apply(&state.svc, a, &v.meta, id, &b.note)
        .await
        .map_err(err(&v))?;
    Ok((
        StatusCode::CREATED,
        Json(Applied {
            opportunity_id: id,
            state: "applied".into(),
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct PaymentDto {
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub opportunity: String,
    pub worked_on: NaiveDate,
    pub minutes: i32,
    /// The rate in effect that day, kept with the payment.
    pub pence_per_hour: i32,
    pub payment_pence: i64,
}

/// Every involvement recorded for the caller's organisations' opportunities, to be paid.
#[utoipa::path(get, path = "/api/v1/leaders/payments", tag = "leadership",
    responses((status = 200, description = "Payments due, oldest first", body = [PaymentDto])))]
pub async fn list_payments(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Result<Json<Vec<PaymentDto>>, ApiError> {
    let list = opportunities::payments(&state.svc, a, &v.meta)
        .await
        .map_err(err(&v))?;
    Ok(Json(
        list.into_iter()
            .map(|p| PaymentDto {
                name: p.name,
                email: p.email,
                organisation: p.organisation,
                opportunity: p.opportunity,
                worked_on: p.worked_on,
                minutes: p.minutes,
                pence_per_hour: p.pence_per_hour,
                payment_pence: p.payment_pence,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct AccreditationDto {
    pub code: String,
    pub holder: String,
    /// mentor | coach | facilitator
    pub kind: String,
    pub issuer: String,
    pub issued_on: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<NaiveDate>,
    pub current: bool,
}

/// Checks an accreditation by its code (public).
#[utoipa::path(get, path = "/api/v1/leaders/accreditations/{code}", tag = "leadership",
    params(("code" = String, Path, description = "Like WMA-7KQ4X-2M9PA")),
    responses((status = 200, description = "The accreditation", body = AccreditationDto)))]
pub async fn verify_accreditation(
    State(state): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
) -> Result<Json<AccreditationDto>, ApiError> {
    let today = state.svc.today();
    match pool::verify(&state.svc, &code).await.map_err(err(&v))? {
        Some(a) => Ok(Json(AccreditationDto {
            current: a.current(today),
            code: a.code,
            holder: a.holder,
            kind: a.kind,
            issuer: a.issuer,
            issued_on: a.issued_on,
            expires_on: a.expires_on,
        })),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No accreditation has that code",
            Some("code"),
        )),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProgressDto {
    /// 1 to 4: the step they are on, or left at.
    pub step: i32,
    /// active | left | graduated
    pub state: String,
    pub step_1_passed: bool,
    pub step_2_passed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cohort: Option<String>,
}

fn progress_dto(p: pldp::Progress) -> ProgressDto {
    ProgressDto {
        step: p.step,
        state: p.state.as_str().into(),
        step_1_passed: p.step_1_passed,
        step_2_passed: p.step_2_passed,
        cohort: p.cohort,
    }
}

/// The caller's place on the Peer Leadership Development Programme (404 when not enrolled).
#[utoipa::path(get, path = "/api/v1/pldp/enrolment", tag = "leadership",
    responses((status = 200, description = "Their progress", body = ProgressDto)))]
pub async fn my_progress(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Result<Json<ProgressDto>, ApiError> {
    match pldp::mine(&state.svc, a).await.map_err(err(&v))? {
        Some(p) => Ok(Json(progress_dto(p))),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "You are not on the programme",
            None,
        )),
    }
}

/// Enrols the caller on the programme, or brings them back to the step they left.
#[utoipa::path(post, path = "/api/v1/pldp/enrolment", tag = "leadership",
    responses((status = 201, description = "Enrolled", body = ProgressDto),
        (status = 409, description = "Already on the programme", body = crate::error::ErrorEnvelope)))]
pub async fn enrol(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Result<(StatusCode, Json<ProgressDto>), ApiError> {
    pldp::enrol(&state.svc, a, &v.meta).await.map_err(err(&v))?;
    let p = pldp::mine(&state.svc, a)
        .await
        .map_err(err(&v))?
        .ok_or_else(|| err(&v)(services::ServiceError::NotFound("enrolment")))?;
    Ok((StatusCode::CREATED, Json(progress_dto(p))))
}

#[derive(Deserialize, ToSchema)]
pub struct ResponseBody {
    /// One answer for each question, in order; empty for a question left unanswered.
    pub answers: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Responded {
    pub consultation_id: i32,
    pub answers: Vec<String>,
}

/// Responds to an open consultation of a network the caller belongs to, or changes their
/// response. After it closes, a 409.
#[utoipa::path(put, path = "/api/v1/consultations/{id}/response", tag = "leadership",
    params(("id" = i32, Path, description = "The consultation's id")),
    request_body = ResponseBody,
    responses((status = 200, description = "Saved", body = Responded),
        (status = 409, description = "The consultation has closed", body = crate::error::ErrorEnvelope)))]
pub async fn respond(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    ApiJson(b): ApiJson<ResponseBody>,
) -> Result<Json<Responded>, ApiError> {
    if b.answers.len() > 20 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "At most 20 answers, one for each question",
            Some("answers"),
        ));
    }
    influence::respond(&state.svc, a, &v.meta, id, &b.answers)
        .await
        .map_err(err(&v))?;
    let answers = influence::my_answers(&state.svc, a, id)
        .await
        .map_err(err(&v))?
        .unwrap_or_default();
    Ok(Json(Responded {
        consultation_id: id,
        answers,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ProfileBody {
    pub lived_experience: String,
    /// Skill codes, like co_design, interviewing.
    pub skills: Vec<String>,
    #[serde(default)]
    pub interests: String,
    /// An NHS England region code.
    pub region: String,
    /// weekdays | evenings | weekends | flexible
    pub availability: String,
    #[serde(default)]
    pub access_needs: String,
    /// In the pool: organisations may see the profile and invite them.
    #[serde(default)]
    pub contact_consent: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ProfileDto {
    pub lived_experience: String,
    pub skills: Vec<String>,
    pub interests: String,
    pub region: String,
    pub availability: String,
    pub access_needs: String,
    pub contact_consent: bool,
}

/// Makes or replaces the caller's leader's profile.
#[utoipa::path(put, path = "/api/v1/leaders/profile", tag = "leadership",
    request_body = ProfileBody,
    responses((status = 200, description = "Saved", body = ProfileDto)))]
pub async fn put_profile(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiJson(b): ApiJson<ProfileBody>,
) -> Result<Json<ProfileDto>, ApiError> {
    if b.skills.len() > 20 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "At most 20 skills",
            Some("skills"),
        ));
    }
    let input = pool::ProfileInput {
        lived_experience: b.lived_experience,
        skills: b.skills,
        interests: b.interests,
        region: b.region,
        availability: b.availability,
        access_needs: b.access_needs,
        contact_consent: b.contact_consent,
    };
    pool::save(&state.svc, a, &v.meta, &input)
        .await
        .map_err(err(&v))?;
    let p = pool::mine(&state.svc, a)
        .await
        .map_err(err(&v))?
        .ok_or_else(|| err(&v)(services::ServiceError::NotFound("profile")))?;
    Ok(Json(ProfileDto {
        lived_experience: p.lived_experience,
        skills: p.skills,
        interests: p.interests,
        region: p.region,
        availability: p.availability,
        access_needs: p.access_needs,
        contact_consent: p.contact_consent,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct OpportunityCreate {
    pub organisation_id: i32,
    pub title: String,
    /// board_seat | co_design | interview_panel | lay_member | speaking | reading_group
    pub kind: String,
    pub description: String,
    #[serde(default)]
    pub skills: Vec<String>,
    /// An NHS England region code, or empty for anywhere.
    #[serde(default)]
    pub region: String,
    pub availability: String,
    /// Hours it takes, like "3" or "1.5".
    pub hours: String,
    /// A payment level from the rate table.
    pub payment_level: String,
    pub closes_on: NaiveDate,
    /// For a talk: the event's UUID.
    #[serde(default)]
    pub event: String,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i32,
}

/// Posts an opportunity for one of the caller's organisations.
#[utoipa::path(post, path = "/api/v1/leaders/opportunities", tag = "leadership",
    request_body = OpportunityCreate,
    responses((status = 201, description = "Posted", body = Created)))]
pub async fn post_opportunity(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiJson(b): ApiJson<OpportunityCreate>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    if b.skills.len() > 20 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "At most 20 skills",
            Some("skills"),
        ));
    }
    let input = opportunities::OpportunityInput {
        title: b.title,
        kind: b.kind,
        description: b.description,
        skills: b.skills,
        region: b.region,
        availability: b.availability,
        hours: b.hours,
        payment_level: b.payment_level,
        closes_on: Some(b.closes_on.format("%Y-%m-%d").to_string()),
        event: b.event,
    };
    let id = opportunities::create(&state.svc, a, &v.meta, b.organisation_id, &input)
        .await
        .map_err(err(&v))?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct SelectionBody {
    /// select | decline
    pub decision: String,
}

/// Selects or declines an applicant for one of the caller's organisations' opportunities; they
/// are e-mailed. Another organisation's opportunity is not found.
#[utoipa::path(post, path = "/api/v1/leaders/opportunities/{id}/applications/{application}/decision", tag = "leadership",
    params(("id" = i32, Path, description = "The opportunity's id"),
        ("application" = i32, Path, description = "The application's id")),
    request_body = SelectionBody,
    responses((status = 200, description = "Decided", body = Applied),
        (status = 409, description = "Not applied, or already decided", body = crate::error::ErrorEnvelope)))]
pub async fn select(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path((id, application)): Path<(i32, i32)>,
    ApiJson(b): ApiJson<SelectionBody>,
) -> Result<Json<Applied>, ApiError> {
    let selected = match b.decision.as_str() {
        "select" => true,
        "decline" => false,
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "decision must be select or decline",
                Some("decision"),
            ));
        }
    };
    opportunities::select(&state.svc, a, &v.meta, id, application, selected)
        .await
        .map_err(err(&v))?;
    Ok(Json(Applied {
        opportunity_id: id,
        state: if selected { "selected" } else { "declined" }.into(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct HoursBody {
    pub worked_on: NaiveDate,
    /// Hours given, like "2" or "1.5" (at most 12).
    pub hours: String,
}

#[derive(Serialize, ToSchema)]
pub struct HoursRecorded {
    /// The payment due, at the rate in effect that day.
    pub payment_pence: i64,
}

/// Records time a selected leader gave, paid at the rate for the opportunity's level on that
/// day.
#[utoipa::path(post, path = "/api/v1/leaders/opportunities/{id}/applications/{application}/hours", tag = "leadership",
    params(("id" = i32, Path, description = "The opportunity's id"),
        ("application" = i32, Path, description = "The application's id")),
    request_body = HoursBody,
    responses((status = 201, description = "Recorded", body = HoursRecorded),
        (status = 409, description = "Not selected", body = crate::error::ErrorEnvelope)))]
pub async fn record_hours(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path((id, application)): Path<(i32, i32)>,
    ApiJson(b): ApiJson<HoursBody>,
) -> Result<(StatusCode, Json<HoursRecorded>), ApiError> {
    let day = Some(b.worked_on.format("%Y-%m-%d").to_string());
    let payment_pence =
        opportunities::record_hours(&state.svc, a, &v.meta, id, application, &day, &b.hours)
            .await
            .map_err(err(&v))?;
    Ok((StatusCode::CREATED, Json(HoursRecorded { payment_pence })))
}
