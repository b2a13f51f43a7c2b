use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A referral of a person to a community service, and what the service said and saw.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "service_referrals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub person_id: i32,
    pub service_id: i32,
    /// The directory organisation the service belongs to (its inbox).
    pub organization_id: i32,
    /// The care referral it was made under, if any.
    pub referral_id: Option<i32>,
    /// The consent to share that allowed it.
    pub consent_id: Option<i32>,
    pub reason: String,
    pub what_matters: Option<String>,
    /// sent, accepted, declined, attended or did_not_attend.
    pub state: String,
    pub decline_reason: Option<String>,
    pub sent_by: Option<i32>,
    pub sent_at: DateTimeUtc,
    pub replied_by: Option<i32>,
    pub replied_at: Option<DateTimeUtc>,
    pub outcome_by: Option<i32>,
    pub outcome_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
