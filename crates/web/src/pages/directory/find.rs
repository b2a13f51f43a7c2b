//! Finding community support: words, a need, a postcode and how far, age, a day and time, and
//! online only; results with how far away, when they run and whether they have places.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::Postcode;
use domain::directory::listing::{Capacity, Day, ServiceStatus};
use serde::Deserialize;
use services::directory::read::{self, Full};
use services::directory::search::{self, Query as Search, Sort};
use services::directory::{postcodes, taxonomy};
use services::paging::Paging;
use services::{FieldError, ServiceError};

use crate::AppState;
use crate::error::PageError;
use crate::view::{Errors, Layout, Pager, render, thousands};
use crate::viewer::Viewer;

/// Results on a page.
const PER_PAGE: u64 = 20;
/// Distances offered, in miles.
pub const MILES: [u32; 6] = [1, 3, 5, 10, 25, 50];
const METRES_PER_MILE: f64 = 1_609.344;

#[derive(Deserialize, Default, Clone)]
pub struct FindQuery {
    q: Option<String>,
    need: Option<String>,
    postcode: Option<String>,
    miles: Option<String>,
    age: Option<String>,
    day: Option<String>,
    time: Option<String>,
    online: Option<String>,
    sort: Option<String>,
    page: Option<String>,
}

/// A service found, as the results list shows it.
pub struct Card {
    pub service_id: i32,
    pub id: String,
    pub name: String,
    pub organization: String,
    pub summary: String,
    pub distance: String,
    pub place: String,
    pub when: Vec<String>,
    pub capacity: Option<(&'static str, &'static str)>,
    pub stale: bool,
    pub online: bool,
    pub closed: String,
}

#[derive(Template)]
#[template(path = "directory/find.html")]
struct FindPage {
    l: Layout,
    errors: Errors,
    q: FindQuery,
    needs: Vec<(String, String)>,
    miles: Vec<u32>,
    days: Vec<(&'static str, &'static str)>,
    searched: bool,
    cards: Vec<Card>,
    total_text: String,
    corrected: String,
    pager: Pager,
}

impl FindQuery {
    fn get(v: &Option<String>) -> &str {
        v.as_deref().map(str::trim).unwrap_or("")
    }
    pub fn text(&self) -> &str {
        Self::get(&self.q)
    }
    pub fn need(&self) -> &str {
        Self::get(&self.need)
    }
    pub fn postcode(&self) -> &str {
        Self::get(&self.postcode)
    }
    pub fn miles(&self) -> &str {
        match Self::get(&self.miles) {
            "" => "3",
            m => m,
        }
    }
    pub fn age(&self) -> &str {
        Self::get(&self.age)
    }
    pub fn day(&self) -> &str {
        Self::get(&self.day)
    }
    pub fn time(&self) -> &str {
        Self::get(&self.time)
    }
    pub fn online(&self) -> bool {
        !Self::get(&self.online).is_empty()
    }
    pub fn sort(&self) -> &str {
        Self::get(&self.sort)
    }
    /// Whether no postcode was sent at all (as opposed to one cleared).
    pub fn postcode_unset(&self) -> bool {
        self.postcode.is_none()
    }
    pub fn set_postcode(&mut self, pc: String) {
        self.postcode = Some(pc);
    }
    fn is_empty(&self) -> bool {
        [
            &self.q,
            &self.need,
            &self.postcode,
            &self.age,
            &self.day,
            &self.time,
            &self.online,
        ]
        .iter()
        .all(|v| Self::get(v).is_empty())
    }
}

/// The search asked for, or every problem with it.
async fn search_of(state: &AppState, f: &FindQuery) -> Result<Search, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut q = Search::default();
    match domain::text::TextField::line("Words", domain::text::SEARCH_MAX).clean(f.text()) {
        Ok(t) => q.text = t.unwrap_or_default(),
        Err(e) => errors.push(FieldError::new("q", e.to_string())),
    }
    if !f.need().is_empty() {
        q.terms = vec![f.need().to_owned()];
    }
    if !f.postcode().is_empty() {
        match Postcode::parse(f.postcode()) {
            Ok(pc) => match postcodes::locate(&state.svc, &pc).await {
                Ok(Some(pt)) => {
                    let miles: u32 = f
                        .miles()
                        .parse()
                        .ok()
                        .filter(|m| MILES.contains(m))
                        .unwrap_or(3);
                    q.near = Some((pt, (miles as f64 * METRES_PER_MILE).round() as u32));
                }
                Ok(None) => errors.push(FieldError::new(
                    "postcode",
                    format!("We cannot find the postcode {pc}. Check it and try again"),
                )),
                Err(_) => errors.push(FieldError::new(
                    "postcode",
                    "Postcodes cannot be looked up just now. Try again",
                )),
            },
            Err(e) => errors.push(FieldError::new("postcode", e.to_string())),
        }
    }
    if !f.age().is_empty() {
        match f.age().parse::<i64>() {
            Ok(a) if (0..=120).contains(&a) => q.age = Some(a),
            _ => errors.push(FieldError::new(
                "age",
                "Enter an age in whole years, from 0 to 120",
            )),
        }
    }
    if !f.day().is_empty() {
        match Day::parse(f.day()) {
            Some(d) => q.day = Some(d),
            None => errors.push(FieldError::new("day", "Choose a day of the week")),
        }
    }
    if !f.time().is_empty() {
        match domain::dates::parse_time(f.time()) {
            Some(t) => q.open_at = Some(t),
            None => errors.push(FieldError::new("time", "Enter a time like 10am or 14:30")),
        }
    }
    q.online_only = f.online();
    q.sort = match f.sort() {
        "distance" => Sort::Distance,
        "name" => Sort::Name,
        _ => Sort::Best,
    };
    if errors.is_empty() {
        Ok(q)
    } else {
        Err(errors)
    }
}

