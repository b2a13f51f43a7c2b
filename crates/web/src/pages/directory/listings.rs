//! Keeping listings right: a community organisation's own listings (change them, say whether
//! a service has places), and the curators' queue of changes to publish or return.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::directory::listing::{Capacity, Day, Freq, Listing, Opening, Place, ServiceStatus};
use services::directory::curation::{self, Rights};
use services::directory::taxonomy;
use services::paging::Paging;
use services::{FieldError, ServiceError};
use std::collections::HashMap;

use crate::AppState;
use crate::error::PageError;
use crate::forms::Form;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, render};
use crate::viewer::CurrentActor;

type Fields = HashMap<String, String>;

/// Opening times a form shows: those listed, and one more to add.
const OPENING_ROWS: usize = 3;

#[derive(Template)]
#[template(path = "directory/listings.html")]
struct ListPage {
    l: Layout,
    rows: Vec<curation::Row>,
    curator: bool,
}

pub async fn list(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Response {
    match curation::listings(&state.svc, a).await {
        Ok(rows) => render(
            StatusCode::OK,
            &ListPage {
                l: Layout::for_viewer("Directory listings", &v, "/directory"),
                rows,
                curator: a.can(domain::Permission::CurateDirectory),
            },
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

/// A form's values: as stored, or as typed.
fn values_of(l: &Listing) -> Fields {
    let mut f = Fields::new();
    let mut put = |k: &str, v: String| {
        f.insert(k.to_owned(), v);
    };
    put("name", l.name.clone());
    put("description", l.description.clone());
    put("url", l.url.clone());
    put("email", l.email.clone());
    put("phone", l.phone.clone());
    put("contact_name", l.contact_name.clone());
    put("status", l.status.as_str().into());
    put("eligibility", l.eligibility.clone());
    put(
        "minimum_age",
        l.minimum_age.map(|a| a.to_string()).unwrap_or_default(),
    );
    put(
        "maximum_age",
        l.maximum_age.map(|a| a.to_string()).unwrap_or_default(),
    );
    put("fees", l.fees.clone());
    put("application_process", l.application_process.clone());
    put("wait_time", l.wait_time.clone());
    put(
        "capacity",
        l.capacity
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
    );
    if l.online {
        put("online", "yes".into());
    }
    for t in &l.terms {
        put(&format!("need_{t}"), "yes".into());
    }
    if let Some(p) = l.places.first() {
        put("place_name", p.name.clone());
        put("address_1", p.address_1.clone());
        put("city", p.city.clone());
        put("postcode", p.postcode.clone());
    }
    for (i, o) in l.openings.iter().take(OPENING_ROWS).enumerate() {
        for (_, d) in &o.days {
            put(&format!("opening{i}_{}", d.as_str()), "yes".into());
        }
        put(
            &format!("opening{i}_opens"),
            domain::directory::listing::clock(o.opens_at),
        );
        put(
            &format!("opening{i}_closes"),
            domain::directory::listing::clock(o.closes_at),
        );
        if o.freq == Freq::Monthly {
            put(&format!("opening{i}_monthly"), o.byday());
        }
    }
    f
}

/// The listing a form describes, on top of the one it changes (its other places and its
/// monthly times are kept); or the problems, each named by its input.
fn listing_of(f: &Fields, base: &Listing) -> Result<Listing, Vec<FieldError>> {
    let mut errors = Vec::new();
    let get = |k: &str| f.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let age = |k: &str, errors: &mut Vec<FieldError>| match get(k).as_str() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(a) => Some(a),
            Err(_) => {
                errors.push(FieldError::new(k, "Enter an age in whole years, like 18"));
                None
            }
        },
    };
    let minimum_age = age("minimum_age", &mut errors);
    let maximum_age = age("maximum_age", &mut errors);
    let mut places: Vec<Place> = base.places.iter().skip(1).cloned().collect();
    let (address_1, city, postcode) = (get("address_1"), get("city"), get("postcode"));
    let online = f.contains_key("online");
    if !(address_1.is_empty() && city.is_empty() && postcode.is_empty() && online) {
        for (k, v, msg) in [
            (
                "address_1",
                &address_1,
                "Enter the first line of the address",
            ),
            ("city", &city, "Enter the town or city"),
            ("postcode", &postcode, "Enter the postcode"),
        ] {
            if v.is_empty() {
                errors.push(FieldError::new(
                    k,
                    if online {
                        msg.to_owned()
                    } else {
                        format!("{msg}, or say the service runs online or by phone")
                    },
                ));
            }
        }
        let first = base.places.first();
        places.insert(
            0,
            Place {
                id: first.map(|p| p.id.clone()).unwrap_or_default(),
                name: get("place_name"),
                address_1,
                city,
                postcode: postcode.clone(),
                // A changed postcode is found again.
                point: first
                    .filter(|p| {
                        p.postcode
                            .replace(' ', "")
                            .eq_ignore_ascii_case(&postcode.replace(' ', ""))
                    })
                    .and_then(|p| p.point),
            },
        );
    }
    let mut openings = Vec::new();
    for i in 0..OPENING_ROWS {
        let days: Vec<(Option<i8>, Day)> = Day::ALL
            .iter()
            .filter(|d| f.contains_key(&format!("opening{i}_{}", d.as_str())))
            .map(|d| (None, *d))
            .collect();
        let (opens, closes) = (
            get(&format!("opening{i}_opens")),
            get(&format!("opening{i}_closes")),
        );
        let monthly = get(&format!("opening{i}_monthly"));
        if days.is_empty() && opens.is_empty() && closes.is_empty() && monthly.is_empty() {
            continue;
        }
        let parse =
            |s: &str, k: String, errors: &mut Vec<FieldError>| match domain::dates::parse_time(s) {
                Some(t) => Some(t),
                None => {
                    errors.push(FieldError::new(k, "Enter a time like 10am or 14:30"));
                    None
                }
            };
        let o = parse(&opens, format!("opening{i}_opens"), &mut errors);
        let c = parse(&closes, format!("opening{i}_closes"), &mut errors);
        let (freq, days) = if !monthly.is_empty() && days.is_empty() {
            match Opening::parse_byday(&monthly) {
                Ok(d) => (Freq::Monthly, d),
                Err(_) => (Freq::Monthly, Vec::new()),
            }
        } else {
            (Freq::Weekly, days)
        };
        if days.is_empty() {
            errors.push(FieldError::new(
                format!("opening{i}_MO"),
                "Choose the days it runs",
            ));
        }
        if let (Some(o), Some(c)) = (o, c) {
            openings.push(Opening {
                id: base.openings.get(i).and_then(|x| x.id.clone()),
                freq,
                days,
                opens_at: o,
                closes_at: c,
                description: String::new(),
            });
        }
    }
    let l = Listing {
        name: get("name"),
        description: f.get("description").cloned().unwrap_or_default(),
        url: get("url"),
        email: get("email"),
        phone: get("phone"),
        contact_name: get("contact_name"),
        status: ServiceStatus::parse(&get("status")).unwrap_or(ServiceStatus::Active),
        eligibility: f.get("eligibility").cloned().unwrap_or_default(),
        minimum_age,
        maximum_age,
        fees: f.get("fees").cloned().unwrap_or_default(),
        application_process: f.get("application_process").cloned().unwrap_or_default(),
        wait_time: get("wait_time"),
        terms: f
            .keys()
            .filter_map(|k| k.strip_prefix("need_").map(str::to_owned))
            .collect(),
        places,
        online,
        openings,
        costs: base.costs.clone(),
        capacity: Capacity::parse(&get("capacity")),
    };
    if let Err(problems) = l.clean() {
        errors.extend(
            problems
                .into_iter()
                .map(|p| FieldError::new(input_of(&p.field), p.message)),
        );
    }
    if errors.is_empty() {
        Ok(l)
    } else {
        Err(errors)
    }
}

/// The form input a listing's problem belongs to.
fn input_of(field: &str) -> String {
    if let Some(rest) = field.strip_prefix("places[0].") {
        return match rest {
            "name" => "place_name".into(),
            other => other.into(),
        };
    }
    if let Some(rest) = field.strip_prefix("openings[") {
        let (i, k) = rest.split_once("].").unwrap_or(("0", "opens_at"));
        return match k {
            "closes_at" => format!("opening{i}_closes"),
            "days" => format!("opening{i}_MO"),
            _ => format!("opening{i}_opens"),
        };
    }
    match field {
        "terms" => "needs".into(),
        f if f.starts_with("places") => "address_1".into(),
        f => f.into(),
    }
}

#[derive(Template)]
#[template(path = "directory/listing_form.html")]
struct FormPage {
    l: Layout,
    errors: Errors,
    id: String,
    name: String,
    organization: String,
    values: Fields,
    needs: Vec<(String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    capacities: Vec<(&'static str, &'static str)>,
    days: Vec<(&'static str, &'static str)>,
    rows: Vec<usize>,
    rights: Rights,
}

impl FormPage {
    fn val(&self, k: &str) -> &str {
        self.values.get(k).map(String::as_str).unwrap_or("")
    }
    fn err(&self, k: &str) -> &str {
        self.errors.get(k).unwrap_or("")
    }
    fn on(&self, k: &str) -> bool {
        self.values.contains_key(k)
    }
    fn day_key(&self, i: &usize, d: &str) -> String {
        format!("opening{i}_{d}")
    }
}

async fn form_page(
    state: &AppState,
    v: &Viewer,
    a: &services::Actor,
    id: &str,
    status: StatusCode,
    errors: Errors,
    typed: Option<Fields>,
) -> Response {
    let result = async {
        let (f, rights) = curation::listing(&state.svc, a, id).await?;
        let needs = taxonomy::terms(
            &state.svc,
            None,
            Paging {
                page: 1,
                per_page: 200,
            },
        )
        .await?;
        Ok::<_, ServiceError>((f, rights, needs))
    }
    .await;
    let (f, rights, needs) = match result {
        Ok(x) => x,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    let mut l = Layout::for_viewer(
        format!("Change the listing for {}", f.service.name),
        v,
        "/directory",
    );
    l = l.with_errors(&errors);
    render(
        status,
        &FormPage {
            l,
            errors,
            id: f.service.uuid.clone(),
            name: f.service.name.clone(),
            organization: f.organization.name.clone(),
            values: typed.unwrap_or_else(|| values_of(&f.listing())),
            needs: needs.items.into_iter().map(|t| (t.id, t.name)).collect(),
            statuses: ServiceStatus::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            capacities: Capacity::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            days: Day::ALL
                .iter()
                .map(|d| (d.as_str(), &d.label()[..3]))
                .collect(),
            rows: (0..OPENING_ROWS).collect(),
            rights,
        },
    )
}

pub async fn edit(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<String>,
) -> Response {
    form_page(&state, &v, a, &id, StatusCode::OK, Errors(Vec::new()), None).await
}

pub async fn save(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    let base = match curation::listing(&state.svc, a, &id).await {
        Ok((full, _)) => full.listing(),
        Err(e) => return PageError::new(e, &v).into_response(),
    };
    let result = match listing_of(&f, &base) {
        Ok(l) => curation::propose(&state.svc, a, &v.meta, &id, &l).await,
        Err(errors) => Err(ServiceError::Invalid(errors)),
    };
    match result {
        Ok(true) => Redirect::to("/directory/listings?saved=listing-published").into_response(),
        Ok(false) => Redirect::to("/directory/listings?saved=listing-proposed").into_response(),
        Err(ServiceError::Invalid(list)) => {
            let list = list
                .into_iter()
                .map(|e| FieldError::new(input_of(&e.field), e.message))
                .collect();
            form_page(
                &state,
                &v,
                a,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                Some(f),
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn capacity(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    let Some(c) = f.get("capacity").and_then(|c| Capacity::parse(c)) else {
        return form_page(
            &state,
            &v,
            a,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Errors::one("capacity", "Choose whether the service has places"),
            None,
        )
        .await;
    };
    match curation::set_capacity(&state.svc, a, &v.meta, &id, c).await {
        Ok(()) => Redirect::to("/directory/listings?saved=capacity").into_response(),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn assure(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<String>,
) -> Response {
    match curation::assure(&state.svc, a, &v.meta, &id).await {
        Ok(()) => Redirect::to("/directory/listings?saved=assured").into_response(),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Template)]
#[template(path = "directory/changes.html")]
struct ChangesPage {
    l: Layout,
    rows: Vec<(i32, String, String, String, String)>,
}

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&domain::dates::UK)
        .format("%-d %B %Y")
        .to_string()
}

pub async fn changes(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Response {
    match curation::pending(&state.svc, a).await {
        Ok(rows) => render(
            StatusCode::OK,
            &ChangesPage {
                l: Layout::for_viewer("Changes to publish", &v, "/directory"),
                rows: rows
                    .into_iter()
                    .map(|p| {
                        (
                            p.id,
                            p.service,
                            p.organization,
                            p.proposed_by,
                            when(p.proposed_at),
                        )
                    })
                    .collect(),
            },
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Template)]
#[template(path = "directory/change.html")]
struct ChangePage {
    l: Layout,
    errors: Errors,
    id: i32,
    service: String,
    organization: String,
    proposed_by: String,
    proposed_at: String,
    decided: bool,
    /// What changes: the field, as it is, and as proposed.
    differences: Vec<(&'static str, String, String)>,
    note: String,
}

/// A listing's fields in words, for comparing.
fn described(l: &Listing, needs: &[(String, String)]) -> Vec<(&'static str, String)> {
    let opt = |v: &Option<i64>| v.map(|a| a.to_string()).unwrap_or_default();
    vec![
        ("Name", l.name.clone()),
        ("Description", l.description.clone()),
        ("Status", l.status.label().into()),
        (
            "Places",
            l.capacity.map(|c| c.label().to_owned()).unwrap_or_default(),
        ),
        ("Phone", l.phone.clone()),
        ("Email", l.email.clone()),
        ("Website", l.url.clone()),
        ("Who it is for", l.eligibility.clone()),
        ("Youngest age", opt(&l.minimum_age)),
        ("Oldest age", opt(&l.maximum_age)),
        ("Fees", l.fees.clone()),
        ("How to join", l.application_process.clone()),
        ("Waiting time", l.wait_time.clone()),
        (
            "Needs",
            l.terms
                .iter()
                .map(|t| {
                    needs
                        .iter()
                        .find(|(id, _)| id == t)
                        .map(|(_, n)| n.clone())
                        .unwrap_or_else(|| t.clone())
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "Where",
            l.places
                .iter()
                .map(|p| {
                    [
                        p.name.as_str(),
                        p.address_1.as_str(),
                        p.city.as_str(),
                        p.postcode.as_str(),
                    ]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
                })
                .chain(l.online.then(|| "Online or by phone".to_owned()))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        (
            "When",
            l.openings
                .iter()
                .map(Opening::words)
                .collect::<Vec<_>>()
                .join("; "),
        ),
    ]
}

async fn change_page(
    state: &AppState,
    v: &Viewer,
    a: &services::Actor,
    id: i32,
    status: StatusCode,
    errors: Errors,
    note: String,
) -> Response {
    let result = async {
        let r = curation::review(&state.svc, a, id).await?;
        let needs: Vec<(String, String)> = taxonomy::terms(
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
        Ok::<_, ServiceError>((r, needs))
    }
    .await;
    let (r, needs) = match result {
        Ok(x) => x,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    let now = described(&r.current.listing(), &needs);
    let then = described(&r.proposed, &needs);
    let differences = now
        .into_iter()
        .zip(then)
        .filter(|(a, b)| a.1 != b.1)
        .map(|((k, a), (_, b))| (k, a, b))
        .collect();
    let mut l = Layout::for_viewer(
        format!("Change to {}", r.current.service.name),
        v,
        "/directory",
    );
    l = l.with_errors(&errors);
    render(
        status,
        &ChangePage {
            l,
            errors,
            id,
            service: r.current.service.name.clone(),
            organization: r.current.organization.name.clone(),
            proposed_by: r.proposed_by,
            proposed_at: when(r.proposed_at),
            decided: r.state != "pending",
            differences,
            note,
        },
    )
}

pub async fn change(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    change_page(
        &state,
        &v,
        a,
        id,
        StatusCode::OK,
        Errors(Vec::new()),
        String::new(),
    )
    .await
}

pub async fn publish(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    match curation::publish(&state.svc, a, &v.meta, id).await {
        Ok(()) => Redirect::to("/directory/changes?saved=listing-published").into_response(),
        Err(ServiceError::Conflict(m)) => {
            change_page(
                &state,
                &v,
                a,
                id,
                StatusCode::CONFLICT,
                Errors::one("note", m),
                String::new(),
            )
            .await
        }
        Err(ServiceError::Invalid(list)) => {
            change_page(
                &state,
                &v,
                a,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(
                    list.into_iter()
                        .map(|e| FieldError::new("note", e.message))
                        .collect(),
                ),
                String::new(),
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn return_change(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<Fields>,
) -> Response {
    let note = f.get("note").cloned().unwrap_or_default();
    match curation::return_change(&state.svc, a, &v.meta, id, &note).await {
        Ok(()) => Redirect::to("/directory/changes?saved=listing-returned").into_response(),
        Err(ServiceError::Conflict(m)) => {
            change_page(
                &state,
                &v,
                a,
                id,
                StatusCode::CONFLICT,
                Errors::one("note", m),
                note,
            )
            .await
        }
        Err(ServiceError::Invalid(list)) => {
            change_page(
                &state,
                &v,
                a,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                note,
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
