//! The public self-referral form: limits, validation, matching a known person, and the PCN
//! that receives a practice's referrals.

use domain::referral::{CareService, ReferralMethod};
use domain::{OrgKind, text};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use store::entities::organisation;

use super::create::{ReferralInput, insert_referral, validate_referral};
use crate::audit::{self, Event, Outcome};
use crate::care::people::{self, Asker, Known, PersonInput};
use crate::error::Problems;
use crate::{RequestMeta, ServiceError, Services, limits};

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
/// The self-referral form's fields, in the order it asks for them.
pub const SELF_REFERRAL_FIELDS: [&str; 11] = [
    "given_name",
    "family_name",
    "date_of_birth",
    "nhs_number",
    "practice_id",
    "preferred_contact",
    "phone",
    "email",
    "service",
    "reason",
    "consent_to_contact",
];

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
    let (person, v, team) = check(svc, &input).await?;
    let txn = store::begin_write(&svc.db).await?;
    // The same NHS number is the same person when that person is already known to the PCN the
    // referral goes to; a number known only elsewhere starts a new record, flagged for
    // reconciliation, so the form cannot be used to attach referrals to someone's record.
    // A known number with another name or date of birth is not joined to the known person: it
    // starts a record of its own (flagged, as a second record of the number must be) and the
    // referral names the known person for staff to check who it is.
    let existing = match &person.nhs_number {
        Some(n) => match people::known(&txn, &Asker::ToPcn(&team.path), n, None).await? {
            Known::InScope(id) => Some(id),
            Known::No | Known::Elsewhere => None,
        },
        None => None,
    };
    let mut identity_check = None;
    let existing = match existing {
        Some(id) => {
            let known = store::entities::person::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .ok_or(ServiceError::NotFound("person"))?;
            if same_identity(&known, &person) {
                Some(id)
            } else {
                identity_check = Some(id);
                None
            }
        }
        None => None,
    };
    let person_id = match existing {
        Some(id) => {
            crate::care::lock_person(&txn, id).await?;
            id
        }
        None if identity_check.is_some() => people::insert(&txn, now, person, true).await?.id,
        None => {
            let m =
                people::create_person(&txn, &Asker::ToPcn(&team.path), now, person, "nhs_number")
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
    let mut r = insert_referral(&txn, now, person_id, v, "self", None, meta.ip.clone()).await?;
    if let Some(known) = identity_check {
        use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
        let mut am = r.into_active_model();
        am.identity_check_person_id = Set(Some(known));
        r = am.update(&txn).await?;
        let mut ev = Event::new("self_referral_identity_check", Outcome::Success)
            .by_label(None, "the person (self-referral form)")
            .entity("referral", r.id)
            .detail(format!(
                "NHS number matches person {known}; name or date of birth differ"
            ));
        ev.person_id = Some(known);
        audit::record(&txn, now, meta, ev).await?;
    }
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

/// What a self-referral's answers become once checked: the person, the referral and the PCN.
type Checked = (
    people::ValidPerson,
    super::create::ValidReferral,
    organisation::Model,
);

/// Checks a self-referral's answers without saving anything or counting against the limits:
/// for the "check your answers" page. The same checks run again when it is sent.
pub async fn check_self_referral(
    svc: &Services,
    input: &SelfReferralInput,
) -> Result<(), ServiceError> {
    check(svc, input).await.map(|_| ())
}

async fn check(svc: &Services, input: &SelfReferralInput) -> Result<Checked, ServiceError> {
    let today = svc.today();
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
    // Nothing is chosen for the person: they say which support they would like.
    let service = input
        .service
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    match service {
        None => p.add("service", "Choose the kind of support you would like"),
        Some(s) if CareService::parse(s).is_none() => {
            p.add("service", "Choose the kind of support from the list")
        }
        Some(_) => {}
    }
    let service = service.unwrap_or_default();
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
    // Every problem is reported against a field of the form, in the form's order. The
    // referral's own fields are set above from what was checked there, so it is checked only
    // once all of that is right; anything it still finds with the team is the practice's.
    let valid = if p.is_empty() {
        validate_referral(&svc.db, today, &ref_input, &mut p).await?
    } else {
        None
    };
    for e in &mut p.0 {
        if e.field == "team_org_id" {
            e.field = "practice_id".into();
        }
        // The checks are written for staff entering someone's details; here people write
        // their own.
        e.message = e
            .message
            .replace("the person's ", "your ")
            .replace("the person prefers", "you prefer");
    }
    p.sort_by(&SELF_REFERRAL_FIELDS);
    p.finish()?;
    match (person, valid, team) {
        (Some(person), Some(v), Some(team)) => Ok((person, v, team)),
        _ => Err(ServiceError::Internal(
            "validated self-referral missing".into(),
        )),
    }
}

/// Whether the details sent are the known person's: the same names (ignoring case and spaces at
/// either end) and the same date of birth, on both. A known record without a date of birth
/// cannot be confirmed, so it is checked by staff too.
fn same_identity(known: &store::entities::person::Model, sent: &people::ValidPerson) -> bool {
    let same = |a: &str, b: &str| a.trim().to_lowercase() == b.trim().to_lowercase();
    same(&known.given_name, &sent.given_name)
        && same(&known.family_name, &sent.family_name)
        && known.date_of_birth.is_some()
        && known.date_of_birth == sent.date_of_birth
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
