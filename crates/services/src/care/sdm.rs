//! Shared decision making records: the decision point, the options with their benefits and
//! risks, what doing nothing would mean, the decision aids used, the decision, and who acts next.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use store::entities::sdm_record;

use super::{person_event, person_for};
use crate::audit::{self, Outcome};
use crate::error::Problems;
use crate::{Actor, RequestMeta, ServiceError, Services};

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
pub struct SdmOption {
    pub option: String,
    pub benefits: String,
    pub risks: String,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct SdmInput {
    pub referral_id: Option<i32>,
    pub decision_point: Option<String>,
    #[serde(default)]
    pub options: Vec<SdmOption>,
    /// What would happen if the person chose to do nothing.
    pub doing_nothing: Option<String>,
    pub decision_aids: Option<String>,
    pub decision: Option<String>,
    /// Who does what next.
    pub follow_up: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Options {
    pub options: Vec<SdmOption>,
    pub doing_nothing: String,
}

pub fn options_of(r: &sdm_record::Model) -> Options {
    serde_json::from_str(&r.options).unwrap_or_default()
}

fn text(v: &Option<String>) -> String {
    v.as_deref().unwrap_or("").trim().to_owned()
}

pub async fn record(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person_id: i32,
    input: SdmInput,
) -> Result<sdm_record::Model, ServiceError> {
    person_for(svc, actor, meta, person_id, "decision_recorded").await?;
    let mut p = Problems::default();
    let decision_point = text(&input.decision_point);
    if decision_point.is_empty() {
        p.add("decision_point", "Describe the decision to be made");
    }
    let options: Vec<SdmOption> = input
        .options
        .iter()
        .map(|o| SdmOption {
            option: o.option.trim().into(),
            benefits: o.benefits.trim().into(),
            risks: o.risks.trim().into(),
        })
        .filter(|o| !(o.option.is_empty() && o.benefits.is_empty() && o.risks.is_empty()))
        .collect();
    if options.is_empty() {
        p.add(
            "options[0].option",
            "Describe at least one option that was discussed",
        );
    }
    for (i, o) in options.iter().enumerate() {
        if o.option.is_empty() {
            p.add(&format!("options[{i}].option"), "Name the option");
        }
        if o.benefits.is_empty() || o.risks.is_empty() {
            p.add(
                &format!("options[{i}].benefits"),
                "Give the benefits and the risks of each option",
            );
        }
    }
    let doing_nothing = text(&input.doing_nothing);
    if doing_nothing.is_empty() {
        p.add("doing_nothing", "Say what doing nothing would mean");
    }
    let decision = text(&input.decision);
    if decision.is_empty() {
        p.add(
            "decision",
            "Record the decision, or that the person wants more time",
        );
    }
    p.finish()?;
    let now = svc.now();
    let txn = svc.db.begin().await?;
    let m = sdm_record::ActiveModel {
        person_id: Set(person_id),
        referral_id: Set(input.referral_id),
        decision_point: Set(decision_point),
        options: Set(serde_json::to_string(&Options {
            options,
            doing_nothing,
        })
        .map_err(|e| ServiceError::Internal(e.to_string()))?),
        decision_aids: Set(Some(text(&input.decision_aids)).filter(|s| !s.is_empty())),
        decision: Set(decision),
        follow_up: Set(Some(text(&input.follow_up)).filter(|s| !s.is_empty())),
        recorded_by_user_id: Set(Some(actor.user_id)),
        recorded_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        meta,
        person_event(actor, "decision_recorded", Outcome::Success, person_id)
            .entity("sdm_record", m.id),
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

pub async fn list<C: ConnectionTrait>(
    c: &C,
    person_id: i32,
) -> Result<Vec<sdm_record::Model>, ServiceError> {
    Ok(sdm_record::Entity::find()
        .filter(sdm_record::Column::PersonId.eq(person_id))
        .order_by_desc(sdm_record::Column::RecordedAt)
        .all(c)
        .await?)
}
