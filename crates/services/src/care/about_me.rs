//! About Me: seven sections in the person's words; every saved version is kept.

use domain::about_me::SECTIONS;
use domain::text;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use std::collections::BTreeMap;
use store::entities::about_me_version;

use super::versions;
use super::{person_event, person_for};
use crate::audit::{self, Outcome};
use crate::error::Problems;
use crate::{Actor, RequestMeta, ServiceError, Services};

pub type Sections = BTreeMap<String, String>;

pub fn sections_of(v: &about_me_version::Model) -> Sections {
    serde_json::from_str(&v.sections).unwrap_or_default()
}

/// Every saved version, newest first. Needs the proof that the actor may see the person.
pub async fn history(
    svc: &crate::Services,
    access: &crate::care::PersonAccess,
) -> Result<Vec<about_me_version::Model>, ServiceError> {
    versions::all_of::<about_me_version::Entity, _>(&svc.db, access.id()).await
}

/// The newest saved version. Needs the proof that the actor may see the person.
pub async fn latest(
    svc: &crate::Services,
    access: &crate::care::PersonAccess,
) -> Result<Option<about_me_version::Model>, ServiceError> {
    versions::newest::<about_me_version::Entity>(svc, access).await
}

pub(crate) async fn history_of<C: ConnectionTrait>(
    c: &C,
    person_id: i32,
) -> Result<Vec<about_me_version::Model>, ServiceError> {
    versions::all_of::<about_me_version::Entity, _>(c, person_id).await
}

/// The person and every saved version, newest first (audited as one read).
pub async fn read(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person_id: i32,
) -> Result<(super::PersonAccess, Vec<about_me_version::Model>), ServiceError> {
    versions::read::<about_me_version::Entity>(svc, actor, meta, person_id).await
}

/// The latest version, if any (audited as a read).
pub async fn current(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person_id: i32,
) -> Result<Option<about_me_version::Model>, ServiceError> {
    versions::current::<about_me_version::Entity>(svc, actor, meta, person_id).await
}

/// Saves a new version. `based_on` is the version the writer started from (0 for none); if
/// someone saved since, nothing is saved and the writer is told, keeping what they wrote.
pub async fn save(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    person_id: i32,
    based_on: i32,
    sections: Sections,
    helped_by: Option<String>,
) -> Result<about_me_version::Model, ServiceError> {
    person_for(svc, actor, meta, person_id, "about_me_updated").await?;
    let mut p = Problems::default();
    let mut clean = Sections::new();
    for (key, _) in SECTIONS {
        if let Some(v) = sections.get(key)
            && let Some(v) = p.str(key, v, text::ABOUT_ME_SECTION)
        {
            clean.insert(key.to_owned(), v);
        }
    }
    // A section About Me does not have is refused, not quietly dropped.
    if sections
        .keys()
        .any(|k| !SECTIONS.iter().any(|(known, _)| known == k))
    {
        let names: Vec<&str> = SECTIONS.iter().map(|(k, _)| *k).collect();
        p.add(
            "sections",
            format!("Use only the About Me sections: {}", names.join(", ")),
        );
    }
    let helped_by = p.text("helped_by", &helped_by, text::HELPED_BY);
    p.finish()?;
    if clean.is_empty() {
        return Err(ServiceError::invalid(
            SECTIONS[0].0,
            "Write at least one section",
        ));
    }
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    super::lock_person(&txn, person_id).await?;
    let latest = history_of(&txn, person_id)
        .await?
        .first()
        .map(|v| v.version)
        .unwrap_or(0);
    if latest != based_on {
        return Err(ServiceError::Conflict("Someone else saved a new version of About Me while you were writing. Your words are still on this page and have not been saved: compare with the latest version, then save again".into()));
    }
    let saved = about_me_version::ActiveModel {
        person_id: Set(person_id),
        version: Set(latest + 1),
        sections: Set(serde_json::to_string(&clean).map_err(|e| ServiceError::Internal(e.to_string()))?),
        helped_by: Set(helped_by),
        updated_by_user_id: Set(Some(actor.user_id)),
        updated_by_label: Set(actor.display_name.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        // The unique (person, version) index settles a race the check above could not see.
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ServiceError::Conflict("Someone else saved a new version of About Me at the same moment. Your words have not been saved: compare and save again".into()),
        _ => ServiceError::Db(e),
    })?;
    audit::record(
        &txn,
        now,
        meta,
        person_event(actor, "about_me_updated", Outcome::Success, person_id)
            .entity("about_me", saved.version),
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}
