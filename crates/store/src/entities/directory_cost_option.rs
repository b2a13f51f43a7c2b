use sea_orm::entity::prelude::*;
use serde::Serialize;

/// What a service costs (Open Referral UK `cost_option`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "directory_cost_options")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub uuid: String,
    pub service_id: i32,
    pub option: Option<String>,
    pub amount: Option<f64>,
    pub amount_description: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
