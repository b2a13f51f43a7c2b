//! Referrals in (from staff, other organisations, and the person themselves), the caseload,
//! contacts, assignment and state changes.

use chrono::{Duration, NaiveDate};
use domain::referral::{
    CareService, ContactKind, ReferralMethod, ReferralState, Urgency, transition,
};
use domain::{OrgKind, Permission, Role, text};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Deserialize;
use store::entities::{contact, membership, organisation, person, referral, user};

use super::people::{self, Asker, Known, PersonInput, PracticeRule};
use super::{ReferralUse, care_orgs, person_event, person_for, referral_for};
use crate::audit::{self, Event, Outcome};
use crate::error::{DateRule, Problems};
use crate::paging::Paging;
use crate::{Actor, RequestMeta, ServiceError, Services, limits};

/// Attempts to reach someone before a referral may close as "unable to contact".
pub const ATTEMPTS_BEFORE_UNABLE_TO_CONTACT: i32 = 3;
/// Days a routine referral may wait for first contact before the "no one lost" view shows it.
pub const FIRST_CONTACT_DAYS: i64 = 7;
/// Days an urgent referral may wait for first contact.
pub const URGENT_FIRST_CONTACT_DAYS: i64 = 2;
/// Days without contact after which an open referral shows in the "no one lost" view.
pub const STALE_CONTACT_DAYS: i64 = 28;

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ReferralInput {
    /// An existing person; or give `person` to record someone new.
    pub person_id: Option<i32>,
    pub person: Option<PersonInput>,
    /// social_prescribing | health_and_wellbeing_coaching | care_coordination
    #[schema(schema_with = crate::schema::care_service)]
    pub service: Option<String>,
    /// The PCN (or its team) the referral is to.
    pub team_org_id: Option<i32>,
    /// YYYY-MM-DD; defaults to today.
    pub referred_on: Option<String>,
    pub referrer_name: Option<String>,
    pub referrer_organisation: Option<String>,
    /// phone | secure_messaging | secure_email | letter | nhs_e_referral_service | fax | self_referral | in_person
    #[schema(schema_with = crate::schema::referral_method)]
    pub method: Option<String>,
    #[schema(required = true)]
    pub reason: Option<String>,
    /// routine | urgent
    #[schema(schema_with = crate::schema::urgency)]
    pub urgency: Option<String>,
}

struct ValidReferral {
    service: CareService,
    team: organisation::Model,
    referred_on: NaiveDate,
    referrer_name: String,
    referrer_organisation: Option<String>,
    method: ReferralMethod,
    reason: String,
    urgency: Urgency,
}

async fn validate_referral<C: ConnectionTrait>(
    c: &C,
    today: NaiveDate,
    input: &ReferralInput,
    p: &mut Problems,
) -> Result<Option<ValidReferral>, ServiceError> {
    let before = p.0.len();
    let service = input
        .service
        .as_deref()
        .map(str::trim)
        .and_then(CareService::parse);
    if service.is_none() {
        p.add("service", "Choose the service the person is referred to");
    }
    // Any active PCN or team may be referred to: the directory of services is public.
    let team = match input.team_org_id {
        None => None,
        Some(id) => organisation::Entity::find_by_id(id)
            .one(c)
            .await?
            .filter(|o| o.kind == OrgKind::Pcn.as_str() || o.kind == OrgKind::Team.as_str())
            .filter(|o| o.status == "active"),
    };
    if team.is_none() {
        p.add(
            "team_org_id",
            "Choose the primary care network the referral is to",
        );
    }
    let referred_on = match input.referred_on.as_deref().map(str::trim) {
        None | Some("") => Some(today),
        Some(_) => p.date(
            "referred_on",
            &input.referred_on,
            DateRule::past("Referral date", today),
        ),
    };
    let referrer_name = p.required(
        "referrer_name",
        &input.referrer_name,
        text::REFERRER_NAME,
        "Enter who made the referral",
    );
    let referrer_organisation = p.text(
        "referrer_organisation",
        &input.referrer_organisation,
        text::REFERRER_ORGANISATION,
    );
    let method = input
        .method
        .as_deref()
        .map(str::trim)
        .and_then(ReferralMethod::parse);
    if method.is_none() {
        p.add("method", "Choose how the referral was made");
    }
    let reason = p.required(
        "reason",
        &input.reason,
        text::REASON,
        "Enter the reason for the referral",
    );
    let urgency = match input.urgency.as_deref().map(str::trim) {
        None | Some("") => Some(Urgency::Routine),
        Some(u) => Urgency::parse(u),
    };
    if urgency.is_none() {
        p.add("urgency", "Urgency must be routine or urgent");
    }
    if p.0.len() > before {
        return Ok(None);
    }
    match (
        service,
        team,
        referred_on,
        referrer_name,
        method,
        reason,
        urgency,
    ) {
        (
            Some(service),
            Some(team),
            Some(referred_on),
            Some(referrer_name),
            Some(method),
            Some(reason),
            Some(urgency),
        ) => Ok(Some(ValidReferral {
            service,
            team,
            referred_on,
            referrer_name,
            referrer_organisation,
            method,
            reason,
            urgency,
        })),
        _ => Ok(None),
    }
}

