//! Reading a person's record and editing their details.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use store::entities::person;

use super::{
    Asker, Known, PersonInput, PracticeRule, check_practice, known, search_name, validate,
};
use crate::audit::{self, Outcome};
use crate::care::{audit_read, person_event, person_for};
use crate::error::Problems;
use crate::{Actor, RequestMeta, ServiceError, Services};

/// Reads a person's record (audited).
pub async fn get(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
) -> Result<crate::care::PersonAccess, ServiceError> {
    let p = person_for(svc, actor, meta, id, "person_viewed").await?;
    audit_read(svc, actor, meta, id, "person_viewed").await?;
    Ok(p)
}

fn stale_person() -> ServiceError {
    ServiceError::Conflict("Someone else changed these details while you were editing them. Your changes have not been saved yet: check the current details and save again".into())
}

/// Edits a person's details; `version` must be the one read.
pub async fn update(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    version: i32,
    input: PersonInput,
) -> Result<crate::care::Person, ServiceError> {
    let existing = person_for(svc, actor, meta, id, "person_updated").await?;
    let today = svc.today();
    let mut p = Problems::default();
    let valid = validate(today, &input, "", &mut p);
    let rule = PracticeRule::Scope {
        actor,
        current: existing.practice_id,
    };
    check_practice(&svc.db, input.practice_id, &rule, "practice_id", &mut p).await?;
    let Some(v) = valid.filter(|_| p.is_empty()) else {
        return Err(ServiceError::Invalid(p.0));
    };
    // A number on another record the editor may see is refused with a pointer to it; one
    // known only elsewhere is kept, and this record flagged for reconciliation, saying nothing.
    let reconcile = match &v.nhs_number {
        Some(n) if existing.nhs_number.as_deref() != Some(n) => {
            match known(&svc.db, &Asker::Staff(actor), n, Some(id)).await? {
                Known::InScope(_) => {
                    return Err(ServiceError::invalid(
                        "nhs_number",
                        "Another person already has this NHS number",
                    ));
                }
                Known::Elsewhere => true,
                Known::No => false,
            }
        }
        _ => false,
    };
    let next_version = version.checked_add(1).ok_or_else(stale_person)?;
    let now = svc.now();
    let txn = sea_orm::TransactionTrait::begin(&svc.db).await?;
    let changed = person::Entity::update_many()
        .col_expr(
            person::Column::SearchName,
            Expr::value(search_name(&v.given_name, &v.family_name)),
        )
        .col_expr(person::Column::NhsNumber, Expr::value(v.nhs_number))
        .col_expr(person::Column::GivenName, Expr::value(v.given_name))
        .col_expr(person::Column::FamilyName, Expr::value(v.family_name))
        .col_expr(person::Column::DateOfBirth, Expr::value(v.date_of_birth))
        .col_expr(person::Column::Email, Expr::value(v.email))
        .col_expr(person::Column::Phone, Expr::value(v.phone))
        .col_expr(person::Column::Address, Expr::value(v.address))
        .col_expr(person::Column::Postcode, Expr::value(v.postcode))
        .col_expr(
            person::Column::PreferredContact,
            Expr::value(v.preferred_contact),
        )
        .col_expr(
            person::Column::PracticeId,
            Expr::value(v.practice_id.or(existing.practice_id)),
        )
        .col_expr(
            person::Column::ReasonableAdjustments,
            Expr::value(v.reasonable_adjustments),
        )
        .col_expr(
            person::Column::CommunicationNeeds,
            Expr::value(v.communication_needs),
        )
        .col_expr(
            person::Column::RepresentativeName,
            Expr::value(v.representative_name),
        )
        .col_expr(
            person::Column::RepresentativeRelationship,
            Expr::value(v.representative_relationship),
        )
        .col_expr(
            person::Column::RepresentativeContact,
            Expr::value(v.representative_contact),
        )
        .col_expr(
            person::Column::NeedsReconciliation,
            Expr::value(existing.needs_reconciliation || reconcile),
        )
        .col_expr(person::Column::UpdatedAt, Expr::value(now))
        .col_expr(person::Column::Version, Expr::value(next_version))
        .filter(person::Column::Id.eq(id))
        .filter(person::Column::Version.eq(version))
        .exec(&txn)
        .await
        .map_err(|e| match e.sql_err() {
            // Someone gave another record this number a moment ago.
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                ServiceError::invalid("nhs_number", "Another person already has this NHS number")
            }
            _ => ServiceError::Db(e),
        })?
        .rows_affected;
    if changed == 0 {
        return Err(stale_person());
    }
    if reconcile && !existing.needs_reconciliation {
        audit::record(
            &txn,
            now,
            meta,
            person_event(
                actor,
                "person_flagged_for_reconciliation",
                Outcome::Success,
                id,
            )
            .detail("NHS number also recorded on another person's record"),
        )
        .await?;
    }
    audit::record(
        &txn,
        now,
        meta,
        person_event(actor, "person_updated", Outcome::Success, id),
    )
    .await?;
    txn.commit().await?;
    person::Entity::find_by_id(id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("person"))?
        .try_into()
}
