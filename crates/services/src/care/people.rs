//! People: identity (NHS number), contact, practice, adjustments, representative, consent; and
//! finding a person by NHS number, name (tolerant of typos) or date of birth.

use chrono::NaiveDate;
use domain::{Email, NhsNumber, Permission, Postcode};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Deserialize;
use store::entities::{consent, organisation, person, referral};

use super::{audit_read, care_org_ids, person_event, person_for};
use crate::audit::{self, Outcome};
use crate::error::Problems;
use crate::{Actor, RequestMeta, ServiceError, Services};

pub const CONTACT_PREFERENCES: [(&str, &str); 4] = [
    ("phone", "Phone call"),
    ("text", "Text message"),
    ("email", "Email"),
    ("letter", "Letter"),
];

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

pub(crate) fn text(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Parses a date typed as YYYY-MM-DD or DD/MM/YYYY.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

pub fn search_name(given: &str, family: &str) -> String {
    format!("{} {}", given.trim(), family.trim()).to_lowercase()
}

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
pub async fn validate<C: ConnectionTrait>(
    c: &C,
    today: NaiveDate,
    input: &PersonInput,
    prefix: &str,
    p: &mut Problems,
) -> Result<Option<ValidPerson>, ServiceError> {
    let f = |k: &str| format!("{prefix}{k}");
    let before = p.0.len();
    let nhs_number = match text(&input.nhs_number) {
        Some(n) => p
            .take(&f("nhs_number"), NhsNumber::parse(&n))
            .map(|n| n.as_str().to_owned()),
        None => None,
    };
    let given_name = text(&input.given_name).unwrap_or_default();
    if given_name.is_empty() {
        p.add(&f("given_name"), "Enter the person's first name");
    }
    let family_name = text(&input.family_name).unwrap_or_default();
    if family_name.is_empty() {
        p.add(&f("family_name"), "Enter the person's last name");
    }
    let date_of_birth = match text(&input.date_of_birth) {
        None => None,
        Some(d) => match parse_date(&d) {
            None => {
                p.add(
                    &f("date_of_birth"),
                    "Date of birth must be a real date, like 1958-03-27",
                );
                None
            }
            Some(d) if d > today => {
                p.add(
                    &f("date_of_birth"),
                    "Date of birth must be today or in the past",
                );
                None
            }
            Some(d) if today.years_since(d).unwrap_or(0) > 125 => {
                p.add(
                    &f("date_of_birth"),
                    "Date of birth must be within the last 125 years",
                );
                None
            }
            Some(d) => Some(d),
        },
    };
    let email = text(&input.email).and_then(|e| {
        p.take(&f("email"), Email::parse(&e))
            .map(|e| e.as_str().to_owned())
    });
    let postcode = text(&input.postcode).and_then(|e| {
        p.take(&f("postcode"), Postcode::parse(&e))
            .map(|e| e.as_str().to_owned())
    });
    let phone = text(&input.phone);
    if let Some(ph) = &phone
        && ph.chars().filter(char::is_ascii_digit).count() < 10
    {
        p.add(
            &f("phone"),
            "Enter a phone number with at least 10 digits, like 07700 900 123",
        );
    }
    let preferred_contact = text(&input.preferred_contact).unwrap_or_else(|| "phone".into());
    if !CONTACT_PREFERENCES
        .iter()
        .any(|(c, _)| *c == preferred_contact)
    {
        p.add(
            &f("preferred_contact"),
            "Choose how the person prefers to be contacted",
        );
    }
    match preferred_contact.as_str() {
        "email" if email.is_none() => p.add(
            &f("email"),
            "Enter an email address, as the person prefers email",
        ),
        "phone" | "text" if phone.is_none() => p.add(
            &f("phone"),
            "Enter a phone number, as the person prefers phone or text",
        ),
        "letter" if input.address.as_deref().is_none_or(|a| a.trim().is_empty()) => p.add(
            &f("address"),
            "Enter an address, as the person prefers letters",
        ),
        _ => {}
    }
    if let Some(pid) = input.practice_id {
        let ok = organisation::Entity::find_by_id(pid)
            .one(c)
            .await?
            .is_some_and(|o| o.kind == "practice");
        if !ok {
            p.add(
                &f("practice_id"),
                "Choose the GP practice the person is registered with",
            );
        }
    }
    if p.0.len() > before {
        return Ok(None);
    }
    Ok(Some(ValidPerson {
        nhs_number,
        given_name,
        family_name,
        date_of_birth,
        email,
        phone,
        address: text(&input.address),
        postcode,
        preferred_contact,
        practice_id: input.practice_id,
        reasonable_adjustments: text(&input.reasonable_adjustments),
        communication_needs: text(&input.communication_needs),
        representative_name: text(&input.representative_name),
        representative_relationship: text(&input.representative_relationship),
        representative_contact: text(&input.representative_contact),
    }))
}

pub async fn insert<C: ConnectionTrait>(
    c: &C,
    now: chrono::DateTime<chrono::Utc>,
    v: ValidPerson,
) -> Result<person::Model, ServiceError> {
    person::ActiveModel {
        search_name: Set(search_name(&v.given_name, &v.family_name)),
        nhs_number: Set(v.nhs_number),
        given_name: Set(v.given_name),
        family_name: Set(v.family_name),
        date_of_birth: Set(v.date_of_birth),
        email: Set(v.email),
        phone: Set(v.phone),
        address: Set(v.address),
        postcode: Set(v.postcode),
        preferred_contact: Set(v.preferred_contact),
        practice_id: Set(v.practice_id),
        reasonable_adjustments: Set(v.reasonable_adjustments),
        communication_needs: Set(v.communication_needs),
        representative_name: Set(v.representative_name),
        representative_relationship: Set(v.representative_relationship),
        representative_contact: Set(v.representative_contact),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(c)
    .await
    .map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ServiceError::invalid(
            "nhs_number",
            "A person with this NHS number is already recorded: find them and refer them instead",
        ),
        _ => ServiceError::Db(e),
    })
}

