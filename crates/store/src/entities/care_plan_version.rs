use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One saved version of a personalised care and support plan (content as JSON).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "care_plan_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub person_id: i32,
    pub version: i32,
    pub content: String,
    pub agreed_with: Option<String>,
    pub review_date: Option<Date>,
    pub review_owner_user_id: Option<i32>,
    pub funding_source: Option<String>,
    pub updated_by_user_id: Option<i32>,
    pub updated_by_label: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
