//! /api/v1 for care: caseload, referrals, contacts, discharge, people, About Me, plans, measures,
//! shared decisions. Same use cases, access rules and audit as the pages.

use domain::Permission;
use utoipa_axum::routes;

use crate::routes::{Need, Routes, permission};

/// Care delivery's API. Staff-only operations need the permission to provide care; the rest
/// check the relationship to the person in the use case (a person may use their own record).
pub fn routes() -> Routes {
    let care = permission(Permission::ProvideCare);
    let signed_in = Need::SignedIn;
    Routes::new()
        .api(care, routes!(caseload))
        .api(signed_in, routes!(create_referral))
        .api(signed_in, routes!(get_referral))
        .api(care, routes!(record_contact))
        .api(care, routes!(discharge_referral))
        .api(care, routes!(search_people))
        .api(signed_in, routes!(get_person))
        .api(signed_in, routes!(get_about_me, put_about_me))
        .api(signed_in, routes!(get_plan, put_plan))
        .api(signed_in, routes!(list_measures, record_measure))
        .api(care, routes!(record_decision))
}

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use services::care::people::{self, Search};
use services::care::referrals::{self, CaseloadFilter, ContactInput, ReferralInput};
use services::care::{about_me, discharge, measures, plans, sdm};
use store::entities::{measure, person, referral};
use utoipa::{IntoParams, ToSchema};

use super::{ApiId, ApiJson, ApiQuery, actor};
use crate::AppState;
use crate::error::ApiError;
use crate::middleware::Viewer;

#[derive(Serialize, ToSchema)]
pub struct PersonDto {
    pub id: i32,
    /// NHS number (system https://fhir.nhs.uk/Id/nhs-number)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nhs_number: Option<String>,
    pub given_name: String,
    pub family_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<chrono::NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[schema(schema_with = services::schema::contact_preference)]
    pub preferred_contact: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub practice_id: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasonable_adjustments: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub communication_needs: Option<String>,
    pub version: i32,
}

impl From<person::Model> for PersonDto {
    fn from(p: person::Model) -> Self {
        PersonDto {
            id: p.id,
            nhs_number: p.nhs_number,
            given_name: p.given_name,
            family_name: p.family_name,
            date_of_birth: p.date_of_birth,
            phone: p.phone,
            email: p.email,
            preferred_contact: p.preferred_contact,
            practice_id: p.practice_id,
            reasonable_adjustments: p.reasonable_adjustments,
            communication_needs: p.communication_needs,
            version: p.version,
        }
    }
}

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

impl From<referral::Model> for ReferralDto {
    fn from(r: referral::Model) -> Self {
        ReferralDto {
            id: r.id,
            person_id: r.person_id,
            team_org_id: r.team_org_id,
            service: r.service,
            referred_on: r.referred_on,
            source: r.source,
            referrer_name: r.referrer_name,
            method: r.method,
            reason: r.reason,
            urgency: r.urgency,
            state: r.state,
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

fn err(v: &Viewer) -> impl Fn(services::ServiceError) -> ApiError + '_ {
    move |e| match v.actor() {
        Some(a) => ApiError::from(e).for_actor(a, &v.meta),
        None => ApiError::from(e),
    }
}

/// The caseload of the caller's teams.
#[utoipa::path(get, path = "/api/v1/caseload", tag = "care", params(CaseloadParams),
    responses((status = 200, description = "A page of referrals with their people", body = CaseloadPage), (status = 403, description = "Not a care role", body = crate::error::ErrorEnvelope)))]
pub async fn caseload(
    State(state): State<AppState>,
    v: Viewer,
    ApiQuery(p): ApiQuery<CaseloadParams>,
) -> Result<Json<CaseloadPage>, ApiError> {
    let a = actor(&v)?;
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
                person: r.person.into(),
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
    ApiJson(input): ApiJson<ReferralInput>,
) -> Result<(StatusCode, Json<ReferralDto>), ApiError> {
    let a = actor(&v)?;
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
    ApiId(id): ApiId,
) -> Result<Json<ReferralDto>, ApiError> {
    let a = actor(&v)?;
    Ok(Json(
        referrals::get(&state.svc, a, &v.meta, id)
            .await
            .map_err(err(&v))?
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
    ApiId(id): ApiId,
    ApiJson(input): ApiJson<ContactInput>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let a = actor(&v)?;
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
    /// SNOMED CT code to record in the GP record
    pub snomed_code: String,
    pub snomed_display: String,
    pub body: String,
    pub sent_to: Option<String>,
}

/// Discharges a referral once and returns the message back to the GP and referrer.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/discharge", tag = "care", params(("id" = i32, Path, description = "Referral id")), request_body = DischargeInput,
    responses((status = 201, description = "Discharged", body = DischargeMessageDto), (status = 409, description = "Already discharged or changed meanwhile", body = crate::error::ErrorEnvelope)))]
