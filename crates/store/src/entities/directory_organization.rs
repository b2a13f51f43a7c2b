use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An organisation in the community directory (Open Referral UK `organization`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "directory_organizations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub uuid: String,
    pub name: String,
    pub description: String,
    pub email: Option<String>,
    pub website: Option<String>,
    pub phone: Option<String>,
    /// The platform organisation whose VCSE workers edit its listings.
    pub owner_id: Option<i32>,
    pub last_modified: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
