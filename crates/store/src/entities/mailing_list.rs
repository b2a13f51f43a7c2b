use sea_orm::entity::prelude::*;

/// A mailing list anyone may join, with the wording of the consent they give (versioned).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mailing_lists")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub organisation_id: i32,
    pub network_id: Option<i32>,
    pub wording_version: i32,
    pub wording: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
