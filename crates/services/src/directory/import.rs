//! Importing Open Referral UK 3.0 data: a whole service, a page or array of services, ndjson
//! (one record a line), a service at a location, an organisation with its services, a taxonomy
//! with its terms, or a term. Records are upserted by their UUIDs. Each record is written whole
//! or not at all (a savepoint each), inside one transaction for the file; a refused record is
//! reported with every reason, and what could be kept only in part is said as a warning (a
//! place whose coordinates are off the globe is kept without them).

use chrono::{NaiveDate, NaiveTime};
use domain::Postcode;
use domain::directory::geo::Point;
use domain::directory::listing::{CostOption, Freq, Listing, Opening, Place, ServiceStatus};
use domain::directory::taxonomy::uuid_of;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde_json::Value;
use std::collections::HashSet;
use store::entities::{
    directory_organization as organization, directory_service as service, taxonomy, taxonomy_term,
};

use crate::audit::{self, Event, Outcome};
use crate::directory::read;
use crate::directory::write::{OrgListing, save_listing, upsert_organization, uuid_from};
use crate::{RequestMeta, ServiceError, Services};

/// A record refused, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reject {
    /// Where it is: its id, or its place in the file.
    pub record: String,
    pub reasons: Vec<String>,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Report {
    pub services: usize,
    pub organizations: usize,
    pub terms: usize,
    pub rejected: Vec<Reject>,
    pub warnings: Vec<String>,
}

/// The records of a file: one JSON document (an object, an array, or a page with `contents`),
/// or ndjson. A line of ndjson that is not JSON is refused by its line number.
fn records(text: &str) -> (Vec<(String, Value)>, Vec<Reject>) {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    let push = |at: String, v: Value, out: &mut Vec<(String, Value)>| match v {
        Value::Array(items) => {
            for (i, x) in items.into_iter().enumerate() {
                out.push((format!("{at}item {}", i + 1), x));
            }
        }
        Value::Object(ref o) if o.get("contents").is_some_and(Value::is_array) => {
            if let Some(Value::Array(items)) = o.get("contents").cloned() {
                for (i, x) in items.into_iter().enumerate() {
                    out.push((format!("{at}item {}", i + 1), x));
                }
            }
        }
        other => out.push((at.trim_end_matches(", ").to_owned(), other)),
    };
    match serde_json::from_str::<Value>(text) {
        Ok(v) => push(String::new(), v, &mut out),
        Err(_) => {
            for (n, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<Value>(line) {
                    Ok(v) => push(format!("line {}, ", n + 1), v, &mut out),
                    Err(e) => bad.push(Reject {
                        record: format!("line {}", n + 1),
                        reasons: vec![format!("not JSON: {e}")],
                    }),
                }
            }
        }
    }
    for (at, _) in out.iter_mut() {
        if at.is_empty() {
            *at = "the file".into();
        }
        if at.ends_with(", ") {
            at.truncate(at.len() - 2);
        }
    }
    (out, bad)
}

fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn items<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

enum Kind {
    Service,
    ServiceAtLocation,
    Organization,
    Taxonomy,
    Term,
}

fn kind(v: &Value) -> Option<Kind> {
    let has = |k: &str| v.get(k).is_some();
    if !v.is_object() {
        return None;
    }
    Some(if has("service") && has("location") {
        Kind::ServiceAtLocation
    } else if has("status") || has("service_at_locations") || has("schedules") {
        Kind::Service
    } else if has("services") || has("website") || has("organization_identifiers") || has("logo") {
        Kind::Organization
    } else if has("taxonomy_terms") || has("version") {
        Kind::Taxonomy
    } else if has("taxonomy") || has("term") || has("taxonomy_id") || has("term_uri") {
        Kind::Term
    } else {
        Kind::Organization
    })
}

