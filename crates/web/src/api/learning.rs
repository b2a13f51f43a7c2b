//! /api/v1/learning: the catalogue (public), publishing events and checking people in
//! (organisers), booking and cancelling (anyone signed in, for themselves), certificates (a
//! learner's own, and any by its code), e-learning progress, and trained counts. The same use
//! cases, rules and audit as the pages.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::Permission;
use domain::learning::{EventInput, Format, Kind, Mode, Pence, Session};
use serde::{Deserialize, Serialize};
use services::learning::booking::{self, Checkout, Holder, Order};
use services::learning::catalogue::{self, Event, Filter};
use services::learning::certificates::{self, Certificate};
use services::learning::{elearning, organise, trained};
use services::paging::Paging;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::error::ApiError;
use crate::middleware::Viewer;
use crate::routes::{Need, Routes, permission};
use crate::viewer::CurrentActor;

pub fn routes() -> Routes {
    let organise = permission(Permission::OrganiseEvents);
    Routes::new()
        .api(Need::Public, routes!(list_events))
        .api(organise, routes!(create_event))
        .api(Need::Public, routes!(get_event))
        .api(organise, routes!(list_attendees))
        .api(organise, routes!(check_in))
        .api(Need::SignedIn, routes!(my_bookings, book))
        .api(Need::SignedIn, routes!(cancel_booking))
        .api(Need::SignedIn, routes!(my_certificates))
        .api(Need::Public, routes!(verify_certificate))
        .api(Need::SignedIn, routes!(my_modules))
        .api(
            permission(Permission::ViewInsights),
            routes!(trained_counts),
        )
}

fn err(v: &Viewer) -> impl Fn(services::ServiceError) -> ApiError + '_ {
    super::care::err(v)
}

fn not_found(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("No {what} has that id"),
        Some("id"),
    )
}

/// An event's id is its UUID.
fn event_id(raw: &str) -> Result<String, ApiError> {
    uuid::Uuid::parse_str(raw)
        .map(|u| u.to_string())
        .map_err(|_| not_found("event"))
}

#[derive(Serialize, ToSchema)]
pub struct PlacesDto {
    /// in_person | online
    pub mode: String,
    pub places: i32,
    pub taken: i32,
    pub left: i32,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SessionDto {
    #[serde(default)]
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// An event or course as the catalogue shows it (its joining link is only in bookings).
#[derive(Serialize, ToSchema)]
pub struct EventDto {
    /// The event's UUID.
    pub id: String,
    /// event | course
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    /// A topic code, like shared_decision_making.
    pub topic: String,
    /// An NHS England region code; absent for national events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// in_person | online | hybrid
    pub format: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub venue: Option<String>,
    pub price_pence: i64,
    pub cpd_minutes: i32,
    pub audience: String,
    pub places: Vec<PlacesDto>,
    pub cancelled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub sessions: Vec<SessionDto>,
    pub organisation_id: i32,
    pub organiser: String,
    /// Months a certificate of attendance stays current; absent when it does not run out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_months: Option<i32>,
    /// Attending counts a professional as trained.
    pub accredited: bool,
}

fn event_dto(e: Event) -> EventDto {
    EventDto {
        places: e
            .pools
            .iter()
            .map(|p| PlacesDto {
                mode: p.mode.as_str().into(),
                places: p.places,
                taken: p.taken,
                left: p.left(),
            })
            .collect(),
        id: e.uuid,
        kind: e.kind.as_str().into(),
        title: e.title,
        summary: e.summary,
        description: e.description,
        topic: e.topic,
        region: e.region,
        format: e.format.as_str().into(),
        venue: e.venue,
        price_pence: e.price.0,
        cpd_minutes: e.cpd_minutes,
        audience: e.audience,
        cancelled: e.cancelled,
        cancel_reason: e.cancel_reason,
        starts_at: e.starts_at,
        ends_at: e.ends_at,
        sessions: e
            .sessions
            .into_iter()
            .map(|s| SessionDto {
                title: s.title,
                starts_at: s.starts_at,
                ends_at: s.ends_at,
            })
            .collect(),
        organisation_id: e.organisation_id,
        organiser: e.organiser,
        certificate_months: e.certificate_months,
        accredited: e.accredited,
    }
}

#[derive(Serialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<EventDto>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
    pub total_pages: u64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// Words in the title or summary.
    pub q: Option<String>,
    /// in_person, online or hybrid.
    pub format: Option<String>,
    /// A topic code, like care_planning.
    pub topic: Option<String>,
    /// An NHS England region code, like Y63.
    pub region: Option<String>,
    /// true for free events only, false for paid only.
    pub free: Option<bool>,
    /// Past events instead of those to come (newest first).
    pub past: Option<bool>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u64>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u64>,
}

fn invalid(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        message,
        Some(field),
    )
}

