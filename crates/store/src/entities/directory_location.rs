use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A place services run at, with its one address (Open Referral UK `location` and `address`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "directory_locations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub uuid: String,
    pub organization_id: i32,
    pub location_type: String,
    pub name: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub address_1: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
