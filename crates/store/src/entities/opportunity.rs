use sea_orm::entity::prelude::*;

/// An opportunity an organisation offers leaders: a seat, a workshop, a panel, a talk.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "opportunities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organisation_id: i32,
    pub title: String,
    pub kind: String,
    pub description: String,
    pub skills: String,
    pub region: Option<String>,
    pub availability: String,
    pub minutes: i32,
    pub payment_level: String,
    pub closes_on: Date,
    pub state: String,
    pub event_id: Option<i32>,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
