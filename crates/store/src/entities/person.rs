use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A person receiving personalised care.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "people")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub nhs_number: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub search_name: String,
    pub date_of_birth: Option<Date>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub preferred_contact: String,
    pub practice_id: Option<i32>,
    pub reasonable_adjustments: Option<String>,
    pub communication_needs: Option<String>,
    pub representative_name: Option<String>,
    pub representative_relationship: Option<String>,
    pub representative_contact: Option<String>,
    pub user_id: Option<i32>,
    /// Its NHS number is also on another record, one its creator could not see: for an
    /// administrator to reconcile (never shown to the creator as such).
    pub needs_reconciliation: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
