//! A staff member's referral of a person, and the validation and insert the self-referral form
//! shares.

use chrono::NaiveDate;
use domain::referral::{CareService, ReferralMethod, ReferralState, Urgency};
use domain::{OrgKind, Permission, text};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Deserialize;
use store::entities::{organisation, referral};

use crate::audit::{self, Outcome};
use crate::care::people::{self, Asker, PersonInput, PracticeRule};
use crate::care::{person_event, person_for};
use crate::error::{DateRule, Problems};
use crate::{Actor, RequestMeta, ServiceError, Services};

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

pub(super) struct ValidReferral {
    service: CareService,
    team: organisation::Model,
    referred_on: NaiveDate,
    referrer_name: String,
    referrer_organisation: Option<String>,
    method: ReferralMethod,
    reason: String,
    urgency: Urgency,
}

pub(super) async fn validate_referral<C: ConnectionTrait>(
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
pub(super) async fn insert_referral<C: ConnectionTrait>(
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
) -> Result<crate::care::Referral, ServiceError> {
    actor.require(
        Permission::Refer,
        "make referrals as staff (use the self-referral form)",
    )?;
    let today = svc.today();
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
            crate::care::lock_person(&txn, e.id).await?;
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
    r.try_into()
}