/// The PCN a referral to `team` belongs to: the team itself, or the PCN above it.
async fn pcn_of<C: ConnectionTrait>(
    c: &C,
    team: &organisation::Model,
) -> Result<Option<i32>, ServiceError> {
    if team.kind == OrgKind::Pcn.as_str() {
        return Ok(Some(team.id));
    }
    let Some(parent) = team.parent_id else {
        return Ok(None);
    };
    Ok(organisation::Entity::find_by_id(parent)
        .one(c)
        .await?
        .filter(|o| o.kind == OrgKind::Pcn.as_str())
        .map(|o| o.id))
}

/// An open referral of the same person to the same service, if any (a possible duplicate).
async fn open_duplicate<C: ConnectionTrait>(
    c: &C,
    person_id: i32,
    service: CareService,
) -> Result<Option<i32>, ServiceError> {
    let closed = [
        ReferralState::Discharged,
        ReferralState::Declined,
        ReferralState::UnableToContact,
    ]
    .map(|s| s.as_str());
    Ok(referral::Entity::find()
        .select_only()
        .column(referral::Column::Id)
        .filter(referral::Column::PersonId.eq(person_id))
        .filter(referral::Column::Service.eq(service.as_str()))
        .filter(referral::Column::State.is_not_in(closed))
        .order_by_asc(referral::Column::Id)
        .into_tuple()
        .one(c)
        .await?)
}

