use sea_orm::entity::prelude::*;

/// An hourly rate for a level of involvement, from a date: rates are policy that changes, so they are data.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_rates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub level: String,
    pub label: String,
    pub pence_per_hour: i32,
    pub effective_from: Date,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
