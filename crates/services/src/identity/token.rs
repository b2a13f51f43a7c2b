//! API tokens: "wm_" + 43 random characters, shown once, stored as a SHA-256.

use chrono::Duration;
use domain::Permission;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use store::entities::api_token;

use super::{hash_token, random_token};
use crate::audit::{self, Event, Outcome};
use crate::{Actor, RequestMeta, ServiceError, Services, limits};

pub const PREFIX: &str = "wm_";

/// Creates a token for the actor; returns the stored record and the secret (shown once).
pub async fn create(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    name: &str,
    days: Option<i64>,
) -> Result<(api_token::Model, String), ServiceError> {
    actor.require(Permission::UseApi, "create API tokens")?;
    let mut p = crate::error::Problems::default();
    let name = p.required(
        "name",
        &Some(name.to_owned()),
        domain::text::TOKEN_NAME,
        "Enter a name for the token, like \"GP system sync\"",
    );
    p.finish()?;
    let name = name.unwrap_or_default();
    let name = name.as_str();
    if let Some(d) = days
        && !(1..=365).contains(&d)
    {
        return Err(ServiceError::invalid(
            "expires_in_days",
            "Expiry must be between 1 and 365 days",
        ));
    }
    let secret = format!("{PREFIX}{}", random_token());
    let now = svc.now();
    let m = api_token::ActiveModel {
        user_id: Set(actor.user_id),
        name: Set(name.to_owned()),
        token_hash: Set(hash_token(&secret)),
        prefix: Set(secret.chars().take(10).collect()),
        created_at: Set(now),
        expires_at: Set(days.map(|d| now + Duration::days(d))),
        ..Default::default()
    }
    .insert(&svc.db)
    .await?;
    audit::log(
        svc,
        now,
        meta,
        Event::new("api_token_created", Outcome::Success)
            .by(actor)
            .entity("api_token", m.id)
            .detail(name.to_owned()),
    )
    .await?;
    Ok((m, secret))
}

pub async fn list(svc: &Services, actor: &Actor) -> Result<Vec<api_token::Model>, ServiceError> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(actor.user_id))
        .order_by_desc(api_token::Column::CreatedAt)
        .all(&svc.db)
        .await?)
}

pub async fn revoke(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
) -> Result<(), ServiceError> {
    let t = api_token::Entity::find_by_id(id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("API token"))?;
    if t.user_id != actor.user_id {
        return Err(ServiceError::NotFound("API token"));
    }
    if t.revoked_at.is_some() {
        return Err(ServiceError::Conflict(
            "This token was already revoked".into(),
        ));
    }
    let now = svc.now();
    let mut am: api_token::ActiveModel = t.into();
    am.revoked_at = Set(Some(now));
    let revoked = am.update(&svc.db).await?;
    svc.actors.tokens.forget_user(revoked.user_id);
    audit::log(
        svc,
        now,
        meta,
        Event::new("api_token_revoked", Outcome::Success)
            .by(actor)
            .entity("api_token", id),
    )
    .await
}

/// Resolves a bearer token to its user, if it is valid, unexpired and unrevoked. Failures are
/// limited per client address: once an address has used up
/// [`limits::BEARER_FAILURES_PER_ADDRESS`], its tokens are refused with
/// [`ServiceError::RateLimited`] without being looked at, until the bucket refills.
pub async fn authenticate(
    svc: &Services,
    secret: &str,
    meta: &RequestMeta,
) -> Result<Option<Actor>, ServiceError> {
    let from = limits::address(meta);
    limits::peek(svc, &limits::BEARER_FAILURES_PER_ADDRESS, &from)
        .await?
        .into_result()
        .inspect_err(|_| tracing::warn!(ip = ?meta.ip, "failed API token limit reached"))?;
    let now = svc.now();
    let token_hash = hash_token(secret);
    if let Some(c) = svc.actors.tokens.get(&token_hash, now)
        && c.expires_at.is_none_or(|e| e > now)
    {
        return Ok(Some(c.actor));
    }
    let found = super::load::token(&svc.db, &token_hash).await?;
    let valid =
        found.filter(|(t, _, _)| t.revoked_at.is_none() && t.expires_at.is_none_or(|e| e > now));
    let Some((t, actor, active)) = valid else {
        audit::log(
            svc,
            now,
            meta,
            Event::new("api_token_rejected", Outcome::Refused)
                .detail("unknown, expired or revoked token"),
        )
        .await?;
        limits::check(svc, &limits::BEARER_FAILURES_PER_ADDRESS, &from).await?;
        return Ok(None);
    };
    if !active {
        return Ok(None);
    }
    if t.last_used_at
        .is_none_or(|l| now - l > Duration::minutes(5))
    {
        api_token::Entity::update_many()
            .col_expr(
                api_token::Column::LastUsedAt,
                sea_orm::sea_query::Expr::value(Some(now)),
            )
            .filter(api_token::Column::Id.eq(t.id))
            .exec(&svc.db)
            .await?;
    }
    svc.actors.tokens.put(
        token_hash,
        actor.user_id,
        Cached {
            actor: actor.clone(),
            expires_at: t.expires_at,
        },
        now,
    );
    Ok(Some(actor))
}

/// What the cache keeps of a valid API token.
#[derive(Clone, Debug)]
pub struct Cached {
    actor: Actor,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
}
