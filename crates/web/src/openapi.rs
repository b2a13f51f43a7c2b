//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token from your account page"))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "whatmatters API", description = "Personalised care for primary care networks: organisations, identity, audit, and care from referral to discharge.", license(name = "AGPL-3.0-or-later")),
    paths(
        crate::api::me,
        crate::api::organisations::list,
        crate::api::organisations::get,
        crate::api::organisations::create,
        crate::api::organisations::update,
        crate::api::audit::search,
        crate::api::care::caseload,
        crate::api::care::create_referral,
        crate::api::care::get_referral,
        crate::api::care::record_contact,
        crate::api::care::discharge_referral,
        crate::api::care::search_people,
        crate::api::care::get_person,
        crate::api::care::get_about_me,
        crate::api::care::put_about_me,
        crate::api::care::get_plan,
        crate::api::care::put_plan,
        crate::api::care::list_measures,
        crate::api::care::record_measure,
        crate::api::care::record_decision,
    ),
    components(schemas(crate::error::ErrorEnvelope, crate::error::ErrorItem, services::org::OrgInput, services::care::people::PersonInput)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags((name = "identity"), (name = "organisations"), (name = "audit"), (name = "care"))
)]
pub struct ApiDoc;

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub async fn json() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