/// Reads a person's record (audited).
pub async fn get(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
) -> Result<person::Model, ServiceError> {
    let p = person_for(svc, actor, meta, id, "person_viewed").await?;
    audit_read(svc, actor, meta, id, "person_viewed").await?;
    Ok(p)
}

/// Edits a person's details; `version` must be the one read.
pub async fn update(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    version: i32,
    input: PersonInput,
) -> Result<person::Model, ServiceError> {
    let existing = person_for(svc, actor, meta, id, "person_updated").await?;
    let mut p = Problems::default();
    let Some(v) = validate(&svc.db, svc.now().date_naive(), &input, "", &mut p).await? else {
        return Err(ServiceError::Invalid(p.0));
    };
    if let Some(n) = &v.nhs_number {
        let clash = person::Entity::find()
            .filter(person::Column::NhsNumber.eq(n.clone()))
            .filter(person::Column::Id.ne(id))
            .one(&svc.db)
            .await?;
        if clash.is_some() {
            return Err(ServiceError::invalid(
                "nhs_number",
                "Another person already has this NHS number",
            ));
        }
    }
    let now = svc.now();
    let txn = sea_orm::TransactionTrait::begin(&svc.db).await?;
    let changed = person::Entity::update_many()
        .col_expr(
            person::Column::SearchName,
            Expr::value(search_name(&v.given_name, &v.family_name)),
        )
        .col_expr(person::Column::NhsNumber, Expr::value(v.nhs_number))
        .col_expr(person::Column::GivenName, Expr::value(v.given_name))
        .col_expr(person::Column::FamilyName, Expr::value(v.family_name))
        .col_expr(person::Column::DateOfBirth, Expr::value(v.date_of_birth))
        .col_expr(person::Column::Email, Expr::value(v.email))
        .col_expr(person::Column::Phone, Expr::value(v.phone))
        .col_expr(person::Column::Address, Expr::value(v.address))
        .col_expr(person::Column::Postcode, Expr::value(v.postcode))
        .col_expr(
            person::Column::PreferredContact,
            Expr::value(v.preferred_contact),
        )
        .col_expr(
            person::Column::PracticeId,
            Expr::value(v.practice_id.or(existing.practice_id)),
        )
        .col_expr(
            person::Column::ReasonableAdjustments,
            Expr::value(v.reasonable_adjustments),
        )
        .col_expr(
            person::Column::CommunicationNeeds,
            Expr::value(v.communication_needs),
        )
        .col_expr(
            person::Column::RepresentativeName,
            Expr::value(v.representative_name),
        )
        .col_expr(
            person::Column::RepresentativeRelationship,
            Expr::value(v.representative_relationship),
        )
        .col_expr(
            person::Column::RepresentativeContact,
            Expr::value(v.representative_contact),
        )
        .col_expr(person::Column::UpdatedAt, Expr::value(now))
        .col_expr(person::Column::Version, Expr::value(version + 1))
        .filter(person::Column::Id.eq(id))
        .filter(person::Column::Version.eq(version))
        .exec(&txn)
        .await?
        .rows_affected;
    if changed == 0 {
        return Err(ServiceError::Conflict("Someone else changed these details while you were editing them. Your changes have not been saved yet: check the current details and save again".into()));
    }
    audit::record(
        &txn,
        now,
        meta,
        person_event(actor, "person_updated", Outcome::Success, id),
    )
    .await?;
    txn.commit().await?;
    person::Entity::find_by_id(id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("person"))
}

