//! Connecting a person to a community service, and the service's answers.
//!
//! A care worker of the person's team sends a referral to a service found in the directory, with
//! the person's consent to share with the service's organisation (a consent record: the latest
//! decision about that organisation must be "agrees"), the reason and what matters to them. The
//! organisation's VCSE workers see it in their inbox, with only what the service needs (name,
//! how to contact them, adjustments, the reason and what matters), accept or decline it once,
//! then record once whether the person came. They gain no other access to the person. Every
//! read of a referral's person is audited.

use chrono::{DateTime, Utc};
use domain::Permission;
use domain::text::{self, TextField};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use store::entities::{
    consent, directory_organization as organization, directory_service as service, membership,
    organisation, person, service_referral as sr, user,
};

use crate::audit::{self, Event, Outcome};
use crate::care::PersonAccess;
use crate::error::Problems;
use crate::paging::Paging;
use crate::{Actor, RequestMeta, ServiceError, Services};

pub const REASON: TextField = TextField::lines("Reason for the referral", text::NOTE_MAX);
pub const WHAT_MATTERS: TextField = TextField::lines("What matters to the person", text::NOTE_MAX);
pub const DECLINE_REASON: TextField =
    TextField::lines("Why the service cannot take them", text::NOTE_MAX);

/// Where a referral to a service is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Sent,
    Accepted,
    Declined,
    Attended,
    DidNotAttend,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Sent => "sent",
            State::Accepted => "accepted",
            State::Declined => "declined",
            State::Attended => "attended",
            State::DidNotAttend => "did_not_attend",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            State::Sent => "Sent, waiting for a reply",
            State::Accepted => "Accepted",
            State::Declined => "Declined",
            State::Attended => "Attended",
            State::DidNotAttend => "Did not attend",
        }
    }
    pub fn parse(s: &str) -> Option<State> {
        [
            State::Sent,
            State::Accepted,
            State::Declined,
            State::Attended,
            State::DidNotAttend,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// What the worker sends.
#[derive(Clone, Debug, Default)]
pub struct SendInput {
    pub reason: String,
    pub what_matters: String,
    /// The person agrees, now, to share with the service's organisation: recorded as a consent
    /// before sending.
    pub consent_now: bool,
}

/// A referral to a service, as the referrer sees it on the person's record.
#[derive(Clone, Debug)]
pub struct Sent {
    pub id: i32,
    pub service_uuid: String,
    pub service: String,
    pub organization: String,
    pub state: State,
    pub reason: String,
    pub decline_reason: Option<String>,
    pub sent_at: DateTime<Utc>,
    pub replied_at: Option<DateTime<Utc>>,
    pub outcome_at: Option<DateTime<Utc>>,
}

/// How a service answers referrals, over the last year.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record {
    pub sent: u64,
    pub answered: u64,
    pub accepted: u64,
    /// The median time to answer, in hours.
    pub median_reply_hours: Option<f64>,
}

impl Record {
    /// Accepted, of those answered, as a percentage.
    pub fn acceptance(&self) -> Option<u64> {
        (self.answered > 0).then(|| (self.accepted * 100 + self.answered / 2) / self.answered)
    }
}

/// The organisation's name and whether the person's latest word about sharing with it is yes.
async fn consent_to_share(
    svc: &Services,
    person_id: i32,
    org_name: &str,
) -> Result<Option<consent::Model>, ServiceError> {
    let latest = consent::Entity::find()
        .filter(consent::Column::PersonId.eq(person_id))
        .filter(
            Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(
                consent::Column::ShareWith,
            )))
            .eq(org_name.to_lowercase()),
        )
        .order_by_desc(consent::Column::RecordedAt)
        .order_by_desc(consent::Column::Id)
        .one(&svc.db)
        .await?;
    Ok(latest.filter(|c| c.given))
}

