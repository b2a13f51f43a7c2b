//! Server-side sessions. The browser holds a random token; the database holds its hash, the
//! CSRF token for the session's forms, and when it was made and last used.

use chrono::Duration;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use store::entities::session;

use super::{hash_token, random_token};
use crate::audit::{self, Event, Outcome};
use crate::{Actor, RequestMeta, ServiceError, Services};

/// A session as seen by a request: who, and the CSRF token its forms must carry.
#[derive(Clone, Debug)]
pub struct Current {
    pub actor: Actor,
    pub csrf_token: String,
    pub id_hash: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Lookup<T> {
    Found(T),
    /// The session existed but timed out; it has been removed.
    Expired,
    Missing,
}

/// Starts a session for a user; returns the token for the cookie.
pub async fn start(
    svc: &Services,
    user_id: i32,
    meta: &RequestMeta,
) -> Result<String, ServiceError> {
    let token = random_token();
    let now = svc.now();
    session::ActiveModel {
        id_hash: Set(hash_token(&token)),
        user_id: Set(user_id),
        csrf_token: Set(random_token()),
        created_at: Set(now),
        last_seen_at: Set(now),
        ip: Set(meta.ip.clone()),
        user_agent: Set(meta
            .user_agent
            .as_ref()
            .map(|u| u.chars().take(300).collect())),
    }
    .insert(&svc.db)
    .await?;
    Ok(token)
}

/// What the cache keeps of a session: who, and the times its timeouts are checked against.
#[derive(Clone, Debug)]
pub struct Cached {
    current: Current,
    created_at: chrono::DateTime<chrono::Utc>,
    last_seen_at: chrono::DateTime<chrono::Utc>,
}

/// Finds the session for a cookie token, enforcing the idle and absolute timeouts. Touches
/// `last_seen_at` at most once a minute so busy pages do not write on every request. The
/// session and its actor come from one query, then from the per-process cache for a few
/// seconds (see [`super::cache`]); the timeouts are checked on every request either way.
pub async fn lookup(
    svc: &Services,
    token: &str,
    meta: &RequestMeta,
) -> Result<Lookup<Current>, ServiceError> {
    let id_hash = hash_token(token);
    let now = svc.now();
    let cached = match svc.actors.sessions.get(&id_hash, now) {
        Some(c) => c,
        None => {
            let Some((row, actor, active)) = super::load::session(&svc.db, &id_hash).await? else {
                return Ok(Lookup::Missing);
            };
            if !active {
                session::Entity::delete_by_id(id_hash.clone())
                    .exec(&svc.db)
                    .await?;
                return Ok(Lookup::Missing);
            }
            let c = Cached {
                current: Current {
                    actor,
                    csrf_token: row.csrf_token,
                    id_hash: id_hash.clone(),
                },
                created_at: row.created_at,
                last_seen_at: row.last_seen_at,
            };
            svc.actors
                .sessions
                .put(id_hash.clone(), c.current.actor.user_id, c.clone(), now);
            c
        }
    };
    let idle = Duration::minutes(svc.settings.session_idle_minutes);
    let absolute = Duration::hours(svc.settings.session_absolute_hours);
    if now - cached.last_seen_at > idle || now - cached.created_at > absolute {
        svc.actors.sessions.forget(&id_hash);
        session::Entity::delete_by_id(id_hash).exec(&svc.db).await?;
        let a = &cached.current.actor;
        audit::log(
            svc,
            now,
            meta,
            Event::new("session_expired", Outcome::Success)
                .by_label(Some(a.user_id), a.email.clone()),
        )
        .await?;
        return Ok(Lookup::Expired);
    }
    if now - cached.last_seen_at > Duration::seconds(60) {
        session::Entity::update_many()
            .col_expr(
                session::Column::LastSeenAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(session::Column::IdHash.eq(id_hash.clone()))
            .exec(&svc.db)
            .await?;
        let touched = Cached {
            last_seen_at: now,
            ..cached.clone()
        };
        svc.actors
            .sessions
            .put(id_hash, touched.current.actor.user_id, touched, now);
    }
    Ok(Lookup::Found(cached.current))
}

/// Ends a session (sign out).
pub async fn end(
    svc: &Services,
    current: &Current,
    meta: &RequestMeta,
) -> Result<(), ServiceError> {
    svc.actors.sessions.forget(&current.id_hash);
    session::Entity::delete_by_id(current.id_hash.clone())
        .exec(&svc.db)
        .await?;
    audit::log(
        svc,
        svc.now(),
        meta,
        Event::new("sign_out", Outcome::Success).by(&current.actor),
    )
    .await
}

/// Ends every session of a user (after a password change).
pub async fn end_all_for_user<C: sea_orm::ConnectionTrait>(
    c: &C,
    user_id: i32,
) -> Result<(), ServiceError> {
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(c)
        .await?;
    Ok(())
}

/// Removes sessions past either timeout; run by the background worker.
pub async fn purge_expired(svc: &Services) -> Result<u64, ServiceError> {
    let now = svc.now();
    let r = session::Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(
                    session::Column::LastSeenAt
                        .lt(now - Duration::minutes(svc.settings.session_idle_minutes)),
                )
                .add(
                    session::Column::CreatedAt
                        .lt(now - Duration::hours(svc.settings.session_absolute_hours)),
                ),
        )
        .exec(&svc.db)
        .await?;
    Ok(r.rows_affected)
}
