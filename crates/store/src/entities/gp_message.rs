use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A message back to the GP and referrer about a referral: at first contact, or when it closes
/// (`kind`); at most one of each per referral.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "gp_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub referral_id: i32,
    pub person_id: i32,
    pub kind: String,
    pub snomed_code: String,
    pub snomed_display: String,
    pub body: String,
    pub practice_id: Option<i32>,
    pub sent_to: Option<String>,
    /// Why it was not e-mailed, in words for the worker.
    pub not_sent_reason: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
