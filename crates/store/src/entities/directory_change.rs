use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A change to a listing proposed by its organisation, waiting for a curator to publish it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "directory_changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    /// None for a new service.
    pub service_id: Option<i32>,
    /// The proposed listing as JSON.
    pub listing: String,
    pub proposed_by: Option<i32>,
    pub proposed_at: DateTimeUtc,
    /// pending, published or returned.
    pub state: String,
    pub decided_by: Option<i32>,
    pub decided_at: Option<DateTimeUtc>,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
