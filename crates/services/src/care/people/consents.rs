//! A person's consent to share their information: recording a decision, and reading them.

use domain::text;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Deserialize;
use store::entities::consent;

use crate::audit::{self, Outcome};
use crate::care::{person_event, person_for};
use crate::error::Problems;
use crate::{Actor, RequestMeta, ServiceError, Services};

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

/// The person's consent decisions, newest first. Needs the proof that the actor may see the person.
pub async fn consents(
    svc: &crate::Services,
    access: &crate::care::PersonAccess,
) -> Result<Vec<consent::Model>, ServiceError> {
    consents_of(&svc.db, access.id()).await
}

pub(crate) async fn consents_of<C: ConnectionTrait>(
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
    use super::{consent, latest_decision};

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
}
