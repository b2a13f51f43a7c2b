use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An order for places: who booked, what it cost and where it is in its life.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "learning_orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The reference people quote, like "WM-7KQ4X2".
    pub code: String,
    /// The account that booked; none for a guest.
    pub user_id: Option<i32>,
    pub name: String,
    pub email: String,
    /// confirmed, pending, paid, cancelled or refunded.
    pub state: String,
    pub total_pence: i64,
    /// The purchase order number an invoice is raised against.
    pub po_number: Option<String>,
    /// SHA-256 of the secret in the link that manages the order (for guests).
    #[serde(skip)]
    pub manage_token_hash: String,
    pub created_at: DateTimeUtc,
    pub paid_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub cancel_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
