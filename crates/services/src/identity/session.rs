//! Server-side sessions. The browser holds a random token; the database holds its hash, the
//! CSRF token for the session's forms, and when it was made and last used.

use chrono::Duration;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use store::entities::{session, user};

use super::{hash_token, random_token, users::load_actor};
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

/// Finds the session for a cookie token, enforcing the idle and absolute timeouts. Touches
/// `last_seen_at` at most once a minute so busy pages do not write on every request.
pub async fn lookup(
    svc: &Services,
    token: &str,
    meta: &RequestMeta,
) -> Result<Lookup<Current>, ServiceError> {
    let id_hash = hash_token(token);
    let Some(s) = session::Entity::find_by_id(id_hash.clone())
        .one(&svc.db)
        .await?
    else {
        return Ok(Lookup::Missing);
    };
    let now = svc.now();
    let idle = Duration::minutes(svc.settings.session_idle_minutes);
    let absolute = Duration::hours(svc.settings.session_absolute_hours);
    let user = user::Entity::find_by_id(s.user_id).one(&svc.db).await?;
    let expired = now - s.last_seen_at > idle || now - s.created_at > absolute;
    let Some(user) = user.filter(|u| u.active) else {
        session::Entity::delete_by_id(id_hash).exec(&svc.db).await?;
        return Ok(Lookup::Missing);
    };
    if expired {
        session::Entity::delete_by_id(id_hash).exec(&svc.db).await?;
        audit::record(
            &svc.db,
            now,
            meta,
            Event::new("session_expired", Outcome::Success)
                .by_label(Some(user.id), user.email.clone()),
        )
        .await?;
        return Ok(Lookup::Expired);
    }
    if now - s.last_seen_at > Duration::seconds(60) {
        session::Entity::update_many()
            .col_expr(
                session::Column::LastSeenAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(session::Column::IdHash.eq(id_hash.clone()))
            .exec(&svc.db)
            .await?;
    }
    let actor = load_actor(&svc.db, &user).await?;
    Ok(Lookup::Found(Current {
        actor,
        csrf_token: s.csrf_token,
        id_hash,
    }))
}

/// Ends a session (sign out).
pub async fn end(
    svc: &Services,
    current: &Current,
    meta: &RequestMeta,
) -> Result<(), ServiceError> {
    session::Entity::delete_by_id(current.id_hash.clone())
        .exec(&svc.db)
        .await?;
    audit::record(
        &svc.db,
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
