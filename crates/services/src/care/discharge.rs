//! Discharge, and the message back to the GP and the referrer carrying the SNOMED CT code to record.

use domain::referral::{
    CareService, ReferralState, SNOMED_REFERRAL_TO_SOCIAL_PRESCRIBING,
    SNOMED_SOCIAL_PRESCRIBING_DECLINED, transition,
};
use domain::text;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use store::entities::{discharge_message, organisation, person, referral};

use super::people::{consents_of, latest_decision};
use super::person_event;
use crate::audit::{self, Outcome};
use crate::{Actor, RequestMeta, ServiceError, Services, email};

pub const DISCHARGE_REASONS: [(&str, &str); 5] = [
    ("goals_met", "Goals met"),
    ("connected_to_support", "Connected to community support"),
    ("moved_away", "Moved away"),
    ("person_chose_to_end", "The person chose to end support"),
    ("other", "Other"),
];

/// Writes the message for a closed referral, and queues it by e-mail to the practice unless the
/// person refused sharing with their GP practice. One message per referral.
pub async fn write_message<C: ConnectionTrait>(
    c: &C,
    now: chrono::DateTime<chrono::Utc>,
    referral_id: i32,
    summary: Option<&str>,
) -> Result<discharge_message::Model, ServiceError> {
    // Read as the closing change left it, inside the same transaction.
    let r = &referral::Entity::find_by_id(referral_id)
        .one(c)
        .await?
        .ok_or(ServiceError::NotFound("referral"))?;
    let outcome = ReferralState::parse(&r.state)
        .ok_or_else(|| ServiceError::Internal(format!("unknown referral state {:?}", r.state)))?;
    let p = person::Entity::find_by_id(r.person_id)
        .one(c)
        .await?
        .ok_or(ServiceError::NotFound("person"))?;
    let practice = match p.practice_id {
        Some(id) => organisation::Entity::find_by_id(id).one(c).await?,
        None => None,
    };
    let service = CareService::parse(&r.service).unwrap_or(CareService::SocialPrescribing);
    let accepted = r.first_contact_at.is_some() && outcome != ReferralState::Declined;
    let (code, display) = match (service, accepted) {
        // Passed on or turned down at triage: the person was never offered the service.
        _ if outcome.is_closed_at_triage() => ("", ""),
        (CareService::SocialPrescribing, true) => (
            SNOMED_REFERRAL_TO_SOCIAL_PRESCRIBING,
            "Referral to social prescribing service",
        ),
        (CareService::SocialPrescribing, false) => (
            SNOMED_SOCIAL_PRESCRIBING_DECLINED,
            "Social prescribing declined",
        ),
        _ => ("", ""),
    };
    let nhs = p
        .nhs_number
        .as_deref()
        .and_then(|n| domain::NhsNumber::parse(n).ok())
        .map(|n| n.formatted())
        .unwrap_or_else(|| "not recorded".into());
    let dob = p
        .date_of_birth
        .map(domain::dates::long)
        .unwrap_or_else(|| "not recorded".into());
    let mut body = format!(
        "Personalised care: {} – {}\n\nPatient: {} {}\nNHS number: {nhs}\nDate of birth: {dob}\nGP practice: {}\n\nReferred on {} by {}{}\nReason for referral: {}\n\nOutcome: {}\n",
        service.label(),
        outcome.label(),
        p.given_name,
        p.family_name,
        practice
            .as_ref()
            .map(|o| format!("{} ({})", o.name, o.ods_code.clone().unwrap_or_default()))
            .unwrap_or_else(|| "not recorded".into()),
        r.referred_on.format("%-d %B %Y"),
        r.referrer_name,
        r.referrer_organisation
            .as_ref()
            .map(|o| format!(", {o}"))
            .unwrap_or_default(),
        r.reason,
        outcome.label(),
    );
    if let Some(d) = &r.declined_reason {
        let label = if outcome == ReferralState::Signposted {
            "Signposted to"
        } else {
            "Reason given"
        };
        body.push_str(&format!("{label}: {d}\n"));
    }
    if let Some(s) = summary {
        body.push_str(&format!("Summary: {s}\n"));
    }
    if !code.is_empty() {
        body.push_str(&format!(
            "\nPlease record in the GP record:\nSNOMED CT {code} |{display}|\n"
        ));
    }
    body.push_str("\nSent by whatmatters on behalf of the personalised care team.\n");
    // Their latest word counts: someone who refused and later agreed is e-mailed.
    let refused_gp = latest_decision(&consents_of(c, p.id).await?, "GP practice") == Some(false);
    let to = practice
        .as_ref()
        .and_then(|o| o.email.clone())
        .filter(|_| !refused_gp);
    if let Some(addr) = &to {
        email::enqueue(
            c,
            now,
            addr,
            &format!(
                "Personalised care {}: {} {}",
                outcome.label().to_lowercase(),
                p.given_name,
                p.family_name
            ),
            &body,
        )
        .await?;
    }
    Ok(discharge_message::ActiveModel {
        referral_id: Set(r.id),
        person_id: Set(p.id),
        snomed_code: Set(code.into()),
        snomed_display: Set(display.into()),
        body: Set(body),
        practice_id: Set(p.practice_id),
        sent_to: Set(to),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(c)
    .await?)
}

/// Discharges a referral with its reason and outcome summary, and produces the message back.
/// A referral is discharged once: a second discharge, even a simultaneous one, is refused.
pub async fn discharge(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    version: i32,
    reason: &str,
    summary: &str,
) -> Result<discharge_message::Model, ServiceError> {
    let r = super::referral_for(
        svc,
        actor,
        meta,
        id,
        "referral_discharged",
        super::ReferralUse::Work,
    )
    .await?;
    let from = r.state;
    transition(from, ReferralState::Discharged)
        .map_err(|e| ServiceError::Conflict(e.to_string()))?;
    let mut p = crate::error::Problems::default();
    if !DISCHARGE_REASONS.iter().any(|(c, _)| *c == reason) {
        p.add("reason", "Choose the reason for discharge");
    }
    let summary = p.required(
        "summary",
        &Some(summary.to_owned()),
        text::DISCHARGE_SUMMARY,
        "Summarise the outcome for the GP and the referrer",
    );
    p.finish()?;
    let next = version.checked_add(1).ok_or_else(|| {
        ServiceError::Conflict("This referral has just been changed or discharged by someone else. Nothing more has been saved".into())
    })?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let n = referral::Entity::update_many()
        .col_expr(
            referral::Column::State,
            Expr::value(ReferralState::Discharged.as_str()),
        )
        .col_expr(referral::Column::DischargeReason, Expr::value(reason))
        .col_expr(
            referral::Column::OutcomeSummary,
            Expr::value(summary.clone()),
        )
        .col_expr(referral::Column::ClosedAt, Expr::value(Some(now)))
        .col_expr(referral::Column::UpdatedAt, Expr::value(now))
        .col_expr(referral::Column::Version, Expr::value(next))
        .filter(referral::Column::Id.eq(id))
        .filter(referral::Column::Version.eq(version))
        .filter(referral::Column::State.eq(r.state.as_str()))
        .exec(&txn)
        .await?
        .rows_affected;
    if n == 0 {
        return Err(ServiceError::Conflict("This referral has just been changed or discharged by someone else. Nothing more has been saved".into()));
    }
    let msg = write_message(&txn, now, id, summary.as_deref()).await?;
    audit::record(
        &txn,
        now,
        meta,
        person_event(actor, "referral_discharged", Outcome::Success, r.person_id)
            .entity("referral", id),
    )
    .await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok(msg)
}

/// The message back to the GP written at discharge, if any. Needs the proof that the actor may see the referral.
pub async fn message_for(
    svc: &crate::Services,
    access: &crate::care::ReferralAccess,
) -> Result<Option<discharge_message::Model>, ServiceError> {
    message_for_of(&svc.db, access.id()).await
}

pub(crate) async fn message_for_of<C: ConnectionTrait>(
    c: &C,
    referral_id: i32,
) -> Result<Option<discharge_message::Model>, ServiceError> {
    Ok(discharge_message::Entity::find()
        .filter(discharge_message::Column::ReferralId.eq(referral_id))
        .one(c)
        .await?)
}