/// Events and courses to come (or past ones), soonest first.
#[utoipa::path(get, path = "/api/v1/learning/events", tag = "learning", params(EventParams), security(()),
    responses((status = 200, description = "A page of events and courses", body = EventPage)))]
pub async fn list_events(
    State(state): State<AppState>,
    v: Viewer,
    ApiQuery(p): ApiQuery<EventParams>,
) -> Result<Json<EventPage>, ApiError> {
    let format = match p.format.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(f) => Some(
            Format::parse(f)
                .ok_or_else(|| invalid("format", "format must be in_person, online or hybrid"))?,
        ),
    };
    let topic = p.topic.filter(|t| !t.is_empty());
    if let Some(t) = &topic
        && domain::learning::topic_label(t).is_none()
    {
        return Err(invalid(
            "topic",
            "topic is not one of the catalogue's topics",
        ));
    }
    let region = p.region.filter(|r| !r.is_empty());
    if let Some(r) = &region
        && domain::learning::region_label(r).is_none()
    {
        return Err(invalid(
            "region",
            "region must be an NHS England region code, like Y63",
        ));
    }
    let q = p.q.unwrap_or_default();
    if q.chars().count() > 200 {
        return Err(invalid("q", "Search for 200 characters at most"));
    }
    let paging = Paging::new(p.page.unwrap_or(1), p.per_page.unwrap_or(50)).map_err(err(&v))?;
    let found = catalogue::find(
        &state.svc,
        &Filter {
            text: q,
            format,
            topic,
            region,
            free: p.free,
            past: p.past.unwrap_or(false),
            ..Filter::default()
        },
        paging,
    )
    .await
    .map_err(err(&v))?;
    let per_page = found.paging.per_page;
    Ok(Json(EventPage {
        page: found.paging.page,
        per_page,
        total: found.total,
        total_pages: found.total.div_ceil(per_page.max(1)),
        items: found.events.into_iter().map(event_dto).collect(),
    }))
}

/// One event or course.
#[utoipa::path(get, path = "/api/v1/learning/events/{id}", tag = "learning", security(()),
    params(("id" = String, Path, description = "The event's UUID")),
    responses((status = 200, description = "The event", body = EventDto)))]
pub async fn get_event(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> Result<Json<EventDto>, ApiError> {
    let id = event_id(&id)?;
    Ok(Json(event_dto(
        catalogue::get(&state.svc, &id).await.map_err(err(&v))?,
    )))
}

/// An event or course to publish.
#[derive(Deserialize, ToSchema)]
pub struct EventCreate {
    /// The organisation or network that runs it (one the caller organises for).
    pub organisation_id: i32,
    pub title: String,
    pub summary: String,
    #[serde(default)]
    pub description: String,
    /// A topic code, like shared_decision_making.
    pub topic: String,
    /// An NHS England region code; empty or absent for national.
    #[serde(default)]
    pub region: String,
    /// in_person | online | hybrid
    pub format: String,
    #[serde(default)]
    pub venue: String,
    /// Shown only to those booked; https only.
    #[serde(default)]
    pub join_link: String,
    #[serde(default)]
    pub in_person_places: i32,
    #[serde(default)]
    pub online_places: i32,
    /// The price of a place in pence; 0 for free.
    #[serde(default)]
    pub price_pence: i64,
    #[serde(default)]
    pub cpd_minutes: i32,
    #[serde(default)]
    pub audience: String,
    /// One for an event; several for a course.
    pub sessions: Vec<SessionDto>,
    #[serde(default)]
    pub certificate_months: Option<i32>,
    #[serde(default)]
    pub accredited: bool,
}

/// Publishes an event (one session) or course (several).
#[utoipa::path(post, path = "/api/v1/learning/events", tag = "learning", request_body = EventCreate,
    responses((status = 201, description = "Published", body = EventDto)))]
