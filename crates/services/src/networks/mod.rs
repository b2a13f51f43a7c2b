//! Networks people join: a network of champions, a role society, a peer leaders' network.
//! Each is run by an organisation, whose staff holding [`Permission::RunNetworks`] are its
//! organisers, and has regional communities.
//!
//! - `mod.rs` (here): the networks themselves, applying to join, organisers' decisions, the
//!   member directory (each member chooses whether to be listed), and the events shown on a
//!   network's page;
//! - [`talk`]: communities' announcements and threads, replies, edits, reports and moderation;
//! - [`lists`]: mailing lists, with double opt-in, consent records, one-click unsubscribe, and
//!   messages sent one job per recipient.
//!
//! Who may do what: a network and its communities' names are public; applying needs an account
//! (a learner's will do); reading and posting in communities, and the member directory, are for
//! members and organisers; deciding, announcing and moderating are for organisers.

pub mod lists;
pub mod talk;

use chrono::{DateTime, Utc};
use domain::Permission;
use domain::networks::{self as rules, ApplicationState};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use store::entities::{
    learning_event, network, network_application as application, network_community as community,
    network_event, network_member as member, organisation, user,
};

use crate::audit::{self, Event as AuditEvent, Outcome};
use crate::error::Problems;
use crate::learning::catalogue::{self, Event};
use crate::{Actor, RequestMeta, ServiceError, Services, email};

/// A network as its page shows it.
#[derive(Clone, Debug)]
pub struct Network {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub summary: String,
    pub guideline: String,
    pub organisation_id: i32,
    pub organisation: String,
    /// The owning organisation's path: its organisers hold [`Permission::RunNetworks`] over it.
    pub path: String,
    pub communities: Vec<Community>,
    pub members: u64,
}

#[derive(Clone, Debug)]
pub struct Community {
    pub id: i32,
    pub network_id: i32,
    pub region: String,
    pub name: String,
}

impl From<community::Model> for Community {
    fn from(c: community::Model) -> Self {
        Community {
            id: c.id,
            network_id: c.network_id,
            region: c.region,
            name: c.name,
        }
    }
}

impl Network {
    /// Whether the actor runs this network.
    pub fn organised_by(&self, actor: &Actor) -> bool {
        actor.can_at(Permission::RunNetworks, &self.path)
    }

    pub fn community(&self, id: i32) -> Option<&Community> {
        self.communities.iter().find(|c| c.id == id)
    }

    pub fn community_for(&self, region: &str) -> Option<&Community> {
        self.communities.iter().find(|c| c.region == region)
    }
}

async fn whole(c: &impl ConnectionTrait, n: network::Model) -> Result<Network, ServiceError> {
    let org = organisation::Entity::find_by_id(n.organisation_id)
        .one(c)
        .await?
        .ok_or(ServiceError::NotFound("network"))?;
    let communities = community::Entity::find()
        .filter(community::Column::NetworkId.eq(n.id))
        .order_by_asc(community::Column::Name)
        .all(c)
        .await?
        .into_iter()
        .map(Community::from)
        .collect();
    let members = member::Entity::find()
        .filter(member::Column::NetworkId.eq(n.id))
        .count(c)
        .await?;
    Ok(Network {
        id: n.id,
        slug: n.slug,
        name: n.name,
        summary: n.summary,
        guideline: n.guideline,
        organisation_id: n.organisation_id,
        organisation: org.name,
        path: org.path,
        communities,
        members,
    })
}

