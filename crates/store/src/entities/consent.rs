use sea_orm::entity::prelude::*;
use serde::Serialize;

/// Consent to share a person's information: with whom, given or withdrawn, recorded by whom and when.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "consents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub person_id: i32,
    pub share_with: String,
    pub given: bool,
    pub note: Option<String>,
    pub recorded_by_user_id: Option<i32>,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
