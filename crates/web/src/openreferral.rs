//! The community directory published as Open Referral UK 3.0 at `/openreferral`: open to anyone
//! without a key, with `Access-Control-Allow-Origin: *`, paginated as the standard says, and
//! optional fields left out when empty: the API's description, services (found as the
//! standard's filters say, and near a postcode), services at their places, and the taxonomies of
//! needs with their terms.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use services::directory::taxonomy::{self, Taxonomy, Term};
use services::paging::{MAX_PER_PAGE, Paging};

use crate::AppState;
use crate::error::ApiError;
use crate::routes::{Need, Routes};

/// The version of Open Referral UK this API follows.
pub const VERSION: &str = "3.0";
/// Where the UK profile of the standard is published (its schemata are named from here).
pub const PROFILE: &str = "https://raw.githubusercontent.com/openreferral/uk-profile/main";
/// Items on a page when the client does not say.
pub const DEFAULT_PER_PAGE: u64 = 50;

pub fn routes() -> Routes {
    Routes::new()
        .get("/openreferral", Need::Open, about)
        .get("/openreferral/", Need::Open, about)
        .get("/openreferral/services", Need::Open, services_list)
        .get("/openreferral/services/{id}", Need::Open, one_service)
        .get("/openreferral/service_at_locations", Need::Open, sal_list)
        .get(
            "/openreferral/service_at_locations/{id}",
            Need::Open,
            one_sal,
        )
        .get("/openreferral/taxonomies", Need::Open, taxonomies)
        .get("/openreferral/taxonomies/{id}", Need::Open, one_taxonomy)
        .get("/openreferral/taxonomy_terms", Need::Open, terms)
        .get("/openreferral/taxonomy_terms/{id}", Need::Open, one_term)
}

/// Open to every origin, as the standard asks of a public directory.
fn open(body: impl Serialize, status: StatusCode) -> Response {
    let mut r = (status, Json(body)).into_response();
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}

fn error(e: ApiError) -> Response {
    let mut r = e.into_response();
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}

#[derive(Serialize)]
struct About {
    version: &'static str,
    profile: String,
    openapi_url: String,
}

async fn about() -> Response {
    open(
        About {
            version: VERSION,
            profile: PROFILE.into(),
            openapi_url: format!("{PROFILE}/openapi.json"),
        },
        StatusCode::OK,
    )
}

/// `page` and `per_page` as sent; a page size over the most served is served at the most, and
/// the response says so (`X-Page-Size-Capped`).
#[derive(Deserialize, Default)]
pub struct PageQuery {
    page: Option<String>,
    per_page: Option<String>,
    taxonomy_id: Option<String>,
}

/// The page asked for, and whether its size was capped. A page or size that is not a whole
/// number of at least 1 is refused, naming it.
fn paging(q: &PageQuery) -> Result<(Paging, bool), ApiError> {
    let number = |v: &Option<String>, field: &str, default: u64| -> Result<u64, ApiError> {
        match v.as_deref().map(str::trim) {
            None | Some("") => Ok(default),
            Some(s) => s.parse::<u64>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid",
                    format!("{field} must be a whole number of 1 or more"),
                    Some(field),
                )
            }),
        }
    };
    let page = number(&q.page, "page", 1)?;
    let asked = number(&q.per_page, "per_page", DEFAULT_PER_PAGE)?;
    let per_page = asked.min(MAX_PER_PAGE);
    // Out of range is a bad request like any other paging the client got wrong.
    let paging = Paging::new(page, per_page).map_err(|e| ApiError {
        status: StatusCode::BAD_REQUEST,
        ..ApiError::from(e)
    })?;
    Ok((paging, asked > MAX_PER_PAGE))
}

/// The standard's paginated shape.
#[derive(Serialize)]
struct PageOf<T> {
    total_items: u64,
    total_pages: u64,
    page_number: u64,
    size: u64,
    first_page: bool,
    last_page: bool,
    empty: bool,
    contents: Vec<T>,
}

