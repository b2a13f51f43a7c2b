//! Writing the directory: organisations and their listings. Every listing passes
//! [`Listing::clean`] first; each write replaces a service's places, times, costs and needs in
//! one transaction, keeps the search index in step, and adds new words to the list typed words
//! are corrected against.

use chrono::{DateTime, NaiveDate, Utc};
use domain::directory::geo::Point;
use domain::directory::listing::{Listing, ListingProblem};
use domain::directory::taxonomy::NAMESPACE;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, Set, Statement, TryIntoModel,
};
use store::entities::{
    directory_cost_option as cost, directory_location as location,
    directory_organization as organization, directory_schedule as schedule,
    directory_service as service, directory_service_at_location as sal,
    directory_service_term as service_term, directory_term as term, directory_word as word,
    postcode, taxonomy_term,
};
use uuid::Uuid;

use crate::ServiceError;
use crate::error::FieldError;

/// A UUID derived from another and a name: the same every time (for records Open Referral
/// names that we keep inside another, like a service's contact).
pub fn derived(parent: &str, name: &str) -> String {
    Uuid::new_v5(&NAMESPACE, format!("{parent}/{name}").as_bytes()).to_string()
}

/// A UUID as sent, checked and lower-cased.
pub fn uuid_from(s: &str) -> Option<String> {
    Uuid::parse_str(s.trim()).ok().map(|u| u.to_string())
}

pub(crate) fn problems(p: Vec<ListingProblem>) -> ServiceError {
    ServiceError::Invalid(
        p.into_iter()
            .map(|p| FieldError::new(p.field, p.message))
            .collect(),
    )
}

/// An organisation as listed.
#[derive(Clone, Debug, Default)]
pub struct OrgListing {
    pub uuid: Option<String>,
    pub name: String,
    pub description: String,
    pub email: Option<String>,
    pub website: Option<String>,
    pub phone: Option<String>,
    /// The platform organisation whose VCSE workers edit its listings.
    pub owner_id: Option<i32>,
}

/// Creates an organisation, or updates the one with its UUID. Returns it.
pub(crate) async fn upsert_organization(
    txn: &DatabaseTransaction,
    o: &OrgListing,
    now: DateTime<Utc>,
) -> Result<organization::Model, ServiceError> {
    use domain::directory::listing::ORG_NAME;
    let bad = |f: &str, m: String| ServiceError::invalid(f, m);
    let name = ORG_NAME
        .clean(&o.name)
        .map_err(|e| bad("organization.name", e.to_string()))?
        .ok_or_else(|| bad("organization.name", "Enter the organisation's name".into()))?;
    let description = domain::directory::listing::DESCRIPTION
        .clean(&o.description)
        .map_err(|e| bad("organization.description", e.to_string()))?
        .unwrap_or_else(|| name.clone());
    let uuid = match &o.uuid {
        Some(u) => {
            uuid_from(u).ok_or_else(|| bad("organization.id", format!("{u:?} is not a UUID")))?
        }
        None => Uuid::new_v4().to_string(),
    };
    let clip = |s: &Option<String>, max: usize| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.chars().count() <= max && !s.contains(char::is_control))
            .map(str::to_owned)
    };
    let existing = organization::Entity::find()
        .filter(organization::Column::Uuid.eq(&uuid))
        .one(txn)
        .await?;
    let mut am = match existing {
        Some(e) => organization::ActiveModel::from(e),
        None => organization::ActiveModel {
            uuid: Set(uuid),
            owner_id: Set(o.owner_id),
            ..Default::default()
        },
    };
    am.name = Set(name);
    am.description = Set(description);
    am.email = Set(clip(&o.email, 254));
    am.website =
        Set(clip(&o.website, 300).filter(|w| domain::directory::listing::is_web_address(w)));
    am.phone = Set(clip(&o.phone, 40));
    if o.owner_id.is_some() {
        am.owner_id = Set(o.owner_id);
    }
    am.last_modified = Set(now);
    Ok(am.save(txn).await?.try_into_model()?)
}

