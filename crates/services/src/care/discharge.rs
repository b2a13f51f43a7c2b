//! Discharge, and the messages back to the GP and the referrer (at first contact and when a
//! referral closes) carrying the SNOMED CT code to record.

use domain::referral::{
    CareService, GpMessageKind, ReferralState, SNOMED_REFERRAL_TO_SOCIAL_PRESCRIBING,
    SNOMED_SOCIAL_PRESCRIBING_DECLINED, transition,
};
use domain::text;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use store::entities::{gp_message, organisation, person, referral};

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

/// Writes a message back to the GP and referrer, and queues it by e-mail to the practice unless
/// the practice has no address or the person declined sharing with their GP practice (the
/// message says which). Each kind is written once per referral: a second try, even a
/// simultaneous one, writes nothing and answers `None`.
///
/// At first contact it carries the code of the referral to social prescribing; when the referral
/// closes, the outcome (with the code of a decline), and at discharge the reason, the goals and
/// how far each got, what was done, and the change in wellbeing measures.
pub async fn write_message<C: ConnectionTrait>(
    c: &C,
    now: chrono::DateTime<chrono::Utc>,
    referral_id: i32,
    kind: GpMessageKind,
    summary: Option<&str>,
) -> Result<Option<gp_message::Model>, ServiceError> {
    // Read as the change that causes it left it, inside the same transaction.
    let r = &referral::Entity::find_by_id(referral_id)
        .one(c)
        .await?
        .ok_or(ServiceError::NotFound("referral"))?;
    let state = ReferralState::parse(&r.state)
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
    let social = service == CareService::SocialPrescribing;
    let (code, display) = match kind {
        GpMessageKind::FirstContact if social => (
            SNOMED_REFERRAL_TO_SOCIAL_PRESCRIBING,
            "Referral to social prescribing service",
        ),
        GpMessageKind::Closing if social && state == ReferralState::Declined => (
            SNOMED_SOCIAL_PRESCRIBING_DECLINED,
            "Social prescribing declined",
        ),
        _ => ("", ""),
    };
    let heading = match kind {
        GpMessageKind::FirstContact => "first contact",
        GpMessageKind::Closing => state.label(),
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
        "Personalised care: {} – {}\n\nPatient: {} {}\nNHS number: {nhs}\nDate of birth: {dob}\nGP practice: {}\n\nReferred on {} by {}{}\nReason for referral: {}\n\n",
        service.label(),
        heading.to_lowercase(),
        p.given_name,
        p.family_name,
        practice
            .as_ref()
            .map(|o| format!("{} ({})", o.name, o.ods_code.clone().unwrap_or_default()))
            .unwrap_or_else(|| "not recorded".into()),
        domain::dates::long(r.referred_on),
        r.referrer_name,
        r.referrer_organisation
            .as_ref()
            .map(|o| format!(", {o}"))
            .unwrap_or_default(),
        r.reason,
    );
    match kind {
        GpMessageKind::FirstContact => {
            let team = organisation::Entity::find_by_id(r.team_org_id)
                .one(c)
                .await?
                .map(|o| o.name)
                .unwrap_or_default();
            let when = r
                .first_contact_at
                .map(|t| {
                    let uk = t.with_timezone(&domain::dates::UK);
                    format!(" on {}", domain::dates::long(uk.date_naive()))
                })
                .unwrap_or_default();
            body.push_str(&format!(
                "{} {} was first contacted{when} and accepted support from {team}.\n",
                p.given_name, p.family_name
            ));
        }
        GpMessageKind::Closing => {
            body.push_str(&format!("Outcome: {}\n", state.label()));
            if let Some(d) = &r.declined_reason {
                let label = match state {
                    ReferralState::Signposted => "Signposted to",
                    _ => "Reason given",
                };
                body.push_str(&format!("{label}: {d}\n"));
            }
            if let Some(reason) = r
                .discharge_reason
                .as_deref()
                .and_then(|code| DISCHARGE_REASONS.iter().find(|(c, _)| *c == code))
            {
                body.push_str(&format!("Reason for discharge: {}\n", reason.1));
            }
            if let Some(s) = summary {
                body.push_str(&format!("Summary: {s}\n"));
            }
            if state == ReferralState::Discharged {
                body.push_str(&progress(c, p.id).await?);
            }
        }
    }
    if !code.is_empty() {
        body.push_str(&format!(
            "\nPlease record in the GP record:\nSNOMED CT {code} |{display}|\n"
        ));
    }
    body.push_str("\nSent by whatmatters on behalf of the personalised care team.\n");
    // Their latest word counts: someone who refused and later agreed is e-mailed.
    let refused_gp = latest_decision(&consents_of(c, p.id).await?, "GP practice") == Some(false);
    let (to, not_sent) = match &practice {
        None => (
            None,
            Some("Not e-mailed: the person's GP practice is not recorded".to_owned()),
        ),
        Some(_) if refused_gp => (
            None,
            Some(format!(
                "Not e-mailed: {} asked that their information is not shared with their GP practice",
                p.given_name
            )),
        ),
        Some(o) => match &o.email {
            Some(addr) => (Some(addr.clone()), None),
            None => (
                None,
                Some(format!(
                    "Not e-mailed: {} has no e-mail address recorded",
                    o.name
                )),
            ),
        },
    };
    let written = gp_message::Entity::insert(gp_message::ActiveModel {
        referral_id: Set(r.id),
        person_id: Set(p.id),
        kind: Set(kind.as_str().into()),
        snomed_code: Set(code.into()),
        snomed_display: Set(display.into()),
        body: Set(body.clone()),
        practice_id: Set(p.practice_id),
        sent_to: Set(to.clone()),
        not_sent_reason: Set(not_sent),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([gp_message::Column::ReferralId, gp_message::Column::Kind])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(c)
    .await?;
    if written == 0 {
        return Ok(None);
    }
    if let Some(addr) = &to {
        email::enqueue(
            c,
            now,
            addr,
            &format!(
                "Personalised care {}: {} {}",
                heading.to_lowercase(),
                p.given_name,
                p.family_name
            ),
            &body,
        )
        .await?;
    }
    Ok(gp_message::Entity::find()
        .filter(gp_message::Column::ReferralId.eq(r.id))
        .filter(gp_message::Column::Kind.eq(kind.as_str()))
        .one(c)
        .await?)
}

/// The person's goals and how far each got, what was done, and how their wellbeing measures
/// changed from the first to the latest, for the discharge message.
async fn progress<C: ConnectionTrait>(c: &C, person_id: i32) -> Result<String, ServiceError> {
    use domain::measures::{Instrument, ONS4_ITEMS};
    use domain::plan::{ACTION_STATUSES, GOAL_STATUSES, label_of};
    let mut out = String::new();
    if let Some(plan) =
        super::versions::newest_of::<store::entities::care_plan_version::Entity, _>(c, person_id)
            .await?
    {
        let content = super::plans::content_of(&plan);
        let goals: Vec<_> = content.needs.iter().flat_map(|n| n.goals.iter()).collect();
        if !goals.is_empty() {
            out.push_str("\nGoals:\n");
            for g in &goals {
                out.push_str(&format!(
                    "- {} ({})\n",
                    g.description,
                    label_of(&GOAL_STATUSES, &g.status).to_lowercase()
                ));
            }
        }
        let done: Vec<_> = goals
            .iter()
            .flat_map(|g| g.actions.iter())
            .filter(|a| a.status == "done")
            .collect();
        if !done.is_empty() {
            out.push_str("\nDone, and connected to:\n");
            for a in done {
                out.push_str(&format!(
                    "- {} ({})\n",
                    a.what,
                    label_of(&ACTION_STATUSES, &a.status).to_lowercase()
                ));
            }
        }
    }
    let measures: Vec<super::Measure> =
        super::model::all(super::measures::list_of(c, person_id).await?)?;
    let mut lines = Vec::new();
    for instrument in [Instrument::Swemwbs, Instrument::Ons4] {
        let taken: Vec<_> = measures
            .iter()
            .filter(|m| m.instrument == instrument)
            .collect();
        let (Some(first), Some(latest)) = (taken.first(), taken.last()) else {
            continue;
        };
        if first.id == latest.id {
            continue;
        }
        let (from, to) = (
            domain::dates::long(first.taken_on),
            domain::dates::long(latest.taken_on),
        );
        match instrument {
            Instrument::Swemwbs => {
                if let (Some(a), Some(b)) = (first.score, latest.score) {
                    lines.push(format!(
                        "- SWEMWBS metric score {a:.2} on {from}, {b:.2} on {to}"
                    ));
                }
            }
            _ => {
                let names = ["life satisfaction", "worthwhile", "happiness", "anxiety"];
                let items: Vec<String> = names
                    .iter()
                    .zip(first.answers.iter().zip(latest.answers.iter()))
                    .map(|(n, (a, b))| format!("{n} {a} to {b}"))
                    .collect();
                debug_assert_eq!(names.len(), ONS4_ITEMS.len());
                lines.push(format!("- ONS4 from {from} to {to}: {}", items.join(", ")));
            }
        }
    }
    if !lines.is_empty() {
        out.push_str("\nWellbeing, first and latest:\n");
        out.push_str(&lines.join("\n"));
        out.push('\n');
    }
    Ok(out)
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
) -> Result<gp_message::Model, ServiceError> {
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
    let msg = write_message(&txn, now, id, GpMessageKind::Closing, summary.as_deref())
        .await?
        .ok_or_else(|| {
            ServiceError::Conflict("This referral already has its closing message".into())
        })?;
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
/// The messages written for a referral the actor may see, first contact first.
pub async fn messages_for(
    svc: &crate::Services,
    access: &crate::care::ReferralAccess,
) -> Result<Vec<gp_message::Model>, ServiceError> {
    messages_of(&svc.db, access.id()).await
}

pub(crate) async fn messages_of<C: ConnectionTrait>(
    c: &C,
    referral_id: i32,
) -> Result<Vec<gp_message::Model>, ServiceError> {
    Ok(gp_message::Entity::find()
        .filter(gp_message::Column::ReferralId.eq(referral_id))
        .order_by_asc(gp_message::Column::Id)
        .all(c)
        .await?)
}
