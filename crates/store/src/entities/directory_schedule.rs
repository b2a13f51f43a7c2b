use sea_orm::entity::prelude::*;
use serde::Serialize;

/// When a service runs (Open Referral UK `schedule`): iCalendar `freq` and `byday`, times as HH:MM.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "directory_schedules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub uuid: String,
    pub service_id: i32,
    pub freq: String,
    pub byday: String,
    pub opens_at: String,
    pub closes_at: String,
    pub description: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
