//! Calendar feeds: every event a network or organisation runs (public), and each learner's
//! own bookings at a private address made for them (its secret stored hashed; making a new
//! one ends the old).

use chrono::Duration;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use store::entities::{
    calendar_feed as feed, learning_event as event, learning_order as order,
    learning_place as place, organisation, user,
};

use super::catalogue::{Event, whole};
use crate::identity::{hash_token, random_token};
use crate::{Actor, ServiceError, Services};

/// The most events a feed carries.
const FEED_MAX: u64 = 500;

/// The events run by an organisation and those below it, from a month ago on, soonest first.
pub async fn organisation_events(
    svc: &Services,
    organisation_id: i32,
) -> Result<(String, Vec<Event>), ServiceError> {
    let org = organisation::Entity::find_by_id(organisation_id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("organisation"))?;
    let below: Vec<i32> = organisation::Entity::find()
        .filter(organisation::Column::Path.starts_with(org.path.as_str()))
        .select_only()
        .column(organisation::Column::Id)
        .into_tuple()
        .all(&svc.db)
        .await?;
    let rows = event::Entity::find()
        .filter(event::Column::OrganisationId.is_in(below))
        .filter(event::Column::EndsAt.gt(svc.now() - Duration::days(31)))
        .order_by_asc(event::Column::StartsAt)
        .limit(FEED_MAX)
        .all(&svc.db)
        .await?;
    Ok((org.name, whole(&svc.db, rows).await?))
}

/// Makes the actor a new private feed address (the old one stops working). Returns its secret.
pub async fn new_feed(svc: &Services, actor: &Actor) -> Result<String, ServiceError> {
    let token = random_token();
    // One statement, so two at once leave one address (the later), never an error.
    feed::Entity::insert(feed::ActiveModel {
        user_id: Set(actor.user_id),
        token_hash: Set(hash_token(&token)),
        created_at: Set(svc.now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(feed::Column::UserId)
            .update_columns([feed::Column::TokenHash, feed::Column::CreatedAt])
            .to_owned(),
    )
    .exec_without_returning(&svc.db)
    .await?;
    Ok(token)
}

/// Whether the actor has a private feed.
pub async fn has_feed(svc: &Services, actor: &Actor) -> Result<bool, ServiceError> {
    Ok(feed::Entity::find()
        .filter(feed::Column::UserId.eq(actor.user_id))
        .one(&svc.db)
        .await?
        .is_some())
}

/// The events booked by whoever holds this feed's secret (not found for any other secret), from
/// a month ago on.
pub async fn booked_events(
    svc: &Services,
    token: &str,
) -> Result<(String, Vec<Event>), ServiceError> {
    let f = feed::Entity::find()
        .filter(feed::Column::TokenHash.eq(hash_token(token)))
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("calendar"))?;
    let u = user::Entity::find_by_id(f.user_id)
        .one(&svc.db)
        .await?
        .filter(|u| u.active)
        .ok_or(ServiceError::NotFound("calendar"))?;
    let orders: Vec<i32> = order::Entity::find()
        .filter(order::Column::UserId.eq(u.id))
        .select_only()
        .column(order::Column::Id)
        .into_tuple()
        .all(&svc.db)
        .await?;
    let events: Vec<i32> = place::Entity::find()
        .filter(place::Column::OrderId.is_in(orders))
        .filter(place::Column::State.eq("booked"))
        .select_only()
        .column(place::Column::EventId)
        .distinct()
        .into_tuple()
        .all(&svc.db)
        .await?;
    let rows = event::Entity::find()
        .filter(event::Column::Id.is_in(events))
        .filter(event::Column::EndsAt.gt(svc.now() - Duration::days(31)))
        .order_by_asc(event::Column::StartsAt)
        .limit(FEED_MAX)
        .all(&svc.db)
        .await?;
    Ok((u.display_name, whole(&svc.db, rows).await?))
}