/// Imports an Open Referral UK file's records.
pub async fn oruk(svc: &Services, meta: &RequestMeta, input: &str) -> Result<Report, ServiceError> {
    let (recs, bad) = records(input);
    let mut report = Report {
        rejected: bad,
        ..Report::default()
    };
    let mut seen = HashSet::new();
    let txn = store::begin_write(&svc.db).await?;
    for (at, v) in recs {
        let id = text(&v, "id").trim().to_ascii_lowercase();
        let label = if id.is_empty() {
            at.clone()
        } else {
            format!("{at} ({id})")
        };
        if !id.is_empty() && !seen.insert(id.clone()) {
            report.rejected.push(Reject {
                record: label,
                reasons: vec!["the same id is earlier in this file".into()],
            });
            continue;
        }
        let Some(k) = kind(&v) else {
            report.rejected.push(Reject {
                record: label,
                reasons: vec!["not an Open Referral record (an object was expected)".into()],
            });
            continue;
        };
        let sp = txn.begin().await?;
        let mut warnings = Vec::new();
        let done = match k {
            Kind::Service => service(svc, &sp, &v, None, &mut warnings)
                .await
                .map(|_| (1, 0, 0)),
            Kind::ServiceAtLocation => {
                let loc = v.get("location").cloned().unwrap_or(Value::Null);
                match v.get("service") {
                    Some(s) => service(svc, &sp, s, Some(&loc), &mut warnings)
                        .await
                        .map(|_| (1, 0, 0)),
                    None => Err(vec!["a service at a location needs its service".into()]),
                }
            }
            Kind::Organization => organization_with_services(svc, &sp, &v, &mut warnings)
                .await
                .map(|n| (n, 1, 0)),
            Kind::Taxonomy => taxonomy_with_terms(&sp, &v).await.map(|n| (0, 0, n)),
            Kind::Term => term(&sp, &v, None).await.map(|_| (0, 0, 1)),
        };
        match done {
            Ok((s, o, t)) => {
                sp.commit().await?;
                report.services += s;
                report.organizations += o;
                report.terms += t;
                report
                    .warnings
                    .extend(warnings.into_iter().map(|w| format!("{label}: {w}")));
            }
            Err(reasons) => {
                sp.rollback().await?;
                report.rejected.push(Reject {
                    record: label,
                    reasons,
                });
            }
        }
    }
    audit::record(
        &txn,
        svc.now(),
        meta,
        Event::new(
            "oruk_import",
            if report.rejected.is_empty() {
                Outcome::Success
            } else {
                Outcome::Failure
            },
        )
        .by_label(None, "command line")
        .detail(format!(
            "{} services, {} organisations, {} terms; {} rejected",
            report.services,
            report.organizations,
            report.terms,
            report.rejected.len()
        )),
    )
    .await?;
    txn.commit().await?;
    Ok(report)
}

type Reasons = Vec<String>;

fn reasons(e: ServiceError) -> Reasons {
    match e {
        ServiceError::Invalid(list) => list
            .into_iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect(),
        ServiceError::Db(e) => vec![format!("could not be saved: {e}")],
        other => vec![other.to_string()],
    }
}

async fn organization_with_services(
    svc: &Services,
    txn: &DatabaseTransaction,
    v: &Value,
    warnings: &mut Vec<String>,
) -> Result<usize, Reasons> {
    let org = org_of(svc, txn, v).await?;
    let mut n = 0;
    for (i, s) in items(v, "services").iter().enumerate() {
        let mut with_org = s.clone();
        if let Some(o) = with_org.as_object_mut() {
            o.insert("organization_id".into(), Value::String(org.uuid.clone()));
            o.remove("organization");
        }
        service(svc, txn, &with_org, None, warnings)
            .await
            .map_err(|r| {
                r.into_iter()
                    .map(|x| format!("services[{i}]: {x}"))
                    .collect::<Vec<_>>()
            })?;
        n += 1;
    }
    Ok(n)
}

async fn org_of(
    svc: &Services,
    txn: &DatabaseTransaction,
    v: &Value,
) -> Result<organization::Model, Reasons> {
    let id = text(v, "id");
    if uuid_from(&id).is_none() {
        return Err(vec![
            "organization.id: an organisation needs a UUID id".into(),
        ]);
    }
    let opt = |k: &str| Some(text(v, k)).filter(|s| !s.trim().is_empty());
    upsert_organization(
        txn,
        &OrgListing {
            uuid: Some(id),
            name: text(v, "name"),
            description: text(v, "description"),
            email: opt("email"),
            website: opt("website"),
            phone: items(v, "phones").first().map(|p| text(p, "number")),
            owner_id: None,
        },
        svc.now(),
    )
    .await
    .map_err(reasons)
}

/// The term an attribute names: known already, or described in full beside it.
async fn term_of_attribute(txn: &DatabaseTransaction, a: &Value) -> Result<String, String> {
    let embedded = a.get("taxonomy_term");
    let id = Some(text(a, "taxonomy_term_id"))
        .filter(|s| !s.is_empty())
        .or_else(|| embedded.map(|t| text(t, "id")))
        .unwrap_or_default();
    let Some(id) = uuid_from(&id) else {
        return Err(format!("attributes: {id:?} is not a taxonomy term's UUID"));
    };
    let known = taxonomy_term::Entity::find_by_id(id.clone())
        .one(txn)
        .await
        .map_err(|e| e.to_string())?;
    if known.is_some() {
        return Ok(id);
    }
    match embedded.filter(|t| !text(t, "name").is_empty()) {
        Some(t) => term(txn, t, None).await.map_err(|r| r.join("; ")),
        None => Err(format!("attributes: there is no taxonomy term {id}")),
    }
}

