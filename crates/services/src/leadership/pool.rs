//! The leader pool: a leader's own profile, the pool as organisations see it (only those who
//! consented to be contacted), and accreditations as Mentor, Coach or Facilitator, each with a
//! code anyone can check.

use chrono::{DateTime, NaiveDate, Utc};
use domain::Permission;
use domain::leadership::{self as rules, ACCREDITATIONS, AVAILABILITY, SKILLS, known_codes};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use store::entities::{leader_accreditation as accreditation, leader_profile as profile, user};

use crate::audit::{self, Event as AuditEvent, Outcome};
use crate::error::{DateRule, Problems};
use crate::{Actor, RequestMeta, ServiceError, Services};

/// What a leader says about themselves.
#[derive(Clone, Debug, Default)]
pub struct ProfileInput {
    pub lived_experience: String,
    pub skills: Vec<String>,
    pub interests: String,
    pub region: String,
    pub availability: String,
    pub access_needs: String,
    pub contact_consent: bool,
}

/// The profile form's fields in the order they appear.
pub const PROFILE_FIELDS: [&str; 7] = [
    "lived_experience",
    "skills",
    "interests",
    "region",
    "availability",
    "access_needs",
    "contact_consent",
];

/// A leader as the pool shows them.
#[derive(Clone, Debug)]
pub struct Leader {
    pub user_id: i32,
    pub name: String,
    pub lived_experience: String,
    pub skills: Vec<String>,
    pub interests: String,
    pub region: String,
    pub availability: String,
    pub access_needs: String,
    pub contact_consent: bool,
    pub accreditations: Vec<Accreditation>,
    pub updated_at: DateTime<Utc>,
}

/// An accreditation, as its check shows it.
#[derive(Clone, Debug)]
pub struct Accreditation {
    pub code: String,
    pub holder: String,
    pub kind: String,
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
}

impl Accreditation {
    pub fn current(&self, today: NaiveDate) -> bool {
        self.expires_on.is_none_or(|d| d >= today)
    }

    pub fn label(&self) -> &'static str {
        rules::accreditation_label(&self.kind).unwrap_or("Accredited")
    }
}

pub(crate) fn split(codes: &str) -> Vec<String> {
    codes
        .split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

async fn accreditations_of(
    svc: &Services,
    user_ids: &[i32],
) -> Result<Vec<(i32, Accreditation)>, ServiceError> {
    let rows = accreditation::Entity::find()
        .filter(accreditation::Column::UserId.is_in(user_ids.iter().copied()))
        .order_by_asc(accreditation::Column::IssuedOn)
        .all(&svc.db)
        .await?;
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|r| r.user_id)))
        .all(&svc.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let holder = users
                .iter()
                .find(|u| u.id == r.user_id)
                .map(|u| u.display_name.clone())
                .unwrap_or_default();
            (
                r.user_id,
                Accreditation {
                    code: r.code,
                    holder,
                    kind: r.kind,
                    issuer: r.issuer,
                    issued_on: r.issued_on,
                    expires_on: r.expires_on,
                },
            )
        })
        .collect())
}

fn leader(p: profile::Model, name: String, acc: &[(i32, Accreditation)]) -> Leader {
    Leader {
        user_id: p.user_id,
        name,
        lived_experience: p.lived_experience,
        skills: split(&p.skills),
        interests: p.interests,
        region: p.region,
        availability: p.availability,
        access_needs: p.access_needs,
        contact_consent: p.contact_consent,
        accreditations: acc
            .iter()
            .filter(|(u, _)| *u == p.user_id)
            .map(|(_, a)| a.clone())
            .collect(),
        updated_at: p.updated_at,
    }
}

/// The actor's own profile, if they have made one.
pub async fn mine(svc: &Services, actor: &Actor) -> Result<Option<Leader>, ServiceError> {
    let Some(p) = profile::Entity::find()
        .filter(profile::Column::UserId.eq(actor.user_id))
        .one(&svc.db)
        .await?
    else {
        return Ok(None);
    };
    let acc = accreditations_of(svc, &[actor.user_id]).await?;
    Ok(Some(leader(p, actor.display_name.clone(), &acc)))
}

