//! Organisers' pages: their events and courses with the places taken, orders waiting for
//! payment by invoice, and publishing a new event or course.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::learning::{self as l, EventInput, Format, Kind, Pence, Session};
use services::learning::booking;
use services::learning::catalogue;
use services::{Actor, FieldError, ServiceError};
use std::collections::HashMap;

use super::bookings::{OrderView, view};
use super::catalogue::{Card, card};
use crate::AppState;
use crate::error::PageError;
use crate::forms::Form;
use crate::view::{Errors, Layout, render};
use crate::viewer::{CurrentActor, Viewer};

/// Sessions a course can be given on the form at once (more can follow as further courses).
const FORM_SESSIONS: usize = 4;

pub struct Row {
    pub card: Card,
    pub taken: String,
}

#[derive(Template)]
#[template(path = "learning/organise.html")]
struct ListPage {
    l: Layout,
    errors: Errors,
    events: Vec<Row>,
    unpaid: Vec<OrderView>,
}

async fn list_page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    status: StatusCode,
    errors: Errors,
) -> Response {
    let now = state.svc.now();
    let (events, unpaid) = match tokio::try_join!(
        catalogue::organised(&state.svc, a, false),
        booking::awaiting_payment(&state.svc, a)
    ) {
        Ok(x) => x,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    render(
        status,
        &ListPage {
            l: Layout::for_viewer("Your events and courses", v, "/learning").with_errors(&errors),
            errors,
            events: events
                .iter()
                .map(|e| Row {
                    card: card(e, now),
                    taken: e
                        .pools
                        .iter()
                        .map(|p| {
                            format!(
                                "{} of {} {}",
                                p.taken,
                                p.places,
                                p.mode.label().to_lowercase()
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                })
                .collect(),
            unpaid: unpaid.iter().map(view).collect(),
        },
    )
}

pub async fn list(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Response {
    list_page(&state, &v, a, StatusCode::OK, Errors::default()).await
}

/// Marks an invoiced order paid.
pub async fn paid(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(code): Path<String>,
) -> Response {
    match booking::mark_paid(&state.svc, a, &v.meta, &code).await {
        Ok(()) => Redirect::to("/learning/organise?saved=paid").into_response(),
        Err(ServiceError::Conflict(m)) => {
            list_page(
                &state,
                &v,
                a,
                StatusCode::CONFLICT,
                Errors::one("unpaid", m),
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Template)]
#[template(path = "learning/event_form.html")]
struct FormPage {
    l: Layout,
    errors: Errors,
    f: HashMap<String, String>,
    organisations: Vec<(String, String)>,
    formats: Vec<(&'static str, &'static str)>,
    topics: Vec<(&'static str, &'static str)>,
    regions: Vec<(&'static str, &'static str)>,
    extra_sessions: Vec<usize>,
    /// Editing this event (its UUID and title), rather than publishing a new one.
    editing: Option<(String, String)>,
}

impl FormPage {
    fn v(&self, k: &str) -> &str {
        self.f.get(k).map(String::as_str).unwrap_or("")
    }
    fn key(&self, k: &str, n: &usize) -> String {
        format!("session{n}_{k}")
    }
    fn e(&self, k: &str) -> &str {
        self.errors.get(k).unwrap_or("")
    }
}

async fn form_page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    status: StatusCode,
    errors: Errors,
    f: HashMap<String, String>,
) -> Response {
    event_form(state, v, a, status, errors, f, None).await
}

async fn event_form(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    status: StatusCode,
    errors: Errors,
    f: HashMap<String, String>,
    editing: Option<(String, String)>,
) -> Response {
    let organisations = match catalogue::organisers(&state.svc, a).await {
        Ok(list) => list
            .into_iter()
            .map(|(id, name)| (id.to_string(), name))
            .collect(),
        Err(e) => return PageError::new(e, v).into_response(),
    };
    render(
        status,
        &FormPage {
            l: Layout::for_viewer(
                match &editing {
                    Some((_, title)) => format!("Change {title}"),
                    None => "Publish an event or course".into(),
                },
                v,
                "/learning",
            )
            .with_errors(&errors),
            errors,
            f,
            organisations,
            formats: Format::ALL
                .iter()
                .map(|x| (x.as_str(), x.label()))
                .collect(),
            topics: l::TOPICS.to_vec(),
            regions: l::REGIONS.to_vec(),
            extra_sessions: (2..=FORM_SESSIONS).collect(),
            editing,
        },
    )
}

/// The form filled in with an event as it is.
fn filled(e: &catalogue::Event, join_link: Option<String>) -> HashMap<String, String> {
    let mut f = HashMap::new();
    let mut put = |k: &str, v: String| {
        f.insert(k.to_owned(), v);
    };
    put("title", e.title.clone());
    put("summary", e.summary.clone());
    put("description", e.description.clone());
    put("topic", e.topic.clone());
    put("region", e.region.clone().unwrap_or_default());
    put("format", e.format.as_str().into());
    put("venue", e.venue.clone().unwrap_or_default());
    put("join_link", join_link.unwrap_or_default());
    for p in &e.pools {
        put(
            match p.mode {
                l::Mode::InPerson => "in_person_places",
                l::Mode::Online => "online_places",
            },
            p.places.to_string(),
        );
    }
    if !e.price.is_free() {
        put("price", format!("{:.2}", e.price.0 as f64 / 100.0));
    }
    if e.cpd_minutes > 0 {
        put("cpd_hours", format!("{}", f64::from(e.cpd_minutes) / 60.0));
    }
    put("audience", e.audience.clone());
    if let Some(m) = e.certificate_months {
        put("certificate_months", m.to_string());
    }
    if e.accredited {
        put("accredited", "yes".into());
    }
    f
}

pub async fn edit_form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<String>,
) -> Response {
    let Ok(uuid) = uuid::Uuid::parse_str(&id) else {
        return PageError::new(ServiceError::NotFound("event"), &v).into_response();
    };
    match services::learning::organise::for_editing(&state.svc, a, &uuid.to_string()).await {
        Ok((e, link)) => {
            event_form(
                &state,
                &v,
                a,
                StatusCode::OK,
                Errors::default(),
                filled(&e, link),
                Some((e.uuid.clone(), e.title.clone())),
            )
            .await
        }
        Err(err) => PageError::new(err, &v).into_response(),
    }
}

pub async fn edit(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let Ok(uuid) = uuid::Uuid::parse_str(&id) else {
        return PageError::new(ServiceError::NotFound("event"), &v).into_response();
    };
    let uuid = uuid.to_string();
    let e = match services::learning::organise::for_editing(&state.svc, a, &uuid).await {
        Ok((e, _)) => e,
        Err(err) => return PageError::new(err, &v).into_response(),
    };
    let (input, errors) = read_form(&f, Some(e.sessions.clone()));
    let result = if errors.is_empty() {
        services::learning::organise::edit_event(&state.svc, a, &v.meta, &uuid, &input).await
    } else {
        Err(ServiceError::Invalid(errors))
    };
    let editing = Some((e.uuid.clone(), e.title.clone()));
    match result {
        Ok(()) => Redirect::to(&format!(
            "/learning/organise/events/{uuid}?saved=event-changed"
        ))
        .into_response(),
        Err(ServiceError::Invalid(list)) => {
            event_form(
                &state,
                &v,
                a,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors::in_order(list, &FIELDS),
                f,
                editing,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            event_form(
                &state,
                &v,
                a,
                StatusCode::CONFLICT,
                Errors::one("title", m),
                f,
                editing,
            )
            .await
        }
        Err(err) => PageError::new(err, &v).into_response(),
    }
}

pub async fn form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Response {
    form_page(
        &state,
        &v,
        a,
        StatusCode::OK,
        Errors::default(),
        HashMap::new(),
    )
    .await
}

/// The form's fields in the order they appear, for the error summary.
const FIELDS: [&str; 17] = [
    "organisation",
    "title",
    "summary",
    "description",
    "topic",
    "region",
    "format",
    "venue",
    "join_link",
    "in_person_places",
    "online_places",
    "price",
    "cpd_hours",
    "audience",
    "certificate_months",
    "accredited",
    "date",
];

/// A session from the form: its date, start and end, each named `{prefix}date` and so on.
pub(super) fn session_of(
    f: &HashMap<String, String>,
    prefix: &str,
    required: bool,
    errors: &mut Vec<FieldError>,
) -> Option<Session> {
    let get = |k: &str| {
        f.get(&format!("{prefix}{k}"))
            .map(|s| s.trim())
            .unwrap_or("")
    };
    let (d, s, e) = (get("date"), get("start"), get("end"));
    if !required && d.is_empty() && s.is_empty() && e.is_empty() {
        return None;
    }
    let date = domain::dates::parse(d);
    if date.is_none() {
        errors.push(FieldError::new(
            format!("{prefix}date"),
            if d.is_empty() {
                "Enter the date it is held".into()
            } else {
                "The date must be a real date, like 14 3 2027".to_string()
            },
        ));
    }
    let start = domain::dates::parse_time(s);
    if start.is_none() {
        errors.push(FieldError::new(
            format!("{prefix}start"),
            "Enter the time it starts, like 10am or 14:30",
        ));
    }
    let end = domain::dates::parse_time(e);
    if end.is_none() {
        errors.push(FieldError::new(
            format!("{prefix}end"),
            "Enter the time it ends, like 1pm or 16:00",
        ));
    }
    let (date, start, end) = (date?, start?, end?);
    let starts_at = domain::dates::uk_instant(date, start)?;
    let ends_at = domain::dates::uk_instant(date, end)?;
    Some(Session {
        title: String::new(),
        starts_at,
        ends_at,
    })
}

fn places(f: &HashMap<String, String>, k: &str, label: &str, errors: &mut Vec<FieldError>) -> i32 {
    match f
        .get(k)
        .map(|s| s.trim().replace(',', ""))
        .unwrap_or_default()
    {
        s if s.is_empty() => 0,
        s => s.parse::<i32>().unwrap_or_else(|_| {
            errors.push(FieldError::new(
                k,
                format!("{label} must be a whole number, like 30"),
            ));
            -1
        }),
    }
}

/// The event the form describes, and every problem with it: the form's own, then the
/// event's, each named by the form's field. Editing gives the sessions it keeps (its dates
/// change by moving it), so the form's dates are not read.
fn read_form(
    f: &HashMap<String, String>,
    keep_sessions: Option<Vec<Session>>,
) -> (EventInput, Vec<FieldError>) {
    let mut errors = Vec::new();
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let format = Format::parse(&get("format"));
    if format.is_none() {
        errors.push(FieldError::new(
            "format",
            "Choose whether it is face to face, online or both",
        ));
    }
    let price = match Pence::parse_pounds(&get("price")) {
        Ok(p) => p,
        Err(e) => {
            errors.push(FieldError::new("price", e.to_string()));
            Pence::FREE
        }
    };
    let cpd_minutes = match get("cpd_hours").trim() {
        "" => 0,
        h => match h.parse::<f64>() {
            Ok(x) if x.is_finite() && (0.0..=f64::from(l::MAX_CPD_MINUTES / 60)).contains(&x) => {
                (x * 60.0).round() as i32
            }
            _ => {
                errors.push(FieldError::new(
                    "cpd_hours",
                    format!(
                        "CPD hours must be a number from 0 to {}, like 3 or 1.5",
                        l::MAX_CPD_MINUTES / 60
                    ),
                ));
                0
            }
        },
    };
    let certificate_months = match get("certificate_months").trim() {
        "" => None,
        m => match m.parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(FieldError::new(
                    "certificate_months",
                    format!(
                        "Months a certificate stays current must be a whole number from 1 to {}, or empty if it does not run out",
                        l::MAX_CERTIFICATE_MONTHS
                    ),
                ));
                None
            }
        },
    };
    let in_person_places = places(f, "in_person_places", "Places in the room", &mut errors);
    let online_places = places(f, "online_places", "Places online", &mut errors);
    let sessions = match keep_sessions {
        Some(s) => s,
        None => {
            let mut sessions: Vec<Session> =
                session_of(f, "", true, &mut errors).into_iter().collect();
            for n in 2..=FORM_SESSIONS {
                sessions.extend(session_of(f, &format!("session{n}_"), false, &mut errors));
            }
            sessions
        }
    };
    let input = EventInput {
        kind: if sessions.len() > 1 {
            Kind::Course
        } else {
            Kind::Event
        },
        title: get("title"),
        summary: get("summary"),
        description: get("description"),
        topic: get("topic"),
        region: get("region"),
        format: format.unwrap_or(Format::InPerson),
        venue: get("venue"),
        join_link: get("join_link"),
        in_person_places,
        online_places,
        price,
        cpd_minutes,
        audience: get("audience"),
        sessions,
        certificate_months,
        accredited: f.get("accredited").is_some_and(|v| v == "yes"),
    };
    // Every problem at once: the form's own, then the event's.
    if let Err(list) = input.clean() {
        for p in list {
            // A session's timing problem belongs to its end time on the form.
            let field = match p.field.as_str() {
                "ends_at" => "end".to_owned(),
                "sessions" => "date".to_owned(),
                f => f.to_owned(),
            };
            let already = errors.iter().any(|e| e.field == field);
            // Without a format, where it is held and its places cannot be judged yet.
            let unjudged =
                format.is_none() && matches!(field.as_str(), "venue" | "in_person_places");
            if !already && !unjudged {
                errors.push(FieldError::new(&field, p.message));
            }
        }
    }
    (input, errors)
}

pub async fn create(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let org: Option<i32> = f.get("organisation").and_then(|o| o.parse().ok());
    let (input, mut errors) = read_form(&f, None);
    if org.is_none() {
        errors.push(FieldError::new(
            "organisation",
            "Choose the organisation that runs it",
        ));
    }
    let result = if errors.is_empty() {
        match org {
            Some(org) => catalogue::create(&state.svc, a, &v.meta, org, &input).await,
            None => Err(ServiceError::invalid(
                "organisation",
                "Choose the organisation",
            )),
        }
    } else {
        Err(ServiceError::Invalid(errors))
    };
    match result {
        Ok(uuid) => {
            Redirect::to(&format!("/learning/events/{uuid}?saved=event-published")).into_response()
        }
        Err(ServiceError::Invalid(mut list)) => {
            for e in &mut list {
                if e.field == "starts_at" {
                    e.field = "date".into();
                }
            }
            form_page(
                &state,
                &v,
                a,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors::in_order(list, &FIELDS),
                f,
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub struct AttendeeRow {
    pub place_id: i32,
    pub name: String,
    pub email: String,
    pub mode: &'static str,
    pub code: String,
    pub state: &'static str,
    pub checked_in: String,
}

#[derive(Template)]
#[template(path = "learning/attendees.html")]
struct AttendeesPage {
    l: Layout,
    errors: Errors,
    card: Card,
    uuid: String,
    cancelled: bool,
    rows: Vec<AttendeeRow>,
    waiting: u64,
    /// The waiting list: name, e-mail, how, since when, and any offer open.
    waitlist: Vec<(String, String, &'static str, String, String)>,
    reason: String,
}

async fn attendees_page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    id: &str,
    status: StatusCode,
    errors: Errors,
    reason: String,
) -> Response {
    let Ok(uuid) = uuid::Uuid::parse_str(id) else {
        return PageError::new(ServiceError::NotFound("event"), v).into_response();
    };
    let (e, list, waiting) =
        match services::learning::organise::attendees(&state.svc, a, &v.meta, &uuid.to_string())
            .await
        {
            Ok(x) => x,
            Err(err) => return PageError::new(err, v).into_response(),
        };
    let waitlist =
        match services::learning::organise::waiting_list(&state.svc, a, &uuid.to_string()).await {
            Ok(w) => w,
            Err(err) => return PageError::new(err, v).into_response(),
        };
    render(
        status,
        &AttendeesPage {
            l: Layout::for_viewer(format!("Who has booked: {}", e.title), v, "/learning")
                .with_errors(&errors),
            errors,
            card: card(&e, state.svc.now()),
            uuid: e.uuid.clone(),
            cancelled: e.cancelled,
            rows: list
                .into_iter()
                .map(|x| AttendeeRow {
                    place_id: x.place_id,
                    name: x.name,
                    email: x.email,
                    mode: x.mode.label(),
                    code: x.order_code,
                    state: x.order_state.label(),
                    checked_in: x
                        .checked_in_at
                        .map(|t| {
                            t.with_timezone(&domain::dates::UK)
                                .format("%-I:%M%P")
                                .to_string()
                        })
                        .unwrap_or_default(),
                })
                .collect(),
            waiting,
            waitlist: waitlist
                .into_iter()
                .map(|w| {
                    (
                        w.name,
                        w.email,
                        w.mode.label(),
                        crate::view::date(&w.joined_at),
                        w.offered_until
                            .map(|t| {
                                format!("Offered a place until {}", crate::view::date_time(&t))
                            })
                            .unwrap_or_else(|| "Waiting".into()),
                    )
                })
                .collect(),
            reason,
        },
    )
}

pub async fn event(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<String>,
) -> Response {
    attendees_page(
        &state,
        &v,
        a,
        &id,
        StatusCode::OK,
        Errors::default(),
        String::new(),
    )
    .await
}

/// The attendees as a CSV file.
pub async fn csv(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<String>,
) -> Response {
    let Ok(uuid) = uuid::Uuid::parse_str(&id) else {
        return PageError::new(ServiceError::NotFound("event"), &v).into_response();
    };
    let result = async {
        let (_, list, _) =
            services::learning::organise::attendees(&state.svc, a, &v.meta, &uuid.to_string())
                .await?;
        services::learning::organise::to_csv(&list)
    }
    .await;
    match result {
        Ok(body) => (
            [
                (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    "attachment; filename=\"attendees.csv\"",
                ),
            ],
            body,
        )
            .into_response(),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn check_in(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path((id, place)): Path<(String, i32)>,
) -> Response {
    match services::learning::organise::check_in(&state.svc, a, &v.meta, &id, place).await {
        Ok(_) => Redirect::to(&format!("/learning/organise/events/{id}?saved=checked-in"))
            .into_response(),
        Err(ServiceError::Conflict(m)) => {
            attendees_page(
                &state,
                &v,
                a,
                &id,
                StatusCode::CONFLICT,
                Errors::one("attendees", m),
                String::new(),
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn cancel(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let reason = f.get("reason").cloned().unwrap_or_default();
    match services::learning::organise::cancel_event(&state.svc, a, &v.meta, &id, &reason).await {
        Ok(_) => Redirect::to(&format!(
            "/learning/organise/events/{id}?saved=event-cancelled"
        ))
        .into_response(),
        Err(ServiceError::Invalid(list)) => {
            attendees_page(
                &state,
                &v,
                a,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                reason,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            attendees_page(
                &state,
                &v,
                a,
                &id,
                StatusCode::CONFLICT,
                Errors::one("reason", m),
                reason,
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
