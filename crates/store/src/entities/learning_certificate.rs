use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A certificate: of attendance at an event (with its CPD time), or of an e-learning module
/// completed. Anyone given its code can check it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "learning_certificates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The verification code printed on it.
    pub code: String,
    pub user_id: Option<i32>,
    pub name: String,
    #[serde(skip)]
    pub email: String,
    /// event or module.
    pub kind: String,
    pub title: String,
    pub event_id: Option<i32>,
    pub place_id: Option<i32>,
    pub module_slug: Option<String>,
    pub cpd_minutes: i32,
    pub issued_at: DateTimeUtc,
    /// When it stops being current, if it does.
    pub expires_at: Option<DateTimeUtc>,
    /// When the holder was reminded to renew it.
    pub recert_reminded_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
