//! The person's record as one screen shows it: who they are, their referrals, About Me, the
//! latest plan, measures and consent decisions. One audited read, for the page and the API.

use store::entities::{about_me_version, care_plan_version, consent, organisation};

use super::{PersonAccess, about_me, measures, people, plans, referrals};
use crate::{Actor, RequestMeta, ServiceError, Services};

/// Everything the person record shows.
#[derive(Clone, Debug)]
pub struct PersonRecord {
    pub person: PersonAccess,
    /// Their GP practice, when known.
    pub practice: Option<organisation::Model>,
    /// Newest first.
    pub referrals: Vec<super::Referral>,
    pub about_me: Option<about_me_version::Model>,
    pub plan: Option<care_plan_version::Model>,
    /// Oldest first.
    pub measures: Vec<super::Measure>,
    /// Newest first.
    pub consents: Vec<consent::Model>,
}

/// Reads a person's record (audited as the person viewed).
pub async fn person_record(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person_id: i32,
) -> Result<PersonRecord, ServiceError> {
    let person = people::get(svc, actor, meta, person_id).await?;
    let practice = match person.practice_id {
        Some(id) => super::lookup::organisation(svc, id).await?,
        None => None,
    };
    Ok(PersonRecord {
        practice,
        referrals: referrals::for_person(svc, &person).await?,
        about_me: about_me::history(svc, &person).await?.into_iter().next(),
        plan: plans::history(svc, &person).await?.into_iter().next(),
        measures: measures::list(svc, &person).await?,
        consents: people::consents(svc, &person).await?,
        person,
    })
}