/// Whether the person has agreed to share with this service's organisation (for the form).
pub async fn has_consent(
    svc: &Services,
    person: &PersonAccess,
    service_uuid: &str,
) -> Result<bool, ServiceError> {
    let (_, org) = service_and_org(svc, service_uuid).await?;
    Ok(consent_to_share(svc, person.id(), &org.name)
        .await?
        .is_some())
}

async fn service_and_org(
    svc: &Services,
    uuid: &str,
) -> Result<(service::Model, organization::Model), ServiceError> {
    let s = service::Entity::find()
        .filter(service::Column::Uuid.eq(uuid))
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("service"))?;
    let o = organization::Entity::find_by_id(s.organization_id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("service"))?;
    Ok((s, o))
}

/// Sends a referral of the person to a service.
pub async fn send(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person: &PersonAccess,
    service_uuid: &str,
    input: SendInput,
) -> Result<i32, ServiceError> {
    if !crate::care::plans::may_edit(svc, actor, person).await? {
        return Err(ServiceError::Forbidden(
            "refer this person: only the team supporting them can".into(),
        ));
    }
    let (s, org) = service_and_org(svc, service_uuid).await?;
    let mut p = Problems::default();
    let reason = p.text("reason", &Some(input.reason.clone()), REASON);
    let what_matters = p.text(
        "what_matters",
        &Some(input.what_matters.clone()),
        WHAT_MATTERS,
    );
    if reason.as_deref().unwrap_or("").is_empty() && p.is_empty() {
        p.add("reason", "Say why you are referring them to this service");
    }
    if s.status != "active" {
        p.add(
            "service",
            "This service is not running just now: choose another",
        );
    }
    let mut consent = consent_to_share(svc, person.id(), &org.name).await?;
    if consent.is_none() && !input.consent_now {
        p.add(
            "consent",
            format!(
                "Record that {} agrees to share their details with {} before you send this",
                person.given_name, org.name
            ),
        );
    }
    p.finish()?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    if consent.is_none() {
        consent = Some(
            consent::ActiveModel {
                person_id: Set(person.id()),
                share_with: Set(org.name.clone()),
                given: Set(true),
                note: Set(Some(format!("Agreed when referred to {}", s.name))),
                recorded_by_user_id: Set(Some(actor.user_id)),
                recorded_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?,
        );
    }
    let open = sr::Entity::find()
        .filter(sr::Column::PersonId.eq(person.id()))
        .filter(sr::Column::ServiceId.eq(s.id))
        .filter(sr::Column::State.is_in(["sent", "accepted"]))
        .count(&txn)
        .await?;
    if open > 0 {
        return Err(ServiceError::Conflict(format!(
            "{} already has a referral to {} waiting or accepted",
            person.given_name, s.name
        )));
    }
    let saved = sr::ActiveModel {
        person_id: Set(person.id()),
        service_id: Set(s.id),
        organization_id: Set(org.id),
        referral_id: Set(None),
        consent_id: Set(consent.map(|c| c.id)),
        reason: Set(reason.unwrap_or_default()),
        what_matters: Set(what_matters.filter(|w| !w.is_empty())),
        state: Set(State::Sent.as_str().into()),
        sent_by: Set(Some(actor.user_id)),
        sent_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        // Two sends at once: the second finds the first by the unique index.
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ServiceError::Conflict(format!(
            "{} already has a referral to {} waiting or accepted",
            person.given_name, s.name
        )),
        _ => ServiceError::Db(e),
    })?;
    // The organisation's VCSE workers hear of it by e-mail, with nothing about the person.
    for to in inbox_addresses(&txn, org.owner_id).await? {
        crate::email::enqueue(
            &txn,
            now,
            &to,
            &format!("New referral to {}", s.name),
            &format!(
                "A new referral to {} is waiting in your inbox.\n\nSign in to see it and reply: {}/inbox/{}\n",
                s.name,
                svc.settings.public_url.trim_end_matches('/'),
                saved.id
            ),
        )
        .await?;
    }
    let mut e = Event::new("service_referral_sent", Outcome::Success)
        .by(actor)
        .purpose(crate::care::PURPOSE)
        .entity("service_referral", saved.id)
        .detail(format!("to {} ({})", s.name, org.name));
    e.person_id = Some(person.id());
    audit::record(&txn, now, meta, e).await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok(saved.id)
}

