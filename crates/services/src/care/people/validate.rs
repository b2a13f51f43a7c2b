//! A person's details as entered, checked once into a [`ValidPerson`]; and the rule each use
//! case applies to the GP practice.

use chrono::NaiveDate;
use domain::person::ContactPreference;
use domain::{Email, NhsNumber, OrgKind, Postcode, dates, text};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::Deserialize;
use store::entities::organisation;

use crate::error::{DateRule, Problems};
use crate::{Actor, ServiceError};

/// The ways a person may prefer to be contacted, as (code, label) for a form's choices.
pub fn contact_preferences() -> Vec<(&'static str, &'static str)> {
    ContactPreference::ALL
        .iter()
        .map(|c| (c.as_str(), c.label()))
        .collect()
}

/// A person's details as entered on a form or sent to the API.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct PersonInput {
    pub nhs_number: Option<String>,
    #[schema(required = true)]
    pub given_name: Option<String>,
    #[schema(required = true)]
    pub family_name: Option<String>,
    /// YYYY-MM-DD
    pub date_of_birth: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    /// phone | text | email | letter
    #[schema(schema_with = crate::schema::contact_preference)]
    pub preferred_contact: Option<String>,
    /// The GP practice the person is registered with.
    pub practice_id: Option<i32>,
    pub reasonable_adjustments: Option<String>,
    pub communication_needs: Option<String>,
    pub representative_name: Option<String>,
    pub representative_relationship: Option<String>,
    pub representative_contact: Option<String>,
}

/// Parses a date typed as YYYY-MM-DD or DD/MM/YYYY (four-digit year).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    domain::dates::parse(s)
}

#[derive(Clone)]
pub struct ValidPerson {
    pub nhs_number: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub preferred_contact: String,
    pub practice_id: Option<i32>,
    pub reasonable_adjustments: Option<String>,
    pub communication_needs: Option<String>,
    pub representative_name: Option<String>,
    pub representative_relationship: Option<String>,
    pub representative_contact: Option<String>,
}

/// Checks a person's details, adding every problem to `p` (fields prefixed with `prefix`).
/// The practice is checked apart, by [`check_practice`], against the rule of the use case.
pub fn validate(
    today: NaiveDate,
    input: &PersonInput,
    prefix: &str,
    p: &mut Problems,
) -> Option<ValidPerson> {
    let f = |k: &str| format!("{prefix}{k}");
    let before = p.0.len();
    let nhs_number = input
        .nhs_number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .and_then(|n| p.take(&f("nhs_number"), NhsNumber::parse(n)))
        .map(|n| n.as_str().to_owned());
    let given_name = p.required(
        &f("given_name"),
        &input.given_name,
        text::GIVEN_NAME,
        "Enter the person's first name",
    );
    let family_name = p.required(
        &f("family_name"),
        &input.family_name,
        text::FAMILY_NAME,
        "Enter the person's last name",
    );
    let date_of_birth = p.date(
        &f("date_of_birth"),
        &input.date_of_birth,
        DateRule {
            label: "Date of birth",
            earliest: dates::years_before(today, dates::MAX_AGE_YEARS),
            latest: today,
            today,
        },
    );
    let email = p
        .text(&f("email"), &input.email, text::EMAIL)
        .and_then(|e| {
            p.take(&f("email"), Email::parse(&e))
                .map(|e| e.as_str().to_owned())
        });
    let postcode = input
        .postcode
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(|pc| p.take(&f("postcode"), Postcode::parse(pc)))
        .map(|pc| pc.as_str().to_owned());
    let phone = p.text(&f("phone"), &input.phone, text::PHONE);
    if let Some(ph) = &phone
        && ph.chars().filter(char::is_ascii_digit).count() < 10
    {
        p.add(
            &f("phone"),
            "Enter a phone number with at least 10 digits, like 07700 900 123",
        );
    }
    let address = p.text(&f("address"), &input.address, text::ADDRESS);
    let preferred_contact = input
        .preferred_contact
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .unwrap_or("phone");
    let preferred_contact =
        ContactPreference::parse(preferred_contact).map(ContactPreference::as_str);
    if preferred_contact.is_none() {
        p.add(
            &f("preferred_contact"),
            "Choose how the person prefers to be contacted",
        );
    }
    let reasonable_adjustments = p.text(
        &f("reasonable_adjustments"),
        &input.reasonable_adjustments,
        text::REASONABLE_ADJUSTMENTS,
    );
    let communication_needs = p.text(
        &f("communication_needs"),
        &input.communication_needs,
        text::COMMUNICATION_NEEDS,
    );
    let representative_name = p.text(
        &f("representative_name"),
        &input.representative_name,
        text::REPRESENTATIVE_NAME,
    );
    let representative_relationship = p.text(
        &f("representative_relationship"),
        &input.representative_relationship,
        text::REPRESENTATIVE_RELATIONSHIP,
    );
    let representative_contact = p.text(
        &f("representative_contact"),
        &input.representative_contact,
        text::REPRESENTATIVE_CONTACT,
    );
    let blank = |field: &Option<String>| field.as_deref().is_none_or(|v| v.trim().is_empty());
    match preferred_contact {
        Some("email") if blank(&input.email) => p.add(
            &f("email"),
            "Enter an email address, as the person prefers email",
        ),
        Some("phone" | "text") if blank(&input.phone) => p.add(
            &f("phone"),
            "Enter a phone number, as the person prefers phone or text",
        ),
        Some("letter") if blank(&input.address) => p.add(
            &f("address"),
            "Enter an address, as the person prefers letters",
        ),
        _ => {}
    }
    if p.0.len() > before {
        return None;
    }
    Some(ValidPerson {
        nhs_number,
        given_name: given_name?,
        family_name: family_name?,
        date_of_birth,
        email,
        phone,
        address,
        postcode,
        preferred_contact: preferred_contact?.to_owned(),
        practice_id: input.practice_id,
        reasonable_adjustments,
        communication_needs,
        representative_name,
        representative_relationship,
        representative_contact,
    })
}