pub async fn create_event(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiJson(b): ApiJson<EventCreate>,
) -> Result<(StatusCode, Json<EventDto>), ApiError> {
    let format = Format::parse(&b.format)
        .ok_or_else(|| invalid("format", "format must be in_person, online or hybrid"))?;
    let input = EventInput {
        kind: if b.sessions.len() > 1 {
            Kind::Course
        } else {
            Kind::Event
        },
        title: b.title,
        summary: b.summary,
        description: b.description,
        topic: b.topic,
        region: b.region,
        format,
        venue: b.venue,
        join_link: b.join_link,
        in_person_places: b.in_person_places,
        online_places: b.online_places,
        price: Pence(b.price_pence),
        cpd_minutes: b.cpd_minutes,
        audience: b.audience,
        sessions: b
            .sessions
            .into_iter()
            .map(|s| Session {
                title: s.title,
                starts_at: s.starts_at,
                ends_at: s.ends_at,
            })
            .collect(),
        certificate_months: b.certificate_months,
        accredited: b.accredited,
    };
    let uuid = catalogue::create(&state.svc, a, &v.meta, b.organisation_id, &input)
        .await
        .map_err(err(&v))?;
    let e = catalogue::get(&state.svc, &uuid).await.map_err(err(&v))?;
    Ok((StatusCode::CREATED, Json(event_dto(e))))
}

#[derive(Serialize, ToSchema)]
pub struct AttendeeDto {
    /// The place's id, to check them in by.
    pub place_id: i32,
    pub name: String,
    pub email: String,
    /// in_person | online
    pub mode: String,
    pub booking: String,
    /// confirmed | pending | paid
    pub booking_state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked_in_at: Option<DateTime<Utc>>,
}

/// Who has booked an event the caller organises.
#[utoipa::path(get, path = "/api/v1/learning/events/{id}/attendees", tag = "learning",
    params(("id" = String, Path, description = "The event's UUID")),
    responses((status = 200, description = "The people booked, in the order they booked", body = [AttendeeDto])))]
