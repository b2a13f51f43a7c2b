//! Reading listings whole: a service with its organisation, places, times, costs and needs,
//! loaded for a page of services in six queries run side by side (not one per service).

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;
use store::entities::{
    directory_cost_option as cost, directory_location as location,
    directory_organization as organization, directory_schedule as schedule,
    directory_service as service, directory_service_at_location as sal,
    directory_service_term as service_term, taxonomy, taxonomy_term,
};

use crate::{ServiceError, Services};

pub use store::entities::directory_location::Model as Location;
pub use store::entities::directory_organization::Model as Organization;
pub use store::entities::directory_service::Model as Service;

/// A place a service runs at, as the service at that place.
#[derive(Clone, Debug)]
pub struct At {
    /// The service-at-location's UUID.
    pub uuid: String,
    pub location: location::Model,
}

/// A need a service meets.
#[derive(Clone, Debug)]
pub struct Need {
    pub term: taxonomy_term::Model,
    pub taxonomy: String,
}

/// A service and everything listed with it.
#[derive(Clone, Debug)]
pub struct Full {
    pub service: service::Model,
    pub organization: organization::Model,
    pub places: Vec<At>,
    pub schedules: Vec<schedule::Model>,
    pub costs: Vec<cost::Model>,
    pub needs: Vec<Need>,
}

/// The services with these ids, whole, in the order given (ids not found are left out).
/// Six queries, each by the ids alone, so they run at once (on a pool, side by side).
pub async fn full(c: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<Full>, ServiceError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let services = service::Entity::find()
        .join(
            JoinType::InnerJoin,
            service::Entity::belongs_to(organization::Entity)
                .from(service::Column::OrganizationId)
                .to(organization::Column::Id)
                .into(),
        )
        .select_also(organization::Entity)
        .filter(service::Column::Id.is_in(ids.to_vec()))
        .all(c);
    let places = sal::Entity::find()
        .join(
            JoinType::InnerJoin,
            sal::Entity::belongs_to(location::Entity)
                .from(sal::Column::LocationId)
                .to(location::Column::Id)
                .into(),
        )
        .select_also(location::Entity)
        .filter(sal::Column::ServiceId.is_in(ids.to_vec()))
        .order_by_asc(sal::Column::Id)
        .all(c);
    let schedules = schedule::Entity::find()
        .filter(schedule::Column::ServiceId.is_in(ids.to_vec()))
        .order_by_asc(schedule::Column::Id)
        .all(c);
    let costs = cost::Entity::find()
        .filter(cost::Column::ServiceId.is_in(ids.to_vec()))
        .order_by_asc(cost::Column::Id)
        .all(c);
    let needs = service_term::Entity::find()
        .join(
            JoinType::InnerJoin,
            service_term::Entity::belongs_to(taxonomy_term::Entity)
                .from(service_term::Column::TermId)
                .to(taxonomy_term::Column::Id)
                .into(),
        )
        .select_also(taxonomy_term::Entity)
        .filter(service_term::Column::ServiceId.is_in(ids.to_vec()))
        .all(c);
    let taxonomies = taxonomy::Entity::find().all(c);
    let (services, places, schedules, costs, needs, taxonomies) =
        tokio::try_join!(services, places, schedules, costs, needs, taxonomies)?;
    let taxonomies: HashMap<String, String> =
        taxonomies.into_iter().map(|t| (t.id, t.name)).collect();
    let links: Vec<(i32, taxonomy_term::Model)> = needs
        .into_iter()
        .filter_map(|(l, t)| t.map(|t| (l.service_id, t)))
        .collect();
    let sals: Vec<(sal::Model, location::Model)> = places
        .into_iter()
        .filter_map(|(x, l)| l.map(|l| (x, l)))
        .collect();
    let mut out = Vec::new();
    for id in ids {
        let Some((s, Some(o))) = services.iter().find(|(s, _)| s.id == *id) else {
            continue;
        };
        let mut needs: Vec<Need> = links
            .iter()
            .filter(|(sid, _)| *sid == s.id)
            .map(|(_, t)| Need {
                taxonomy: taxonomies.get(&t.taxonomy_id).cloned().unwrap_or_default(),
                term: t.clone(),
            })
            .collect();
        needs.sort_by(|a, b| a.term.name.cmp(&b.term.name));
        out.push(Full {
            places: sals
                .iter()
                .filter(|(x, _)| x.service_id == s.id)
                .map(|(x, l)| At {
                    uuid: x.uuid.clone(),
                    location: l.clone(),
                })
                .collect(),
            schedules: schedules
                .iter()
                .filter(|x| x.service_id == s.id)
                .cloned()
                .collect(),
            costs: costs
                .iter()
                .filter(|x| x.service_id == s.id)
                .cloned()
                .collect(),
            needs,
            organization: o.clone(),
            service: s.clone(),
        });
    }
    Ok(out)
}

