use sea_orm::entity::prelude::*;
use serde::Serialize;

/// The message back to the GP and referrer when a referral closes.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "discharge_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub referral_id: i32,
    pub person_id: i32,
    pub snomed_code: String,
    pub snomed_display: String,
    pub body: String,
    pub practice_id: Option<i32>,
    pub sent_to: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
