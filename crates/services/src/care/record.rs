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
    /// Whether the actor may change the plan (see [`plans::may_edit`]).
    pub may_edit_plan: bool,
    /// Referrals to community services, newest first.
    pub service_referrals: Vec<crate::directory::referrals::Sent>,
}

/// Reads a person's record (audited as the person viewed).
pub async fn person_record(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person_id: i32,
) -> Result<PersonRecord, ServiceError> {
    let person = super::person_for(svc, actor, meta, person_id, "person_viewed").await?;
    // The record is read while the read's audit event is written; it is given only once that
    // event has been committed.
    let practice = async {
        match person.practice_id {
            Some(id) => super::lookup::organisation(svc, id).await,
            None => Ok(None),
        }
    };
    let (
        _,
        practice,
        referrals,
        about_me,
        plan,
        measures,
        consents,
        may_edit_plan,
        service_referrals,
    ) = tokio::try_join!(
        super::audit_read(svc, actor, meta, person_id, "person_viewed"),
        practice,
        referrals::for_person(svc, &person),
        about_me::latest(svc, &person),
        plans::latest(svc, &person),
        measures::list(svc, &person),
        people::consents(svc, &person),
        plans::may_edit(svc, actor, &person),
        crate::directory::referrals::of_person(svc, &person),
    )?;
    Ok(PersonRecord {
        practice,
        referrals,
        about_me,
        plan,
        measures,
        consents,
        may_edit_plan,
        service_referrals,
        person,
    })
}
