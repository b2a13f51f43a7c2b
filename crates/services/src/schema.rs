//! OpenAPI schemas for values that travel as text but come from a fixed list, built from the
//! same lists the use cases check against, so the document cannot drift from the rules.
//! Used with `#[schema(schema_with = …)]` and `#[param(schema_with = …)]`.

use domain::OrgKind;
use domain::referral::{CareService, ContactKind, ReferralMethod, ReferralState, Urgency};
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

fn one_of<'a>(values: impl IntoIterator<Item = &'a str>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.into_iter().map(str::to_owned)))
        .build()
}

pub fn care_service() -> Object {
    one_of(CareService::ALL.iter().map(|v| v.as_str()))
}

pub fn referral_method() -> Object {
    one_of(ReferralMethod::ALL.iter().map(|v| v.as_str()))
}

pub fn urgency() -> Object {
    one_of(Urgency::ALL.iter().map(|v| v.as_str()))
}

pub fn referral_state() -> Object {
    one_of(ReferralState::ALL.iter().map(|v| v.as_str()))
}

/// A caseload filter: `open` (the default: every state not closed), `all`, or one state.
pub fn caseload_state() -> Object {
    one_of(
        ["open", "all"]
            .into_iter()
            .chain(ReferralState::ALL.iter().map(|v| v.as_str())),
    )
}

pub fn caseload_sort() -> Object {
    one_of(["referred", "review_due", "last_contact"])
}

pub fn referral_source() -> Object {
    one_of(["staff", "self"])
}

pub fn contact_kind() -> Object {
    one_of(ContactKind::ALL.iter().map(|v| v.as_str()))
}

pub fn contact_preference() -> Object {
    one_of(
        domain::person::ContactPreference::ALL
            .iter()
            .map(|v| v.as_str()),
    )
}

pub fn instrument() -> Object {
    one_of(domain::measures::Instrument::ALL.iter().map(|v| v.as_str()))
}

pub fn timepoint() -> Object {
    one_of(domain::measures::Timepoint::ALL.iter().map(|v| v.as_str()))
}

pub fn discharge_reason() -> Object {
    one_of(
        crate::care::discharge::DISCHARGE_REASONS
            .iter()
            .map(|v| v.0),
    )
}

pub fn org_kind() -> Object {
    one_of(OrgKind::ALL.iter().map(|v| v.as_str()))
}

pub fn org_status() -> Object {
    one_of(["active", "closed"])
}

pub fn audit_outcome() -> Object {
    one_of(["success", "failure", "refused"])
}