/// The e-mail addresses of the active VCSE workers of the platform organisation that owns a
/// directory organisation (who answer its referrals and keep its listings).
pub(crate) async fn listing_addresses<C: sea_orm::ConnectionTrait>(
    c: &C,
    owner: Option<i32>,
) -> Result<Vec<String>, ServiceError> {
    inbox_addresses(c, owner).await
}

async fn inbox_addresses<C: sea_orm::ConnectionTrait>(
    c: &C,
    owner: Option<i32>,
) -> Result<Vec<String>, ServiceError> {
    let Some(owner) = owner else {
        return Ok(Vec::new());
    };
    Ok(user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .filter(
            user::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(membership::Column::UserId)
                    .from(membership::Entity)
                    .and_where(membership::Column::OrganisationId.eq(owner))
                    .and_where(membership::Column::Role.eq(domain::Role::VcseWorker.as_str()))
                    .to_owned(),
            ),
        )
        .all(c)
        .await?
        .into_iter()
        .map(|u| u.email)
        .collect())
}

/// The referrals to services of the person, newest first (the person's record shows them).
pub async fn of_person(svc: &Services, person: &PersonAccess) -> Result<Vec<Sent>, ServiceError> {
    let rows = sr::Entity::find()
        .filter(sr::Column::PersonId.eq(person.id()))
        .order_by_desc(sr::Column::SentAt)
        .order_by_desc(sr::Column::Id)
        .all(&svc.db)
        .await?;
    sent_of(svc, rows).await
}

/// The community service referrals of each of these people, newest first: for lists of people
/// whose records the actor may see (the caseload), each person's steps beside their name.
pub async fn of_people(
    svc: &Services,
    people: &[&PersonAccess],
) -> Result<std::collections::HashMap<i32, Vec<Sent>>, ServiceError> {
    let mut by_person: std::collections::HashMap<i32, Vec<Sent>> = Default::default();
    if people.is_empty() {
        return Ok(by_person);
    }
    let rows = sr::Entity::find()
        .filter(sr::Column::PersonId.is_in(people.iter().map(|p| p.id())))
        .order_by_desc(sr::Column::SentAt)
        .order_by_desc(sr::Column::Id)
        .all(&svc.db)
        .await?;
    let whose: Vec<i32> = rows.iter().map(|r| r.person_id).collect();
    for (person, sent) in whose.into_iter().zip(sent_of(svc, rows).await?) {
        by_person.entry(person).or_default().push(sent);
    }
    Ok(by_person)
}

async fn sent_of(svc: &Services, rows: Vec<sr::Model>) -> Result<Vec<Sent>, ServiceError> {
    let ids: Vec<i32> = rows.iter().map(|r| r.service_id).collect();
    let services = service::Entity::find()
        .filter(service::Column::Id.is_in(ids))
        .all(&svc.db)
        .await?;
    let orgs = organization::Entity::find()
        .filter(
            organization::Column::Id
                .is_in(rows.iter().map(|r| r.organization_id).collect::<Vec<_>>()),
        )
        .all(&svc.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let s = services.iter().find(|s| s.id == r.service_id);
            Sent {
                id: r.id,
                service_uuid: s.map(|s| s.uuid.clone()).unwrap_or_default(),
                service: s.map(|s| s.name.clone()).unwrap_or_default(),
                organization: orgs
                    .iter()
                    .find(|o| o.id == r.organization_id)
                    .map(|o| o.name.clone())
                    .unwrap_or_default(),
                state: State::parse(&r.state).unwrap_or(State::Sent),
                reason: r.reason,
                decline_reason: r.decline_reason,
                sent_at: r.sent_at,
                replied_at: r.replied_at,
                outcome_at: r.outcome_at,
            }
        })
        .collect())
}