pub async fn discharge_referral(
    State(state): State<AppState>,
    v: Viewer,
    ApiId(id): ApiId,
    ApiJson(input): ApiJson<DischargeInput>,
) -> Result<(StatusCode, Json<DischargeMessageDto>), ApiError> {
    let a = actor(&v)?;
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
        }),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleParams {
    /// Name (small typos tolerated) or NHS number
    pub q: Option<String>,
    pub date_of_birth: Option<chrono::NaiveDate>,
}

/// Finds people the caller may work with.
#[utoipa::path(get, path = "/api/v1/people", tag = "care", params(PeopleParams), responses((status = 200, description = "Best matches first", body = [PersonDto])))]
pub async fn search_people(
    State(state): State<AppState>,
    v: Viewer,
    ApiQuery(p): ApiQuery<PeopleParams>,
) -> Result<Json<Vec<PersonDto>>, ApiError> {
    let a = actor(&v)?;
    let found = people::search(
        &state.svc,
        a,
        &v.meta,
        Search {
            text: p.q.unwrap_or_default(),
            date_of_birth: p.date_of_birth,
        },
    )
    .await
    .map_err(err(&v))?;
    Ok(Json(found.into_iter().map(|f| f.person.into()).collect()))
}

#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "care", params(("id" = i32, Path, description = "Person id")),
    responses((status = 200, description = "The person", body = PersonDto), (status = 403, description = "No legitimate relationship", body = crate::error::ErrorEnvelope)))]
pub async fn get_person(
    State(state): State<AppState>,
    v: Viewer,
    ApiId(id): ApiId,
) -> Result<Json<PersonDto>, ApiError> {
    let a = actor(&v)?;
    Ok(Json(
        people::get(&state.svc, a, &v.meta, id)
            .await
            .map_err(err(&v))?
            .into(),
    ))
}

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
    ApiId(id): ApiId,
) -> Result<Json<AboutMeDto>, ApiError> {
    let a = actor(&v)?;
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
    ApiId(id): ApiId,
    ApiJson(input): ApiJson<AboutMeInput>,
) -> Result<Json<AboutMeDto>, ApiError> {
    let a = actor(&v)?;
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
    ApiId(id): ApiId,
) -> Result<Json<PlanDto>, ApiError> {
    let a = actor(&v)?;
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
    ApiId(id): ApiId,
    ApiJson(input): ApiJson<plans::PlanInput>,
) -> Result<Json<PlanDto>, ApiError> {
    let a = actor(&v)?;
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

impl From<measure::Model> for MeasureDto {
    fn from(m: measure::Model) -> Self {
        MeasureDto {
            answers: measures::answers_of(&m),
            id: m.id,
            instrument: m.instrument,
            timepoint: m.timepoint,
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
    ApiId(id): ApiId,
) -> Result<Json<Vec<MeasureDto>>, ApiError> {
    let a = actor(&v)?;
    people::get(&state.svc, a, &v.meta, id)
        .await
        .map_err(err(&v))?;
    let list = measures::list(&state.svc.db, id)
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
    ApiId(id): ApiId,
    ApiJson(input): ApiJson<measures::MeasureInput>,
) -> Result<(StatusCode, Json<MeasureDto>), ApiError> {
    let a = actor(&v)?;
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
    ApiId(id): ApiId,
    ApiJson(input): ApiJson<sdm::SdmInput>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let a = actor(&v)?;
    let d = sdm::record(&state.svc, a, &v.meta, id, input)
        .await
        .map_err(err(&v))?;
    Ok((StatusCode::CREATED, Json(Created { id: d.id })))
}