/// A service whole, by its UUID.
pub async fn service(svc: &Services, uuid: &str) -> Result<Full, ServiceError> {
    let s = service::Entity::find()
        .filter(service::Column::Uuid.eq(uuid))
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("service"))?;
    full(&svc.db, &[s.id])
        .await?
        .pop()
        .ok_or(ServiceError::NotFound("service"))
}

/// A service at a place, by the UUID of the pairing: the service whole and which place.
pub async fn service_at_location(
    svc: &Services,
    uuid: &str,
) -> Result<(Full, String), ServiceError> {
    let x = sal::Entity::find()
        .filter(sal::Column::Uuid.eq(uuid))
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("service at location"))?;
    let f = full(&svc.db, &[x.service_id])
        .await?
        .pop()
        .ok_or(ServiceError::NotFound("service at location"))?;
    Ok((f, x.uuid))
}

/// The services with these ids, whole, in the order given.
pub async fn services(svc: &Services, ids: &[i32]) -> Result<Vec<Full>, ServiceError> {
    full(&svc.db, ids).await
}

impl Full {
    /// When it runs, read back from its schedules.
    pub fn openings(&self) -> Vec<domain::directory::listing::Opening> {
        use chrono::NaiveTime;
        use domain::directory::listing::{Freq, Opening};
        self.schedules
            .iter()
            .filter_map(|x| {
                Some(Opening {
                    id: Some(x.uuid.clone()),
                    freq: Freq::parse(&x.freq)?,
                    days: Opening::parse_byday(&x.byday).ok()?,
                    opens_at: NaiveTime::parse_from_str(&x.opens_at, "%H:%M").ok()?,
                    closes_at: NaiveTime::parse_from_str(&x.closes_at, "%H:%M").ok()?,
                    description: x.description.clone().unwrap_or_default(),
                })
            })
            .collect()
    }

    /// The listing as it stands, to change (a form) or to keep in part (an import of a record
    /// that leaves some of it out).
    pub fn listing(&self) -> domain::directory::listing::Listing {
        use domain::directory::geo::Point;
        use domain::directory::listing::{Capacity, CostOption, Listing, Place, ServiceStatus};
        let s = &self.service;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Listing {
            name: s.name.clone(),
            description: s.description.clone(),
            url: text(&s.url),
            email: text(&s.email),
            phone: text(&s.phone),
            contact_name: text(&s.contact_name),
            status: ServiceStatus::parse(&s.status).unwrap_or(ServiceStatus::Active),
            eligibility: text(&s.eligibility),
            minimum_age: s.minimum_age.map(i64::from),
            maximum_age: s.maximum_age.map(i64::from),
            fees: text(&s.fees),
            application_process: text(&s.application_process),
            wait_time: text(&s.wait_time),
            terms: self.needs.iter().map(|n| n.term.id.clone()).collect(),
            places: self
                .places
                .iter()
                .filter(|p| p.location.location_type != "virtual")
                .map(|p| {
                    let l = &p.location;
                    Place {
                        id: Some(l.uuid.clone()),
                        name: text(&l.name),
                        address_1: text(&l.address_1),
                        city: text(&l.city),
                        postcode: text(&l.postal_code),
                        point: match (l.latitude, l.longitude) {
                            (Some(a), Some(b)) => Point::new(a, b).ok(),
                            _ => None,
                        },
                    }
                })
                .collect(),
            online: s.online,
            openings: self.openings(),
            costs: self
                .costs
                .iter()
                .map(|c| CostOption {
                    id: Some(c.uuid.clone()),
                    option: text(&c.option),
                    amount: c.amount,
                    amount_description: text(&c.amount_description),
                })
                .collect(),
            capacity: s.capacity.as_deref().and_then(Capacity::parse),
        }
    }

    /// Whether its listing has not been checked for more than three months (or ever).
    pub fn possibly_out_of_date(&self, today: chrono::NaiveDate) -> bool {
        stale(self.service.assured_date, today)
    }
}

/// A listing not checked for more than three months (or ever) may be out of date.
pub fn stale(assured: Option<chrono::NaiveDate>, today: chrono::NaiveDate) -> bool {
    match assured {
        Some(d) => today
            .checked_sub_months(chrono::Months::new(3))
            .is_some_and(|cut| d < cut),
        None => true,
    }
}
