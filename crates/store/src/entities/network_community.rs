use sea_orm::entity::prelude::*;

/// One of a network's regional communities (an NHS England region code).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "network_communities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub network_id: i32,
    pub region: String,
    pub name: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
