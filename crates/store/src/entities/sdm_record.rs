use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A shared decision making record (options as JSON).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "sdm_records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub person_id: i32,
    pub referral_id: Option<i32>,
    pub decision_point: String,
    pub options: String,
    pub decision_aids: Option<String>,
    pub decision: String,
    pub follow_up: Option<String>,
    pub recorded_by_user_id: Option<i32>,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
