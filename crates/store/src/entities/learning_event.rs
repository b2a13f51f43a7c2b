use sea_orm::entity::prelude::*;
use serde::Serialize;

/// An event (one session) or course (several) in the learning catalogue, with its places of
/// each kind and how many are taken (held in baskets, booked, or kept for a waiting-list offer).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "learning_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub uuid: String,
    /// The organisation or network that runs it.
    pub organisation_id: i32,
    /// event or course.
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub topic: String,
    /// An NHS England region code; none for national events.
    pub region: Option<String>,
    /// in_person, online or hybrid.
    pub format: String,
    pub venue: Option<String>,
    /// Shown only to those booked.
    pub join_link: Option<String>,
    pub price_pence: i64,
    pub cpd_minutes: i32,
    pub audience: String,
    pub in_person_places: i32,
    pub online_places: i32,
    pub in_person_taken: i32,
    pub online_taken: i32,
    /// scheduled or cancelled.
    pub state: String,
    pub cancel_reason: Option<String>,
    /// When everyone booked was reminded, a week before and a day before.
    pub reminded_week_at: Option<DateTimeUtc>,
    pub reminded_day_at: Option<DateTimeUtc>,
    /// When the first session starts and the last ends.
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// How long its certificate of attendance stays current, in months; none for ever.
    pub certificate_months: Option<i32>,
    /// Attending it counts a professional as trained in personalised care.
    pub accredited: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