/// Every network, by name (public).
pub async fn list(svc: &Services) -> Result<Vec<Network>, ServiceError> {
    let rows = network::Entity::find()
        .order_by_asc(network::Column::Name)
        .all(&svc.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for n in rows {
        out.push(whole(&svc.db, n).await?);
    }
    Ok(out)
}

/// One network by its slug (public).
pub async fn get(svc: &Services, slug: &str) -> Result<Network, ServiceError> {
    get_in(&svc.db, slug).await
}

pub(crate) async fn get_in(c: &impl ConnectionTrait, slug: &str) -> Result<Network, ServiceError> {
    let n = network::Entity::find()
        .filter(network::Column::Slug.eq(slug))
        .one(c)
        .await?
        .ok_or(ServiceError::NotFound("network"))?;
    whole(c, n).await
}

pub(crate) async fn by_id(c: &impl ConnectionTrait, id: i32) -> Result<Network, ServiceError> {
    let n = network::Entity::find_by_id(id)
        .one(c)
        .await?
        .ok_or(ServiceError::NotFound("network"))?;
    whole(c, n).await
}

/// The network, if the actor runs it; otherwise refused.
pub async fn organised(svc: &Services, actor: &Actor, slug: &str) -> Result<Network, ServiceError> {
    let n = get(svc, slug).await?;
    if !n.organised_by(actor) {
        return Err(ServiceError::Forbidden(format!(
            "run {}: only its organisers can",
            n.name
        )));
    }
    Ok(n)
}

/// The networks the actor runs.
pub async fn run_by(svc: &Services, actor: &Actor) -> Result<Vec<Network>, ServiceError> {
    Ok(list(svc)
        .await?
        .into_iter()
        .filter(|n| n.organised_by(actor))
        .collect())
}

/// A member of a network, as the network's directory and organisers see them.
#[derive(Clone, Debug)]
pub struct Member {
    pub user_id: i32,
    pub name: String,
    pub job_role: String,
    pub organisation: String,
    pub region: String,
    pub community_id: Option<i32>,
    pub listed: bool,
    pub joined_at: DateTime<Utc>,
}

/// The actor's membership of a network, if they are a member.
pub async fn membership(
    c: &impl ConnectionTrait,
    actor: &Actor,
    network_id: i32,
) -> Result<Option<member::Model>, ServiceError> {
    Ok(member::Entity::find()
        .filter(member::Column::NetworkId.eq(network_id))
        .filter(member::Column::UserId.eq(actor.user_id))
        .one(c)
        .await?)
}

/// [`membership`], on the service's own connection.
pub async fn member_of(
    svc: &Services,
    actor: &Actor,
    network_id: i32,
) -> Result<Option<member::Model>, ServiceError> {
    membership(&svc.db, actor, network_id).await
}

/// The networks the actor belongs to, with their membership.
pub async fn mine(
    svc: &Services,
    actor: &Actor,
) -> Result<Vec<(Network, member::Model)>, ServiceError> {
    let rows = member::Entity::find()
        .filter(member::Column::UserId.eq(actor.user_id))
        .order_by_asc(member::Column::JoinedAt)
        .all(&svc.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        out.push((by_id(&svc.db, m.network_id).await?, m));
    }
    Ok(out)
}

/// What someone sends to join a network.
#[derive(Clone, Debug, Default)]
pub struct ApplicationInput {
    pub job_role: String,
    pub organisation: String,
    /// An NHS England region code.
    pub region: String,
    pub motivation: String,
}

/// The form's fields in the order they appear.
pub const APPLICATION_FIELDS: [&str; 4] = ["job_role", "organisation", "region", "motivation"];

struct Cleaned {
    job_role: String,
    organisation: String,
    region: String,
    motivation: String,
}

fn clean(n: &Network, input: &ApplicationInput) -> Result<Cleaned, ServiceError> {
    let mut p = Problems::default();
    let job_role = domain::learning::JOB_ROLES
        .iter()
        .find(|r| **r == input.job_role)
        .map(|r| (*r).to_owned());
    if job_role.is_none() {
        p.add("job_role", "Choose your role from the list");
    }
    let organisation = p.required(
        "organisation",
        &Some(input.organisation.clone()),
        rules::ORGANISATION,
        "Enter the organisation you work or volunteer for",
    );
    let region = if n.community_for(&input.region).is_some() {
        Some(input.region.clone())
    } else {
        p.add("region", "Choose the region you work in");
        None
    };
    let motivation = p.required(
        "motivation",
        &Some(input.motivation.clone()),
        rules::MOTIVATION,
        "Tell us why you want to join",
    );
    p.finish()?;
    match (job_role, organisation, region, motivation) {
        (Some(job_role), Some(organisation), Some(region), Some(motivation)) => Ok(Cleaned {
            job_role,
            organisation,
            region,
            motivation,
        }),
        _ => Err(ServiceError::Internal(
            "validated application missing".into(),
        )),
    }
}

/// The actor's application to a network, if they have made one.
pub async fn application_of(
    svc: &Services,
    actor: &Actor,
    network_id: i32,
) -> Result<Option<application::Model>, ServiceError> {
    Ok(application::Entity::find()
        .filter(application::Column::NetworkId.eq(network_id))
        .filter(application::Column::UserId.eq(actor.user_id))
        .one(&svc.db)
        .await?)
}

/// Applies to join a network. A member, or someone whose application is waiting, is told so
/// and nothing changes; after a decline or a withdrawal, applying again reopens the application.
pub async fn apply(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    slug: &str,
    input: &ApplicationInput,
) -> Result<i32, ServiceError> {
    let n = get(svc, slug).await?;
    let c = clean(&n, input)?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    if membership(&txn, actor, n.id).await?.is_some() {
        return Err(ServiceError::Conflict(format!(
            "You are already a member of {}",
            n.name
        )));
    }
    let existing = application::Entity::find()
        .filter(application::Column::NetworkId.eq(n.id))
        .filter(application::Column::UserId.eq(actor.user_id))
        .one(&txn)
        .await?;
    let id = match existing {
        Some(a) => {
            let state = ApplicationState::parse(&a.state).unwrap_or(ApplicationState::Pending);
            if !state.may_apply_again() {
                return Err(ServiceError::Conflict(format!(
                    "You have already applied to join {}: we will email you when the organisers have decided",
                    n.name
                )));
            }
            // Only a closed application reopens, however many reopen it at once.
            let reopened = application::Entity::update_many()
                .col_expr(application::Column::State, Expr::value("pending"))
                .col_expr(
                    application::Column::JobRole,
                    Expr::value(c.job_role.clone()),
                )
                .col_expr(
                    application::Column::Organisation,
                    Expr::value(c.organisation.clone()),
                )
                .col_expr(application::Column::Region, Expr::value(c.region.clone()))
                .col_expr(
                    application::Column::Motivation,
                    Expr::value(c.motivation.clone()),
                )
                .col_expr(
                    application::Column::Message,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(
                    application::Column::DecidedBy,
                    Expr::value(Option::<i32>::None),
                )
                .col_expr(
                    application::Column::DecidedAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(application::Column::CreatedAt, Expr::value(now))
                .filter(application::Column::Id.eq(a.id))
                .filter(application::Column::State.is_in(["declined", "withdrawn"]))
                .exec(&txn)
                .await?;
            if reopened.rows_affected == 0 {
                return Err(ServiceError::Conflict(format!(
                    "You have already applied to join {}",
                    n.name
                )));
            }
            a.id
        }
        None => {
            let saved = application::ActiveModel {
                network_id: Set(n.id),
                user_id: Set(actor.user_id),
                job_role: Set(c.job_role),
                organisation: Set(c.organisation),
                region: Set(c.region),
                motivation: Set(c.motivation),
                state: Set("pending".into()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await;
            match saved {
                Ok(a) => a.id,
                // Another request from the same person got there first.
                Err(e) if crate::error::is_unique_violation(&e) => {
                    return Err(ServiceError::Conflict(format!(
                        "You have already applied to join {}",
                        n.name
                    )));
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("network_applied", Outcome::Success)
            .by(actor)
            .entity("network_application", id)
            .organisation(n.organisation_id),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Withdraws the actor's waiting application.
pub async fn withdraw(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    slug: &str,
) -> Result<(), ServiceError> {
    let n = get(svc, slug).await?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let done = application::Entity::update_many()
        .col_expr(application::Column::State, Expr::value("withdrawn"))
        .col_expr(application::Column::DecidedAt, Expr::value(Some(now)))
        .filter(application::Column::NetworkId.eq(n.id))
        .filter(application::Column::UserId.eq(actor.user_id))
        .filter(application::Column::State.eq("pending"))
        .exec(&txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(ServiceError::Conflict(
            "You have no application waiting for a decision".into(),
        ));
    }
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("network_application_withdrawn", Outcome::Success)
            .by(actor)
            .organisation(n.organisation_id)
            .detail(n.slug.clone()),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// An application as organisers see it.
#[derive(Clone, Debug)]
pub struct Application {
    pub id: i32,
    pub name: String,
    pub email: String,
    pub job_role: String,
    pub organisation: String,
    pub region: String,
    pub motivation: String,
    pub state: ApplicationState,
    pub message: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// The network's applications in `state` (oldest first), for its organisers.
pub async fn applications(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    slug: &str,
    state: ApplicationState,
) -> Result<(Network, Vec<Application>), ServiceError> {
    let n = organised(svc, actor, slug).await?;
    let rows = application::Entity::find()
        .filter(application::Column::NetworkId.eq(n.id))
        .filter(application::Column::State.eq(state.as_str()))
        .order_by_asc(application::Column::CreatedAt)
        .order_by_asc(application::Column::Id)
        .all(&svc.db)
        .await?;
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|a| a.user_id)))
        .all(&svc.db)
        .await?;
    let list: Vec<Application> = rows
        .into_iter()
        .filter_map(|a| {
            let u = users.iter().find(|u| u.id == a.user_id)?;
            Some(Application {
                id: a.id,
                name: u.display_name.clone(),
                email: u.email.clone(),
                job_role: a.job_role,
                organisation: a.organisation,
                region: a.region,
                motivation: a.motivation,
                state: ApplicationState::parse(&a.state).unwrap_or(state),
                message: a.message,
                created_at: a.created_at,
                decided_at: a.decided_at,
            })
        })
        .collect();
    audit::log(
        svc,
        svc.now(),
        meta,
        AuditEvent::new("network_applications_viewed", Outcome::Success)
            .by(actor)
            .organisation(n.organisation_id)
            .detail(format!("{}: {} {}", n.slug, list.len(), state.as_str())),
    )
    .await?;
    Ok((n, list))
}

/// How many applications wait for a decision, and how many reported posts for a moderator, in
/// a network the actor runs (counts only: nothing about anyone is read).
pub async fn waiting(
    svc: &Services,
    actor: &Actor,
    slug: &str,
) -> Result<(u64, u64), ServiceError> {
    let n = organised(svc, actor, slug).await?;
    let applications = application::Entity::find()
        .filter(application::Column::NetworkId.eq(n.id))
        .filter(application::Column::State.eq("pending"))
        .count(&svc.db)
        .await?;
    let communities: Vec<i32> = n.communities.iter().map(|c| c.id).collect();
    let posts: Vec<i32> = store::entities::network_post::Entity::find()
        .filter(store::entities::network_post::Column::CommunityId.is_in(communities))
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let reported = store::entities::network_report::Entity::find()
        .filter(store::entities::network_report::Column::ResolvedAt.is_null())
        .filter(store::entities::network_report::Column::PostId.is_in(posts))
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|r| r.post_id)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    Ok((applications, u64::try_from(reported).unwrap_or(u64::MAX)))
}

/// An organiser's decision on an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Decline,
}

/// Approves (making the applicant a member of the network and of their region's community)
/// or declines an application that is waiting, and e-mails the applicant the organiser's
/// message. An application already decided, or withdrawn, is left as it is.
pub async fn decide(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    slug: &str,
    application_id: i32,
    decision: Decision,
    message: &str,
) -> Result<(), ServiceError> {
    let n = organised(svc, actor, slug).await?;
    let mut p = Problems::default();
    let message = p.text(
        "message",
        &Some(message.to_owned()),
        rules::DECISION_MESSAGE,
    );
    if decision == Decision::Decline && message.as_deref().is_none_or(str::is_empty) {
        p.add(
            "message",
            "Tell the applicant why their application was declined",
        );
    }
    p.finish()?;
    let message = message.filter(|m| !m.is_empty());
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    store::lock_for_update::<application::Entity>(&txn, &[application_id]).await?;
    let a = application::Entity::find_by_id(application_id)
        .filter(application::Column::NetworkId.eq(n.id))
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound("application"))?;
    let applicant = user::Entity::find_by_id(a.user_id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound("application"))?;
    match ApplicationState::parse(&a.state) {
        Some(ApplicationState::Pending) => {}
        Some(ApplicationState::Withdrawn) => {
            return Err(ServiceError::Conflict(format!(
                "{} withdrew their application, so it cannot be decided",
                applicant.display_name
            )));
        }
        _ => {
            return Err(ServiceError::Conflict(format!(
                "{}'s application has already been decided",
                applicant.display_name
            )));
        }
    }
    let state = match decision {
        Decision::Approve => "approved",
        Decision::Decline => "declined",
    };
    let mut am: application::ActiveModel = a.clone().into();
    am.state = Set(state.into());
    am.message = Set(message.clone());
    am.decided_by = Set(Some(actor.user_id));
    am.decided_at = Set(Some(now));
    am.update(&txn).await?;
    let base = svc.settings.public_url.trim_end_matches('/');
    let said = message
        .as_deref()
        .map(|m| format!("\n\nA message from {}:\n\n{m}", actor.display_name))
        .unwrap_or_default();
    let (subject, body) = match decision {
        Decision::Approve => {
            member::ActiveModel {
                network_id: Set(n.id),
                user_id: Set(a.user_id),
                community_id: Set(n.community_for(&a.region).map(|c| c.id)),
                job_role: Set(a.job_role.clone()),
                organisation: Set(a.organisation.clone()),
                region: Set(a.region.clone()),
                listed: Set(false),
                joined_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            (
                format!("Welcome to {}", n.name),
                format!(
                    "Dear {},\n\nYour application to join {} has been approved: you are now a member.{said}\n\nYour network's page, with its communities and events: {base}/networks/{}\n\nYou are not listed in the member directory unless you choose to be, on that page.\n\nwhatmatters\n",
                    applicant.display_name, n.name, n.slug
                ),
            )
        }
        Decision::Decline => (
            format!("Your application to join {}", n.name),
            format!(
                "Dear {},\n\nThank you for applying to join {}. The organisers have not been able to accept your application this time.{said}\n\nYou may apply again: {base}/networks/{}\n\nwhatmatters\n",
                applicant.display_name, n.name, n.slug
            ),
        ),
    };
    email::enqueue(&txn, now, &applicant.email, &subject, &body).await?;
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new(
            match decision {
                Decision::Approve => "network_application_approved",
                Decision::Decline => "network_application_declined",
            },
            Outcome::Success,
        )
        .by(actor)
        .entity("network_application", a.id)
        .organisation(n.organisation_id),
    )
    .await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok(())
}

/// The member directory: for members, those who chose to be listed; for organisers, everyone.
/// Others are refused.
pub async fn directory(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    slug: &str,
) -> Result<(Network, Vec<Member>), ServiceError> {
    let n = get(svc, slug).await?;
    let organiser = n.organised_by(actor);
    if !organiser && membership(&svc.db, actor, n.id).await?.is_none() {
        return Err(ServiceError::Forbidden(format!(
            "see who belongs to {}: only its members can",
            n.name
        )));
    }
    let mut q = member::Entity::find().filter(member::Column::NetworkId.eq(n.id));
    if !organiser {
        q = q.filter(member::Column::Listed.eq(true));
    }
    let rows = q.all(&svc.db).await?;
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|m| m.user_id)))
        .all(&svc.db)
        .await?;
    let mut list: Vec<Member> = rows
        .into_iter()
        .filter_map(|m| {
            let u = users.iter().find(|u| u.id == m.user_id)?;
            Some(Member {
                user_id: m.user_id,
                name: u.display_name.clone(),
                job_role: m.job_role,
                organisation: m.organisation,
                region: m.region,
                community_id: m.community_id,
                listed: m.listed,
                joined_at: m.joined_at,
            })
        })
        .collect();
    list.sort_by_key(|a| a.name.to_lowercase());
    audit::log(
        svc,
        svc.now(),
        meta,
        AuditEvent::new("network_directory_viewed", Outcome::Success)
            .by(actor)
            .organisation(n.organisation_id)
            .detail(format!("{}: {} member(s)", n.slug, list.len())),
    )
    .await?;
    Ok((n, list))
}

/// Whether the actor appears in the network's member directory (their choice).
pub async fn set_listed(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    slug: &str,
    listed: bool,
) -> Result<(), ServiceError> {
    let n = get(svc, slug).await?;
    let txn = store::begin_write(&svc.db).await?;
    let done = member::Entity::update_many()
        .col_expr(member::Column::Listed, Expr::value(listed))
        .filter(member::Column::NetworkId.eq(n.id))
        .filter(member::Column::UserId.eq(actor.user_id))
        .exec(&txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(ServiceError::Forbidden(format!(
            "choose how you appear in {}: only its members can",
            n.name
        )));
    }
    audit::record(
        &txn,
        svc.now(),
        meta,
        AuditEvent::new("network_listing_chosen", Outcome::Success)
            .by(actor)
            .organisation(n.organisation_id)
            .detail(format!("{}: listed {listed}", n.slug)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The network's events and courses still to come, soonest first (public).
pub async fn events(svc: &Services, network_id: i32) -> Result<Vec<Event>, ServiceError> {
    let ids: Vec<i32> = network_event::Entity::find()
        .filter(network_event::Column::NetworkId.eq(network_id))
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|e| e.event_id)
        .collect();
    let rows = learning_event::Entity::find()
        .filter(learning_event::Column::Id.is_in(ids))
        .filter(learning_event::Column::EndsAt.gt(svc.now()))
        .filter(learning_event::Column::State.ne("cancelled"))
        .order_by_asc(learning_event::Column::StartsAt)
        .all(&svc.db)
        .await?;
    catalogue::whole(&svc.db, rows).await
}

/// Shows one of the organisation's events on the network's page (or, with `shown` false, stops
/// showing it). The event must be one the network's organisation, or one below it, runs.
pub async fn show_event(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    slug: &str,
    event_uuid: &str,
    shown: bool,
) -> Result<(), ServiceError> {
    let n = organised(svc, actor, slug).await?;
    let e = catalogue::get(svc, event_uuid).await?;
    let owner = organisation::Entity::find_by_id(e.organisation_id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("event"))?;
    if !owner.path.starts_with(&n.path) {
        return Err(ServiceError::NotFound("event"));
    }
    let txn = store::begin_write(&svc.db).await?;
    if shown {
        let backend = txn.get_database_backend();
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            "INSERT INTO network_events (network_id, event_id) VALUES ($1, $2) ON CONFLICT (network_id, event_id) DO NOTHING",
            [n.id.into(), e.id.into()],
        ))
        .await?;
    } else {
        network_event::Entity::delete_many()
            .filter(network_event::Column::NetworkId.eq(n.id))
            .filter(network_event::Column::EventId.eq(e.id))
            .exec(&txn)
            .await?;
    }
    audit::record(
        &txn,
        svc.now(),
        meta,
        AuditEvent::new("network_event_shown", Outcome::Success)
            .by(actor)
            .entity("learning_event", e.id)
            .organisation(n.organisation_id)
            .detail(format!("{}: shown {shown}", n.slug)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