/// Upserts a term, under the taxonomy it names (made if need be). Returns its id.
async fn term(
    txn: &DatabaseTransaction,
    v: &Value,
    taxonomy_id: Option<&str>,
) -> Result<String, Reasons> {
    let Some(id) = uuid_from(&text(v, "id")) else {
        return Err(vec!["id: a taxonomy term needs a UUID id".into()]);
    };
    let name = text(v, "name").trim().chars().take(200).collect::<String>();
    if name.is_empty() {
        return Err(vec!["name: a taxonomy term needs a name".into()]);
    }
    let tax = match taxonomy_id
        .map(str::to_owned)
        .or_else(|| uuid_from(&text(v, "taxonomy_id")))
    {
        Some(t) => t,
        None => {
            let tname = match text(v, "taxonomy").trim() {
                "" => "Imported terms".to_owned(),
                t => t.chars().take(200).collect(),
            };
            let found = taxonomy::Entity::find()
                .filter(taxonomy::Column::Name.eq(&tname))
                .one(txn)
                .await
                .map_err(|e| vec![e.to_string()])?;
            match found {
                Some(t) => t.id,
                None => {
                    let t = uuid_of(&format!("imported-taxonomy/{tname}")).to_string();
                    upsert_taxonomy(txn, &t, &tname, "", None).await?;
                    t
                }
            }
        }
    };
    if taxonomy::Entity::find_by_id(tax.clone())
        .one(txn)
        .await
        .map_err(|e| vec![e.to_string()])?
        .is_none()
    {
        return Err(vec![format!("taxonomy_id: there is no taxonomy {tax}")]);
    }
    let description = text(v, "description")
        .chars()
        .take(4000)
        .collect::<String>();
    taxonomy_term::Entity::insert(taxonomy_term::ActiveModel {
        id: Set(id.clone()),
        taxonomy_id: Set(tax),
        parent_id: Set(uuid_from(&text(v, "parent_id"))),
        code: Set(id.clone()),
        name: Set(name),
        description: Set(description),
        term_uri: Set(
            Some(text(v, "term_uri")).filter(|u| domain::directory::listing::is_web_address(u))
        ),
    })
    .on_conflict(
        OnConflict::column(taxonomy_term::Column::Id)
            .update_columns([
                taxonomy_term::Column::Name,
                taxonomy_term::Column::Description,
            ])
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await
    .map_err(|e| vec![e.to_string()])?;
    Ok(id)
}

async fn upsert_taxonomy(
    txn: &DatabaseTransaction,
    id: &str,
    name: &str,
    description: &str,
    version: Option<String>,
) -> Result<(), Reasons> {
    taxonomy::Entity::insert(taxonomy::ActiveModel {
        id: Set(id.to_owned()),
        code: Set(id.to_owned()),
        name: Set(name.chars().take(200).collect()),
        description: Set(description.chars().take(4000).collect()),
        uri: Set(None),
        version: Set(version.map(|v| v.chars().take(50).collect())),
    })
    .on_conflict(
        OnConflict::column(taxonomy::Column::Id)
            .update_columns([taxonomy::Column::Name, taxonomy::Column::Description])
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await
    .map_err(|e| vec![e.to_string()])?;
    Ok(())
}

async fn taxonomy_with_terms(txn: &DatabaseTransaction, v: &Value) -> Result<usize, Reasons> {
    let Some(id) = uuid_from(&text(v, "id")) else {
        return Err(vec!["id: a taxonomy needs a UUID id".into()]);
    };
    let name = text(v, "name");
    if name.trim().is_empty() {
        return Err(vec!["name: a taxonomy needs a name".into()]);
    }
    upsert_taxonomy(
        txn,
        &id,
        name.trim(),
        &text(v, "description"),
        Some(text(v, "version")).filter(|s| !s.is_empty()),
    )
    .await?;
    let mut n = 0;
    for (i, t) in items(v, "taxonomy_terms").iter().enumerate() {
        term(txn, t, Some(&id)).await.map_err(|r| {
            r.into_iter()
                .map(|x| format!("taxonomy_terms[{i}].{x}"))
                .collect::<Vec<_>>()
        })?;
        n += 1;
    }
    Ok(n)
}

fn time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(s.trim(), "%H:%M"))
        .ok()
}