#[derive(Clone, Debug, Default)]
pub struct Search {
    /// Name, typed as the person says it (typos tolerated) — or an NHS number.
    pub text: String,
    pub date_of_birth: Option<NaiveDate>,
}

/// A match, best first, with how sure the match is (0-1).
pub struct Found {
    pub person: person::Model,
    pub score: f64,
}

/// Finds people the actor may work with: registered at a practice in their care scope, or with
/// a referral to a team in it. Names match despite small typos (Jaro-Winkler on each name part).
pub async fn search(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    s: Search,
) -> Result<Vec<Found>, ServiceError> {
    actor.require(Permission::ProvideCare, "search for people")?;
    let orgs = care_org_ids(&svc.db, actor).await?;
    let referred: Vec<i32> = referral::Entity::find()
        .select_only()
        .column(referral::Column::PersonId)
        .filter(referral::Column::TeamOrgId.is_in(orgs.clone()))
        .into_tuple()
        .all(&svc.db)
        .await?;
    let scope = Condition::any()
        .add(person::Column::PracticeId.is_in(orgs))
        .add(person::Column::Id.is_in(referred));
    let text = s.text.trim().to_lowercase();
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let mut q = person::Entity::find().filter(scope);
    if digits.len() == 10 {
        q = q.filter(person::Column::NhsNumber.eq(digits.clone()));
    } else if let Some(d) = s.date_of_birth {
        q = q.filter(person::Column::DateOfBirth.eq(d));
    } else if !text.is_empty() {
        // Narrow by the first two letters of any typed word, then rank by similarity.
        let mut c = Condition::any();
        for w in text.split_whitespace().filter(|w| w.chars().count() >= 2) {
            let start: String = w.chars().take(2).collect();
            c = c
                .add(person::Column::SearchName.like(format!("{start}%")))
                .add(person::Column::SearchName.like(format!("% {start}%")));
        }
        q = q.filter(c);
    } else {
        return Ok(vec![]);
    }
    let candidates = q
        .order_by_asc(person::Column::Id)
        .limit(2000)
        .all(&svc.db)
        .await?;
    let mut found: Vec<Found> = candidates
        .into_iter()
        .map(|p| {
            let score = if text.is_empty() || digits.len() == 10 {
                1.0
            } else {
                name_score(&text, &p.search_name)
            };
            Found { person: p, score }
        })
        .filter(|f| f.score >= 0.8)
        .collect();
    found.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.person.family_name.cmp(&b.person.family_name))
    });
    found.truncate(50);
    audit::record(
        &svc.db,
        svc.now(),
        meta,
        crate::audit::Event::new("people_searched", Outcome::Success)
            .by(actor)
            .purpose(super::PURPOSE)
            .detail(format!("{} result(s)", found.len())),
    )
    .await?;
    Ok(found)
}

