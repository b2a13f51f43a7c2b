use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A referral into a personalised care service, and its place on the caseload.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "referrals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub person_id: i32,
    pub team_org_id: i32,
    pub service: String,
    pub referred_on: Date,
    pub source: String,
    pub referrer_name: String,
    pub referrer_organisation: Option<String>,
    pub referrer_user_id: Option<i32>,
    pub method: String,
    pub reason: String,
    pub urgency: String,
    pub state: String,
    pub assigned_user_id: Option<i32>,
    pub declined_reason: Option<String>,
    pub possible_duplicate_of: Option<i32>,
    /// A self-referral's NHS number matched this known person, but the name or date of birth
    /// did not: staff check who it is.
    pub identity_check_person_id: Option<i32>,
    pub review_due: Option<Date>,
    /// When the team accepted the referral at triage; none while it waits for triage.
    pub accepted_at: Option<DateTimeUtc>,
    pub first_contact_at: Option<DateTimeUtc>,
    pub last_contact_at: Option<DateTimeUtc>,
    pub contact_attempts: i32,
    pub closed_at: Option<DateTimeUtc>,
    pub discharge_reason: Option<String>,
    pub outcome_summary: Option<String>,
    pub submitted_from: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
