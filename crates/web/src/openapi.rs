//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
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

/// Documents the error statuses every operation can answer, whichever layer produces them:
/// authentication (401), abuse limits (429) and failures (500) everywhere; permission (403)
/// wherever a permission or relationship is checked; malformed (400) and invalid (422) input
/// wherever there is a body or a query; 413 and 415 wherever there is a body; 404 wherever
/// the path names a record. All in the error envelope.
struct ErrorResponses;

impl Modify for ErrorResponses {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        for (path, item) in doc.paths.paths.iter_mut() {
            let names_record = path.contains('{');
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in ops.into_iter().flatten() {
                let body = op.request_body.is_some();
                let query = op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query));
                let mut wanted = vec![
                    ("401", "No valid API token or session"),
                    ("429", "Too many requests; wait for Retry-After seconds"),
                    ("500", "Something went wrong on our side"),
                ];
                if path != "/api/v1/me" {
                    wanted.push(("403", "The caller may not do this"));
                }
                if body || query {
                    wanted.push(("400", "Malformed input: the field is named when known"));
                    wanted.push(("422", "Input that breaks a rule, by field"));
                }
                if body {
                    wanted.push(("413", "The body is too large"));
                    wanted.push(("415", "The body is not sent as application/json"));
                }
                if names_record {
                    wanted.push(("404", "No such record within the caller's reach"));
                }
                for (code, description) in wanted {
                    op.responses
                        .responses
                        .entry(code.to_owned())
                        .or_insert_with(|| {
                            ResponseBuilder::new()
                                .description(description)
                                .content(
                                    "application/json",
                                    ContentBuilder::new()
                                        .schema(Some(Ref::from_schema_name("ErrorEnvelope")))
                                        .build(),
                                )
                                .build()
                                .into()
                        });
                }
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "whatmatters API", description = "Personalised care for primary care networks: organisations, identity, audit, care from referral to discharge, learning (events, bookings, certificates, e-learning), networks (applications, decisions, mailing lists with one-click unsubscribe), and leadership (opportunities, payments, accreditations, the Peer Leadership Development Programme, consultations).", license(name = "AGPL-3.0-or-later")),
    components(schemas(crate::error::ErrorEnvelope, crate::error::ErrorItem, services::org::OrgInput, services::care::people::PersonInput)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags((name = "identity"), (name = "organisations"), (name = "audit"), (name = "care"), (name = "learning"), (name = "networks"), (name = "leadership"))
)]
pub struct ApiDoc;

/// The document's parts that are not operations: information, tags, security, shared schemas.
/// The operations come from the routes as they are registered (see [`crate::routes`]).
pub fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Completes a document assembled from the routes: the error statuses of every operation.
pub fn finish(doc: &mut utoipa::openapi::OpenApi) {
    ErrorResponses.modify(doc);
}

/// The OpenAPI document of the API as served.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    &crate::routes::catalogue().openapi
}

/// `/api/openapi.json`, serialised once.
pub async fn json() -> axum::response::Response {
    use axum::response::IntoResponse;
    static BODY: std::sync::OnceLock<axum::body::Bytes> = std::sync::OnceLock::new();
    let body = BODY.get_or_init(|| serde_json::to_vec(document()).unwrap_or_default().into());
    (
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        body.clone(),
    )
        .into_response()
}
