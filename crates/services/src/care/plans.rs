//! Personalised care and support plans: every saved version kept, with who and when.

use domain::Role;
use domain::plan::PlanContent;
use domain::text;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use serde::Deserialize;
use store::entities::{care_plan_version, membership, referral};

use super::versions;
use super::{person_event, person_for};
use crate::audit::{self, Outcome};
use crate::error::{DateRule, Problems};
use crate::{Actor, RequestMeta, ServiceError, Services};

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

/// Every saved version, newest first. Needs the proof that the actor may see the person.
pub async fn history(
    svc: &crate::Services,
    access: &crate::care::PersonAccess,
) -> Result<Vec<care_plan_version::Model>, ServiceError> {
    versions::all_of::<care_plan_version::Entity, _>(&svc.db, access.id()).await
}

/// The newest saved version. Needs the proof that the actor may see the person.
pub async fn latest(
    svc: &crate::Services,
    access: &crate::care::PersonAccess,
) -> Result<Option<care_plan_version::Model>, ServiceError> {
    versions::newest::<care_plan_version::Entity>(svc, access).await
}

pub(crate) async fn history_of<C: ConnectionTrait>(
    c: &C,
    person_id: i32,
) -> Result<Vec<care_plan_version::Model>, ServiceError> {
    versions::all_of::<care_plan_version::Entity, _>(c, person_id).await
}

/// The person and every saved version, newest first (audited as one read).
pub async fn read(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person_id: i32,
) -> Result<(super::PersonAccess, Vec<care_plan_version::Model>), ServiceError> {
    versions::read::<care_plan_version::Entity>(svc, actor, meta, person_id).await
}

/// The latest version, if any (audited as a read).
pub async fn current(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person_id: i32,
) -> Result<Option<care_plan_version::Model>, ServiceError> {
    versions::current::<care_plan_version::Entity>(svc, actor, meta, person_id).await
}

pub async fn save(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person_id: i32,
    input: PlanInput,
) -> Result<care_plan_version::Model, ServiceError> {
    let person = person_for(svc, actor, meta, person_id, "care_plan_updated").await?;
    if !may_edit(svc, actor, &person).await? {
        return Err(ServiceError::Forbidden(
            "change this plan: it is written with the person by the team supporting them".into(),
        ));
    }
    let today = svc.today();
    let mut p = Problems::default();
    let content = match input.content.clean(today) {
        Ok(c) => Some(c),
        Err(list) => {
            for x in list {
                p.add(&x.field, x.message);
            }
            None
        }
    };
    let review_date = p.date(
        "review_date",
        &input.review_date,
        DateRule::review("Review date", today),
    );
    let agreed_with = p.text("agreed_with", &input.agreed_with, text::AGREED_WITH);
    let funding_source = p.text(
        "funding_source",
        &input.funding_source,
        text::FUNDING_SOURCE,
    );
    if let Some(owner) = input.review_owner_user_id
        && !may_own_review(&svc.db, actor, &person, owner).await?
    {
        p.add(
            "review_owner_user_id",
            "Choose who will review the plan from the people working with this person",
        );
    }
    if let Some(c) = &content
        && c.needs.is_empty()
        && c.strengths.is_empty()
    {
        p.add(
            "strengths",
            "Write the person's strengths or at least one need",
        );
    }
    p.finish()?;
    let content = content.ok_or_else(|| ServiceError::Internal("validated plan missing".into()))?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    super::lock_person(&txn, person_id).await?;
    let latest = history_of(&txn, person_id)
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
        content: Set(
            serde_json::to_string(&content).map_err(|e| ServiceError::Internal(e.to_string()))?
        ),
        agreed_with: Set(agreed_with),
        review_date: Set(review_date),
        review_owner_user_id: Set(input.review_owner_user_id),
        funding_source: Set(funding_source),
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

/// Whether the actor may change the person's plan: it is written with the person by the team
/// supporting them, so the actor must provide care and one of the person's referrals must be to
/// a team within their care scope. Others who may read it (the person, their GP, whoever
/// referred them) may not change it. See docs/security.md, "Who may change a plan".
pub async fn may_edit(
    svc: &Services,
    actor: &Actor,
    person: &super::PersonAccess,
) -> Result<bool, ServiceError> {
    if !actor.can(domain::Permission::ProvideCare) {
        return Ok(false);
    }
    Ok(referral::Entity::find()
        .filter(referral::Column::PersonId.eq(person.id()))
        .filter(
            referral::Column::TeamOrgId
                .in_subquery(super::care_orgs(svc.db.get_database_backend(), actor)),
        )
        .count(&svc.db)
        .await?
        > 0)
}

/// Whether `owner` may be named to review the person's plan: the actor themselves, someone
/// assigned to one of the person's referrals, or a care worker within the actor's care scope.
/// Anyone else, and any id that is not a user, is refused with the same message.
async fn may_own_review<C: ConnectionTrait>(
    c: &C,
    actor: &Actor,
    person: &super::Person,
    owner: i32,
) -> Result<bool, ServiceError> {
    if owner == actor.user_id {
        return Ok(true);
    }
    let assigned = referral::Entity::find()
        .filter(referral::Column::PersonId.eq(person.id))
        .filter(referral::Column::AssignedUserId.eq(owner))
        .count(c)
        .await?
        > 0;
    if assigned {
        return Ok(true);
    }
    let roles = Role::CASELOAD.map(|r| r.as_str());
    Ok(membership::Entity::find()
        .filter(membership::Column::UserId.eq(owner))
        .filter(
            membership::Column::OrganisationId
                .in_subquery(super::care_orgs(c.get_database_backend(), actor)),
        )
        .filter(membership::Column::Role.is_in(roles))
        .count(c)
        .await?
        > 0)
}
