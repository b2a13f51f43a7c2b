use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "organisations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// One of domain::OrgKind's names.
    pub kind: String,
    #[sea_orm(unique)]
    pub ods_code: Option<String>,
    pub name: String,
    pub parent_id: Option<i32>,
    /// Materialised ancestry, "/1/4/17/" for organisation 17 under 4 under 1: scope checks are
    /// one prefix match.
    pub path: String,
    pub status: String,
    /// Registered patients (practices) or the sum for a PCN, as last imported.
    pub list_size: Option<i32>,
    /// A practice that opted out of the PCN DES; its patients are covered by an arrangement
    /// the commissioner made, recorded in `commissioner_arrangement`.
    pub pcn_opted_out: bool,
    pub commissioner_arrangement: Option<String>,
    pub postcode: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub charity_number: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Bumped on every edit, for optimistic concurrency.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