#[allow(clippy::too_many_arguments)]
async fn insert_referral<C: ConnectionTrait>(
    c: &C,
    now: chrono::DateTime<chrono::Utc>,
    person_id: i32,
    v: ValidReferral,
    source: &str,
    referrer_user_id: Option<i32>,
    submitted_from: Option<String>,
) -> Result<referral::Model, ServiceError> {
    let dup = open_duplicate(c, person_id, v.service).await?;
    Ok(referral::ActiveModel {
        person_id: Set(person_id),
        team_org_id: Set(v.team.id),
        service: Set(v.service.as_str().into()),
        referred_on: Set(v.referred_on),
        source: Set(source.into()),
        referrer_name: Set(v.referrer_name),
        referrer_organisation: Set(v.referrer_organisation),
        referrer_user_id: Set(referrer_user_id),
        method: Set(v.method.as_str().into()),
        reason: Set(v.reason),
        urgency: Set(v.urgency.as_str().into()),
        state: Set(ReferralState::Received.as_str().into()),
        possible_duplicate_of: Set(dup),
        contact_attempts: Set(0),
        submitted_from: Set(submitted_from),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(c)
    .await?)
}

/// A staff member (of a PCN or another organisation) refers a person.
pub async fn create(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    input: ReferralInput,
) -> Result<referral::Model, ServiceError> {
    if actor.grants.iter().all(|g| g.role == Role::Person) {
        return Err(ServiceError::Forbidden(
            "make referrals as staff (use the self-referral form)".into(),
        ));
    }
    let today = svc.now().date_naive();
    let mut p = Problems::default();
    // A person named by id must be one the caller works with; one that is not theirs and one
    // that is not there get the same field error (both audited by `person_for`).
    let existing = match input.person_id {
        Some(id) => match person_for(svc, actor, meta, id, "referral_created").await {
            Ok(found) => Some(found),
            Err(ServiceError::NotFound(_)) => {
                p.add(
                    "person_id",
                    "Choose a person you work with, or enter the person's details instead",
                );
                return Err(ServiceError::Invalid(p.0));
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    let new_person = match (&existing, &input.person) {
        (Some(_), _) => None,
        (None, Some(pi)) => people::validate(today, pi, "person.", &mut p),
        (None, None) => {
            p.add("person_id", "Choose the person, or enter their details");
            None
        }
    };
    let valid = validate_referral(&svc.db, today, &input, &mut p).await?;
    // A new person's practice must be one the team serves: registering someone at a practice
    // elsewhere would open their record to that practice's clinicians.
    if let (None, Some(pi), Some(v)) = (&existing, &input.person, &valid) {
        let pcn = pcn_of(&svc.db, &v.team).await?.unwrap_or(v.team.id);
        people::check_practice(
            &svc.db,
            pi.practice_id,
            &PracticeRule::ServedBy(pcn),
            "person.practice_id",
            &mut p,
        )
        .await?;
    }
    p.finish()?;
    let v = valid.ok_or_else(|| ServiceError::Internal("validated referral missing".into()))?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let person_id = match (existing, new_person) {
        (Some(e), _) => {
            super::lock_person(&txn, e.id).await?;
            e.id
        }
        (None, Some(np)) => {
            let m = people::create_person(&txn, &Asker::Staff(actor), now, np, "person.nhs_number")
                .await?;
            if m.needs_reconciliation {
                audit::record(
                    &txn,
                    now,
                    meta,
                    person_event(
                        actor,
                        "person_flagged_for_reconciliation",
                        Outcome::Success,
                        m.id,
                    )
                    .detail("NHS number also recorded on another person's record"),
                )
                .await?;
            }
            m.id
        }
        (None, None) => {
            return Err(ServiceError::invalid(
                "person_id",
                "Choose the person, or enter their details",
            ));
        }
    };
    let r = insert_referral(&txn, now, person_id, v, "staff", Some(actor.user_id), None).await?;
    audit::record(
        &txn,
        now,
        meta,
        person_event(actor, "referral_created", Outcome::Success, person_id)
            .entity("referral", r.id),
    )
    .await?;
    txn.commit().await?;
    Ok(r)
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct SelfReferralInput {
    pub person: PersonInput,
    pub service: Option<String>,
    pub reason: Option<String>,
    /// The person agrees to be contacted about the referral.
    pub consent_to_contact: bool,
    /// A field people never see; anything in it marks the submission as automated.
    pub trap: Option<String>,
}

/// Limits on the public form: per address per hour, and for the whole service per hour.
pub const SELF_REFERRALS_PER_ADDRESS_PER_HOUR: u64 = 5;
pub const SELF_REFERRALS_PER_HOUR: u64 = 300;

#[derive(Debug)]
pub enum SelfReferralOutcome {
    /// Saved; the reference to quote.
    Received { reference: String },
    /// Looked automated: answered as if saved, but nothing was kept.
    Discarded,
}

/// The public self-referral form. No sign-in; limited per address and overall; routed to the
/// PCN of the person's practice (or the PCN covering an opted-out practice).
pub async fn self_refer(
    svc: &Services,
    meta: &RequestMeta,
    input: SelfReferralInput,
) -> Result<SelfReferralOutcome, ServiceError> {
    if input.trap.as_deref().is_some_and(|t| !t.trim().is_empty()) {
        audit::log(
            svc,
            svc.now(),
            meta,
            Event::new("self_referral", Outcome::Refused).detail("automated submission discarded"),
        )
        .await?;
        return Ok(SelfReferralOutcome::Discarded);
    }
    let now = svc.now();
    // Token buckets, taken atomically: parallel submissions cannot overrun them.
    let mut limit = limits::take(
        svc,
        &limits::SELF_REFERRAL_PER_ADDRESS,
        &limits::address(meta),
    )
    .await?;
    if limit.allowed {
        limit = limits::take(svc, &limits::SELF_REFERRAL_SERVICE, "all").await?;
    }
    if !limit.allowed {
        audit::log(
            svc,
            now,
            meta,
            Event::new("self_referral", Outcome::Refused).detail("rate limit"),
        )
        .await?;
        return Err(ServiceError::RateLimited {
            retry_after_secs: limit.retry_after_secs,
        });
    }
    let today = now.date_naive();
    let mut p = Problems::default();
    if input.person.practice_id.is_none() {
        p.add("practice_id", "Choose your GP practice");
    }
    let person = people::validate(today, &input.person, "", &mut p);
    if input
        .person
        .date_of_birth
        .as_deref()
        .is_none_or(|d| d.trim().is_empty())
    {
        p.add("date_of_birth", "Enter your date of birth");
    }
    let reason = p.required(
        "reason",
        &input.reason,
        text::REASON,
        "Tell us a little about what you would like help with",
    );
    if !input.consent_to_contact {
        p.add(
            "consent_to_contact",
            "Confirm we may contact you about your referral",
        );
    }
    let service = input
        .service
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(CareService::SocialPrescribing.as_str());
    let practice = match input.person.practice_id {
        Some(pid) => organisation::Entity::find_by_id(pid)
            .one(&svc.db)
            .await?
            .filter(|o| o.kind == OrgKind::Practice.as_str() && o.status == "active"),
        None => None,
    };
    let team = match &practice {
        Some(o) => team_for_practice(&svc.db, o.id).await?,
        None => None,
    };
    if input.person.practice_id.is_some() && practice.is_none() {
        p.add("practice_id", "Choose your GP practice from the list");
    } else if practice.is_some() && team.is_none() {
        p.add(
            "practice_id",
            "We cannot take referrals for this practice online yet: please phone the practice",
        );
    }
    let ref_input = ReferralInput {
        service: Some(service.to_owned()),
        team_org_id: team.as_ref().map(|t| t.id),
        referrer_name: Some("Self referral".into()),
        method: Some(ReferralMethod::SelfReferral.as_str().into()),
        reason,
        urgency: Some("routine".into()),
        ..Default::default()
    };
    // Problems with the details asked of the person come first; the referral's own fields are
    // fixed above, so only the service or team can fail there (and the reason, reported once).
    let valid = if p.0.iter().any(|e| e.field == "reason") {
        None
    } else {
        validate_referral(&svc.db, today, &ref_input, &mut p).await?
    };
    p.finish()?;
    let (Some(person), Some(v), Some(team)) = (person, valid, team) else {
        return Err(ServiceError::Internal(
            "validated self-referral missing".into(),
        ));
    };
    let txn = store::begin_write(&svc.db).await?;
    // The same NHS number is the same person when that person is already known to the PCN the
    // referral goes to; a number known only elsewhere starts a new record, flagged for
    // reconciliation, so the form cannot be used to attach referrals to someone's record.
    let pcn_orgs = super::orgs_under(&txn, &team.path).await?;
    let existing = match &person.nhs_number {
        Some(n) => match people::known(&txn, &Asker::ToPcn(&pcn_orgs), n, None).await? {
            Known::InScope(id) => Some(id),
            Known::No | Known::Elsewhere => None,
        },
        None => None,
    };
    let person_id = match existing {
        Some(id) => {
            super::lock_person(&txn, id).await?;
            id
        }
        None => {
            let m =
                people::create_person(&txn, &Asker::ToPcn(&pcn_orgs), now, person, "nhs_number")
                    .await;
            match m {
                Ok(m) => m.id,
                // Recorded for the same PCN a moment ago, by a form sent at the same time.
                Err(ServiceError::Invalid(_)) => {
                    return Err(ServiceError::Conflict(
                        "Your referral could not be saved just now. Please try again".into(),
                    ));
                }
                Err(e) => return Err(e),
            }
        }
    };
    let r = insert_referral(&txn, now, person_id, v, "self", None, meta.ip.clone()).await?;
    let mut ev = Event::new("self_referral", Outcome::Success)
        .by_label(None, "the person (self-referral form)")
        .entity("referral", r.id);
    ev.person_id = Some(person_id);
    audit::record(&txn, now, meta, ev).await?;
    txn.commit().await?;
    Ok(SelfReferralOutcome::Received {
        reference: reference(r.id),
    })
}

/// The reference a person quotes: "SR-" and the referral number.
pub fn reference(id: i32) -> String {
    format!("SR-{id:06}")
}

/// The PCN whose caseload receives referrals for a practice.
pub async fn team_for_practice<C: ConnectionTrait>(
    c: &C,
    practice_id: i32,
) -> Result<Option<organisation::Model>, ServiceError> {
    let Some(practice) = organisation::Entity::find_by_id(practice_id).one(c).await? else {
        return Ok(None);
    };
    let Some(parent) = practice.parent_id else {
        return Ok(None);
    };
    let parent = organisation::Entity::find_by_id(parent).one(c).await?;
    Ok(match parent {
        Some(p) if p.kind == OrgKind::Pcn.as_str() => Some(p),
        // An opted-out practice: the first PCN of its ICB takes its referrals until the
        // commissioner's arrangement names one.
        Some(icb) => {
            organisation::Entity::find()
                .filter(organisation::Column::ParentId.eq(icb.id))
                .filter(organisation::Column::Kind.eq(OrgKind::Pcn.as_str()))
                .order_by_asc(organisation::Column::Name)
                .one(c)
                .await?
        }
        None => None,
    })
}

/// The longest "no contact for N days" filter accepted (ten years).
pub const MAX_NO_CONTACT_DAYS: i64 = 3_650;

#[derive(Clone, Debug, Default)]
pub struct CaseloadFilter {
    /// A state, or "open" for every state not closed (the default).
    pub state: Option<String>,
    pub assigned_to: Option<i32>,
    pub practice_id: Option<i32>,
    /// Review due on or before this date.
    pub review_due_by: Option<NaiveDate>,
    /// No contact for at least this many days.
    pub no_contact_days: Option<i64>,
    /// referred | review_due | last_contact
    pub sort: Option<String>,
    pub page: u64,
    pub per_page: u64,
}

pub struct CaseloadRow {
    pub referral: referral::Model,
    pub person: person::Model,
    pub assigned: Option<String>,
}

pub struct CaseloadPage {
    pub rows: Vec<CaseloadRow>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl CaseloadPage {
    pub fn total_pages(&self) -> u64 {
        Ord::max(self.total.div_ceil(Ord::max(self.per_page, 1)), 1)
    }
}

fn open_states() -> [&'static str; 3] {
    [
        ReferralState::Received.as_str(),
        ReferralState::Contacted.as_str(),
        ReferralState::Active.as_str(),
    ]
}

/// The caseload of the actor's teams, filtered, sorted and paged.
pub async fn caseload(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    f: CaseloadFilter,
) -> Result<CaseloadPage, ServiceError> {
    actor.require(Permission::ProvideCare, "see the caseload")?;
    let now = svc.now();
    let backend = svc.db.get_database_backend();
    let mut q = referral::Entity::find()
        .filter(referral::Column::TeamOrgId.in_subquery(care_orgs(backend, actor)));
    match f
        .state
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or("open")
    {
        "open" => q = q.filter(referral::Column::State.is_in(open_states())),
        "all" => {}
        s => {
            let st = ReferralState::parse(s)
                .ok_or_else(|| ServiceError::invalid("state", "Choose a state from the list"))?;
            q = q.filter(referral::Column::State.eq(st.as_str()));
        }
    }
    if let Some(u) = f.assigned_to {
        q = q.filter(referral::Column::AssignedUserId.eq(u));
    }
    if let Some(pid) = f.practice_id {
        q = q.filter(
            referral::Column::PersonId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(person::Column::Id)
                    .from(person::Entity)
                    .and_where(sea_orm::sea_query::ExprTrait::eq(
                        Expr::col(person::Column::PracticeId),
                        pid,
                    ))
                    .to_owned(),
            ),
        );
    }
    if let Some(d) = f.review_due_by {
        q = q.filter(referral::Column::ReviewDue.lte(d));
    }
    if let Some(days) = f.no_contact_days {
        if !(1..=MAX_NO_CONTACT_DAYS).contains(&days) {
            return Err(ServiceError::invalid(
                "no_contact_days",
                format!(
                    "Days without contact must be a whole number from 1 to {MAX_NO_CONTACT_DAYS}"
                ),
            ));
        }
        let cutoff = now - Duration::days(days);
        q = q.filter(
            Condition::any()
                .add(referral::Column::LastContactAt.lt(cutoff))
                .add(
                    Condition::all()
                        .add(referral::Column::LastContactAt.is_null())
                        .add(referral::Column::CreatedAt.lt(cutoff)),
                ),
        );
    }
    let paging = Paging::new(f.page, f.per_page)?;
    let (page, per_page) = (paging.page, paging.per_page);
    // Counted before ordering, by id alone, so the count comes from the covering index (a
    // count of the ordered rows would read and sort every matching row first).
    let total: i64 = q
        .clone()
        .select_only()
        .column_as(referral::Column::Id.count(), "n")
        .into_tuple()
        .one(&svc.db)
        .await?
        .unwrap_or(0);
    let total = u64::try_from(total).unwrap_or(0);
    q = match f.sort.as_deref().unwrap_or("referred") {
        "review_due" => q.order_by_asc(referral::Column::ReviewDue),
        "last_contact" => q.order_by_asc(referral::Column::LastContactAt),
        _ => q.order_by_asc(referral::Column::ReferredOn),
    }
    .order_by_asc(referral::Column::Id);
    // Find the page's ids from the covering indexes, then read just those rows.
    let ids: Vec<i32> = q
        .select_only()
        .column(referral::Column::Id)
        .offset(paging.offset())
        .limit(per_page)
        .into_tuple()
        .all(&svc.db)
        .await?;
    let mut refs = referral::Entity::find()
        .filter(referral::Column::Id.is_in(ids.clone()))
        .all(&svc.db)
        .await?;
    refs.sort_by_key(|r| ids.iter().position(|i| *i == r.id));
    let rows = attach(&svc.db, refs).await?;
    audit::log(
        svc,
        now,
        meta,
        Event::new("caseload_viewed", Outcome::Success)
            .by(actor)
            .purpose(super::PURPOSE)
            .detail(format!("{} of {total} referral(s) shown", rows.len())),
    )
    .await?;
    Ok(CaseloadPage {
        rows,
        total,
        page,
        per_page,
    })
}

async fn attach<C: ConnectionTrait>(
    c: &C,
    refs: Vec<referral::Model>,
) -> Result<Vec<CaseloadRow>, ServiceError> {
    let person_ids: Vec<i32> = refs.iter().map(|r| r.person_id).collect();
    let user_ids: Vec<i32> = refs.iter().filter_map(|r| r.assigned_user_id).collect();
    let people = person::Entity::find()
        .filter(person::Column::Id.is_in(person_ids))
        .all(c)
        .await?;
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids))
        .all(c)
        .await?;
    Ok(refs
        .into_iter()
        .filter_map(|r| {
            let p = people.iter().find(|p| p.id == r.person_id)?.clone();
            let assigned = r
                .assigned_user_id
                .and_then(|u| users.iter().find(|x| x.id == u))
                .map(|u| u.display_name.clone());
            Some(CaseloadRow {
                referral: r,
                person: p,
                assigned,
            })
        })
        .collect())
}

/// Why a referral is in the "no one lost" view.
pub enum LostReason {
    WaitingForFirstContact { days: i64 },
    NoRecentContact { days: i64 },
}

/// Open referrals waiting too long for first contact, or with no recent contact, oldest first.
pub async fn no_one_lost(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<(CaseloadRow, LostReason)>, ServiceError> {
    actor.require(Permission::ProvideCare, "see the caseload")?;
    let now = svc.now();
    let backend = svc.db.get_database_backend();
    let waiting = referral::Entity::find()
        .filter(referral::Column::TeamOrgId.in_subquery(care_orgs(backend, actor)))
        .filter(referral::Column::State.eq(ReferralState::Received.as_str()))
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(referral::Column::Urgency.eq("urgent"))
                        .add(
                            referral::Column::CreatedAt
                                .lt(now - Duration::days(URGENT_FIRST_CONTACT_DAYS)),
                        ),
                )
                .add(referral::Column::CreatedAt.lt(now - Duration::days(FIRST_CONTACT_DAYS))),
        )
        .order_by_asc(referral::Column::CreatedAt)
        .limit(500)
        .all(&svc.db)
        .await?;
    let stale = referral::Entity::find()
        .filter(referral::Column::TeamOrgId.in_subquery(care_orgs(backend, actor)))
        .filter(referral::Column::State.is_in([
            ReferralState::Contacted.as_str(),
            ReferralState::Active.as_str(),
        ]))
        .filter(referral::Column::LastContactAt.lt(now - Duration::days(STALE_CONTACT_DAYS)))
        .order_by_asc(referral::Column::LastContactAt)
        .limit(500)
        .all(&svc.db)
        .await?;
    let mut out = Vec::new();
    for row in attach(&svc.db, waiting).await? {
        let days = (now - row.referral.created_at).num_days();
        out.push((row, LostReason::WaitingForFirstContact { days }));
    }
    for row in attach(&svc.db, stale).await? {
        let days = row
            .referral
            .last_contact_at
            .map(|l| (now - l).num_days())
            .unwrap_or(0);
        out.push((row, LostReason::NoRecentContact { days }));
    }
    audit::log(
        svc,
        now,
        meta,
        Event::new("caseload_viewed", Outcome::Success)
            .by(actor)
            .purpose(super::PURPOSE)
            .detail(format!("no one lost: {} referral(s)", out.len())),
    )
    .await?;
    Ok(out)
}

/// A referral the actor may see (its team is within their care scope, or they made it). One
/// outside their scope is answered as if it were not there (and the refusal audited).
pub async fn get(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
) -> Result<referral::Model, ServiceError> {
    let r = referral_for(svc, actor, meta, id, "referral_viewed", ReferralUse::See).await?;
    audit::log(
        svc,
        svc.now(),
        meta,
        person_event(actor, "referral_viewed", Outcome::Success, r.person_id)
            .entity("referral", id),
    )
    .await?;
    Ok(r)
}

/// Referrals of a person (for the person page).
pub async fn for_person<C: ConnectionTrait>(
    c: &C,
    person_id: i32,
) -> Result<Vec<referral::Model>, ServiceError> {
    Ok(referral::Entity::find()
        .filter(referral::Column::PersonId.eq(person_id))
        .order_by_desc(referral::Column::ReferredOn)
        .all(c)
        .await?)
}

pub async fn contacts<C: ConnectionTrait>(
    c: &C,
    referral_id: i32,
) -> Result<Vec<contact::Model>, ServiceError> {
    Ok(contact::Entity::find()
        .filter(contact::Column::ReferralId.eq(referral_id))
        .order_by_desc(contact::Column::At)
        .all(c)
        .await?)
}

/// A referral the actor may change: in their care scope, not just one they made.
async fn for_work(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    action: &'static str,
) -> Result<referral::Model, ServiceError> {
    referral_for(svc, actor, meta, id, action, ReferralUse::Work).await
}

/// People who may be assigned the referral: care roles at its team or above.
pub async fn assignable(
    svc: &Services,
    r: &referral::Model,
) -> Result<Vec<user::Model>, ServiceError> {
    let team = organisation::Entity::find_by_id(r.team_org_id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("team"))?;
    let ancestors: Vec<i32> = team
        .path
        .split('/')
        .filter_map(|s| s.parse().ok())
        .collect();
    let roles = [
        Role::LinkWorker,
        Role::CareCoordinator,
        Role::HealthAndWellbeingCoach,
    ]
    .map(|r| r.as_str());
    let user_ids: Vec<i32> = membership::Entity::find()
        .select_only()
        .column(membership::Column::UserId)
        .filter(membership::Column::OrganisationId.is_in(ancestors))
        .filter(membership::Column::Role.is_in(roles))
        .into_tuple()
        .all(&svc.db)
        .await?;
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::DisplayName)
        .all(&svc.db)
        .await?)
}