/// Where each place is: its own point, or its postcode's. Strictly (a listing from a form),
/// a place that cannot be found on the map is refused, naming it; otherwise (an import) it is
/// kept without a point, and so is not found by distance.
async fn locate(
    txn: &DatabaseTransaction,
    l: &Listing,
    strict: bool,
) -> Result<Vec<Option<Point>>, ServiceError> {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for (i, p) in l.places.iter().enumerate() {
        if p.point.is_some() {
            out.push(p.point);
            continue;
        }
        let found = if p.postcode.is_empty() {
            None
        } else {
            postcode::Entity::find_by_id(p.postcode.clone())
                .one(txn)
                .await?
        };
        let point = found.and_then(|f| Point::new(f.latitude, f.longitude).ok());
        if point.is_none() && strict {
            missing.push(FieldError::new(
                format!("places[{i}].postcode"),
                if p.postcode.is_empty() {
                    "Enter the postcode of the place".to_owned()
                } else {
                    format!(
                        "We cannot find the postcode {}: check it, or give the place's latitude and longitude",
                        p.postcode
                    )
                },
            ));
        }
        out.push(point);
    }
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(ServiceError::Invalid(missing))
    }
}

/// The text a service is found by, besides its name: its organisation, needs, places and
/// description.
fn search_text(org: &str, terms: &[String], l: &Listing) -> String {
    let mut parts = vec![org.to_owned()];
    parts.extend(terms.iter().cloned());
    for p in &l.places {
        parts.push(p.name.clone());
        parts.push(p.city.clone());
    }
    if l.online {
        parts.push("online".into());
    }
    parts.push(l.description.clone());
    parts.retain(|p| !p.is_empty());
    parts.join(" \n")
}

/// The words of a text as search compares them: lower case letters and digits, 3 to 40 long.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| (3..=40).contains(&w.chars().count()))
        .map(str::to_lowercase)
}

