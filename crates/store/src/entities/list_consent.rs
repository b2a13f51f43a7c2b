use sea_orm::entity::prelude::*;

/// Consent to a list given, confirmed or withdrawn: when, how (the source) and the exact wording shown.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "list_consents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub subscription_id: i32,
    pub list_id: i32,
    pub action: String,
    pub wording_version: Option<i32>,
    pub wording: Option<String>,
    pub source: String,
    pub ip: Option<String>,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