/// Applies a change to a referral only if it is still at `version`: a second, simultaneous
/// change of the same version changes nothing and is told so.
async fn apply<C: ConnectionTrait>(
    c: &C,
    id: i32,
    version: i32,
    changes: Vec<(referral::Column, sea_orm::sea_query::SimpleExpr)>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ServiceError> {
    let next = version.checked_add(1).ok_or_else(stale_referral)?;
    let mut u = referral::Entity::update_many();
    for (col, e) in changes {
        u = u.col_expr(col, e);
    }
    let n = u
        .col_expr(referral::Column::UpdatedAt, Expr::value(now))
        .col_expr(referral::Column::Version, Expr::value(next))
        .filter(referral::Column::Id.eq(id))
        .filter(referral::Column::Version.eq(version))
        .exec(c)
        .await?
        .rows_affected;
    if n == 0 {
        return Err(stale_referral());
    }
    Ok(())
}

fn stale_referral() -> ServiceError {
    ServiceError::Conflict("Someone else changed this referral a moment ago. Nothing has been saved: reload it to see the latest and try again".into())
}

pub async fn assign(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    version: i32,
    user_id: Option<i32>,
) -> Result<(), ServiceError> {
    let r = for_work(svc, actor, meta, id, "referral_assigned").await?;
    if let Some(u) = user_id
        && !assignable(svc, &r).await?.iter().any(|x| x.id == u)
    {
        return Err(ServiceError::invalid(
            "assigned_user_id",
            "Choose someone from this team",
        ));
    }
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    apply(
        &txn,
        id,
        version,
        vec![(referral::Column::AssignedUserId, Expr::value(user_id))],
        now,
    )
    .await?;
    audit::record(
        &txn,
        now,
        meta,
        person_event(actor, "referral_assigned", Outcome::Success, r.person_id)
            .entity("referral", id)
            .detail(format!("to user {user_id:?}")),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ContactInput {
    /// face_to_face | phone | video | home_visit | group
    #[schema(schema_with = crate::schema::contact_kind)]
    pub kind: Option<String>,
    /// YYYY-MM-DD; defaults to today.
    pub date: Option<String>,
    #[schema(minimum = 1, maximum = 600)]
    pub duration_minutes: Option<i64>,
    pub notes: Option<String>,
    #[serde(default)]
    pub did_not_attend: bool,
    /// An attempt to reach the person that did not reach them.
    #[serde(default)]
    pub attempt_only: bool,
    /// A health coaching session.
    #[serde(default)]
    pub coaching: bool,
}

pub async fn record_contact(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    input: ContactInput,
) -> Result<contact::Model, ServiceError> {
    let r = for_work(svc, actor, meta, id, "contact_recorded").await?;
    let state = ReferralState::parse(&r.state).unwrap_or(ReferralState::Received);
    if state.is_closed() {
        return Err(ServiceError::Conflict(format!(
            "This referral is {}: contacts can no longer be added",
            state.label().to_lowercase()
        )));
    }
    let now = svc.now();
    let mut p = Problems::default();
    let kind = input
        .kind
        .as_deref()
        .map(str::trim)
        .and_then(ContactKind::parse);
    if kind.is_none() {
        p.add("kind", "Choose how the contact happened");
    }
    let today = now.date_naive();
    let date = match input.date.as_deref().map(str::trim) {
        None | Some("") => Some(today),
        Some(_) => p.date(
            "date",
            &input.date,
            DateRule::past("The contact date", today),
        ),
    };
    let notes = p.text("notes", &input.notes, text::CONTACT_NOTES);
    if let Some(m) = input.duration_minutes
        && !(1..=600).contains(&m)
    {
        p.add(
            "duration_minutes",
            "Duration must be between 1 and 600 minutes",
        );
    }
    p.finish()?;
    let (Some(kind), Some(date)) = (kind, date) else {
        return Err(ServiceError::Internal("validated contact missing".into()));
    };
    let at = if date == now.date_naive() {
        now
    } else {
        date.and_hms_opt(12, 0, 0)
            .map(|t| t.and_utc())
            .unwrap_or(now)
    };
    let reached = !input.attempt_only && !input.did_not_attend;
    let txn = store::begin_write(&svc.db).await?;
    let c = contact::ActiveModel {
        referral_id: Set(id),
        person_id: Set(r.person_id),
        at: Set(at),
        kind: Set(kind.as_str().into()),
        duration_minutes: Set(input.duration_minutes.and_then(|m| i32::try_from(m).ok())),
        did_not_attend: Set(input.did_not_attend),
        attempt_only: Set(input.attempt_only),
        coaching: Set(input.coaching),
        notes: Set(notes),
        by_user_id: Set(Some(actor.user_id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // A contact adds to the referral rather than editing it, so two people recording contacts
    // at once both succeed: each change is computed from the row as it stands at the update,
    // which is also the moment the referral is checked to be still open.
    use sea_orm::sea_query::{CaseStatement, ExprTrait};
    let mut u = referral::Entity::update_many()
        .col_expr(referral::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            referral::Column::Version,
            Expr::col(referral::Column::Version).add(1),
        )
        .filter(referral::Column::Id.eq(id))
        .filter(referral::Column::State.is_in(open_states()));
    if reached {
        // Each column becomes `value` where `when` holds, else keeps what it has.
        let set_when = |col: referral::Column, when: Condition, value: Expr| -> Expr {
            CaseStatement::new()
                .case(when, value)
                .finally(Expr::col(col))
                .into()
        };
        let (last, first) = (
            referral::Column::LastContactAt,
            referral::Column::FirstContactAt,
        );
        u = u
            .col_expr(
                last,
                set_when(
                    last,
                    Condition::any().add(last.is_null()).add(last.lt(at)),
                    Expr::value(Some(at)),
                ),
            )
            .col_expr(
                first,
                set_when(
                    first,
                    Condition::any().add(first.is_null()).add(first.gt(at)),
                    Expr::value(Some(at)),
                ),
            )
            .col_expr(
                referral::Column::State,
                set_when(
                    referral::Column::State,
                    Condition::all()
                        .add(referral::Column::State.eq(ReferralState::Received.as_str())),
                    Expr::value(ReferralState::Contacted.as_str()),
                ),
            );
    } else if input.attempt_only {
        u = u.col_expr(
            referral::Column::ContactAttempts,
            Expr::col(referral::Column::ContactAttempts).add(1),
        );
    }
    if u.exec(&txn).await?.rows_affected == 0 {
        return Err(ServiceError::Conflict(
            "This referral was closed a moment ago: contacts can no longer be added".into(),
        ));
    }
    audit::record(
        &txn,
        now,
        meta,
        person_event(actor, "contact_recorded", Outcome::Success, r.person_id)
            .entity("referral", id),
    )
    .await?;
    txn.commit().await?;
    Ok(c)
}

/// A move of a referral: to active (with an optional review date), declined (with the
/// person's reason) or unable to contact.
#[derive(Clone, Debug)]
pub struct StateChange {
    pub to: ReferralState,
    pub reason: Option<String>,
    pub review_due: Option<NaiveDate>,
}

/// Moves a referral to active, declined (with the reason) or unable to contact.
pub async fn change_state(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    version: i32,
    change: StateChange,
) -> Result<(), ServiceError> {
    let StateChange {
        to,
        reason,
        review_due,
    } = change;
    let r = for_work(svc, actor, meta, id, "referral_state_changed").await?;
    let from = ReferralState::parse(&r.state).unwrap_or(ReferralState::Received);
    transition(from, to).map_err(|e| ServiceError::Conflict(e.to_string()))?;
    let now = svc.now();
    let mut changes: Vec<(referral::Column, sea_orm::sea_query::SimpleExpr)> =
        vec![(referral::Column::State, Expr::value(to.as_str()))];
    match to {
        ReferralState::Declined => {
            let mut p = Problems::default();
            let reason = p.required(
                "reason",
                &reason,
                text::DECLINED_REASON,
                "Enter why the person declined",
            );
            p.finish()?;
            let Some(reason) = reason else {
                return Err(ServiceError::invalid(
                    "reason",
                    "Enter why the person declined",
                ));
            };
            changes.push((referral::Column::DeclinedReason, Expr::value(reason)));
            changes.push((referral::Column::ClosedAt, Expr::value(Some(now))));
        }
        ReferralState::UnableToContact => {
            if r.contact_attempts < ATTEMPTS_BEFORE_UNABLE_TO_CONTACT {
                return Err(ServiceError::Conflict(format!(
                    "Record at least {ATTEMPTS_BEFORE_UNABLE_TO_CONTACT} attempts to contact the person before closing the referral ({} so far)",
                    r.contact_attempts
                )));
            }
            changes.push((referral::Column::ClosedAt, Expr::value(Some(now))));
        }
        ReferralState::Active => {
            if let Some(d) = review_due {
                let d = DateRule::review("Review date", now.date_naive()).check("review_due", d)?;
                changes.push((referral::Column::ReviewDue, Expr::value(Some(d))));
            }
        }
        _ => {}
    }
    let txn = store::begin_write(&svc.db).await?;
    apply(&txn, id, version, changes, now).await?;
    if matches!(to, ReferralState::Declined | ReferralState::UnableToContact) {
        super::discharge::write_message(&txn, now, &r, to, None).await?;
    }
    audit::record(
        &txn,
        now,
        meta,
        person_event(
            actor,
            "referral_state_changed",
            Outcome::Success,
            r.person_id,
        )
        .entity("referral", id)
        .detail(format!("{} → {}", from.as_str(), to.as_str())),
    )
    .await?;
    txn.commit().await?;
    if matches!(to, ReferralState::Declined | ReferralState::UnableToContact) {
        svc.jobs_queued();
    }
    Ok(())
}
