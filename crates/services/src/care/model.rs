//! Read models: what the care use cases give the web layer. Codes the database keeps as text
//! come out as the domain's enums, so no caller parses them again.

use chrono::{DateTime, NaiveDate, Utc};
use domain::measures::{Instrument, Timepoint};
use domain::person::ContactPreference;
use domain::referral::{CareService, ContactKind, ReferralMethod, ReferralState, Urgency};
use store::entities::{contact, measure, person, referral};

use crate::ServiceError;

/// A person's details as recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct Person {
    pub id: i32,
    pub nhs_number: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub preferred_contact: ContactPreference,
    pub practice_id: Option<i32>,
    pub reasonable_adjustments: Option<String>,
    pub communication_needs: Option<String>,
    pub representative_name: Option<String>,
    pub representative_relationship: Option<String>,
    pub representative_contact: Option<String>,
    /// The person's own account, when they have one.
    pub user_id: Option<i32>,
    /// Its NHS number is also on another record, one its creator could not see: for an
    /// administrator to reconcile (never shown to the creator as such).
    pub needs_reconciliation: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl TryFrom<person::Model> for Person {
    type Error = ServiceError;
    fn try_from(m: person::Model) -> Result<Self, ServiceError> {
        Ok(Person {
            preferred_contact: ContactPreference::parse(&m.preferred_contact)
                .ok_or_else(|| unknown("person", "contact preference", &m.preferred_contact))?,
            id: m.id,
            nhs_number: m.nhs_number,
            given_name: m.given_name,
            family_name: m.family_name,
            date_of_birth: m.date_of_birth,
            email: m.email,
            phone: m.phone,
            address: m.address,
            postcode: m.postcode,
            practice_id: m.practice_id,
            reasonable_adjustments: m.reasonable_adjustments,
            communication_needs: m.communication_needs,
            representative_name: m.representative_name,
            representative_relationship: m.representative_relationship,
            representative_contact: m.representative_contact,
            user_id: m.user_id,
            needs_reconciliation: m.needs_reconciliation,
            created_at: m.created_at,
            updated_at: m.updated_at,
            version: m.version,
        })
    }
}

/// A contact with the person on a referral, or an attempt to reach them.
#[derive(Clone, Debug, PartialEq)]
pub struct Contact {
    pub id: i32,
    pub referral_id: i32,
    pub person_id: i32,
    pub at: DateTime<Utc>,
    pub kind: ContactKind,
    pub duration_minutes: Option<i32>,
    pub did_not_attend: bool,
    /// A try that did not reach the person.
    pub attempt_only: bool,
    /// A health and wellbeing coaching session.
    pub coaching: bool,
    pub notes: Option<String>,
    pub by_user_id: Option<i32>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<contact::Model> for Contact {
    type Error = ServiceError;
    fn try_from(m: contact::Model) -> Result<Self, ServiceError> {
        Ok(Contact {
            kind: ContactKind::parse(&m.kind).ok_or_else(|| unknown("contact", "kind", &m.kind))?,
            id: m.id,
            referral_id: m.referral_id,
            person_id: m.person_id,
            at: m.at,
            duration_minutes: m.duration_minutes,
            did_not_attend: m.did_not_attend,
            attempt_only: m.attempt_only,
            coaching: m.coaching,
            notes: m.notes,
            by_user_id: m.by_user_id,
            created_at: m.created_at,
        })
    }
}

/// A completed questionnaire (ONS4, SWEMWBS) or activation measure.
#[derive(Clone, Debug, PartialEq)]
pub struct Measure {
    pub id: i32,
    pub person_id: i32,
    pub referral_id: Option<i32>,
    pub instrument: Instrument,
    pub timepoint: Timepoint,
    pub taken_on: NaiveDate,
    /// The answers in the order of the instrument's items (for PAM: the level and the score's
    /// whole part are in `level` and `score`).
    pub answers: Vec<u8>,
    pub score: Option<f64>,
    pub level: Option<i32>,
    /// Recorded by the person themselves.
    pub by_person: bool,
    pub recorded_by_user_id: Option<i32>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<measure::Model> for Measure {
    type Error = ServiceError;
    fn try_from(m: measure::Model) -> Result<Self, ServiceError> {
        let answers = if m.answers.is_empty() {
            vec![]
        } else {
            m.answers
                .split(',')
                .map(|a| a.trim().parse::<u8>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| unknown("measure", "answer list", &m.answers))?
        };
        Ok(Measure {
            instrument: Instrument::parse(&m.instrument)
                .ok_or_else(|| unknown("measure", "instrument", &m.instrument))?,
            timepoint: Timepoint::parse(&m.timepoint)
                .ok_or_else(|| unknown("measure", "timepoint", &m.timepoint))?,
            answers,
            id: m.id,
            person_id: m.person_id,
            referral_id: m.referral_id,
            taken_on: m.taken_on,
            score: m.score,
            level: m.level,
            by_person: m.by_person,
            recorded_by_user_id: m.recorded_by_user_id,
            created_at: m.created_at,
        })
    }
}

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
    /// A self-referral's NHS number matched this known person, with another name or date of
    /// birth: staff check who it is.
    pub identity_check_person_id: Option<i32>,
    pub review_due: Option<NaiveDate>,
    /// When the team took the referral on at triage (or first reached the person).
    pub accepted_at: Option<DateTime<Utc>>,
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
fn unknown(record: &str, what: &str, code: &str) -> ServiceError {
    ServiceError::Internal(format!("a {record} holds an unknown {what} {code:?}"))
}

impl TryFrom<referral::Model> for Referral {
    type Error = ServiceError;
    fn try_from(m: referral::Model) -> Result<Self, ServiceError> {
        Ok(Referral {
            service: CareService::parse(&m.service)
                .ok_or_else(|| unknown("referral", "service code", &m.service))?,
            method: ReferralMethod::parse(&m.method)
                .ok_or_else(|| unknown("referral", "method code", &m.method))?,
            urgency: Urgency::parse(&m.urgency)
                .ok_or_else(|| unknown("referral", "urgency code", &m.urgency))?,
            state: ReferralState::parse(&m.state)
                .ok_or_else(|| unknown("referral", "state code", &m.state))?,
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
            identity_check_person_id: m.identity_check_person_id,
            review_due: m.review_due,
            accepted_at: m.accepted_at,
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
pub(crate) fn all<R, T: TryFrom<R, Error = ServiceError>>(
    rows: Vec<R>,
) -> Result<Vec<T>, ServiceError> {
    rows.into_iter().map(T::try_from).collect()
}