/// Which GP practices a use case accepts for a person.
#[derive(Clone, Debug)]
pub enum PracticeRule<'a> {
    /// A practice served by this PCN (its member, or an opted-out practice it covers): a new
    /// person referred to the PCN or one of its teams.
    ServedBy(i32),
    /// A practice within the actor's care scope or served by a PCN in it, or the practice
    /// already recorded: editing a person's details.
    Scope {
        actor: &'a Actor,
        current: Option<i32>,
    },
}

/// The messages for a practice that is not one the use case accepts: each the same for a
/// practice elsewhere, an organisation that is not a practice, and an id that is not there.
pub const CHOOSE_PRACTICE: &str = "Choose the person's GP practice from the list";
pub const CHOOSE_SERVED_PRACTICE: &str =
    "Choose a GP practice that the team you are referring to serves";

/// Checks `practice_id` against the rule, adding a problem to `p` when it is refused.
pub async fn check_practice<C: ConnectionTrait>(
    c: &C,
    practice_id: Option<i32>,
    rule: &PracticeRule<'_>,
    field: &str,
    p: &mut Problems,
) -> Result<(), ServiceError> {
    let Some(pid) = practice_id else {
        return Ok(());
    };
    if let PracticeRule::Scope { current, .. } = rule
        && *current == Some(pid)
    {
        return Ok(());
    }
    let practice = organisation::Entity::find_by_id(pid)
        .one(c)
        .await?
        .filter(|o| o.kind == OrgKind::Practice.as_str());
    let served_by = match &practice {
        Some(_) => crate::care::referrals::team_for_practice(c, pid)
            .await?
            .map(|t| t.id),
        None => None,
    };
    let ok = match (rule, practice) {
        (_, None) => false,
        (PracticeRule::ServedBy(pcn), Some(_)) => served_by == Some(*pcn),
        (PracticeRule::Scope { actor, .. }, Some(o)) => {
            crate::care::in_care_scope(c, actor, o.id).await?
                || match served_by {
                    Some(t) => crate::care::in_care_scope(c, actor, t).await?,
                    None => false,
                }
        }
    };
    if !ok {
        p.add(
            field,
            match rule {
                PracticeRule::ServedBy(_) => CHOOSE_SERVED_PRACTICE,
                PracticeRule::Scope { .. } => CHOOSE_PRACTICE,
            },
        );
    }
    Ok(())
}
