use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A term of a taxonomy: one need a service meets (Open Referral UK `taxonomy_term`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "taxonomy_terms")]
pub struct Model {
    /// A UUID.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub taxonomy_id: String,
    pub parent_id: Option<String>,
    /// Our name for it within its taxonomy, from which its UUID is derived.
    pub code: String,
    pub name: String,
    pub description: String,
    pub term_uri: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
