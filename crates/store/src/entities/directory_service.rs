use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A community service (Open Referral UK `service`), with its contact, capacity and assurance.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "directory_services")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub uuid: String,
    pub organization_id: i32,
    pub name: String,
    pub description: String,
    pub url: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub contact_name: Option<String>,
    /// `domain::directory::listing::ServiceStatus` as its code.
    pub status: String,
    pub eligibility: Option<String>,
    pub minimum_age: Option<i32>,
    pub maximum_age: Option<i32>,
    pub fees: Option<String>,
    pub application_process: Option<String>,
    pub wait_time: Option<String>,
    /// Joined online or by phone from anywhere.
    pub online: bool,
    /// `domain::directory::listing::Capacity` as its code.
    pub capacity: Option<String>,
    pub capacity_updated_at: Option<DateTimeUtc>,
    /// When a curator last checked the listing was right.
    pub assured_date: Option<Date>,
    pub assurer_email: Option<String>,
    /// When its owners were last reminded to check it.
    pub reminded_at: Option<DateTimeUtc>,
    pub last_modified: DateTimeUtc,
    /// The organisation, needs and description, as searched (PostgreSQL indexes it with the name).
    pub search_text: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
