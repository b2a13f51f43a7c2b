use sea_orm::entity::prelude::*;
use serde::Serialize;

/// Someone waiting for a place at a full event, and any place offered to them.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "learning_waitlist")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub event_id: i32,
    pub mode: String,
    pub user_id: Option<i32>,
    pub name: String,
    pub email: String,
    /// waiting, offered, booked, left or expired.
    pub state: String,
    /// SHA-256 of the secret in the links that accept an offer or leave the list.
    #[serde(skip)]
    pub token_hash: String,
    /// SHA-256 of the secret in the link of the latest offer's e-mail.
    #[serde(skip)]
    pub offer_token_hash: Option<String>,
    pub joined_at: DateTimeUtc,
    pub offered_at: Option<DateTimeUtc>,
    pub offer_expires_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