/// A referral's service, step, when it was sent and when it was answered.
type Answered = (i32, String, DateTime<Utc>, Option<DateTime<Utc>>);

/// How each of these services has answered referrals over the last year.
pub async fn records(
    svc: &Services,
    service_ids: &[i32],
) -> Result<Vec<(i32, Record)>, ServiceError> {
    let since = svc.now() - chrono::Duration::days(365);
    let rows: Vec<Answered> = sr::Entity::find()
        .select_only()
        .column(sr::Column::ServiceId)
        .column(sr::Column::State)
        .column(sr::Column::SentAt)
        .column(sr::Column::RepliedAt)
        .filter(sr::Column::ServiceId.is_in(service_ids.to_vec()))
        .filter(sr::Column::SentAt.gte(since))
        .into_tuple()
        .all(&svc.db)
        .await?;
    Ok(service_ids
        .iter()
        .map(|id| {
            let mine: Vec<_> = rows.iter().filter(|r| r.0 == *id).collect();
            let mut hours: Vec<f64> = mine
                .iter()
                .filter_map(|r| r.3.map(|t| (t - r.2).num_minutes() as f64 / 60.0))
                .collect();
            hours.sort_by(f64::total_cmp);
            let answered = hours.len() as u64;
            let median = (!hours.is_empty()).then(|| hours[hours.len() / 2]);
            (
                *id,
                Record {
                    sent: mine.len() as u64,
                    answered,
                    accepted: mine
                        .iter()
                        .filter(|r| {
                            matches!(r.1.as_str(), "accepted" | "attended" | "did_not_attend")
                        })
                        .count() as u64,
                    median_reply_hours: median,
                },
            )
        })
        .collect())
}

/// The directory organisations whose inbox the actor answers: those owned by a platform
/// organisation where they answer referrals (their own, or one below it).
async fn inbox_orgs(svc: &Services, actor: &Actor) -> Result<Vec<i32>, ServiceError> {
    let scopes = actor.scopes(Permission::AnswerServiceReferrals);
    if scopes.is_empty() {
        return Ok(Vec::new());
    }
    let owners: Vec<(i32, String)> = organisation::Entity::find()
        .select_only()
        .column(organisation::Column::Id)
        .column(organisation::Column::Path)
        .filter(organisation::Column::Kind.eq("vcse"))
        .into_tuple()
        .all(&svc.db)
        .await?;
    let mine: Vec<i32> = owners
        .into_iter()
        .filter(|(_, path)| scopes.iter().any(|s| path.starts_with(s.as_str())))
        .map(|(id, _)| id)
        .collect();
    Ok(organization::Entity::find()
        .select_only()
        .column(organization::Column::Id)
        .filter(organization::Column::OwnerId.is_in(mine))
        .into_tuple()
        .all(&svc.db)
        .await?)
}

/// A referral in a service's inbox: only what the service needs.
#[derive(Clone, Debug)]
pub struct Received {
    pub id: i32,
    pub service: String,
    pub state: State,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub prefers: &'static str,
    pub adjustments: Option<String>,
    pub communication_needs: Option<String>,
    pub reason: String,
    pub what_matters: Option<String>,
    pub decline_reason: Option<String>,
    pub sent_by: String,
    pub sent_at: DateTime<Utc>,
    pub replied_at: Option<DateTime<Utc>>,
    pub outcome_at: Option<DateTime<Utc>>,
}

/// How many referrals in the actor's inbox wait for an answer.
pub async fn waiting(svc: &Services, actor: &Actor) -> Result<u64, ServiceError> {
    let orgs = inbox_orgs(svc, actor).await?;
    Ok(sr::Entity::find()
        .filter(sr::Column::OrganizationId.is_in(orgs))
        .filter(sr::Column::State.eq(State::Sent.as_str()))
        .count(&svc.db)
        .await?)
}