pub async fn list_attendees(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<AttendeeDto>>, ApiError> {
    let id = event_id(&id)?;
    let (_, list, _) = organise::attendees(&state.svc, a, &v.meta, &id)
        .await
        .map_err(err(&v))?;
    Ok(Json(
        list.into_iter()
            .map(|x| AttendeeDto {
                place_id: x.place_id,
                name: x.name,
                email: x.email,
                mode: x.mode.as_str().into(),
                booking: x.order_code,
                booking_state: x.order_state.as_str().into(),
                checked_in_at: x.checked_in_at,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct CheckedIn {
    /// The code of the certificate of attendance it issued (e-mailed to the attendee).
    pub certificate_code: String,
}

/// Checks someone in, once; issues and e-mails their certificate of attendance.
#[utoipa::path(post, path = "/api/v1/learning/events/{id}/attendees/{place_id}/check-in", tag = "learning",
    params(("id" = String, Path, description = "The event's UUID"), ("place_id" = i32, Path, description = "The attendee's place")),
    responses((status = 200, description = "Checked in", body = CheckedIn),
              (status = 409, description = "Already checked in", body = crate::error::ErrorEnvelope)))]
pub async fn check_in(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path((id, place)): Path<(String, String)>,
) -> Result<Json<CheckedIn>, ApiError> {
    let id = event_id(&id)?;
    let place: i32 = place.parse().map_err(|_| not_found("attendee"))?;
    let code = organise::check_in(&state.svc, a, &v.meta, &id, place)
        .await
        .map_err(err(&v))?;
    Ok(Json(CheckedIn {
        certificate_code: code,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct BookedLine {
    pub event_id: String,
    pub title: String,
    /// in_person | online
    pub mode: String,
    pub places: i32,
    pub price_each_pence: i64,
    pub starts_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct BookingDto {
    /// The booking's reference, like WM-7KQ4X2.
    pub code: String,
    /// confirmed | pending | paid | cancelled | refunded
    pub state: String,
    pub total_pence: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub po_number: Option<String>,
    pub created_at: DateTime<Utc>,
    pub lines: Vec<BookedLine>,
    /// Joining links of the online events booked.
    pub join_links: Vec<String>,
}

fn booking_dto(o: Order) -> BookingDto {
    BookingDto {
        code: o.code,
        state: o.state.as_str().into(),
        total_pence: o.total.0,
        po_number: o.po_number,
        created_at: o.created_at,
        lines: o
            .lines
            .into_iter()
            .map(|l| BookedLine {
                event_id: l.event.uuid,
                title: l.event.title,
                mode: l.mode.as_str().into(),
                places: l.places,
                price_each_pence: l.price_each.0,
                starts_at: l.event.starts_at,
            })
            .collect(),
        join_links: o.join_links.into_iter().map(|(_, link)| link).collect(),
    }
}

/// The caller's bookings, newest first.
#[utoipa::path(get, path = "/api/v1/learning/bookings", tag = "learning",
    responses((status = 200, description = "The caller's bookings", body = [BookingDto])))]
pub async fn my_bookings(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Result<Json<Vec<BookingDto>>, ApiError> {
    let list = booking::my_orders(&state.svc, a).await.map_err(err(&v))?;
    Ok(Json(list.into_iter().map(booking_dto).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct BookingIn {
    /// The event's UUID.
    pub event_id: String,
    /// in_person | online
    pub mode: String,
    /// 1 to 20.
    pub places: i32,
    /// Needed when the places cost something: the purchase order the invoice is raised against.
    #[serde(default)]
    pub po_number: String,
}

/// Books places for the caller: free places are confirmed at once; paid ones are invoiced
/// against the purchase order (pending until the organiser marks them paid). Anything else
/// in the caller's basket is booked with them.
#[utoipa::path(post, path = "/api/v1/learning/bookings", tag = "learning", request_body = BookingIn,
    responses((status = 201, description = "Booked", body = BookingDto),
              (status = 409, description = "Not enough places left, or the event is not on sale", body = crate::error::ErrorEnvelope)))]
pub async fn book(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    ApiJson(b): ApiJson<BookingIn>,
) -> Result<(StatusCode, Json<BookingDto>), ApiError> {
    let id = uuid::Uuid::parse_str(&b.event_id)
        .map_err(|_| invalid("event_id", "event_id must be an event's UUID"))?
        .to_string();
    let mode =
        Mode::parse(&b.mode).ok_or_else(|| invalid("mode", "mode must be in_person or online"))?;
    // A paid place needs its purchase order before anything is held.
    let e = catalogue::get(&state.svc, &id).await.map_err(|e| match e {
        services::ServiceError::NotFound(_) => invalid("event_id", "There is no such event"),
        e => err(&v)(e),
    })?;
    if !e.price.is_free() && b.po_number.trim().is_empty() {
        return Err(invalid(
            "po_number",
            "Enter the purchase order number to invoice",
        ));
    }
    booking::hold(&state.svc, a, &v.meta, &id, mode, b.places)
        .await
        .map_err(|e| match e {
            services::ServiceError::NotFound(_) => invalid("event_id", "There is no such event"),
            e => err(&v)(e),
        })?;
    let code = match booking::checkout(
        &state.svc,
        a,
        &v.meta,
        &Checkout {
            po_number: b.po_number,
        },
    )
    .await
    {
        Ok(code) => code,
        Err(e) => {
            // Nothing is left held by a booking that did not go through.
            if let Err(x) = booking::remove(&state.svc, a, &id, mode).await {
                tracing::warn!(error = %x, "places held for an API booking that failed were not let go; they lapse with the hold");
            }
            return Err(err(&v)(e));
        }
    };
    let o = booking::order(&state.svc, &code, Holder::Account(a))
        .await
        .map_err(err(&v))?;
    Ok((StatusCode::CREATED, Json(booking_dto(o))))
}

/// Cancels one of the caller's bookings; its places go to the waiting list or back on sale.
#[utoipa::path(post, path = "/api/v1/learning/bookings/{code}/cancel", tag = "learning",
    params(("code" = String, Path, description = "The booking's reference")),
    responses((status = 200, description = "Cancelled", body = BookingDto),
              (status = 409, description = "Already cancelled, or paid (ask the organiser for a refund)", body = crate::error::ErrorEnvelope)))]
pub async fn cancel_booking(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(code): Path<String>,
) -> Result<Json<BookingDto>, ApiError> {
    if code.len() > 20 {
        return Err(not_found("booking"));
    }
    booking::cancel(&state.svc, &v.meta, &code, Holder::Account(a))
        .await
        .map_err(err(&v))?;
    let o = booking::order(&state.svc, &code, Holder::Account(a))
        .await
        .map_err(err(&v))?;
    Ok(Json(booking_dto(o)))
}

#[derive(Serialize, ToSchema)]
pub struct CertificateDto {
    /// The verification code, like WMC-7KQ4X-2M9PA.
    pub code: String,
    pub name: String,
    /// event | module
    pub kind: String,
    pub title: String,
    pub issuer: String,
    pub cpd_minutes: i32,
    pub issued_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether it is current now.
    pub current: bool,
}

fn certificate_dto(c: Certificate, now: DateTime<Utc>) -> CertificateDto {
    CertificateDto {
        current: c.current(now),
        code: c.code,
        name: c.name,
        kind: c.kind,
        title: c.title,
        issuer: c.issuer,
        cpd_minutes: c.cpd_minutes,
        issued_at: c.issued_at,
        expires_at: c.expires_at,
    }
}

/// The caller's certificates, newest first.
#[utoipa::path(get, path = "/api/v1/learning/certificates", tag = "learning",
    responses((status = 200, description = "The caller's certificates", body = [CertificateDto])))]
pub async fn my_certificates(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Result<Json<Vec<CertificateDto>>, ApiError> {
    let now = state.svc.now();
    let list = certificates::mine(&state.svc, a).await.map_err(err(&v))?;
    Ok(Json(
        list.into_iter().map(|c| certificate_dto(c, now)).collect(),
    ))
}

/// Checks a certificate by its verification code: whose it is, for what, and whether it is
/// current.
#[utoipa::path(get, path = "/api/v1/learning/certificates/{code}", tag = "learning", security(()),
    params(("code" = String, Path, description = "The verification code")),
    responses((status = 200, description = "The certificate", body = CertificateDto)))]
pub async fn verify_certificate(
    State(state): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
) -> Result<Json<CertificateDto>, ApiError> {
    let c = certificates::by_code(&state.svc, &code)
        .await
        .map_err(err(&v))?;
    Ok(Json(certificate_dto(c, state.svc.now())))
}

#[derive(Serialize, ToSchema)]
pub struct ModuleDto {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub minutes: i32,
    pub lessons: usize,
    pub pass_mark: i32,
    pub counts_as_trained: bool,
    /// Lessons the caller has read, in order.
    pub lessons_done: usize,
    pub attempts: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best_score: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passed_at: Option<DateTime<Utc>>,
}

/// The e-learning modules, with the caller's progress through each.
#[utoipa::path(get, path = "/api/v1/learning/modules", tag = "learning",
    responses((status = 200, description = "Every module, with the caller's progress", body = [ModuleDto])))]
pub async fn my_modules(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Result<Json<Vec<ModuleDto>>, ApiError> {
    let list = elearning::modules(&state.svc, a).await.map_err(err(&v))?;
    Ok(Json(
        list.into_iter()
            .map(|(m, p)| ModuleDto {
                slug: m.slug.into(),
                title: m.title.into(),
                summary: m.summary.into(),
                minutes: m.minutes,
                lessons: m.lessons.len(),
                pass_mark: m.pass_mark,
                counts_as_trained: m.counts_as_trained,
                lessons_done: p.lessons_done,
                attempts: p.attempts,
                best_score: p.best_score,
                passed_at: p.passed_at,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct TrainedRow {
    pub organisation_id: i32,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ods_code: Option<String>,
    pub trained: u64,
}

#[derive(Serialize, ToSchema)]
pub struct TrainedDto {
    pub nation: u64,
    /// The national aim (75,000).
    pub aim: u64,
    pub regions: Vec<TrainedRow>,
    pub icbs: Vec<TrainedRow>,
    /// PCNs in the caller's scope.
    pub pcns: Vec<TrainedRow>,
}

/// Professionals trained in personalised care, for the nation, each region and ICB, and the
/// PCNs in the caller's scope.
#[utoipa::path(get, path = "/api/v1/learning/trained", tag = "learning",
    responses((status = 200, description = "Counts against the national aim", body = TrainedDto)))]
pub async fn trained_counts(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Result<Json<TrainedDto>, ApiError> {
    let t = trained::counts(&state.svc, a).await.map_err(err(&v))?;
    let rows = |list: Vec<trained::Row>| {
        list.into_iter()
            .map(|r| TrainedRow {
                organisation_id: r.organisation_id,
                name: r.name,
                ods_code: r.code,
                trained: r.trained,
            })
            .collect()
    };
    Ok(Json(TrainedDto {
        nation: t.nation,
        aim: t.aim,
        regions: rows(t.regions),
        icbs: rows(t.icbs),
        pcns: rows(t.pcns),
    }))
}