fn age(v: &Value, key: &str) -> Result<Option<i64>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(x) => x
            .as_f64()
            .filter(|a| a.is_finite() && (0.0..=120.0).contains(a))
            .map(|a| Some(a.floor() as i64))
            .ok_or_else(|| format!("{key}: an age is a number of years from 0 to 120")),
    }
}

/// A place from a location, with what could not be kept said.
fn place_of(loc: &Value, warnings: &mut Vec<String>) -> Option<Place> {
    let lid = text(loc, "id");
    let kind = text(loc, "location_type");
    if kind == "virtual" {
        return None;
    }
    let address = items(loc, "addresses")
        .first()
        .cloned()
        .unwrap_or(Value::Null);
    let point = match (
        loc.get("latitude").and_then(Value::as_f64),
        loc.get("longitude").and_then(Value::as_f64),
    ) {
        (Some(a), Some(b)) => match Point::new(a, b) {
            Ok(p) => Some(p),
            Err(e) => {
                warnings.push(format!(
                    "location {lid}: {e} (it was {a}, {b}), so it is kept without coordinates"
                ));
                None
            }
        },
        _ => None,
    };
    let raw_pc = text(&address, "postal_code");
    let postcode = match Postcode::parse(&raw_pc) {
        Ok(p) => p.to_string(),
        Err(_) if raw_pc.trim().is_empty() => String::new(),
        Err(_) => {
            warnings.push(format!(
                "location {lid}: {raw_pc:?} is not a UK postcode, so it is left out"
            ));
            String::new()
        }
    };
    let name = text(loc, "name");
    let city = text(&address, "city");
    Some(Place {
        id: Some(lid),
        name: name.clone(),
        address_1: Some(text(&address, "address_1"))
            .filter(|s| !s.trim().is_empty())
            .unwrap_or(name),
        city,
        postcode,
        point,
    })
}