/// Saves a listing as organisation `org`'s service `uuid` (a new UUID when none is given):
/// creates it, or replaces what it says. A UUID that is another organisation's service is
/// refused. `strict`: every place must be found on the map (see [`locate`]). Returns the
/// service's id.
pub(crate) async fn save_listing(
    txn: &DatabaseTransaction,
    org: &organization::Model,
    uuid: Option<&str>,
    listing: &Listing,
    now: DateTime<Utc>,
    assured: Option<(NaiveDate, Option<String>)>,
    strict: bool,
) -> Result<i32, ServiceError> {
    let l = listing.clean().map_err(problems)?;
    if strict && l.places.is_empty() && !l.online {
        return Err(ServiceError::invalid(
            "places",
            "Give where the service runs, or say it runs online or by phone",
        ));
    }
    let terms = if l.terms.is_empty() {
        Vec::new()
    } else {
        taxonomy_term::Entity::find()
            .filter(taxonomy_term::Column::Id.is_in(l.terms.clone()))
            .all(txn)
            .await?
    };
    if let Some(unknown) = l.terms.iter().find(|t| !terms.iter().any(|x| &x.id == *t)) {
        return Err(ServiceError::invalid(
            "terms",
            format!("There is no need (taxonomy term) with the id {unknown}"),
        ));
    }
    let points = locate(txn, &l, strict).await?;
    let uuid = match uuid {
        Some(u) => uuid_from(u)
            .ok_or_else(|| ServiceError::invalid("id", format!("{u:?} is not a UUID")))?,
        None => Uuid::new_v4().to_string(),
    };
    let existing = service::Entity::find()
        .filter(service::Column::Uuid.eq(&uuid))
        .one(txn)
        .await?;
    if let Some(e) = &existing
        && e.organization_id != org.id
    {
        return Err(ServiceError::invalid(
            "id",
            "That id is another organisation's service",
        ));
    }
    let term_names: Vec<String> = terms.iter().map(|t| t.name.clone()).collect();
    let text = search_text(&org.name, &term_names, &l);
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let mut am = match existing.clone() {
        Some(e) => service::ActiveModel::from(e),
        None => service::ActiveModel {
            uuid: Set(uuid.clone()),
            organization_id: Set(org.id),
            ..Default::default()
        },
    };
    am.name = Set(l.name.clone());
    am.description = Set(l.description.clone());
    am.url = Set(opt(&l.url));
    am.email = Set(opt(&l.email));
    am.phone = Set(opt(&l.phone));
    am.contact_name = Set(opt(&l.contact_name));
    am.status = Set(l.status.as_str().into());
    am.eligibility = Set(opt(&l.eligibility));
    am.minimum_age = Set(l.minimum_age.map(|a| a as i32));
    am.maximum_age = Set(l.maximum_age.map(|a| a as i32));
    am.fees = Set(opt(&l.fees));
    am.application_process = Set(opt(&l.application_process));
    am.wait_time = Set(opt(&l.wait_time));
    am.online = Set(l.online);
    let capacity = l.capacity.map(|c| c.as_str().to_owned());
    if existing.as_ref().map(|e| &e.capacity) != Some(&capacity) {
        am.capacity_updated_at = Set(capacity.is_some().then_some(now));
    }
    am.capacity = Set(capacity);
    if let Some((day, by)) = assured {
        am.assured_date = Set(Some(day));
        am.assurer_email = Set(by);
        am.reminded_at = Set(None);
    }
    am.last_modified = Set(now);
    am.search_text = Set(text.clone());
    let saved = am.save(txn).await?.try_into_model()?;
    let id = saved.id;

    // What it replaces.
    service_term::Entity::delete_many()
        .filter(service_term::Column::ServiceId.eq(id))
        .exec(txn)
        .await?;
    schedule::Entity::delete_many()
        .filter(schedule::Column::ServiceId.eq(id))
        .exec(txn)
        .await?;
    cost::Entity::delete_many()
        .filter(cost::Column::ServiceId.eq(id))
        .exec(txn)
        .await?;
    sal::Entity::delete_many()
        .filter(sal::Column::ServiceId.eq(id))
        .exec(txn)
        .await?;

    // Times and costs keep their ids, which must not be another service's.
    let given = |ids: Vec<Option<&str>>| {
        ids.into_iter()
            .flatten()
            .filter_map(uuid_from)
            .collect::<Vec<_>>()
    };
    let schedule_ids = given(l.openings.iter().map(|o| o.id.as_deref()).collect());
    let cost_ids = given(l.costs.iter().map(|c| c.id.as_deref()).collect());
    let taken_schedule = schedule::Entity::find()
        .filter(schedule::Column::Uuid.is_in(schedule_ids))
        .filter(schedule::Column::ServiceId.ne(id))
        .one(txn)
        .await?;
    let taken_cost = cost::Entity::find()
        .filter(cost::Column::Uuid.is_in(cost_ids))
        .filter(cost::Column::ServiceId.ne(id))
        .one(txn)
        .await?;
    if let Some(t) = taken_schedule {
        return Err(ServiceError::invalid(
            "openings",
            format!("The schedule id {} is another service's", t.uuid),
        ));
    }
    if let Some(t) = taken_cost {
        return Err(ServiceError::invalid(
            "costs",
            format!("The cost option id {} is another service's", t.uuid),
        ));
    }
    if !terms.is_empty() {
        service_term::Entity::insert_many(terms.iter().map(|t| service_term::ActiveModel {
            service_id: Set(id),
            term_id: Set(t.id.clone()),
        }))
        .exec_without_returning(txn)
        .await?;
    }
    for o in &l.openings {
        schedule::ActiveModel {
            uuid: Set(fresh(o.id.as_deref())),
            service_id: Set(id),
            freq: Set(o.freq.as_str().into()),
            byday: Set(o.byday()),
            opens_at: Set(o.opens_at.format("%H:%M").to_string()),
            closes_at: Set(o.closes_at.format("%H:%M").to_string()),
            description: Set(opt(&o.description)),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    for c in &l.costs {
        cost::ActiveModel {
            uuid: Set(fresh(c.id.as_deref())),
            service_id: Set(id),
            option: Set(opt(&c.option)),
            amount: Set(c.amount),
            amount_description: Set(opt(&c.amount_description)),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    let mut location_ids = Vec::new();
    for (p, pt) in l.places.iter().zip(points) {
        let known = match p.id.as_deref().and_then(uuid_from) {
            Some(u) => location::Entity::find()
                .filter(location::Column::Uuid.eq(&u))
                .one(txn)
                .await?
                .map(|x| (u, Some(x))),
            None => None,
        };
        let (luuid, existing) = known.unwrap_or_else(|| (fresh(p.id.as_deref()), None));
        if let Some(e) = &existing
            && e.organization_id != org.id
        {
            return Err(ServiceError::invalid(
                "places",
                "A place's id is another organisation's place",
            ));
        }
        let mut lm = match existing {
            Some(e) => location::ActiveModel::from(e),
            None => location::ActiveModel {
                uuid: Set(luuid),
                organization_id: Set(org.id),
                ..Default::default()
            },
        };
        lm.location_type = Set("physical".into());
        lm.name = Set(opt(&p.name));
        lm.latitude = Set(pt.map(|x| x.latitude));
        lm.longitude = Set(pt.map(|x| x.longitude));
        lm.address_1 = Set(opt(&p.address_1));
        lm.city = Set(opt(&p.city));
        lm.postal_code = Set(opt(&p.postcode));
        location_ids.push(lm.save(txn).await?.try_into_model()?);
    }
    if l.online {
        let vuuid = derived(&uuid, "online");
        let existing = location::Entity::find()
            .filter(location::Column::Uuid.eq(&vuuid))
            .one(txn)
            .await?;
        let v = match existing {
            Some(v) => v,
            None => {
                location::ActiveModel {
                    uuid: Set(vuuid),
                    organization_id: Set(org.id),
                    location_type: Set("virtual".into()),
                    name: Set(Some("Online or by phone".into())),
                    ..Default::default()
                }
                .insert(txn)
                .await?
            }
        };
        location_ids.push(v);
    }
    for loc in &location_ids {
        sal::ActiveModel {
            uuid: Set(derived(&uuid, &loc.uuid)),
            service_id: Set(id),
            location_id: Set(loc.id),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    // Places no longer used by any of the organisation's services go.
    let backend = txn.get_database_backend();
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        match backend {
            DbBackend::Postgres => "DELETE FROM directory_locations l WHERE l.organization_id = $1 AND NOT EXISTS (SELECT 1 FROM directory_service_at_locations s WHERE s.location_id = l.id)",
            _ => "DELETE FROM directory_locations WHERE organization_id = ? AND NOT EXISTS (SELECT 1 FROM directory_service_at_locations s WHERE s.location_id = directory_locations.id)",
        },
        [org.id.into()],
    ))
    .await?;
    index(txn, id, &l.name, &text).await?;
    Ok(id)
}

fn fresh(id: Option<&str>) -> String {
    id.and_then(uuid_from)
        .unwrap_or_else(|| Uuid::new_v4().to_string())
}

/// A word as searched near a point: lower case, stemmed (English Snowball).
pub fn stem(word: &str) -> String {
    rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English)
        .stem(word)
        .into_owned()
}

/// Keeps the search indexes in step with a service (PostgreSQL's text vector follows
/// `search_text` by itself; the stemmed terms are kept here on both), and lists its new words.
pub(crate) async fn index(
    txn: &DatabaseTransaction,
    id: i32,
    name: &str,
    text: &str,
) -> Result<(), ServiceError> {
    let backend = txn.get_database_backend();
    if backend == DbBackend::Sqlite {
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            "DELETE FROM directory_search WHERE rowid = ?",
            [id.into()],
        ))
        .await?;
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO directory_search (rowid, name, text) VALUES (?, ?, ?)",
            [id.into(), name.into(), text.into()],
        ))
        .await?;
    }
    let mut weights: std::collections::BTreeMap<String, i32> = Default::default();
    for (text, weight) in [(name, 10), (text, 1)] {
        for w in words(text) {
            let t: String = stem(&w).chars().take(40).collect();
            *weights.entry(t).or_default() += weight;
        }
    }
    term::Entity::delete_many()
        .filter(term::Column::ServiceId.eq(id))
        .exec(txn)
        .await?;
    let rows: Vec<term::ActiveModel> = weights
        .into_iter()
        .map(|(t, w)| term::ActiveModel {
            term: Set(t),
            service_id: Set(id),
            weight: Set(w),
        })
        .collect();
    for chunk in rows.chunks(500) {
        term::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    // Numbers are searched for, but never a typed word's correction.
    let mut ws: Vec<String> = words(name)
        .chain(words(text))
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    ws.sort();
    ws.dedup();
    for chunk in ws.chunks(500) {
        word::Entity::insert_many(chunk.iter().map(|w| word::ActiveModel {
            len: Set(w.chars().count() as i32),
            word: Set(w.clone()),
        }))
        .on_conflict(
            OnConflict::column(word::Column::Word)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}
