use sea_orm::entity::prelude::*;
use serde::Serialize;

/// Where a postcode is: its centre in WGS84, from the ONS Postcode Directory or Code-Point Open.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "postcodes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub postcode: String,
    pub latitude: f64,
    pub longitude: f64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