fn page_of<T, U>(p: taxonomy::Page<T>, f: impl Fn(T) -> U, capped: bool) -> Response
where
    U: Serialize,
{
    let contents: Vec<U> = p.items.into_iter().map(f).collect();
    page_response(contents, p.total, p.paging, capped)
}

fn page_response<U: Serialize>(
    contents: Vec<U>,
    total: u64,
    paging: Paging,
    capped: bool,
) -> Response {
    let p = taxonomy::Page::<()> {
        items: Vec::new(),
        total,
        paging,
    };
    let total_pages = p.total.div_ceil(p.paging.per_page).max(1);
    let mut r = open(
        PageOf {
            total_items: p.total,
            total_pages,
            page_number: p.paging.page,
            size: contents.len() as u64,
            first_page: p.paging.page == 1,
            last_page: p.paging.page >= total_pages,
            empty: contents.is_empty(),
            contents,
        },
        StatusCode::OK,
    );
    if capped {
        r.headers_mut().insert(
            "x-page-size-capped",
            HeaderValue::from_str(&MAX_PER_PAGE.to_string())
                .unwrap_or(HeaderValue::from_static("200")),
        );
    }
    r
}

#[derive(Serialize)]
struct TaxonomyOut {
    id: String,
    name: String,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    taxonomy_terms: Vec<TermOut>,
}

#[derive(Serialize)]
pub(crate) struct TermOut {
    id: String,
    name: String,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_id: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    taxonomy: String,
    taxonomy_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    term_uri: Option<String>,
    term: String,
}

fn taxonomy_out(t: Taxonomy, terms: Vec<TermOut>) -> TaxonomyOut {
    TaxonomyOut {
        id: t.id,
        name: t.name,
        description: t.description,
        uri: t.uri.filter(|u| !u.is_empty()),
        version: t.version.filter(|v| !v.is_empty()),
        taxonomy_terms: terms,
    }
}

fn term_out(t: Term) -> TermOut {
    TermOut {
        term: t.name.clone(),
        id: t.id,
        name: t.name,
        description: t.description,
        parent_id: t.parent_id,
        taxonomy: t.taxonomy,
        taxonomy_id: t.taxonomy_id,
        term_uri: t.term_uri.filter(|u| !u.is_empty()),
    }
}

async fn taxonomies(State(state): State<AppState>, Query(q): Query<PageQuery>) -> Response {
    let (paging, capped) = match paging(&q) {
        Ok(p) => p,
        Err(e) => return error(e),
    };
    match taxonomy::taxonomies(&state.svc, paging).await {
        Ok(p) => page_of(p, |t| taxonomy_out(t, vec![]), capped),
        Err(e) => error(e.into()),
    }
}

/// Ids here are UUIDs: anything else (a NUL, a megabyte) is no record's, and never reaches the
/// database.
fn not_a_uuid(id: &str, what: &'static str) -> Option<Response> {
    uuid::Uuid::parse_str(id)
        .is_err()
        .then(|| error(services::ServiceError::NotFound(what).into()))
}

async fn one_taxonomy(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    if let Some(r) = not_a_uuid(&id, "taxonomy") {
        return r;
    }
    match taxonomy::taxonomy(&state.svc, &id).await {
        Ok((t, terms)) => open(
            taxonomy_out(t, terms.into_iter().map(term_out).collect()),
            StatusCode::OK,
        ),
        Err(e) => error(e.into()),
    }
}

async fn terms(State(state): State<AppState>, Query(q): Query<PageQuery>) -> Response {
    let (paging, capped) = match paging(&q) {
        Ok(p) => p,
        Err(e) => return error(e),
    };
    let only = q
        .taxonomy_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    match taxonomy::terms(&state.svc, only, paging).await {
        Ok(p) => page_of(p, term_out, capped),
        Err(e) => error(e.into()),
    }
}

async fn one_term(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    if let Some(r) = not_a_uuid(&id, "taxonomy term") {
        return r;
    }
    match taxonomy::term(&state.svc, &id).await {
        Ok(t) => open(term_out(t), StatusCode::OK),
        Err(e) => error(e.into()),
    }
}

mod services_out;
use services_out::*;
