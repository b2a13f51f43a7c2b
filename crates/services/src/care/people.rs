//! People: identity (NHS number), contact, practice, adjustments, representative, consent; and
//! finding a person by NHS number, name (tolerant of typos) or date of birth.

use chrono::NaiveDate;
use domain::{Email, NhsNumber, OrgKind, Permission, Postcode, dates, text};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Deserialize;
use store::entities::{consent, organisation, person, referral};

use super::{audit_read, care_org_ids, person_event, person_for};
use crate::audit::{self, Outcome};
use crate::error::{DateRule, Problems};
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

/// Parses a date typed as YYYY-MM-DD or DD/MM/YYYY (four-digit year).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    domain::dates::parse(s)
}

/// The lower-cased name searched on, cut to its column's 210 characters: lower-casing can
/// lengthen a name (İ becomes i̇).
pub fn search_name(given: &str, family: &str) -> String {
    format!("{} {}", given.trim(), family.trim())
        .to_lowercase()
        .chars()
        .take(210)
        .collect()
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
    let preferred_contact = CONTACT_PREFERENCES
        .iter()
        .map(|(c, _)| *c)
        .find(|c| *c == preferred_contact);
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
pub enum PracticeRule {
    /// A practice served by this PCN (its member, or an opted-out practice it covers): a new
    /// person referred to the PCN or one of its teams.
    ServedBy(i32),
    /// A practice within these organisations (the actor's care scope) or served by a PCN in
    /// them, or the practice already recorded: editing a person's details.
    Scope {
        orgs: Vec<i32>,
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
    rule: &PracticeRule,
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
        Some(_) => super::referrals::team_for_practice(c, pid)
            .await?
            .map(|t| t.id),
        None => None,
    };
    let ok = match (rule, practice) {
        (_, None) => false,
        (PracticeRule::ServedBy(pcn), Some(_)) => served_by == Some(*pcn),
        (PracticeRule::Scope { orgs, .. }, Some(o)) => {
            orgs.contains(&o.id) || served_by.is_some_and(|t| orgs.contains(&t))
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

pub(crate) async fn insert<C: ConnectionTrait>(
    c: &C,
    now: chrono::DateTime<chrono::Utc>,
    v: ValidPerson,
    needs_reconciliation: bool,
) -> Result<person::Model, DbErr> {
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
        needs_reconciliation: Set(needs_reconciliation),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(c)
    .await
}

/// Where an NHS number is already recorded, as far as the caller may be told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Known {
    /// Not recorded (or recorded only on the record being edited).
    No,
    /// On a record within the caller's scope: the caller may be told, and pointed to it.
    InScope(i32),
    /// Only on records outside the caller's scope: the caller must not learn this.
    Elsewhere,
}

/// Who is asking about an NHS number: a member of staff (their relationships), or the public
/// self-referral form (the PCN the referral goes to).
pub(crate) enum Asker<'a> {
    Staff(&'a Actor),
    ToPcn(&'a [i32]),
}

/// Where `nhs` is recorded, on any record but `except`, judged by what `asker` may see.
pub(crate) async fn known<C: ConnectionTrait>(
    c: &C,
    asker: &Asker<'_>,
    nhs: &str,
    except: Option<i32>,
) -> Result<Known, ServiceError> {
    let mut q = person::Entity::find().filter(person::Column::NhsNumber.eq(nhs));
    if let Some(id) = except {
        q = q.filter(person::Column::Id.ne(id));
    }
    let same = q.order_by_asc(person::Column::Id).all(c).await?;
    if same.is_empty() {
        return Ok(Known::No);
    }
    for other in &same {
        let visible = match asker {
            Asker::Staff(actor) => super::has_relationship(c, actor, other).await?,
            Asker::ToPcn(orgs) => in_orgs(c, other, orgs).await?,
        };
        if visible {
            return Ok(Known::InScope(other.id));
        }
    }
    Ok(Known::Elsewhere)
}

/// Whether a person is registered at a practice in `orgs` or referred to a team in them.
async fn in_orgs<C: ConnectionTrait>(
    c: &C,
    p: &person::Model,
    orgs: &[i32],
) -> Result<bool, ServiceError> {
    if p.practice_id.is_some_and(|pid| orgs.contains(&pid)) {
        return Ok(true);
    }
    Ok(referral::Entity::find()
        .filter(referral::Column::PersonId.eq(p.id))
        .filter(referral::Column::TeamOrgId.is_in(orgs.iter().copied()))
        .count(c)
        .await?
        > 0)
}

/// The message for an NHS number already recorded on a person the caller may see.
pub const ALREADY_RECORDED: &str =
    "A person with this NHS number is already recorded: find them and refer them instead";

/// Records a new person. An NHS number the caller may know about is refused with a pointer to
/// the existing record; one recorded only outside the caller's scope is kept as entered on a
/// new record flagged for reconciliation, so the caller learns nothing of the other record and
/// gains no access to it (see docs/security.md, "Existence oracles").
pub(crate) async fn create_person(
    txn: &sea_orm::DatabaseTransaction,
    asker: &Asker<'_>,
    now: chrono::DateTime<chrono::Utc>,
    v: ValidPerson,
    field: &str,
) -> Result<person::Model, ServiceError> {
    let found = match &v.nhs_number {
        Some(n) => known(txn, asker, n, None).await?,
        None => Known::No,
    };
    let flag = match found {
        Known::InScope(_) => return Err(ServiceError::invalid(field, ALREADY_RECORDED)),
        Known::Elsewhere => true,
        Known::No => false,
    };
    // A savepoint, so that a record of the same number saved a moment ago by someone else
    // (caught by the unique index) can be answered as if it had been seen above.
    let sp = sea_orm::TransactionTrait::begin(txn).await?;
    match insert(&sp, now, v.clone(), flag).await {
        Ok(m) => {
            sp.commit().await?;
            return Ok(m);
        }
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            sp.rollback().await?;
        }
        Err(e) => return Err(e.into()),
    }
    let n = v.nhs_number.clone().unwrap_or_default();
    match known(txn, asker, &n, None).await? {
        Known::InScope(_) => Err(ServiceError::invalid(field, ALREADY_RECORDED)),
        _ => Ok(insert(txn, now, v, true).await?),
    }
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

fn stale_person() -> ServiceError {
    ServiceError::Conflict("Someone else changed these details while you were editing them. Your changes have not been saved yet: check the current details and save again".into())
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
    let today = svc.now().date_naive();
    let mut p = Problems::default();
    let valid = validate(today, &input, "", &mut p);
    let rule = PracticeRule::Scope {
        orgs: care_org_ids(&svc.db, actor).await?,
        current: existing.practice_id,
    };
    check_practice(&svc.db, input.practice_id, &rule, "practice_id", &mut p).await?;
    let Some(v) = valid.filter(|_| p.is_empty()) else {
        return Err(ServiceError::Invalid(p.0));
    };
    // A number on another record the editor may see is refused with a pointer to it; one
    // known only elsewhere is kept, and this record flagged for reconciliation, saying nothing.
    let reconcile = match &v.nhs_number {
        Some(n) if existing.nhs_number.as_deref() != Some(n) => {
            match known(&svc.db, &Asker::Staff(actor), n, Some(id)).await? {
                Known::InScope(_) => {
                    return Err(ServiceError::invalid(
                        "nhs_number",
                        "Another person already has this NHS number",
                    ));
                }
                Known::Elsewhere => true,
                Known::No => false,
            }
        }
        _ => false,
    };
    let next_version = version.checked_add(1).ok_or_else(stale_person)?;
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
        .col_expr(
            person::Column::NeedsReconciliation,
            Expr::value(existing.needs_reconciliation || reconcile),
        )
        .col_expr(person::Column::UpdatedAt, Expr::value(now))
        .col_expr(person::Column::Version, Expr::value(next_version))
        .filter(person::Column::Id.eq(id))
        .filter(person::Column::Version.eq(version))
        .exec(&txn)
        .await
        .map_err(|e| match e.sql_err() {
            // Someone gave another record this number a moment ago.
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                ServiceError::invalid("nhs_number", "Another person already has this NHS number")
            }
            _ => ServiceError::Db(e),
        })?
        .rows_affected;
    if changed == 0 {
        return Err(stale_person());
    }
    if reconcile && !existing.needs_reconciliation {
        audit::record(
            &txn,
            now,
            meta,
            person_event(
                actor,
                "person_flagged_for_reconciliation",
                Outcome::Success,
                id,
            )
            .detail("NHS number also recorded on another person's record"),
        )
        .await?;
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
    // What was typed never reaches the database unchecked: no NUL, no megabyte of it.
    let mut p = Problems::default();
    let typed = p.str("q", &s.text, text::SEARCH).unwrap_or_default();
    p.finish()?;
    let backend = svc.db.get_database_backend();
    let referred = sea_orm::sea_query::Query::select()
        .column(referral::Column::PersonId)
        .from(referral::Entity)
        .and_where(sea_orm::sea_query::ExprTrait::in_subquery(
            sea_orm::sea_query::Expr::col(referral::Column::TeamOrgId),
            super::care_orgs(backend, actor),
        ))
        .to_owned();
    let scope = Condition::any()
        .add(person::Column::PracticeId.in_subquery(super::care_orgs(backend, actor)))
        .add(person::Column::Id.in_subquery(referred));
    let text = typed.to_lowercase();
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
    audit::log(
        svc,
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

/// A record kept apart because its NHS number is also on another record its creator could not
/// see, with the other records of that number, for an administrator to reconcile.
#[derive(Clone, Debug)]
pub struct AwaitingReconciliation {
    pub person_id: i32,
    pub nhs_number: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The other records with the same NHS number, oldest first.
    pub same_number: Vec<i32>,
}

/// Records awaiting reconciliation, oldest first: for administrators only (who read the audit
/// log), never for the care staff who made them. Audited.
pub async fn awaiting_reconciliation(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<AwaitingReconciliation>, ServiceError> {
    actor.require(Permission::ViewAudit, "see records awaiting reconciliation")?;
    let flagged = person::Entity::find()
        .filter(person::Column::NeedsReconciliation.eq(true))
        .order_by_asc(person::Column::Id)
        .limit(500)
        .all(&svc.db)
        .await?;
    let numbers: Vec<String> = flagged
        .iter()
        .filter_map(|p| p.nhs_number.clone())
        .collect();
    let same: Vec<(i32, Option<String>)> = person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .column(person::Column::NhsNumber)
        .filter(person::Column::NhsNumber.is_in(numbers))
        .order_by_asc(person::Column::Id)
        .into_tuple()
        .all(&svc.db)
        .await?;
    let out: Vec<AwaitingReconciliation> = flagged
        .into_iter()
        .map(|p| AwaitingReconciliation {
            same_number: same
                .iter()
                .filter(|(id, n)| *id != p.id && n.is_some() && *n == p.nhs_number)
                .map(|(id, _)| *id)
                .collect(),
            person_id: p.id,
            nhs_number: p.nhs_number,
            created_at: p.created_at,
        })
        .collect();
    audit::log(
        svc,
        svc.now(),
        meta,
        crate::audit::Event::new("reconciliation_viewed", Outcome::Success)
            .by(actor)
            .detail(format!("{} record(s) awaiting reconciliation", out.len())),
    )
    .await?;
    Ok(out)
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
    let mut p = Problems::default();
    let with = p.required(
        "share_with",
        &input.share_with,
        text::SHARE_WITH,
        "Say who the information may be shared with",
    );
    if input.given.is_none() {
        p.add("given", "Say whether the person agrees or does not agree");
    }
    let note = p.text("note", &input.note, text::CONSENT_NOTE);
    p.finish()?;
    let (Some(with), Some(given)) = (with, input.given) else {
        return Err(ServiceError::Internal("validated consent missing".into()));
    };
    let now = svc.now();
    let txn = sea_orm::TransactionTrait::begin(&svc.db).await?;
    let m = consent::ActiveModel {
        person_id: Set(person_id),
        share_with: Set(with),
        given: Set(given),
        note: Set(note),
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
