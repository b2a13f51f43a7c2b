//! People: finding a person, and a person's details.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use services::care::Person;
use services::care::people::{self, Search};
use utoipa::{IntoParams, ToSchema};

use super::err;
use crate::AppState;
use crate::api::{ApiId, ApiQuery};
use crate::error::ApiError;
use crate::middleware::Viewer;
use crate::viewer::CurrentActor;

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

impl From<Person> for PersonDto {
    fn from(p: Person) -> Self {
        PersonDto {
            id: p.id,
            nhs_number: p.nhs_number,
            given_name: p.given_name,
            family_name: p.family_name,
            date_of_birth: p.date_of_birth,
            phone: p.phone,
            email: p.email,
            preferred_contact: p.preferred_contact.as_str().to_owned(),
            practice_id: p.practice_id,
            reasonable_adjustments: p.reasonable_adjustments,
            communication_needs: p.communication_needs,
            version: p.version,
        }
    }
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
    CurrentActor(ref a): CurrentActor,
    ApiQuery(p): ApiQuery<PeopleParams>,
) -> Result<Json<Vec<PersonDto>>, ApiError> {
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
    CurrentActor(ref a): CurrentActor,
    ApiId(id): ApiId,
) -> Result<Json<PersonDto>, ApiError> {
    Ok(Json(
        people::get(&state.svc, a, &v.meta, id)
            .await
            .map_err(err(&v))?
            .into_person()
            .into(),
    ))
}
