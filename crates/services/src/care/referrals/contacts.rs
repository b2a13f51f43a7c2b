//! Contacts with the person on a referral: recording one (or an attempt), and listing them.

use chrono::NaiveTime;
use domain::referral::{ContactKind, GpMessageKind, ReferralState};
use domain::text;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Deserialize;
use store::entities::{contact, referral};

use super::{for_work, open_states};
use crate::audit::{self, Outcome};
use crate::care::Contact;
use crate::care::person_event;
use crate::error::{DateRule, Problems};
use crate::{Actor, RequestMeta, ServiceError, Services};

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ContactInput {
    /// face_to_face | phone | video | home_visit | group
    #[schema(schema_with = crate::schema::contact_kind)]
    pub kind: Option<String>,
    /// YYYY-MM-DD; defaults to today.
    pub date: Option<String>,
    /// The time of day in the UK, like 14:30 or 2:30pm; defaults to now for a contact today,
    /// and to midday for an earlier day.
    pub time: Option<String>,
    #[schema(minimum = 1, maximum = 600)]
    pub duration_minutes: Option<i64>,
    pub notes: Option<String>,
    #[serde(default)]
    pub did_not_attend: bool,
    /// An attempt to reach the person that did not reach them.
    #[serde(default)]
    pub attempt_only: bool,
    /// A health coaching session.
    #[serde(default)]
    pub coaching: bool,
}

pub async fn record_contact(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    input: ContactInput,
) -> Result<Contact, ServiceError> {
    let r = for_work(svc, actor, meta, id, "contact_recorded").await?;
    let state = r.state;
    if state.is_closed() {
        return Err(ServiceError::Conflict(format!(
            "This referral is {}: contacts can no longer be added",
            state.label().to_lowercase()
        )));
    }
    let now = svc.now();
    let mut p = Problems::default();
    let kind = input
        .kind
        .as_deref()
        .map(str::trim)
        .and_then(ContactKind::parse);
    if kind.is_none() {
        p.add("kind", "Choose how the contact happened");
    }
    let today = domain::dates::uk_date(now);
    let date = match input.date.as_deref().map(str::trim) {
        None | Some("") => Some(today),
        Some(_) => p.date(
            "date",
            &input.date,
            DateRule::past("The contact date", today),
        ),
    };
    let time = match input.time.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => {
            let parsed = domain::dates::parse_time(t);
            if parsed.is_none() {
                p.add("time", "Enter the time like 2:30pm or 14:30");
            }
            parsed
        }
    };
    let at = match (date, time) {
        (Some(d), Some(t)) => match domain::dates::uk_instant(d, t) {
            Some(at) if at > now => {
                p.add("time", "The contact time must be now or in the past");
                None
            }
            Some(at) => Some(at),
            None => {
                p.add(
                    "time",
                    "That time did not happen that day: the clocks went forward",
                );
                None
            }
        },
        (Some(d), None) if d == today => Some(now),
        (Some(d), None) => {
            NaiveTime::from_hms_opt(12, 0, 0).and_then(|noon| domain::dates::uk_instant(d, noon))
        }
        (None, _) => None,
    };
    let notes = p.text("notes", &input.notes, text::CONTACT_NOTES);
    if let Some(m) = input.duration_minutes
        && !(1..=600).contains(&m)
    {
        p.add(
            "duration_minutes",
            "Duration must be between 1 and 600 minutes",
        );
    }
    p.finish()?;
    let (Some(kind), Some(at)) = (kind, at) else {
        return Err(ServiceError::Internal("validated contact missing".into()));
    };
    let reached = !input.attempt_only && !input.did_not_attend;
    let txn = store::begin_write(&svc.db).await?;
    let c = contact::ActiveModel {
        referral_id: Set(id),
        person_id: Set(r.person_id),
        at: Set(at),
        kind: Set(kind.as_str().into()),
        duration_minutes: Set(input.duration_minutes.and_then(|m| i32::try_from(m).ok())),
        did_not_attend: Set(input.did_not_attend),
        attempt_only: Set(input.attempt_only),
        coaching: Set(input.coaching),
        notes: Set(notes),
        by_user_id: Set(Some(actor.user_id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // A contact adds to the referral rather than editing it, so two people recording contacts
    // at once both succeed: each change is computed from the row as it stands at the update,
    // which is also the moment the referral is checked to be still open.
    use sea_orm::sea_query::{CaseStatement, ExprTrait};
    let mut u = referral::Entity::update_many()
        .col_expr(referral::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            referral::Column::Version,
            Expr::col(referral::Column::Version).add(1),
        )
        .filter(referral::Column::Id.eq(id))
        .filter(referral::Column::State.is_in(open_states()));
    if reached {
        // Each column becomes `value` where `when` holds, else keeps what it has.
        let set_when = |col: referral::Column, when: Condition, value: Expr| -> Expr {
            CaseStatement::new()
                .case(when, value)
                .finally(Expr::col(col))
                .into()
        };
        let (last, first) = (
            referral::Column::LastContactAt,
            referral::Column::FirstContactAt,
        );
        u = u
            .col_expr(
                last,
                set_when(
                    last,
                    Condition::any().add(last.is_null()).add(last.lt(at)),
                    Expr::value(Some(at)),
                ),
            )
            .col_expr(
                first,
                set_when(
                    first,
                    Condition::any().add(first.is_null()).add(first.gt(at)),
                    Expr::value(Some(at)),
                ),
            )
            // Reaching the person takes the referral on, if triage has not already.
            .col_expr(
                referral::Column::AcceptedAt,
                set_when(
                    referral::Column::AcceptedAt,
                    Condition::all().add(referral::Column::AcceptedAt.is_null()),
                    Expr::value(Some(now)),
                ),
            )
            .col_expr(
                referral::Column::State,
                set_when(
                    referral::Column::State,
                    Condition::all()
                        .add(referral::Column::State.eq(ReferralState::Received.as_str())),
                    Expr::value(ReferralState::Contacted.as_str()),
                ),
            );
    } else if input.attempt_only {
        u = u.col_expr(
            referral::Column::ContactAttempts,
            Expr::col(referral::Column::ContactAttempts).add(1),
        );
    }
    if u.exec(&txn).await?.rows_affected == 0 {
        return Err(ServiceError::Conflict(
            "This referral was closed a moment ago: contacts can no longer be added".into(),
        ));
    }
    // The first time the person is reached, the GP hears of it, with the code to record; a
    // contact recorded at the same moment by someone else finds it written already.
    let told_gp = reached
        && r.first_contact_at.is_none()
        && crate::care::discharge::write_message(&txn, now, id, GpMessageKind::FirstContact, None)
            .await?
            .is_some();
    audit::record(
        &txn,
        now,
        meta,
        person_event(actor, "contact_recorded", Outcome::Success, r.person_id)
            .entity("referral", id),
    )
    .await?;
    txn.commit().await?;
    if told_gp {
        svc.jobs_queued();
    }
    c.try_into()
}

/// The referral's contacts, newest first. Needs the proof that the actor may see the referral.
pub async fn contacts(
    svc: &crate::Services,
    access: &crate::care::ReferralAccess,
) -> Result<Vec<Contact>, ServiceError> {
    crate::care::model::all(contacts_of(&svc.db, access.id()).await?)
}

pub(crate) async fn contacts_of<C: ConnectionTrait>(
    c: &C,
    referral_id: i32,
) -> Result<Vec<contact::Model>, ServiceError> {
    Ok(contact::Entity::find()
        .filter(contact::Column::ReferralId.eq(referral_id))
        .order_by_desc(contact::Column::At)
        .all(c)
        .await?)
}
