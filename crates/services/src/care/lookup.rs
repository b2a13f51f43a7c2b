//! Small reads the care pages need after the access check has been made elsewhere.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QueryTrait};
use store::entities::{organisation, person};

use crate::{Actor, ServiceError, Services};

/// GP practices within the actor's care scope, as (id, name).
pub async fn practices_for(
    svc: &Services,
    actor: &Actor,
) -> Result<Vec<(i32, String)>, ServiceError> {
    let backend = svc.db.get_database_backend();
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Id.in_subquery(super::care_orgs(backend, actor)))
        .filter(organisation::Column::Kind.eq("practice"))
        .order_by_asc(organisation::Column::Name)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// Every active organisation of a kind, as (id, name): the public lists of practices and PCNs.
pub async fn active_of_kind(
    svc: &Services,
    kind: &str,
) -> Result<Vec<(i32, String)>, ServiceError> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Kind.eq(kind))
        .filter(organisation::Column::Status.eq("active"))
        .order_by_asc(organisation::Column::Name)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

pub async fn organisation(
    svc: &Services,
    id: i32,
) -> Result<Option<organisation::Model>, ServiceError> {
    Ok(organisation::Entity::find_by_id(id).one(&svc.db).await?)
}

/// The person a referral the actor may see is about.
pub async fn person(
    svc: &Services,
    referral: &super::ReferralAccess,
) -> Result<super::Person, ServiceError> {
    person::Entity::find_by_id(referral.person_id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("person"))?
        .try_into()
}

/// The person record belonging to a signed-in person, if any: theirs to see.
pub async fn own_record(
    svc: &Services,
    actor: &Actor,
) -> Result<Option<super::PersonAccess>, ServiceError> {
    person::Entity::find()
        .filter(person::Column::UserId.eq(actor.user_id))
        .one(&svc.db)
        .await?
        .map(super::PersonAccess::granted)
        .transpose()
}

/// Someone supporting a person on an open referral, and how to reach them.
#[derive(Clone, Debug)]
pub struct Supporter {
    pub service: String,
    pub team: String,
    /// The worker's name, or who will be in touch while no one is assigned.
    pub worker: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Received, and no one has been in touch yet.
    pub waiting: bool,
}

/// Who supports a person now: for each open referral, the service, the team (with its phone
/// and e-mail) and the worker.
pub async fn supporters(svc: &Services, person_id: i32) -> Result<Vec<Supporter>, ServiceError> {
    use store::entities::{referral, user};
    let open = ["received", "contacted", "active"];
    let refs = referral::Entity::find()
        .filter(referral::Column::PersonId.eq(person_id))
        .filter(referral::Column::State.is_in(open))
        .order_by_asc(referral::Column::Id)
        .all(&svc.db)
        .await?;
    let mut out = Vec::new();
    for r in refs {
        let team = organisation::Entity::find_by_id(r.team_org_id)
            .one(&svc.db)
            .await?;
        let worker = match r.assigned_user_id {
            Some(u) => user::Entity::find_by_id(u)
                .one(&svc.db)
                .await?
                .map(|u| u.display_name),
            None => None,
        };
        let service = domain::referral::CareService::parse(&r.service)
            .map(|s| s.label())
            .unwrap_or("Personalised care")
            .to_owned();
        out.push(Supporter {
            service,
            team: team.as_ref().map(|t| t.name.clone()).unwrap_or_default(),
            worker: worker.unwrap_or_else(|| "Someone from the team will be in touch".into()),
            phone: team.as_ref().and_then(|t| t.phone.clone()),
            email: team.and_then(|t| t.email),
            waiting: r.state == "received",
        });
    }
    Ok(out)
}

/// Care workers (link workers, care coordinators, coaches) with a role within the actor's care
/// scope, as (user id, name): the worker filter of the caseload.
pub async fn care_workers(
    svc: &Services,
    actor: &Actor,
) -> Result<Vec<(i32, String)>, ServiceError> {
    use sea_orm::QuerySelect;
    use store::entities::{membership, user};
    let backend = svc.db.get_database_backend();
    let roles = domain::Role::CASELOAD.map(|r| r.as_str());
    // Both as subqueries, one statement: no id list bound into the query.
    let workers = membership::Entity::find()
        .select_only()
        .column(membership::Column::UserId)
        .filter(membership::Column::OrganisationId.in_subquery(super::care_orgs(backend, actor)))
        .filter(membership::Column::Role.is_in(roles))
        .into_query();
    Ok(user::Entity::find()
        .filter(user::Column::Id.in_subquery(workers))
        .order_by_asc(user::Column::DisplayName)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

/// The name of a user a record names (the worker a referral is assigned to).
pub async fn user_name(svc: &Services, id: Option<i32>) -> Result<Option<String>, ServiceError> {
    let Some(id) = id else { return Ok(None) };
    Ok(store::entities::user::Entity::find_by_id(id)
        .one(&svc.db)
        .await?
        .map(|u| u.display_name))
}
