use sea_orm::entity::prelude::*;

/// Item wording of a licensed instrument, loaded by the deploying organisation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "measure_wording")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub instrument: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub item: i32,
    pub wording: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
