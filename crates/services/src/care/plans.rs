//! Personalised care and support plans: every saved version kept, with who and when.

use chrono::NaiveDate;
use domain::plan::PlanContent;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde::Deserialize;
use store::entities::care_plan_version;

use super::{person_event, person_for};
use crate::audit::{self, Outcome};
use crate::{Actor, FieldError, RequestMeta, ServiceError, Services};

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct PlanInput {
    /// The version this edit started from (0 for a first plan).
    pub based_on: i32,
    pub content: PlanContent,
    /// Who the plan was agreed with: the person, or their representative.
    pub agreed_with: Option<String>,
    /// YYYY-MM-DD
    pub review_date: Option<String>,
    pub review_owner_user_id: Option<i32>,
    pub funding_source: Option<String>,
}

pub fn content_of(v: &care_plan_version::Model) -> PlanContent {
    serde_json::from_str(&v.content).unwrap_or_default()
}

pub async fn history<C: ConnectionTrait>(
    c: &C,
    person_id: i32,
) -> Result<Vec<care_plan_version::Model>, ServiceError> {
    Ok(care_plan_version::Entity::find()
        .filter(care_plan_version::Column::PersonId.eq(person_id))
        .order_by_desc(care_plan_version::Column::Version)
        .all(c)
        .await?)
}

/// The person and every saved version, newest first (audited as one read).
pub async fn read(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person_id: i32,
) -> Result<
    (
        store::entities::person::Model,
        Vec<care_plan_version::Model>,
    ),
    ServiceError,
> {
    let person = person_for(svc, actor, meta, person_id, "care_plan_viewed").await?;
    super::audit_read(svc, actor, meta, person_id, "care_plan_viewed").await?;
    Ok((person, history(&svc.db, person_id).await?))
}

/// The latest version, if any.
pub async fn current(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person_id: i32,
) -> Result<Option<care_plan_version::Model>, ServiceError> {
    Ok(read(svc, actor, meta, person_id)
        .await?
        .1
        .into_iter()
        .next())
}

pub async fn save(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person_id: i32,
    input: PlanInput,
) -> Result<care_plan_version::Model, ServiceError> {
    person_for(svc, actor, meta, person_id, "care_plan_updated").await?;
    let mut problems: Vec<FieldError> = input
        .content
        .validate()
        .into_iter()
        .map(|p| FieldError::new(p.field, p.message))
        .collect();
    let review_date = match input
        .review_date
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(d) => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push(FieldError::new(
                    "review_date",
                    "Review date must be a real date, like 2027-02-01",
                ));
                None
            }
        },
    };
    if input.content.needs.is_empty() && input.content.strengths.trim().is_empty() {
        problems.push(FieldError::new(
            "strengths",
            "Write the person's strengths or at least one need",
        ));
    }
    if !problems.is_empty() {
        return Err(ServiceError::Invalid(problems));
    }
    let now = svc.now();
    let txn = svc.db.begin().await?;
    super::lock_person(&txn, person_id).await?;
    let latest = history(&txn, person_id)
        .await?
        .first()
        .map(|v| v.version)
        .unwrap_or(0);
    let conflict = || {
        ServiceError::Conflict("Someone else saved a new version of this plan while you were editing it. Your changes are still on this page and have not been saved: compare with the latest version, then save again".into())
    };
    if latest != input.based_on {
        return Err(conflict());
    }
    let saved = care_plan_version::ActiveModel {
        person_id: Set(person_id),
        version: Set(latest + 1),
        content: Set(serde_json::to_string(&input.content)
            .map_err(|e| ServiceError::Internal(e.to_string()))?),
        agreed_with: Set(input
            .agreed_with
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())),
        review_date: Set(review_date),
        review_owner_user_id: Set(input.review_owner_user_id),
        funding_source: Set(input
            .funding_source
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())),
        updated_by_user_id: Set(Some(actor.user_id)),
        updated_by_label: Set(actor.display_name.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => conflict(),
        _ => ServiceError::Db(e),
    })?;
    audit::record(
        &txn,
        now,
        meta,
        person_event(actor, "care_plan_updated", Outcome::Success, person_id)
            .entity("care_plan", saved.version),
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}