/// Upserts a service (with its organisation, if given in full). `extra` is a location to add
/// (a service at a location).
async fn service(
    svc: &Services,
    txn: &DatabaseTransaction,
    v: &Value,
    extra: Option<&Value>,
    warnings: &mut Vec<String>,
) -> Result<(), Reasons> {
    let mut why = Vec::new();
    let id = text(v, "id");
    if uuid_from(&id).is_none() {
        why.push("id: a service needs a UUID id".to_owned());
    }
    // What a record leaves out (a list's one-to-one fields, say) is kept as it was.
    let existing = match uuid_from(&id) {
        Some(u) => match service::Entity::find()
            .filter(service::Column::Uuid.eq(&u))
            .one(txn)
            .await
            .map_err(|e| vec![e.to_string()])?
        {
            Some(s) => read::full(txn, &[s.id])
                .await
                .map_err(reasons)?
                .pop()
                .map(|f| f.listing()),
            None => None,
        },
        None => None,
    };
    let base = existing.unwrap_or_default();
    let has = |k: &str| v.get(k).is_some();
    let status = match text(v, "status").as_str() {
        "" => {
            why.push("status: a service needs its status (active, inactive, defunct or temporarily closed)".into());
            ServiceStatus::Active
        }
        s => ServiceStatus::parse(s).unwrap_or_else(|| {
            why.push(format!(
                "status: {s:?} is not active, inactive, defunct or temporarily closed"
            ));
            ServiceStatus::Active
        }),
    };
    let (minimum_age, maximum_age) = match (age(v, "minimum_age"), age(v, "maximum_age")) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            why.extend(a.err());
            why.extend(b.err());
            (None, None)
        }
    };
    // Needs.
    let mut terms = if has("attributes") {
        Vec::new()
    } else {
        base.terms.clone()
    };
    for a in items(v, "attributes") {
        match term_of_attribute(txn, a).await {
            Ok(t) => terms.push(t),
            Err(e) => why.push(e),
        }
    }
    // Places, and whether it runs online.
    let keep_places = !has("service_at_locations") && extra.is_none();
    let mut places = if keep_places {
        base.places.clone()
    } else {
        Vec::new()
    };
    let mut online = keep_places && base.online;
    let locations: Vec<Value> = items(v, "service_at_locations")
        .iter()
        .filter_map(|s| s.get("location").cloned())
        .chain(extra.cloned())
        .collect();
    for loc in &locations {
        match place_of(loc, warnings) {
            Some(p) => places.push(p),
            None => online = true,
        }
    }
    // Times.
    let mut openings = if has("schedules") {
        Vec::new()
    } else {
        base.openings.clone()
    };
    for (i, s) in items(v, "schedules").iter().enumerate() {
        let (opens, closes) = (time(&text(s, "opens_at")), time(&text(s, "closes_at")));
        let days = Opening::parse_byday(&text(s, "byday"));
        match (opens, closes, days) {
            (Some(o), Some(c), Ok(days)) => openings.push(Opening {
                id: Some(text(s, "id")),
                freq: Freq::parse(&text(s, "freq").to_ascii_uppercase()).unwrap_or(Freq::Weekly),
                days: days
                    .into_iter()
                    .filter(|(n, _)| n.is_none() || text(s, "freq").eq_ignore_ascii_case("monthly"))
                    .collect(),
                opens_at: o,
                closes_at: c,
                description: text(s, "description").chars().take(200).collect(),
            }),
            _ => warnings.push(format!(
                "schedules[{i}] has no day and opening and closing times we can read, so it is left out"
            )),
        }
    }
    // Contact.
    let contact = items(v, "contacts").first().cloned().unwrap_or(Value::Null);
    let phone = items(&contact, "phones")
        .first()
        .or_else(|| items(v, "phones").first())
        .map(|p| text(p, "number"))
        .unwrap_or_else(|| {
            if has("contacts") || has("phones") {
                String::new()
            } else {
                base.phone.clone()
            }
        });
    let costs = if !has("cost_options") {
        base.costs.clone()
    } else {
        items(v, "cost_options")
            .iter()
            .map(|c| CostOption {
                id: Some(text(c, "id")),
                option: text(c, "option"),
                amount: c.get("amount").and_then(Value::as_f64),
                amount_description: text(c, "amount_description"),
            })
            .collect()
    };
    let listing = Listing {
        name: text(v, "name"),
        description: text(v, "description"),
        url: text(v, "url"),
        email: Some(text(v, "email"))
            .filter(|e| !e.is_empty())
            .unwrap_or_else(|| text(&contact, "email")),
        phone,
        contact_name: if has("contacts") {
            text(&contact, "name")
        } else {
            base.contact_name.clone()
        },
        status,
        eligibility: text(v, "eligibility_description"),
        minimum_age,
        maximum_age,
        fees: Some(text(v, "fees_description"))
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| text(v, "fees")),
        application_process: text(v, "application_process"),
        wait_time: text(v, "wait_time"),
        terms,
        places,
        online,
        openings,
        costs,
        capacity: base.capacity,
    };
    if listing.places.is_empty() && !listing.online {
        warnings.push(
            "it lists no place and does not run online, so it cannot be found by distance".into(),
        );
    }
    if let Err(problems) = listing.clean() {
        why.extend(
            problems
                .into_iter()
                .map(|p| format!("{}: {}", p.field, p.message)),
        );
    }
    let assured = match text(v, "assured_date").as_str() {
        "" => None,
        d => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(day) => Some((
                day,
                Some(text(v, "assurer_email")).filter(|e| domain::Email::parse(e).is_ok()),
            )),
            Err(_) => {
                why.push(format!("assured_date: {d:?} is not a date like 2026-01-31"));
                None
            }
        },
    };
    // Its organisation: in full, or one already known.
    let org = match v.get("organization").filter(|o| o.is_object()) {
        Some(o) => org_of(svc, txn, o).await.map(Some),
        None => {
            let oid = uuid_from(&text(v, "organization_id"));
            match oid {
                Some(oid) => organization::Entity::find()
                    .filter(organization::Column::Uuid.eq(&oid))
                    .one(txn)
                    .await
                    .map_err(|e| vec![e.to_string()])
                    .and_then(|o| o.map(Some).ok_or_else(|| vec![format!("organization_id: there is no organisation {oid}")])),
                None => Err(vec!["organization: a service needs its organisation (organization, or the organization_id of one already imported)".into()]),
            }
        }
    };
    let org = match org {
        Ok(Some(o)) => Some(o),
        Ok(None) => None,
        Err(r) => {
            why.extend(r);
            None
        }
    };
    if !why.is_empty() {
        return Err(why);
    }
    let Some(org) = org else {
        return Err(vec!["organization: missing".into()]);
    };
    save_listing(txn, &org, Some(&id), &listing, svc.now(), assured, false)
        .await
        .map(|_| ())
        .map_err(reasons)
}