/// How well typed words match a name: each typed word against its best name part.
pub fn name_score(typed: &str, name: &str) -> f64 {
    let parts: Vec<&str> = name.split_whitespace().collect();
    let words: Vec<&str> = typed.split_whitespace().collect();
    if words.is_empty() || parts.is_empty() {
        return 0.0;
    }
    words
        .iter()
        .map(|w| {
            parts
                .iter()
                .map(|p| strsim::jaro_winkler(w, p))
                .fold(0.0, f64::max)
        })
        .sum::<f64>()
        / words.len() as f64
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ConsentInput {
    /// Who the information may be shared with, like "GP practice" or "Riverdale Carers Centre".
    pub share_with: Option<String>,
    pub given: Option<bool>,
    pub note: Option<String>,
}

pub async fn record_consent(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person_id: i32,
    input: ConsentInput,
) -> Result<consent::Model, ServiceError> {
    person_for(svc, actor, meta, person_id, "consent_recorded").await?;
    let Some(with) = text(&input.share_with) else {
        return Err(ServiceError::invalid(
            "share_with",
            "Say who the information may be shared with",
        ));
    };
    let Some(given) = input.given else {
        return Err(ServiceError::invalid(
            "given",
            "Say whether the person agrees or does not agree",
        ));
    };
    let now = svc.now();
    let txn = sea_orm::TransactionTrait::begin(&svc.db).await?;
    let m = consent::ActiveModel {
        person_id: Set(person_id),
        share_with: Set(with),
        given: Set(given),
        note: Set(text(&input.note)),
        recorded_by_user_id: Set(Some(actor.user_id)),
        recorded_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        meta,
        person_event(actor, "consent_recorded", Outcome::Success, person_id),
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

pub async fn consents<C: ConnectionTrait>(
    c: &C,
    person_id: i32,
) -> Result<Vec<consent::Model>, ServiceError> {
    Ok(consent::Entity::find()
        .filter(consent::Column::PersonId.eq(person_id))
        .order_by_desc(consent::Column::RecordedAt)
        .order_by_desc(consent::Column::Id)
        .all(c)
        .await?)
}

/// The person's latest decision about sharing with `with` (list newest first): None when
/// they were never asked.
pub fn latest_decision(list: &[consent::Model], with: &str) -> Option<bool> {
    list.iter()
        .find(|c| c.share_with.eq_ignore_ascii_case(with))
        .map(|c| c.given)
}

#[cfg(test)]
mod tests {
    use super::{consent, latest_decision, name_score};

    #[test]
    fn the_latest_consent_decision_counts() {
        let at = chrono::Utc::now();
        let c = |id, given| consent::Model {
            id,
            person_id: 1,
            share_with: "GP practice".into(),
            given,
            note: None,
            recorded_by_user_id: None,
            recorded_at: at,
        };
        // Newest first, as `consents` returns them: refused, then later agreed.
        assert_eq!(
            latest_decision(&[c(2, true), c(1, false)], "gp practice"),
            Some(true)
        );
        assert_eq!(
            latest_decision(&[c(2, false), c(1, true)], "GP practice"),
            Some(false)
        );
        assert_eq!(latest_decision(&[], "GP practice"), None);
    }

    #[test]
    fn names_match_despite_typos() {
        assert!(name_score("jack turnr", "jack turner") > 0.9);
        assert!(name_score("turner", "jack turner") > 0.99);
        assert!(name_score("jakc", "jack turner") > 0.8);
        assert!(name_score("smith", "jack turner") < 0.8);
    }
}
