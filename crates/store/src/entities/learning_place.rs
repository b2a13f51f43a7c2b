use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A place at an event: held in someone's basket until a time, then booked by an order (or
/// let go, or cancelled).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "learning_places")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub event_id: i32,
    /// in_person or online.
    pub mode: String,
    /// held, booked or cancelled.
    pub state: String,
    pub holder_id: Option<i32>,
    pub hold_expires_at: Option<DateTimeUtc>,
    pub order_id: Option<i32>,
    pub price_pence: i64,
    pub attendee_name: Option<String>,
    pub attendee_email: Option<String>,
    pub checked_in_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