fn card(f: &Full, distance: Option<f64>, place: Option<i32>, today: chrono::NaiveDate) -> Card {
    let s = &f.service;
    let at = place
        .and_then(|id| f.places.iter().find(|p| p.location.id == id))
        .or_else(|| {
            f.places
                .iter()
                .find(|p| p.location.location_type == "physical")
        });
    let place = at.map(|p| place_text(&p.location)).unwrap_or_default();
    let summary = match s.description.char_indices().nth(180) {
        Some((i, _)) => format!("{}…", s.description[..i].trim_end()),
        None => s.description.clone(),
    };
    Card {
        service_id: s.id,
        id: s.uuid.clone(),
        name: s.name.clone(),
        organization: f.organization.name.clone(),
        summary,
        distance: distance
            .map(|d| {
                let miles = d / METRES_PER_MILE;
                if miles < 0.1 {
                    "Less than 0.1 miles away".into()
                } else {
                    format!("{miles:.1} miles away")
                }
            })
            .unwrap_or_default(),
        place,
        when: f.openings().iter().map(|o| o.words()).collect(),
        capacity: capacity(s.capacity.as_deref()),
        stale: f.possibly_out_of_date(today),
        online: s.online,
        closed: ServiceStatus::parse(&s.status)
            .filter(|x| *x != ServiceStatus::Active)
            .map(|x| x.label().to_owned())
            .unwrap_or_default(),
    }
}

/// A place on one line: its name, address, town and postcode.
fn place_text(l: &read::Location) -> String {
    [&l.name, &l.address_1, &l.city, &l.postal_code]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The tag for a capacity: its words and the NHS.UK tag colour.
fn capacity(c: Option<&str>) -> Option<(&'static str, &'static str)> {
    Capacity::parse(c?).map(|c| {
        (
            c.label(),
            match c {
                Capacity::Places => "nhsuk-tag--green",
                Capacity::WaitingList => "nhsuk-tag--yellow",
                Capacity::Full => "nhsuk-tag--grey",
            },
        )
    })
}

/// What a search shows: its cards, how many in words, the words as searched when corrected,
/// the pages, the problems with the search (when there are, no cards), and the needs to choose
/// from.
pub type Shown = (
    Vec<Card>,
    String,
    String,
    Pager,
    Errors,
    Vec<(String, String)>,
);

/// Runs the search a page asked for (`base` is the page's path, for its pages' links).
pub async fn cards_for(state: &AppState, f: &FindQuery, base: &str) -> Result<Shown, ServiceError> {
    let needs = taxonomy::terms(
        &state.svc,
        None,
        Paging {
            page: 1,
            per_page: 200,
        },
    )
    .await?
    .items
    .into_iter()
    .map(|t| (t.id, t.name))
    .collect();
    let query = match search_of(state, f).await {
        Ok(q) => q,
        Err(errors) => {
            return Ok((
                Vec::new(),
                String::new(),
                String::new(),
                Pager::new(base, &[], 1, 1),
                Errors(errors),
                needs,
            ));
        }
    };
    let number = f
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<u64>().ok())
        .unwrap_or(1);
    let paging = Paging::new(number, PER_PAGE).unwrap_or(Paging {
        page: 1,
        per_page: PER_PAGE,
    });
    let found = search::search(&state.svc, &query, paging).await?;
    let ids: Vec<i32> = found.hits.iter().map(|h| h.id).collect();
    let fulls = read::services(&state.svc, &ids).await?;
    let today = state.svc.today();
    let cards = fulls
        .iter()
        .map(|full| {
            let hit = found.hits.iter().find(|h| h.id == full.service.id);
            card(
                full,
                hit.and_then(|h| h.distance),
                hit.and_then(|h| h.location_id),
                today,
            )
        })
        .collect();
    let total_pages = found.total.div_ceil(PER_PAGE).max(1);
    let total_text = match found.total {
        0 => "No services match your search. Try fewer words, another need or a longer distance."
            .into(),
        1 => "1 service found".into(),
        n if total_pages > 1 => format!(
            "{} services found, page {} of {}",
            thousands(n as i64),
            paging.page,
            total_pages
        ),
        n => format!("{} services found", thousands(n as i64)),
    };
    let pager = Pager::new(
        base,
        &[
            ("q", f.text().to_owned()),
            ("need", f.need().to_owned()),
            ("postcode", f.postcode().to_owned()),
            ("miles", f.miles().to_owned()),
            ("age", f.age().to_owned()),
            ("day", f.day().to_owned()),
            ("time", f.time().to_owned()),
            (
                "online",
                if f.online() {
                    "yes".into()
                } else {
                    String::new()
                },
            ),
            ("sort", f.sort().to_owned()),
        ],
        paging.page,
        total_pages,
    );
    Ok((
        cards,
        total_text,
        found.corrected.unwrap_or_default(),
        pager,
        Errors(Vec::new()),
        needs,
    ))
}