/// The inbox, newest first: a page of referrals (name, service, state), audited as one read.
pub async fn inbox(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    paging: Paging,
) -> Result<(Vec<(i32, String, String, State, DateTime<Utc>)>, u64), ServiceError> {
    actor.require(
        Permission::AnswerServiceReferrals,
        "answer referrals to community services",
    )?;
    let orgs = inbox_orgs(svc, actor).await?;
    let q = sr::Entity::find().filter(sr::Column::OrganizationId.is_in(orgs));
    let total = q.clone().count(&svc.db).await?;
    let rows = q
        .order_by_desc(sr::Column::SentAt)
        .order_by_desc(sr::Column::Id)
        .offset(paging.offset())
        .limit(paging.per_page)
        .all(&svc.db)
        .await?;
    let people = person::Entity::find()
        .filter(person::Column::Id.is_in(rows.iter().map(|r| r.person_id).collect::<Vec<_>>()))
        .all(&svc.db)
        .await?;
    let services = service::Entity::find()
        .filter(service::Column::Id.is_in(rows.iter().map(|r| r.service_id).collect::<Vec<_>>()))
        .all(&svc.db)
        .await?;
    audit::log(
        svc,
        svc.now(),
        meta,
        Event::new("service_inbox_viewed", Outcome::Success)
            .by(actor)
            .purpose(crate::care::PURPOSE)
            .detail(format!(
                "{} referrals shown: people {}",
                rows.len(),
                rows.iter()
                    .map(|r| r.person_id.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
    )
    .await?;
    Ok((
        rows.into_iter()
            .map(|r| {
                let name = people
                    .iter()
                    .find(|p| p.id == r.person_id)
                    .map(|p| format!("{} {}", p.given_name, p.family_name))
                    .unwrap_or_default();
                let service = services
                    .iter()
                    .find(|s| s.id == r.service_id)
                    .map(|s| s.name.clone())
                    .unwrap_or_default();
                (
                    r.id,
                    name,
                    service,
                    State::parse(&r.state).unwrap_or(State::Sent),
                    r.sent_at,
                )
            })
            .collect(),
        total,
    ))
}

/// One referral in the actor's inbox. Another organisation's, or none, is "not found" alike
/// (and the refusal audited).
pub async fn received(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
) -> Result<Received, ServiceError> {
    let row = inbox_row(svc, actor, meta, id, "service_referral_viewed").await?;
    let p = person::Entity::find_by_id(row.person_id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("referral"))?;
    let s = service::Entity::find_by_id(row.service_id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("referral"))?;
    let sender = match row.sent_by {
        Some(u) => user::Entity::find_by_id(u)
            .one(&svc.db)
            .await?
            .map(|u| u.display_name),
        None => None,
    };
    let mut e = Event::new("service_referral_viewed", Outcome::Success)
        .by(actor)
        .purpose(crate::care::PURPOSE)
        .entity("service_referral", id);
    e.person_id = Some(row.person_id);
    audit::log(svc, svc.now(), meta, e).await?;
    let prefers = domain::person::ContactPreference::parse(&p.preferred_contact)
        .map(|c| c.label())
        .unwrap_or("");
    Ok(Received {
        id,
        service: s.name,
        state: State::parse(&row.state).unwrap_or(State::Sent),
        name: format!("{} {}", p.given_name, p.family_name),
        phone: p.phone,
        email: p.email,
        prefers,
        adjustments: p.reasonable_adjustments,
        communication_needs: p.communication_needs,
        reason: row.reason,
        what_matters: row.what_matters,
        decline_reason: row.decline_reason,
        sent_by: sender.unwrap_or_else(|| "A care worker".into()),
        sent_at: row.sent_at,
        replied_at: row.replied_at,
        outcome_at: row.outcome_at,
    })
}

async fn inbox_row(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    action: &'static str,
) -> Result<sr::Model, ServiceError> {
    actor.require(
        Permission::AnswerServiceReferrals,
        "answer referrals to community services",
    )?;
    let orgs = inbox_orgs(svc, actor).await?;
    let row = sr::Entity::find_by_id(id).one(&svc.db).await?;
    match row {
        Some(r) if orgs.contains(&r.organization_id) => Ok(r),
        other => {
            let mut e = Event::new(action, Outcome::Refused)
                .by(actor)
                .entity("service_referral", id)
                .detail(if other.is_some() {
                    "another organisation's referral"
                } else {
                    "no such referral"
                });
            e.person_id = other.map(|r| r.person_id);
            audit::log(svc, svc.now(), meta, e).await?;
            Err(ServiceError::NotFound("referral"))
        }
    }
}

/// Accepts or declines a referral, once: a second answer, however close behind, is a conflict.
pub async fn reply(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    accept: bool,
    decline_reason: &str,
) -> Result<(), ServiceError> {
    let row = inbox_row(svc, actor, meta, id, "service_referral_answered").await?;
    let reason = DECLINE_REASON
        .clean(decline_reason)
        .map_err(|e| ServiceError::invalid("decline_reason", e.to_string()))?;
    if !accept && reason.is_none() {
        return Err(ServiceError::invalid(
            "decline_reason",
            "Say why the service cannot take them, so their link worker can find something else",
        ));
    }
    let now = svc.now();
    let to = if accept {
        State::Accepted
    } else {
        State::Declined
    };
    step(
        svc,
        actor,
        meta,
        &row,
        State::Sent,
        to,
        reason,
        now,
        "service_referral_answered",
    )
    .await
}

/// Records whether the person came, once, after the referral was accepted.
pub async fn outcome(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    attended: bool,
) -> Result<(), ServiceError> {
    let row = inbox_row(svc, actor, meta, id, "service_referral_outcome").await?;
    let to = if attended {
        State::Attended
    } else {
        State::DidNotAttend
    };
    step(
        svc,
        actor,
        meta,
        &row,
        State::Accepted,
        to,
        None,
        svc.now(),
        "service_referral_outcome",
    )
    .await
}

#[expect(
    clippy::too_many_arguments,
    reason = "a step is the referral, who takes it, from where to where, why and when"
)]
async fn step(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    row: &sr::Model,
    from: State,
    to: State,
    reason: Option<String>,
    now: DateTime<Utc>,
    action: &'static str,
) -> Result<(), ServiceError> {
    let txn = store::begin_write(&svc.db).await?;
    let mut update = sr::Entity::update_many()
        .col_expr(sr::Column::State, Expr::value(to.as_str()))
        .filter(sr::Column::Id.eq(row.id))
        .filter(sr::Column::State.eq(from.as_str()));
    update = if from == State::Sent {
        update
            .col_expr(sr::Column::RepliedAt, Expr::value(now))
            .col_expr(sr::Column::RepliedBy, Expr::value(actor.user_id))
            .col_expr(sr::Column::DeclineReason, Expr::value(reason))
    } else {
        update
            .col_expr(sr::Column::OutcomeAt, Expr::value(now))
            .col_expr(sr::Column::OutcomeBy, Expr::value(actor.user_id))
    };
    let done = update.exec(&txn).await?.rows_affected;
    if done == 0 {
        return Err(ServiceError::Conflict(match from {
            State::Sent => "This referral has already been answered".into(),
            _ => "Attendance can be recorded once, after the referral is accepted".into(),
        }));
    }
    let mut e = Event::new(action, Outcome::Success)
        .by(actor)
        .purpose(crate::care::PURPOSE)
        .entity("service_referral", row.id)
        .detail(to.as_str());
    e.person_id = Some(row.person_id);
    audit::record(&txn, now, meta, e).await?;
    txn.commit().await?;
    Ok(())
}
