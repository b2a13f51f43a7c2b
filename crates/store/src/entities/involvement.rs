use sea_orm::entity::prelude::*;

/// Time a selected leader gave, with the rate it was paid at when it was recorded and the payment due.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "involvements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub application_id: i32,
    pub opportunity_id: i32,
    pub user_id: i32,
    pub worked_on: Date,
    pub minutes: i32,
    pub rate_id: Option<i32>,
    pub pence_per_hour: i32,
    pub payment_pence: i64,
    pub recorded_by: Option<i32>,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
