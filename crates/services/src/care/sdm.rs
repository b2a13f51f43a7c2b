//! Shared decision making records: the decision point, the options with their benefits and
//! risks, what doing nothing would mean, the decision aids used, the decision, and who acts next.

use domain::text;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
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

pub async fn record(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person_id: i32,
    input: SdmInput,
) -> Result<sdm_record::Model, ServiceError> {
    let person = person_for(svc, actor, meta, person_id, "decision_recorded").await?;
    let mut p = Problems::default();
    let referral_id =
        super::referral_of_person(&svc.db, actor, &person, input.referral_id, &mut p).await?;
    let decision_point = p.required(
        "decision_point",
        &input.decision_point,
        text::DECISION_POINT,
        "Describe the decision to be made",
    );
    let mut options = Vec::new();
    if input.options.len() > text::MAX_SDM_OPTIONS {
        p.add(
            "options",
            format!(
                "Record {} options at most (this has {})",
                text::MAX_SDM_OPTIONS,
                input.options.len()
            ),
        );
    } else {
        for (i, o) in input.options.iter().enumerate() {
            let f = |k: &str| format!("options[{i}].{k}");
            let option = p.str(&f("option"), &o.option, text::SDM_OPTION);
            let benefits = p.str(&f("benefits"), &o.benefits, text::SDM_BENEFITS);
            let risks = p.str(&f("risks"), &o.risks, text::SDM_RISKS);
            if option.is_some() || benefits.is_some() || risks.is_some() {
                options.push((i, option, benefits, risks));
            }
        }
        if options.is_empty() && !p.0.iter().any(|e| e.field.starts_with("options[")) {
            p.add(
                "options[0].option",
                "Describe at least one option that was discussed",
            );
        }
    }
    // Numbered as kept, so the fields named match the form once blank options are dropped.
    let options: Vec<SdmOption> = options
        .into_iter()
        .enumerate()
        .map(|(i, (_, option, benefits, risks))| {
            if option.is_none() {
                p.add(&format!("options[{i}].option"), "Name the option");
            }
            if benefits.is_none() || risks.is_none() {
                p.add(
                    &format!("options[{i}].benefits"),
                    "Give the benefits and the risks of each option",
                );
            }
            SdmOption {
                option: option.unwrap_or_default(),
                benefits: benefits.unwrap_or_default(),
                risks: risks.unwrap_or_default(),
            }
        })
        .collect();
    let doing_nothing = p.required(
        "doing_nothing",
        &input.doing_nothing,
        text::DOING_NOTHING,
        "Say what doing nothing would mean",
    );
    let decision_aids = p.text("decision_aids", &input.decision_aids, text::DECISION_AIDS);
    let decision = p.required(
        "decision",
        &input.decision,
        text::DECISION,
        "Record the decision, or that the person wants more time",
    );
    let follow_up = p.text("follow_up", &input.follow_up, text::FOLLOW_UP);
    p.finish()?;
    let (Some(decision_point), Some(doing_nothing), Some(decision)) =
        (decision_point, doing_nothing, decision)
    else {
        return Err(ServiceError::Internal("validated decision missing".into()));
    };
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let m = sdm_record::ActiveModel {
        person_id: Set(person_id),
        referral_id: Set(referral_id),
        decision_point: Set(decision_point),
        options: Set(serde_json::to_string(&Options {
            options,
            doing_nothing,
        })
        .map_err(|e| ServiceError::Internal(e.to_string()))?),
        decision_aids: Set(decision_aids),
        decision: Set(decision),
        follow_up: Set(follow_up),
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

/// Every one recorded for the person. Needs the proof that the actor may see the person.
pub async fn list(
    svc: &crate::Services,
    access: &crate::care::PersonAccess,
) -> Result<Vec<sdm_record::Model>, ServiceError> {
    list_of(&svc.db, access.id()).await
}

pub(crate) async fn list_of<C: ConnectionTrait>(
    c: &C,
    person_id: i32,
) -> Result<Vec<sdm_record::Model>, ServiceError> {
    Ok(sdm_record::Entity::find()
        .filter(sdm_record::Column::PersonId.eq(person_id))
        .order_by_desc(sdm_record::Column::RecordedAt)
        .all(c)
        .await?)
}
