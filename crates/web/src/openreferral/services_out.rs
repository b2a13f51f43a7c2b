//! Services and services at locations, as Open Referral UK 3.0 publishes them.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveTime, Utc};
use domain::Postcode;
use domain::directory::geo::MAX_RADIUS_M;
use domain::directory::listing::{Capacity, Day};
use serde::{Deserialize, Serialize};
use services::directory::postcodes;
use services::directory::read::{self, Full};
use services::directory::search::{self, Query as Search};
use services::directory::write::derived;

use super::{PageQuery, error, not_a_uuid, open, page_response, paging};
use crate::AppState;
use crate::error::ApiError;

/// The filters of `/services` and `/service_at_locations`, as sent.
#[derive(Deserialize, Default)]
pub struct Filters {
    #[serde(flatten)]
    page: PageQuery,
    search: Option<String>,
    taxonomy_term_id: Option<String>,
    organization_id: Option<String>,
    minimum_age: Option<String>,
    maximum_age: Option<String>,
    start_time: Option<String>,
    end_time: Option<String>,
    day: Option<String>,
    postcode: Option<String>,
    proximity: Option<String>,
    modified_after: Option<String>,
}

fn bad(field: &'static str, detail: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid", detail, Some(field))
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn time(v: &Option<String>, field: &'static str) -> Result<Option<NaiveTime>, ApiError> {
    given(v)
        .map(|s| {
            NaiveTime::parse_from_str(s, "%H:%M:%S")
                .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M"))
                .map_err(|_| {
                    bad(
                        field,
                        format!("{field} must be a time like 09:30 or 09:30:00"),
                    )
                })
        })
        .transpose()
}

fn age(v: &Option<String>, field: &'static str) -> Result<Option<i64>, ApiError> {
    given(v)
        .map(|s| {
            s.parse::<f64>()
                .ok()
                .filter(|a| a.is_finite() && (0.0..=120.0).contains(a))
                .map(|a| a.floor() as i64)
                .ok_or_else(|| {
                    bad(
                        field,
                        format!("{field} must be a number of years from 0 to 120"),
                    )
                })
        })
        .transpose()
}

/// Metres from the postcode given when `proximity` is not.
pub const DEFAULT_PROXIMITY_M: u32 = 10_000;

/// The search the filters ask for, or the first filter that is wrong, named.
async fn search_of(state: &AppState, f: &Filters) -> Result<Search, ApiError> {
    let mut q = Search {
        any_status: true,
        ..Search::default()
    };
    if let Some(s) = given(&f.search) {
        if s.chars().count() > domain::text::SEARCH_MAX {
            return Err(bad(
                "search",
                format!(
                    "search must be {} characters or fewer",
                    domain::text::SEARCH_MAX
                ),
            ));
        }
        q.text = s.to_owned();
    }
    for (v, field) in [
        (&f.taxonomy_term_id, "taxonomy_term_id"),
        (&f.page.taxonomy_id, "taxonomy_id"),
        (&f.organization_id, "organization_id"),
    ] {
        if let Some(s) = given(v) {
            let id = uuid::Uuid::parse_str(s)
                .map_err(|_| bad(field, format!("{field} must be a UUID")))?
                .to_string();
            match field {
                "taxonomy_term_id" => q.terms = vec![id],
                "taxonomy_id" => q.taxonomy = Some(id),
                _ => q.organization = Some(id),
            }
        }
    }
    q.minimum_age = age(&f.minimum_age, "minimum_age")?;
    q.maximum_age = age(&f.maximum_age, "maximum_age")?;
    q.start = time(&f.start_time, "start_time")?;
    q.end = time(&f.end_time, "end_time")?;
    if let Some(d) = given(&f.day) {
        let up = d.to_ascii_uppercase();
        q.day = Some(
            Day::ALL
                .iter()
                .copied()
                .find(|x| x.as_str() == up || x.label().eq_ignore_ascii_case(d))
                .ok_or_else(|| bad("day", "day must be a day of the week, like MO or Monday"))?,
        );
    }
    if let Some(m) = given(&f.modified_after) {
        let t = DateTime::parse_from_rfc3339(m)
            .map(|t| t.with_timezone(&Utc))
            .or_else(|_| {
                chrono::NaiveDate::parse_from_str(m, "%Y-%m-%d")
                    .map(|d| d.and_time(NaiveTime::MIN).and_utc())
            })
            .map_err(|_| {
                bad(
                    "modified_after",
                    "modified_after must be a date and time like 2026-01-31T09:00:00Z",
                )
            })?;
        q.modified_after = Some(t);
    }
    let proximity = given(&f.proximity)
        .map(|p| {
            p.parse::<f64>()
                .ok()
                .filter(|m| m.is_finite() && *m >= 1.0 && *m <= MAX_RADIUS_M as f64)
                .map(|m| m.round() as u32)
                .ok_or_else(|| {
                    bad(
                        "proximity",
                        format!("proximity must be a distance in metres from 1 to {MAX_RADIUS_M}"),
                    )
                })
        })
        .transpose()?;
    match given(&f.postcode) {
        Some(pc) => {
            let pc = Postcode::parse(pc).map_err(|e| bad("postcode", e.to_string()))?;
            let point = postcodes::locate(&state.svc, &pc)
                .await
                .map_err(ApiError::from)?
                .ok_or_else(|| {
                    bad(
                        "postcode",
                        format!("The postcode {pc} is not in this directory's postcode list"),
                    )
                })?;
            q.near = Some((point, proximity.unwrap_or(DEFAULT_PROXIMITY_M)));
        }
        None if proximity.is_some() => {
            return Err(bad(
                "proximity",
                "proximity needs a postcode to measure from",
            ));
        }
        None => {}
    }
    Ok(q)
}

#[derive(Serialize)]
pub(super) struct OrganizationOut {
    id: String,
    name: String,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    website: Option<String>,
}

fn org_out(o: &read::Organization) -> OrganizationOut {
    OrganizationOut {
        id: o.uuid.clone(),
        name: o.name.clone(),
        description: o.description.clone(),
        email: o.email.clone(),
        website: o.website.clone(),
    }
}

/// A service's one-to-one fields, and its organisation.
#[derive(Serialize)]
pub(super) struct ServiceOut {
    id: String,
    organization_id: String,
    name: String,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fees: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    eligibility_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    application_process: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    minimum_age: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    maximum_age: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assured_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assurer_email: Option<String>,
    /// Whether it has places, when it has none or a waiting list.
    #[serde(skip_serializing_if = "Option::is_none")]
    alert: Option<String>,
    last_modified: String,
    organization: OrganizationOut,
    #[serde(flatten)]
    full: Option<FullParts>,
}

#[derive(Serialize)]
pub(super) struct FullParts {
    schedules: Vec<ScheduleOut>,
    service_at_locations: Vec<SalOut>,
    cost_options: Vec<CostOut>,
    contacts: Vec<ContactOut>,
    attributes: Vec<AttributeOut>,
}

#[derive(Serialize)]
struct ScheduleOut {
    id: String,
    service_id: String,
    freq: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<u32>,
    byday: String,
    opens_at: String,
    closes_at: String,
    description: String,
}

#[derive(Serialize)]
pub(super) struct SalOut {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<Box<ServiceOut>>,
    location: LocationOut,
}

#[derive(Serialize)]
struct LocationOut {
    id: String,
    location_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    latitude: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    longitude: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    addresses: Vec<AddressOut>,
}

#[derive(Serialize)]
struct AddressOut {
    id: String,
    location_id: String,
    address_1: String,
    city: String,
    state_province: String,
    postal_code: String,
    country: String,
    address_type: String,
}

#[derive(Serialize)]
struct CostOut {
    id: String,
    service_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    option: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount_description: Option<String>,
}

#[derive(Serialize)]
struct ContactOut {
    id: String,
    service_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    phones: Vec<PhoneOut>,
}

#[derive(Serialize)]
struct PhoneOut {
    id: String,
    contact_id: String,
    number: String,
}

#[derive(Serialize)]
struct AttributeOut {
    id: String,
    link_id: String,
    link_type: &'static str,
    taxonomy_term_id: String,
    taxonomy_term: super::TermOut,
}

fn location_out(l: &read::Location) -> LocationOut {
    let addresses = match (&l.address_1, &l.city, &l.postal_code) {
        (Some(a), Some(c), Some(p)) => vec![AddressOut {
            id: derived(&l.uuid, "address"),
            location_id: l.uuid.clone(),
            address_1: a.clone(),
            city: c.clone(),
            state_province: "England".into(),
            postal_code: p.clone(),
            country: "GB".into(),
            address_type: "physical".into(),
        }],
        _ => Vec::new(),
    };
    LocationOut {
        id: l.uuid.clone(),
        location_type: l.location_type.clone(),
        name: l.name.clone(),
        latitude: l.latitude,
        longitude: l.longitude,
        addresses,
    }
}

/// What a service's capacity says, as Open Referral's `alert`.
fn alert(f: &Full) -> Option<String> {
    let c = Capacity::parse(f.service.capacity.as_deref()?)?;
    if c == Capacity::Places {
        return None;
    }
    let when = f
        .service
        .capacity_updated_at
        .map(|t| format!(" (as of {})", t.format("%-d %B %Y")))
        .unwrap_or_default();
    Some(format!("{}{when}", c.label()))
}

pub(super) fn service_out(f: &Full, whole: bool) -> ServiceOut {
    let s = &f.service;
    let full = whole.then(|| FullParts {
        schedules: f
            .schedules
            .iter()
            .map(|x| {
                let words = f
                    .openings()
                    .into_iter()
                    .find(|o| o.id.as_deref() == Some(x.uuid.as_str()))
                    .map(|o| o.words())
                    .unwrap_or_default();
                ScheduleOut {
                    id: x.uuid.clone(),
                    service_id: s.uuid.clone(),
                    freq: x.freq.clone(),
                    interval: Some(1),
                    byday: x.byday.clone(),
                    opens_at: format!("{}:00", x.opens_at),
                    closes_at: format!("{}:00", x.closes_at),
                    description: x.description.clone().unwrap_or(words),
                }
            })
            .collect(),
        service_at_locations: f
            .places
            .iter()
            .map(|p| SalOut {
                id: p.uuid.clone(),
                service_id: Some(s.uuid.clone()),
                location_id: Some(p.location.uuid.clone()),
                service: None,
                location: location_out(&p.location),
            })
            .collect(),
        cost_options: f
            .costs
            .iter()
            .map(|c| CostOut {
                id: c.uuid.clone(),
                service_id: s.uuid.clone(),
                option: c.option.clone(),
                amount: c.amount,
                amount_description: c.amount_description.clone(),
            })
            .collect(),
        contacts: if s.phone.is_some() || s.contact_name.is_some() || s.email.is_some() {
            let id = derived(&s.uuid, "contact");
            vec![ContactOut {
                phones: s
                    .phone
                    .iter()
                    .map(|n| PhoneOut {
                        id: derived(&s.uuid, "phone"),
                        contact_id: id.clone(),
                        number: n.clone(),
                    })
                    .collect(),
                id,
                service_id: s.uuid.clone(),
                name: s.contact_name.clone(),
                email: s.email.clone(),
            }]
        } else {
            Vec::new()
        },
        attributes: f
            .needs
            .iter()
            .map(|n| AttributeOut {
                id: derived(&s.uuid, &n.term.id),
                link_id: s.uuid.clone(),
                link_type: "service",
                taxonomy_term_id: n.term.id.clone(),
                taxonomy_term: super::TermOut {
                    term: n.term.name.clone(),
                    id: n.term.id.clone(),
                    name: n.term.name.clone(),
                    description: n.term.description.clone(),
                    parent_id: n.term.parent_id.clone(),
                    taxonomy: n.taxonomy.clone(),
                    taxonomy_id: n.term.taxonomy_id.clone(),
                    term_uri: n.term.term_uri.clone(),
                },
            })
            .collect(),
    });
    ServiceOut {
        id: s.uuid.clone(),
        organization_id: f.organization.uuid.clone(),
        name: s.name.clone(),
        description: s.description.clone(),
        url: s.url.clone(),
        email: s.email.clone(),
        status: s.status.clone(),
        fees: s.fees.clone(),
        eligibility_description: s.eligibility.clone(),
        application_process: s.application_process.clone(),
        minimum_age: s.minimum_age,
        maximum_age: s.maximum_age,
        assured_date: s.assured_date.map(|d| d.to_string()),
        assurer_email: s.assurer_email.clone(),
        alert: alert(f),
        last_modified: s
            .last_modified
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        organization: org_out(&f.organization),
        full,
    }
}

async fn found(
    state: &AppState,
    f: &Filters,
) -> Result<
    (
        Vec<(Full, Option<i32>)>,
        u64,
        services::paging::Paging,
        bool,
    ),
    ApiError,
> {
    let (paging, capped) = paging(&f.page)?;
    let q = search_of(state, f).await?;
    let found = search::search(&state.svc, &q, paging)
        .await
        .map_err(ApiError::from)?;
    let ids: Vec<i32> = found.hits.iter().map(|h| h.id).collect();
    let fulls = read::services(&state.svc, &ids)
        .await
        .map_err(ApiError::from)?;
    let out = fulls
        .into_iter()
        .map(|f| {
            let loc = found
                .hits
                .iter()
                .find(|h| h.id == f.service.id)
                .and_then(|h| h.location_id);
            (f, loc)
        })
        .collect();
    Ok((out, found.total, paging, capped))
}

pub(super) async fn services_list(
    State(state): State<AppState>,
    Query(f): Query<Filters>,
) -> Response {
    match found(&state, &f).await {
        Ok((items, total, paging, capped)) => page_response(
            items.iter().map(|(f, _)| service_out(f, false)).collect(),
            total,
            paging,
            capped,
        ),
        Err(e) => error(e),
    }
}

pub(super) async fn one_service(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    if let Some(r) = not_a_uuid(&id, "service") {
        return r;
    }
    match read::service(&state.svc, &id.to_ascii_lowercase()).await {
        Ok(f) => open(service_out(&f, true), StatusCode::OK),
        Err(e) => error(e.into()),
    }
}

fn sal_out(f: &Full, at: &read::At) -> SalOut {
    SalOut {
        id: at.uuid.clone(),
        service_id: None,
        location_id: None,
        service: Some(Box::new(service_out(f, false))),
        location: location_out(&at.location),
    }
}

/// Each service at each of its places; near a postcode, each service at its nearest place.
pub(super) async fn sal_list(State(state): State<AppState>, Query(f): Query<Filters>) -> Response {
    match found(&state, &f).await {
        Ok((items, total, paging, capped)) => page_response(
            items
                .iter()
                .filter_map(|(f, loc)| {
                    let at = match loc {
                        Some(l) => f.places.iter().find(|p| p.location.id == *l),
                        None => f.places.first(),
                    }?;
                    Some(sal_out(f, at))
                })
                .collect(),
            total,
            paging,
            capped,
        ),
        Err(e) => error(e),
    }
}

pub(super) async fn one_sal(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    if let Some(r) = not_a_uuid(&id, "service at location") {
        return r;
    }
    match read::service_at_location(&state.svc, &id.to_ascii_lowercase()).await {
        Ok((f, uuid)) => match f.places.iter().find(|p| p.uuid == uuid) {
            Some(at) => open(sal_out(&f, at), StatusCode::OK),
            None => error(services::ServiceError::NotFound("service at location").into()),
        },
        Err(e) => error(e.into()),
    }
}
