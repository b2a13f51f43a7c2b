//! The catalogue of events and courses (for anyone), each event's page, and a guest's booking
//! of a free place.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::learning::{self as l, Format, Mode};
use serde::Deserialize;
use services::learning::booking;
use services::learning::catalogue::{self, Event, Filter};
use services::paging::Paging;
use services::{FieldError, ServiceError};
use std::collections::HashMap;

use super::when;
use crate::AppState;
use crate::error::PageError;
use crate::forms::{Form, Query};
use crate::view::{Errors, Layout, Pager, render, thousands};
use crate::viewer::Viewer;

const PER_PAGE: u64 = 20;

/// An event or course as a list shows it.
pub struct Card {
    pub uuid: String,
    pub title: String,
    pub kind: &'static str,
    pub organiser: String,
    pub when: String,
    pub format: &'static str,
    pub place: String,
    pub price: String,
    pub cpd: String,
    pub summary: String,
    /// A tag: what is left, or why it cannot be booked.
    pub tag: Option<(String, &'static str)>,
}

/// The tag for how many places are left.
pub fn availability(
    e: &Event,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<(String, &'static str)> {
    if e.cancelled {
        return Some(("Cancelled".into(), "nhsuk-tag--red"));
    }
    if e.ends_at <= now {
        return Some(("Finished".into(), "nhsuk-tag--grey"));
    }
    if e.starts_at <= now {
        return Some(("Started".into(), "nhsuk-tag--grey"));
    }
    match e.left() {
        0 => Some(("Full".into(), "nhsuk-tag--grey")),
        n if n <= 5 => Some((
            format!("{n} place{} left", if n == 1 { "" } else { "s" }),
            "nhsuk-tag--yellow",
        )),
        _ => Some(("Places available".into(), "nhsuk-tag--green")),
    }
}

pub fn card(e: &Event, now: chrono::DateTime<chrono::Utc>) -> Card {
    Card {
        uuid: e.uuid.clone(),
        title: e.title.clone(),
        kind: e.kind.label(),
        organiser: e.organiser.clone(),
        when: if e.sessions.len() > 1 {
            format!(
                "{} sessions, starting {}",
                e.sessions.len(),
                when(e.sessions[0].starts_at, e.sessions[0].ends_at)
            )
        } else {
            when(e.starts_at, e.ends_at)
        },
        format: e.format.label(),
        place: match e.format {
            Format::Online => "Online".into(),
            _ => e
                .venue
                .as_deref()
                .and_then(|v| v.lines().next())
                .unwrap_or("")
                .to_owned(),
        },
        price: e.price.to_string(),
        cpd: l::cpd_label(e.cpd_minutes),
        summary: e.summary.clone(),
        tag: availability(e, now),
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub price: String,
    #[serde(default)]
    pub past: String,
    #[serde(default)]
    pub page: String,
}

#[derive(Template)]
#[template(path = "learning/catalogue.html")]
struct ListPage {
    l: Layout,
    errors: Errors,
    f: ListQuery,
    formats: Vec<(&'static str, &'static str)>,
    topics: Vec<(&'static str, &'static str)>,
    regions: Vec<(&'static str, &'static str)>,
    cards: Vec<Card>,
    total_text: String,
    pager: Pager,
    organiser: bool,
    insights: bool,
}

fn filter_of(f: &ListQuery) -> Result<(Filter, u64), Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut filter = Filter::default();
    match domain::text::TextField::line("Words", domain::text::SEARCH_MAX).clean(&f.q) {
        Ok(t) => filter.text = t.unwrap_or_default(),
        Err(e) => errors.push(FieldError::new("q", e.to_string())),
    }
    if !f.format.is_empty() {
        match Format::parse(&f.format) {
            Some(x) => filter.format = Some(x),
            None => errors.push(FieldError::new("format", "Choose a format from the list")),
        }
    }
    if !f.topic.is_empty() {
        match l::topic_label(&f.topic) {
            Some(_) => filter.topic = Some(f.topic.clone()),
            None => errors.push(FieldError::new("topic", "Choose a topic from the list")),
        }
    }
    if !f.region.is_empty() {
        match l::region_label(&f.region) {
            Some(_) => filter.region = Some(f.region.clone()),
            None => errors.push(FieldError::new("region", "Choose a region from the list")),
        }
    }
    if !f.from.trim().is_empty() {
        match domain::dates::parse(&f.from) {
            Some(d) => filter.from = Some(d),
            None => errors.push(FieldError::new(
                "from",
                "The date from must be a real date, like 14 3 2027",
            )),
        }
    }
    match f.price.as_str() {
        "" => {}
        "free" => filter.free = Some(true),
        "paid" => filter.free = Some(false),
        _ => errors.push(FieldError::new("price", "Choose free or paid")),
    }
    filter.past = f.past == "yes";
    let page = match f.page.trim() {
        "" => 1,
        p => match p.parse::<u64>() {
            Ok(n) if (1..=services::paging::MAX_PAGE).contains(&n) => n,
            _ => {
                errors.push(FieldError::new(
                    "page",
                    format!(
                        "Page must be a whole number from 1 to {}",
                        services::paging::MAX_PAGE
                    ),
                ));
                1
            }
        },
    };
    if errors.is_empty() {
        Ok((filter, page))
    } else {
        Err(errors)
    }
}

pub async fn list(
    State(state): State<AppState>,
    v: Viewer,
    Query(f): Query<ListQuery>,
) -> Response {
    let now = state.svc.now();
    let (errors, found) = match filter_of(&f) {
        Ok((filter, page)) => {
            let paging = match Paging::new(page, PER_PAGE) {
                Ok(p) => p,
                Err(e) => return PageError::new(e, &v).into_response(),
            };
            match catalogue::find(&state.svc, &filter, paging).await {
                Ok(found) => (Errors::default(), Some(found)),
                Err(e) => return PageError::new(e, &v).into_response(),
            }
        }
        Err(list) => (Errors(list), None),
    };
    let keep = [
        ("q", f.q.clone()),
        ("format", f.format.clone()),
        ("topic", f.topic.clone()),
        ("region", f.region.clone()),
        ("from", f.from.clone()),
        ("price", f.price.clone()),
        ("past", f.past.clone()),
    ];
    let (cards, total_text, pager) = match found {
        Some(found) => {
            let pages = found.total.div_ceil(PER_PAGE).max(1);
            let text = match found.total {
                0 => "No events or courses match. Try fewer filters, or show past events.".into(),
                1 => "1 event or course".into(),
                n => format!(
                    "{} events and courses, page {} of {pages}",
                    thousands(n as i64),
                    found.paging.page
                ),
            };
            (
                found.events.iter().map(|e| card(e, now)).collect(),
                text,
                Pager::new("/learning", &keep, found.paging.page, pages),
            )
        }
        None => (
            Vec::new(),
            String::new(),
            Pager::new("/learning", &keep, 1, 1),
        ),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &ListPage {
            l: Layout::for_viewer("Events and courses", &v, "/learning").with_errors(&errors),
            errors,
            f,
            formats: Format::ALL
                .iter()
                .map(|x| (x.as_str(), x.label()))
                .collect(),
            topics: l::TOPICS.to_vec(),
            regions: l::REGIONS.to_vec(),
            cards,
            total_text,
            pager,
            organiser: v
                .actor()
                .is_some_and(|a| a.can(domain::Permission::OrganiseEvents)),
            insights: v
                .actor()
                .is_some_and(|a| a.can(domain::Permission::ViewInsights)),
        },
    )
}

/// A pool of places as the event page shows it.
pub struct PoolView {
    pub mode: &'static str,
    pub label: &'static str,
    pub text: String,
    pub left: i32,
}

#[derive(Template)]
#[template(path = "learning/event.html")]
struct EventPage {
    l: Layout,
    errors: Errors,
    card: Card,
    description: String,
    venue: String,
    audience: String,
    topic: &'static str,
    topic_code: String,
    region: &'static str,
    sessions: Vec<String>,
    pools: Vec<PoolView>,
    cancel_reason: String,
    cancelled: bool,
    full: bool,
    on_sale: bool,
    free: bool,
    signed_in: bool,
    /// What was typed into the booking form, to show again.
    typed: HashMap<String, String>,
    organisation_id: i32,
    accredited: bool,
}

impl EventPage {
    fn typed(&self, k: &str) -> &str {
        self.typed.get(k).map(String::as_str).unwrap_or("")
    }

    fn mode_checked(&self, mode: &str) -> bool {
        match self.typed.get("mode") {
            Some(m) => m == mode,
            None => self.pools.iter().find(|p| p.left > 0).map(|p| p.mode) == Some(mode),
        }
    }
}

pub async fn event_page(
    state: &AppState,
    v: &Viewer,
    uuid: &str,
    status: StatusCode,
    errors: Errors,
    typed: HashMap<String, String>,
) -> Response {
    let e = match catalogue::get(&state.svc, uuid).await {
        Ok(e) => e,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    let now = state.svc.now();
    let pools = e
        .pools
        .iter()
        .map(|p| PoolView {
            mode: p.mode.as_str(),
            label: p.mode.label(),
            text: match (p.mode, p.left()) {
                (Mode::InPerson, 0) => "The room is full".into(),
                (Mode::Online, 0) => "No places left online".into(),
                (Mode::InPerson, n) => format!("{n} of {} places left in the room", p.places),
                (Mode::Online, n) => format!("{n} of {} places left online", p.places),
            },
            left: p.left(),
        })
        .collect();
    let page = EventPage {
        l: Layout::for_viewer(e.title.clone(), v, "/learning").with_errors(&errors),
        errors,
        card: card(&e, now),
        description: e.description.clone(),
        venue: e.venue.clone().unwrap_or_default(),
        audience: e.audience.clone(),
        topic: l::topic_label(&e.topic).unwrap_or(""),
        topic_code: e.topic.clone(),
        region: e
            .region
            .as_deref()
            .and_then(l::region_label)
            .unwrap_or("National"),
        sessions: e
            .sessions
            .iter()
            .map(|s| {
                let w = when(s.starts_at, s.ends_at);
                if s.title.is_empty() {
                    w
                } else {
                    format!("{}: {w}", s.title)
                }
            })
            .collect(),
        pools,
        cancel_reason: e.cancel_reason.clone().unwrap_or_default(),
        cancelled: e.cancelled,
        full: e.on_sale(now) && e.left() == 0,
        on_sale: e.on_sale(now) && e.left() > 0,
        free: e.price.is_free(),
        signed_in: v.actor().is_some(),
        organisation_id: e.organisation_id,
        accredited: e.accredited,
        typed,
    };
    render(status, &page)
}

pub async fn event(State(state): State<AppState>, v: Viewer, Path(id): Path<String>) -> Response {
    let Ok(uuid) = uuid::Uuid::parse_str(&id) else {
        return PageError::new(ServiceError::NotFound("event"), &v).into_response();
    };
    event_page(
        &state,
        &v,
        &uuid.to_string(),
        StatusCode::OK,
        Errors::default(),
        HashMap::new(),
    )
    .await
}

/// An event's sessions as an iCalendar file, to add to a calendar.
pub async fn calendar(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> Response {
    let Ok(uuid) = uuid::Uuid::parse_str(&id) else {
        return PageError::new(ServiceError::NotFound("event"), &v).into_response();
    };
    match catalogue::get(&state.svc, &uuid.to_string()).await {
        Ok(e) => ics(
            &state,
            &e.title.clone(),
            std::slice::from_ref(&e),
            "event.ics",
        ),
        Err(err) => PageError::new(err, &v).into_response(),
    }
}

/// Every event an organisation or network runs (and those below it), as a calendar feed.
pub async fn organisation_calendar(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i32>,
) -> Response {
    match services::learning::calendar::organisation_events(&state.svc, id).await {
        Ok((name, events)) => ics(&state, &format!("Events: {name}"), &events, "events.ics"),
        Err(err) => PageError::new(err, &v).into_response(),
    }
}

/// A learner's private feed of what they have booked (its address is its secret).
pub async fn booked_calendar(
    State(state): State<AppState>,
    v: Viewer,
    Path(token): Path<String>,
) -> Response {
    let token = token.strip_suffix(".ics").unwrap_or(&token);
    match services::learning::calendar::booked_events(&state.svc, token).await {
        Ok((name, events)) => ics(
            &state,
            &format!("Booked by {name}"),
            &events,
            "bookings.ics",
        ),
        Err(err) => PageError::new(err, &v).into_response(),
    }
}

/// Events' sessions as an iCalendar file.
fn ics(state: &AppState, name: &str, events: &[Event], file: &str) -> Response {
    use icalendar::{Calendar, Component, EventLike};
    let base = state.svc.settings.public_url.trim_end_matches('/');
    let now = state.svc.now();
    let mut cal = Calendar::new();
    cal.name(name);
    for e in events {
        let page = format!("{base}/learning/events/{}", e.uuid);
        let place = match e.format {
            Format::Online => "Online".to_owned(),
            _ => e.venue.clone().unwrap_or_default().replace('\n', ", "),
        };
        for (i, s) in e.sessions.iter().enumerate() {
            let mut title = if e.cancelled {
                format!("Cancelled: {}", e.title)
            } else {
                e.title.clone()
            };
            if !s.title.is_empty() {
                title = format!("{title}: {}", s.title);
            }
            let mut ev = icalendar::Event::new();
            ev.uid(&format!("{}-{i}@whatmatters", e.uuid))
                .timestamp(now)
                .summary(&title)
                .description(&format!("{}\n\nBy {}. {page}", e.summary, e.organiser))
                .starts(s.starts_at)
                .ends(s.ends_at)
                .location(&place)
                .url(&page);
            if e.cancelled {
                ev.status(icalendar::EventStatus::Cancelled);
            }
            cal.push(ev.done());
        }
    }
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        cal.done().to_string(),
    )
        .into_response()
}

/// What a form on an event's page came to: on to `next`, or the page again with what was
/// wrong (a conflict, like a full event, named against `conflict_field`) and what was typed.
pub async fn event_form_answer<T>(
    state: &AppState,
    v: &Viewer,
    uuid: &str,
    result: Result<T, ServiceError>,
    f: HashMap<String, String>,
    conflict_field: &str,
    next: impl FnOnce(T) -> String,
) -> Response {
    match result {
        Ok(x) => Redirect::to(&next(x)).into_response(),
        Err(ServiceError::Invalid(list)) => {
            event_page(
                state,
                v,
                uuid,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                f,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            let errors = Errors::one(conflict_field, m);
            event_page(state, v, uuid, StatusCode::CONFLICT, errors, f).await
        }
        Err(e) => PageError::new(e, v).into_response(),
    }
}

/// Reads the kind of place chosen; an event with one kind needs no choice.
pub fn mode_of(f: &HashMap<String, String>) -> Result<Mode, ServiceError> {
    match f.get("mode").map(String::as_str) {
        Some(m) => Mode::parse(m).ok_or_else(|| {
            ServiceError::invalid("mode", "Choose whether you will come in person or online")
        }),
        None => Err(ServiceError::invalid(
            "mode",
            "Choose whether you will come in person or online",
        )),
    }
}

/// A guest books a free place with their name and e-mail address.
pub async fn book(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let Ok(uuid) = uuid::Uuid::parse_str(&id) else {
        return PageError::new(ServiceError::NotFound("event"), &v).into_response();
    };
    let uuid = uuid.to_string();
    let result = async {
        let mode = mode_of(&f)?;
        booking::book_as_guest(
            &state.svc,
            &v.meta,
            &uuid,
            mode,
            f.get("name").map(String::as_str).unwrap_or(""),
            f.get("email").map(String::as_str).unwrap_or(""),
        )
        .await
    }
    .await;
    event_form_answer(&state, &v, &uuid, result, f, "mode", |(code, token)| {
        format!("/learning/bookings/{code}?token={token}&saved=booked")
    })
    .await
}
