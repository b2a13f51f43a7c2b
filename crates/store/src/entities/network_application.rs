use sea_orm::entity::prelude::*;

/// An application to join a network: pending, approved, declined or withdrawn. One a person a network; applying again after a decline reopens it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "network_applications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub network_id: i32,
    pub user_id: i32,
    pub job_role: String,
    pub organisation: String,
    pub region: String,
    pub motivation: String,
    pub state: String,
    pub message: Option<String>,
    pub decided_by: Option<i32>,
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
