//! Outcome measures recorded for a person: ONS4, SWEMWBS and Patient Activation (level and score).

use domain::measures::{Instrument, MeasureError, Ons4, Pam, Score, Swemwbs, Timepoint};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Deserialize;
use store::entities::{measure, measure_wording};

use super::{Measure, person_event, person_for};
use crate::audit::{self, Outcome};
use crate::error::{DateRule, Problems};
use crate::{Actor, FieldError, RequestMeta, ServiceError, Services};

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

/// Every one recorded for the person. Needs the proof that the actor may see the person.
pub async fn list(
    svc: &crate::Services,
    access: &crate::care::PersonAccess,
) -> Result<Vec<Measure>, ServiceError> {
    crate::care::model::all(list_of(&svc.db, access.id()).await?)
}

pub(crate) async fn list_of<C: ConnectionTrait>(
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
pub async fn wording(
    svc: &crate::Services,
    instrument: Instrument,
) -> Result<Vec<String>, ServiceError> {
    let c = &svc.db;
    let rows = measure_wording::Entity::find()
        .filter(measure_wording::Column::Instrument.eq(instrument.as_str()))
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
    let txn = store::begin_write(&svc.db).await?;
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

fn answers_field(errors: Vec<MeasureError>) -> ServiceError {
    ServiceError::Invalid(
        errors
            .into_iter()
            .map(|e| match e {
                MeasureError::OutOfRange { item, .. } | MeasureError::Missing { item } => {
                    FieldError::new(
                        format!("answers[{item}]"),
                        format!("Question {}: {e}", item.saturating_add(1)),
                    )
                }
                other => FieldError::new("answers", other.to_string()),
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
) -> Result<Measure, ServiceError> {
    let p = person_for(svc, actor, meta, person_id, "measure_recorded").await?;
    let by_person = p.user_id == Some(actor.user_id);
    let today = svc.today();
    let timepoint = if by_person {
        Some(Timepoint::SelfReport)
    } else {
        Timepoint::parse(input.timepoint.as_deref().unwrap_or(""))
            .filter(|t| *t != Timepoint::SelfReport)
    };
    let Some(timepoint) = timepoint else {
        return Err(ServiceError::invalid(
            "timepoint",
            "Choose when in the support this measure was taken: start, review or end",
        ));
    };
    let mut problems = Problems::default();
    let taken_on = match input.taken_on.as_deref().map(str::trim) {
        None | Some("") => Some(today),
        Some(d) => match domain::dates::parse(d) {
            Some(d) => problems.take(
                "taken_on",
                DateRule::past("The date", today)
                    .check("taken_on", d)
                    .map_err(|_| "The date must be a real date, from 1 January 1900 to today"),
            ),
            None => {
                problems.add("taken_on", "The date must be a real date");
                None
            }
        },
    };
    let referral_id =
        super::referral_of_person(&svc.db, actor, &p, input.referral_id, &mut problems).await?;
    problems.finish()?;
    let taken_on =
        taken_on.ok_or_else(|| ServiceError::Internal("validated date missing".into()))?;
    let (instrument, answers, score, level): (Instrument, String, Option<Score>, Option<i32>) =
        match Instrument::parse(&input.instrument) {
            Some(Instrument::Ons4) => {
                let o = Ons4::from_list(&input.answers).map_err(answers_field)?;
                (
                    Instrument::Ons4,
                    o.values().map(|v| v.to_string()).join(","),
                    None,
                    None,
                )
            }
            Some(Instrument::Swemwbs) => {
                let s = Swemwbs::from_list(&input.answers).map_err(answers_field)?;
                (
                    Instrument::Swemwbs,
                    s.items.map(|v| v.to_string()).join(","),
                    Some(s.metric()),
                    None,
                )
            }
            Some(Instrument::Pam) => {
                if !input.answers.is_empty() {
                    return Err(ServiceError::invalid(
                        "answers",
                        "Send no answers for patient activation: give the level and score",
                    ));
                }
                let (Some(l), Some(sc)) = (input.pam_level, input.pam_score) else {
                    return Err(ServiceError::invalid(
                        "pam_level",
                        "Enter the activation level (1-4) and score",
                    ));
                };
                let pam = Pam::new(l, sc).map_err(|e| {
                    ServiceError::invalid(
                        if matches!(e, MeasureError::PamLevel) {
                            "pam_level"
                        } else {
                            "pam_score"
                        },
                        e.to_string(),
                    )
                })?;
                (
                    Instrument::Pam,
                    String::new(),
                    Some(pam.score),
                    Some(i32::from(pam.level)),
                )
            }
            None => {
                return Err(ServiceError::invalid(
                    "instrument",
                    "Choose ONS4, SWEMWBS or patient activation",
                ));
            }
        };
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let m = measure::ActiveModel {
        person_id: Set(person_id),
        referral_id: Set(referral_id),
        instrument: Set(instrument.as_str().to_owned()),
        timepoint: Set(timepoint.as_str().to_owned()),
        taken_on: Set(taken_on),
        answers: Set(answers),
        score: Set(score.map(Score::as_f64)),
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
            .detail(instrument.as_str()),
    )
    .await?;
    txn.commit().await?;
    Measure::try_from(m)
}
