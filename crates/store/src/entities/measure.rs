use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An outcome measure result: ONS4, SWEMWBS or PAM (answers as comma-separated numbers).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "measures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub person_id: i32,
    pub referral_id: Option<i32>,
    pub instrument: String,
    pub timepoint: String,
    pub taken_on: Date,
    pub answers: String,
    pub score: Option<f64>,
    pub level: Option<i32>,
    pub by_person: bool,
    pub recorded_by_user_id: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