pub async fn find(
    State(state): State<AppState>,
    v: Viewer,
    Query(f): Query<FindQuery>,
) -> Response {
    let mut page = FindPage {
        l: Layout::for_viewer("Find support near you", &v, "/find-support"),
        errors: Errors(Vec::new()),
        needs: Vec::new(),
        miles: MILES.to_vec(),
        days: Day::ALL.iter().map(|d| (d.as_str(), d.label())).collect(),
        searched: false,
        cards: Vec::new(),
        total_text: String::new(),
        corrected: String::new(),
        pager: Pager::new("/find-support", &[], 1, 1),
        q: f.clone(),
    };
    if f.is_empty() {
        match taxonomy::terms(
            &state.svc,
            None,
            Paging {
                page: 1,
                per_page: 200,
            },
        )
        .await
        {
            Ok(p) => page.needs = p.items.into_iter().map(|t| (t.id, t.name)).collect(),
            Err(e) => return PageError::new(e, &v).into_response(),
        }
        return render(StatusCode::OK, &page);
    }
    let (cards, total_text, corrected, pager, errors, needs) =
        match cards_for(&state, &f, "/find-support").await {
            Ok(x) => x,
            Err(e) => return PageError::new(e, &v).into_response(),
        };
    page.needs = needs;
    if !errors.is_empty() {
        page.l.has_errors = true;
        page.errors = errors;
        return render(StatusCode::BAD_REQUEST, &page);
    }
    page.cards = cards;
    page.total_text = total_text;
    page.corrected = corrected;
    page.pager = pager;
    page.searched = true;
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "directory/service.html")]
struct ServicePage {
    l: Layout,
    c: Card,
    description: String,
    eligibility: String,
    ages: String,
    fees: String,
    costs: Vec<String>,
    how: String,
    wait: String,
    phone: String,
    email: String,
    url: String,
    places: Vec<String>,
    needs: Vec<String>,
    assured: String,
    capacity_when: String,
}

pub async fn service(State(state): State<AppState>, v: Viewer, Path(id): Path<String>) -> Response {
    let Ok(uuid) = uuid::Uuid::parse_str(&id) else {
        return PageError::new(ServiceError::NotFound("service"), &v).into_response();
    };
    let f = match read::service(&state.svc, &uuid.to_string()).await {
        Ok(f) => f,
        Err(e) => return PageError::new(e, &v).into_response(),
    };
    let today = state.svc.today();
    let s = &f.service;
    let ages = match (s.minimum_age, s.maximum_age) {
        (Some(a), Some(b)) => format!("Ages {a} to {b}"),
        (Some(a), None) => format!("Ages {a} and over"),
        (None, Some(b)) => format!("Ages up to {b}"),
        (None, None) => String::new(),
    };
    let page = ServicePage {
        l: Layout::for_viewer(s.name.clone(), &v, "/find-support"),
        description: s.description.clone(),
        eligibility: s.eligibility.clone().unwrap_or_default(),
        ages,
        fees: s.fees.clone().unwrap_or_default(),
        costs: f
            .costs
            .iter()
            .map(|c| {
                let amount = c.amount.map(|a| format!("£{a:.2}")).unwrap_or_default();
                [
                    c.option.clone().unwrap_or_default(),
                    amount,
                    c.amount_description.clone().unwrap_or_default(),
                ]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
            })
            .collect(),
        how: s.application_process.clone().unwrap_or_default(),
        wait: s.wait_time.clone().unwrap_or_default(),
        phone: s.phone.clone().unwrap_or_default(),
        email: s.email.clone().unwrap_or_default(),
        url: s.url.clone().unwrap_or_default(),
        places: f
            .places
            .iter()
            .filter(|p| p.location.location_type == "physical")
            .map(|p| place_text(&p.location))
            .collect(),
        needs: f.needs.iter().map(|n| n.term.name.clone()).collect(),
        assured: s
            .assured_date
            .map(|d| d.format("%-d %B %Y").to_string())
            .unwrap_or_default(),
        capacity_when: s
            .capacity_updated_at
            .map(|t| t.format("%-d %B %Y").to_string())
            .unwrap_or_default(),
        c: card(&f, None, None, today),
    };
    render(StatusCode::OK, &page)
}
