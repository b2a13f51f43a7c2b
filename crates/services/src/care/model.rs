//! Read models: what the care use cases give the web layer. Codes the database keeps as text
//! come out as the domain's enums, so no caller parses them again.

use chrono::{DateTime, NaiveDate, Utc};
use domain::referral::{CareService, ReferralMethod, ReferralState, Urgency};
use store::entities::referral;

use crate::ServiceError;

/// A person's details as recorded (free text, dates and the NHS number; no codes to parse but
/// `preferred_contact`, one of [`crate::care::people::CONTACT_PREFERENCES`]).
pub use store::entities::person::Model as Person;

/// A completed questionnaire (ONS4, SWEMWBS) or activation measure.
pub use store::entities::measure::Model as Measure;

/// A saved version of a personalised care and support plan.
pub use store::entities::care_plan_version::Model as PlanVersion;

/// A referral into a personalised care service, and its place on the caseload.
#[derive(Clone, Debug, PartialEq)]
pub struct Referral {
    pub id: i32,
    pub person_id: i32,
    pub team_org_id: i32,
    pub service: CareService,
    pub referred_on: NaiveDate,
    /// `staff` or `self`.
    pub source: String,
    pub referrer_name: String,
    pub referrer_organisation: Option<String>,
    pub referrer_user_id: Option<i32>,
    pub method: ReferralMethod,
    pub reason: String,
    pub urgency: Urgency,
    pub state: ReferralState,
    pub assigned_user_id: Option<i32>,
    pub declined_reason: Option<String>,
    pub possible_duplicate_of: Option<i32>,
    pub review_due: Option<NaiveDate>,
    pub first_contact_at: Option<DateTime<Utc>>,
    pub last_contact_at: Option<DateTime<Utc>>,
    pub contact_attempts: i32,
    pub closed_at: Option<DateTime<Utc>>,
    pub discharge_reason: Option<String>,
    pub outcome_summary: Option<String>,
    pub submitted_from: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// A code in the database that the domain does not know: only a change made outside the
/// service (the write paths and the database's checks allow known codes only) could cause it.
fn unknown(what: &str, code: &str) -> ServiceError {
    ServiceError::Internal(format!("a referral holds an unknown {what} code {code:?}"))
}

impl TryFrom<referral::Model> for Referral {
    type Error = ServiceError;
    fn try_from(m: referral::Model) -> Result<Self, ServiceError> {
        Ok(Referral {
            service: CareService::parse(&m.service)
                .ok_or_else(|| unknown("service", &m.service))?,
            method: ReferralMethod::parse(&m.method).ok_or_else(|| unknown("method", &m.method))?,
            urgency: Urgency::parse(&m.urgency).ok_or_else(|| unknown("urgency", &m.urgency))?,
            state: ReferralState::parse(&m.state).ok_or_else(|| unknown("state", &m.state))?,
            id: m.id,
            person_id: m.person_id,
            team_org_id: m.team_org_id,
            referred_on: m.referred_on,
            source: m.source,
            referrer_name: m.referrer_name,
            referrer_organisation: m.referrer_organisation,
            referrer_user_id: m.referrer_user_id,
            reason: m.reason,
            assigned_user_id: m.assigned_user_id,
            declined_reason: m.declined_reason,
            possible_duplicate_of: m.possible_duplicate_of,
            review_due: m.review_due,
            first_contact_at: m.first_contact_at,
            last_contact_at: m.last_contact_at,
            contact_attempts: m.contact_attempts,
            closed_at: m.closed_at,
            discharge_reason: m.discharge_reason,
            outcome_summary: m.outcome_summary,
            submitted_from: m.submitted_from,
            created_at: m.created_at,
            updated_at: m.updated_at,
            version: m.version,
        })
    }
}

/// Converts a list of rows, failing on the first unknown code.
pub(crate) fn referrals(rows: Vec<referral::Model>) -> Result<Vec<Referral>, ServiceError> {
    rows.into_iter().map(Referral::try_from).collect()
}
