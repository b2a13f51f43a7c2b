use sea_orm::entity::prelude::*;
use serde::Serialize;

/// Who did what to which record, for which person, why, and how it ended (FHIR AuditEvent shape).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub request_id: Option<String>,
    pub actor_user_id: Option<i32>,
    /// The actor as shown at the time (email, "system", or the address an anonymous request came from).
    pub actor_label: String,
    pub action: String,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub person_id: Option<i32>,
    pub organisation_id: Option<i32>,
    pub purpose: Option<String>,
    /// success | failure | refused
    pub outcome: String,
    pub detail: Option<String>,
    pub ip: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
