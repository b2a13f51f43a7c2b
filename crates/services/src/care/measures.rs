//! Outcome measures recorded for a person: ONS4, SWEMWBS and Patient Activation (level and score).

use chrono::NaiveDate;
use domain::measures::{Ons4, Pam, Swemwbs};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde::Deserialize;
use store::entities::{measure, measure_wording};

use super::{person_event, person_for};
use crate::audit::{self, Outcome};
use crate::{Actor, FieldError, RequestMeta, ServiceError, Services};

pub const TIMEPOINTS: [(&str, &str); 4] = [
    ("start", "Start"),
    ("review", "Review"),
    ("end", "End"),
    ("self", "Recorded by the person"),
];

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct MeasureInput {
    /// ons4 | swemwbs | pam
    #[schema(schema_with = crate::schema::instrument)]
    pub instrument: String,
    /// start | review | end (staff) — a person's own entries are "self"
    #[schema(schema_with = crate::schema::timepoint)]
    pub timepoint: Option<String>,
    /// YYYY-MM-DD; defaults to today.
    pub taken_on: Option<String>,
    /// ONS4: 4 answers 0-10; SWEMWBS: 7 answers 1-5.
    #[serde(default)]
    pub answers: Vec<Option<i64>>,
    /// PAM level 1-4 and score 0-100.
    #[schema(minimum = 1, maximum = 4)]
    pub pam_level: Option<i64>,
    #[schema(minimum = 0, maximum = 100)]
    pub pam_score: Option<f64>,
    pub referral_id: Option<i32>,
}

pub async fn list<C: ConnectionTrait>(
    c: &C,
    person_id: i32,
) -> Result<Vec<measure::Model>, ServiceError> {
    Ok(measure::Entity::find()
        .filter(measure::Column::PersonId.eq(person_id))
        .order_by_asc(measure::Column::TakenOn)
        .order_by_asc(measure::Column::Id)
        .all(c)
        .await?)
}

/// Item wording loaded by the deploying organisation (empty when none is loaded).
pub async fn wording<C: ConnectionTrait>(
    c: &C,
    instrument: &str,
) -> Result<Vec<String>, ServiceError> {
    let rows = measure_wording::Entity::find()
        .filter(measure_wording::Column::Instrument.eq(instrument))
        .order_by_asc(measure_wording::Column::Item)
        .all(c)
        .await?;
    Ok(rows.into_iter().map(|r| r.wording).collect())
}

/// Loads item wording (for example SWEMWBS, under the organisation's own registration).
pub async fn load_wording(
    svc: &Services,
    instrument: &str,
    items: &[String],
) -> Result<(), ServiceError> {
    let txn = svc.db.begin().await?;
    measure_wording::Entity::delete_many()
        .filter(measure_wording::Column::Instrument.eq(instrument))
        .exec(&txn)
        .await?;
    for (i, w) in items.iter().enumerate() {
        measure_wording::ActiveModel {
            instrument: Set(instrument.to_owned()),
            item: Set(i as i32 + 1),
            wording: Set(w.clone()),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

fn answers_field(errors: Vec<domain::measures::MeasureError>) -> ServiceError {
    ServiceError::Invalid(
        errors
            .into_iter()
            .map(|e| {
                let item = match &e {
                    domain::measures::MeasureError::OutOfRange { item, .. }
                    | domain::measures::MeasureError::Missing { item } => *item,
                    _ => 0,
                };
                FieldError::new(
                    format!("answers[{item}]"),
                    format!("Question {}: {e}", item + 1),
                )
            })
            .collect(),
    )
}

/// Records a measure. Staff need a relationship with the person; a person may record their own.
pub async fn record(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person_id: i32,
    input: MeasureInput,
) -> Result<measure::Model, ServiceError> {
    let p = person_for(svc, actor, meta, person_id, "measure_recorded").await?;
    let by_person = p.user_id == Some(actor.user_id);
    let today = svc.now().date_naive();
    let timepoint = if by_person {
        "self".to_owned()
    } else {
        input.timepoint.clone().unwrap_or_default()
    };
    if !TIMEPOINTS.iter().any(|(c, _)| *c == timepoint) {
        return Err(ServiceError::invalid(
            "timepoint",
            "Choose when in the support this measure was taken: start, review or end",
        ));
    }
    let taken_on = match input
        .taken_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => today,
        Some(d) => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(d) if d <= today => d,
            _ => {
                return Err(ServiceError::invalid(
                    "taken_on",
                    "The date must be a real date, today or earlier",
                ));
            }
        },
    };
    let (answers, score, level): (String, Option<f64>, Option<i32>) =
        match input.instrument.as_str() {
            "ons4" => {
                let a: [Option<i64>; 4] =
                    std::array::from_fn(|i| input.answers.get(i).copied().flatten());
                let o = Ons4::from_answers(a).map_err(answers_field)?;
                (o.values().map(|v| v.to_string()).join(","), None, None)
            }
            "swemwbs" => {
                let a: [Option<i64>; 7] =
                    std::array::from_fn(|i| input.answers.get(i).copied().flatten());
                let s = Swemwbs::from_answers(a).map_err(answers_field)?;
                (
                    s.items.map(|v| v.to_string()).join(","),
                    Some(f64::from(s.metric())),
                    None,
                )
            }
            "pam" => {
                let (Some(l), Some(sc)) = (input.pam_level, input.pam_score) else {
                    return Err(ServiceError::invalid(
                        "pam_level",
                        "Enter the activation level (1-4) and score",
                    ));
                };
                let pam = Pam::new(l, sc).map_err(|e| {
                    ServiceError::invalid(
                        if matches!(e, domain::measures::MeasureError::PamLevel) {
                            "pam_level"
                        } else {
                            "pam_score"
                        },
                        e.to_string(),
                    )
                })?;
                (
                    String::new(),
                    Some(f64::from(pam.score)),
                    Some(i32::from(pam.level)),
                )
            }
            _ => {
                return Err(ServiceError::invalid(
                    "instrument",
                    "Choose ONS4, SWEMWBS or patient activation",
                ));
            }
        };
    let now = svc.now();
    let txn = svc.db.begin().await?;
    let m = measure::ActiveModel {
        person_id: Set(person_id),
        referral_id: Set(input.referral_id),
        instrument: Set(input.instrument.clone()),
        timepoint: Set(timepoint),
        taken_on: Set(taken_on),
        answers: Set(answers),
        score: Set(score),
        level: Set(level),
        by_person: Set(by_person),
        recorded_by_user_id: Set(Some(actor.user_id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        meta,
        person_event(actor, "measure_recorded", Outcome::Success, person_id)
            .entity("measure", m.id)
            .detail(input.instrument),
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// The answers of a stored measure, as numbers.
pub fn answers_of(m: &measure::Model) -> Vec<u8> {
    m.answers
        .split(',')
        .filter_map(|s| s.parse().ok())
        .collect()
}
