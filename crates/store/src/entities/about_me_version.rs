use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One saved version of a person's About Me (sections as a JSON object).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "about_me_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub person_id: i32,
    pub version: i32,
    pub sections: String,
    pub helped_by: Option<String>,
    pub updated_by_user_id: Option<i32>,
    pub updated_by_label: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
