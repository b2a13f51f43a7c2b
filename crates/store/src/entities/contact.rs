use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A contact with the person (or an attempt to reach them).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub referral_id: i32,
    pub person_id: i32,
    pub at: DateTimeUtc,
    pub kind: String,
    pub duration_minutes: Option<i32>,
    pub did_not_attend: bool,
    pub attempt_only: bool,
    pub coaching: bool,
    pub notes: Option<String>,
    pub by_user_id: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
