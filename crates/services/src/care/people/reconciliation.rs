//! Records awaiting reconciliation: kept apart because their NHS number is also on a record
//! their creator could not see.

use domain::Permission;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use store::entities::person;

use crate::audit::{self, Outcome};
use crate::{Actor, RequestMeta, ServiceError, Services};

/// A record kept apart because its NHS number is also on another record its creator could not
/// see, with the other records of that number, for an administrator to reconcile.
#[derive(Clone, Debug)]
pub struct AwaitingReconciliation {
    pub person_id: i32,
    pub nhs_number: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The other records with the same NHS number, oldest first.
    pub same_number: Vec<i32>,
}

/// Records awaiting reconciliation, oldest first: for administrators only (who read the audit
/// log), never for the care staff who made them. Audited.
pub async fn awaiting_reconciliation(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<AwaitingReconciliation>, ServiceError> {
    actor.require(Permission::ViewAudit, "see records awaiting reconciliation")?;
    let flagged = person::Entity::find()
        .filter(person::Column::NeedsReconciliation.eq(true))
        .order_by_asc(person::Column::Id)
        .limit(500)
        .all(&svc.db)
        .await?;
    let numbers: Vec<String> = flagged
        .iter()
        .filter_map(|p| p.nhs_number.clone())
        .collect();
    let same: Vec<(i32, Option<String>)> = person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .column(person::Column::NhsNumber)
        .filter(person::Column::NhsNumber.is_in(numbers))
        .order_by_asc(person::Column::Id)
        .into_tuple()
        .all(&svc.db)
        .await?;
    let out: Vec<AwaitingReconciliation> = flagged
        .into_iter()
        .map(|p| AwaitingReconciliation {
            same_number: same
                .iter()
                .filter(|(id, n)| *id != p.id && n.is_some() && *n == p.nhs_number)
                .map(|(id, _)| *id)
                .collect(),
            person_id: p.id,
            nhs_number: p.nhs_number,
            created_at: p.created_at,
        })
        .collect();
    audit::log(
        svc,
        svc.now(),
        meta,
        crate::audit::Event::new("reconciliation_viewed", Outcome::Success)
            .by(actor)
            .detail(format!("{} record(s) awaiting reconciliation", out.len())),
    )
    .await?;
    Ok(out)
}