/// The actor's accreditations (they may hold some before they make a profile).
pub async fn my_accreditations(
    svc: &Services,
    actor: &Actor,
) -> Result<Vec<Accreditation>, ServiceError> {
    Ok(accreditations_of(svc, &[actor.user_id])
        .await?
        .into_iter()
        .map(|(_, a)| a)
        .collect())
}

/// Makes or replaces the actor's profile.
pub async fn save(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    input: &ProfileInput,
) -> Result<(), ServiceError> {
    let mut p = Problems::default();
    let lived = p.required(
        "lived_experience",
        &Some(input.lived_experience.clone()),
        rules::LIVED_EXPERIENCE,
        "Tell organisations about the lived experience you bring",
    );
    let skills = p.take("skills", known_codes(&input.skills, &SKILLS));
    if skills.as_ref().is_some_and(Vec::is_empty) {
        p.add("skills", "Choose at least one skill you offer");
    }
    let interests = p.text(
        "interests",
        &Some(input.interests.clone()),
        rules::INTERESTS,
    );
    if domain::learning::region_label(&input.region).is_none() {
        p.add("region", "Choose the region you live in");
    }
    if rules::availability_label(&input.availability).is_none() {
        p.add("availability", "Choose when you are usually free");
    }
    let needs = p.text(
        "access_needs",
        &Some(input.access_needs.clone()),
        rules::ACCESS_NEEDS,
    );
    p.sort_by(&PROFILE_FIELDS);
    p.finish()?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let existing = profile::Entity::find()
        .filter(profile::Column::UserId.eq(actor.user_id))
        .one(&txn)
        .await?;
    let mut am = match existing {
        Some(m) => m.into(),
        None => profile::ActiveModel {
            user_id: Set(actor.user_id),
            ..Default::default()
        },
    };
    am.lived_experience = Set(lived.unwrap_or_default());
    am.skills = Set(skills.unwrap_or_default().join(","));
    am.interests = Set(interests.unwrap_or_default());
    am.region = Set(input.region.clone());
    am.availability = Set(input.availability.clone());
    am.access_needs = Set(needs.unwrap_or_default());
    am.contact_consent = Set(input.contact_consent);
    am.updated_at = Set(now);
    am.save(&txn).await?;
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("leader_profile_saved", Outcome::Success)
            .by(actor)
            .detail(format!("contact consent {}", input.contact_consent)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Whether the actor may draw on the pool: they post opportunities, or run networks (which
/// accredit leaders).
pub fn may_see_pool(actor: &Actor) -> bool {
    actor.can(Permission::PostOpportunities) || actor.can(Permission::RunNetworks)
}

/// The leaders who consented to organisations seeing their profile and inviting them, by name.
pub async fn pool(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<Leader>, ServiceError> {
    if !may_see_pool(actor) {
        return Err(ServiceError::Forbidden(
            "see the leader pool: only organisations that offer opportunities can".into(),
        ));
    }
    let list = pool_unaudited(svc).await?;
    audit::log(
        svc,
        svc.now(),
        meta,
        AuditEvent::new("leader_pool_viewed", Outcome::Success)
            .by(actor)
            .detail(format!("{} leader(s)", list.len())),
    )
    .await?;
    Ok(list)
}

/// The pool, for use cases that audit their own reading of it.
pub(crate) async fn pool_unaudited(svc: &Services) -> Result<Vec<Leader>, ServiceError> {
    let rows = profile::Entity::find()
        .filter(profile::Column::ContactConsent.eq(true))
        .all(&svc.db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|p| p.user_id).collect();
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(ids.clone()))
        .filter(user::Column::Active.eq(true))
        .all(&svc.db)
        .await?;
    let acc = accreditations_of(svc, &ids).await?;
    let mut list: Vec<Leader> = rows
        .into_iter()
        .filter_map(|p| {
            let name = users
                .iter()
                .find(|u| u.id == p.user_id)?
                .display_name
                .clone();
            Some(leader(p, name, &acc))
        })
        .collect();
    list.sort_by_key(|a| a.name.to_lowercase());
    Ok(list)
}

/// A leader in the pool, if they are in it.
pub(crate) async fn in_pool(svc: &Services, user_id: i32) -> Result<Option<Leader>, ServiceError> {
    Ok(pool_unaudited(svc)
        .await?
        .into_iter()
        .find(|l| l.user_id == user_id))
}

/// The accreditation form's fields in the order they appear.
pub const ACCREDIT_FIELDS: [&str; 4] = ["kind", "issuer", "issued_on", "expires_on"];

/// Accredits a leader in the pool as a Mentor, Coach or Facilitator (organisers of networks,
/// who run the programmes that accredit). Returns the code to check it by.
#[allow(clippy::too_many_arguments)]
pub async fn accredit(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    user_id: i32,
    kind: &str,
    issuer: &str,
    issued_on: &Option<String>,
    expires_on: &Option<String>,
) -> Result<String, ServiceError> {
    actor.require(
        Permission::RunNetworks,
        "accredit leaders: only the organisers of networks that train them can",
    )?;
    let Some(l) = in_pool(svc, user_id).await? else {
        return Err(ServiceError::NotFound("leader"));
    };
    let today = svc.today();
    let mut p = Problems::default();
    if rules::accreditation_label(kind).is_none() {
        p.add("kind", "Choose Mentor, Coach or Facilitator");
    }
    let issuer = p.required(
        "issuer",
        &Some(issuer.to_owned()),
        rules::ISSUER,
        "Enter who issued the accreditation",
    );
    let issued = if issued_on.as_deref().is_none_or(|s| s.trim().is_empty()) {
        p.add("issued_on", "Enter the date it was issued");
        None
    } else {
        p.date(
            "issued_on",
            issued_on,
            DateRule::past("The date it was issued", today),
        )
    };
    let expires = match expires_on.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(_) => p.date(
            "expires_on",
            expires_on,
            DateRule::upcoming("The date it runs out", today),
        ),
    };
    if let (Some(i), Some(e)) = (issued, expires)
        && e <= i
    {
        p.add(
            "expires_on",
            "The date it runs out must be after the date it was issued",
        );
    }
    p.sort_by(&ACCREDIT_FIELDS);
    p.finish()?;
    let (Some(issuer), Some(issued)) = (issuer, issued) else {
        return Err(ServiceError::Internal(
            "validated accreditation missing".into(),
        ));
    };
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let code = loop {
        // Like a certificate's code: 50 random bits, easy to read out.
        let raw = crate::learning::booking::readable_code("", 10);
        let code = format!("WMA-{}-{}", &raw[..5], &raw[5..]);
        let taken = accreditation::Entity::find()
            .filter(accreditation::Column::Code.eq(code.clone()))
            .one(&txn)
            .await?;
        if taken.is_none() {
            break code;
        }
    };
    accreditation::ActiveModel {
        user_id: Set(user_id),
        kind: Set(kind.to_owned()),
        issuer: Set(issuer),
        issued_on: Set(issued),
        expires_on: Set(expires),
        code: Set(code.clone()),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("leader_accredited", Outcome::Success)
            .by(actor)
            .entity("user", user_id)
            .detail(format!("{kind} for {}", l.name)),
    )
    .await?;
    txn.commit().await?;
    Ok(code)
}

/// Checks an accreditation by its code (public: the code is what the holder shows).
pub async fn verify(svc: &Services, code: &str) -> Result<Option<Accreditation>, ServiceError> {
    let code: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let code = match code.strip_prefix("WMA") {
        Some(rest) if rest.len() == 10 => format!("WMA-{}-{}", &rest[..5], &rest[5..]),
        _ => return Ok(None),
    };
    if code.len() > 16 {
        return Ok(None);
    }
    let Some(r) = accreditation::Entity::find()
        .filter(accreditation::Column::Code.eq(code))
        .one(&svc.db)
        .await?
    else {
        return Ok(None);
    };
    Ok(accreditations_of(svc, &[r.user_id])
        .await?
        .into_iter()
        .map(|(_, a)| a)
        .find(|a| a.code == r.code))
}

/// The accreditation kinds and availability codes, for forms.
pub const KINDS: &[(&str, &str)] = &ACCREDITATIONS;
pub const WHEN: &[(&str, &str)] = &AVAILABILITY;
