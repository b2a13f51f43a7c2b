//! Loading who is asking in one query: the session (or API token) with its user, their
//! memberships and each membership's organisation, joined, instead of four round trips.

use chrono::{DateTime, Utc};
use domain::{OrgKind, Role};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, QueryResult};
use store::entities::{api_token, membership, organisation, session, user};

use crate::{Actor, Grant, ServiceError};

/// The session's own columns, as read with its actor.
pub(crate) struct SessionRow {
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// The token's own columns, as read with its actor.
pub(crate) struct TokenRow {
    pub id: i32,
    pub revoked_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Adds the user, their memberships and organisations to a query whose first table has a
/// `user_id` column (`from`).
fn with_grants<T: sea_orm::Iden + Copy + 'static>(q: &mut SelectStatement, from: T) {
    q.expr_as(
        Expr::col((user::Entity, user::Column::Id)),
        Alias::new("u_id"),
    )
    .expr_as(
        Expr::col((user::Entity, user::Column::Email)),
        Alias::new("u_email"),
    )
    .expr_as(
        Expr::col((user::Entity, user::Column::DisplayName)),
        Alias::new("u_name"),
    )
    .expr_as(
        Expr::col((user::Entity, user::Column::Active)),
        Alias::new("u_active"),
    )
    .expr_as(
        Expr::col((membership::Entity, membership::Column::Role)),
        Alias::new("m_role"),
    )
    .expr_as(
        Expr::col((organisation::Entity, organisation::Column::Id)),
        Alias::new("o_id"),
    )
    .expr_as(
        Expr::col((organisation::Entity, organisation::Column::Name)),
        Alias::new("o_name"),
    )
    .expr_as(
        Expr::col((organisation::Entity, organisation::Column::Kind)),
        Alias::new("o_kind"),
    )
    .expr_as(
        Expr::col((organisation::Entity, organisation::Column::Path)),
        Alias::new("o_path"),
    )
    .inner_join(
        user::Entity,
        Expr::col((user::Entity, user::Column::Id)).equals((from, Alias::new("user_id"))),
    )
    .left_join(
        membership::Entity,
        Expr::col((membership::Entity, membership::Column::UserId))
            .equals((user::Entity, user::Column::Id)),
    )
    .left_join(
        organisation::Entity,
        Expr::col((organisation::Entity, organisation::Column::Id))
            .equals((membership::Entity, membership::Column::OrganisationId)),
    )
    .order_by((membership::Entity, membership::Column::Id), Order::Asc);
}

/// The actor of the joined rows (one per membership), and whether the user is active.
fn assemble(rows: &[QueryResult]) -> Result<Option<(Actor, bool)>, ServiceError> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mut grants = Vec::with_capacity(rows.len());
    for r in rows {
        let (Some(role), Some(id), Some(name), Some(kind), Some(path)) = (
            r.try_get::<Option<String>>("", "m_role")?,
            r.try_get::<Option<i32>>("", "o_id")?,
            r.try_get::<Option<String>>("", "o_name")?,
            r.try_get::<Option<String>>("", "o_kind")?,
            r.try_get::<Option<String>>("", "o_path")?,
        ) else {
            continue;
        };
        let Ok(role) = role.parse::<Role>() else {
            continue;
        };
        grants.push(Grant {
            role,
            organisation_id: id,
            organisation_name: name,
            organisation_kind: kind.parse().unwrap_or(OrgKind::Team),
            path,
        });
    }
    let actor = Actor {
        user_id: first.try_get("", "u_id")?,
        email: first.try_get("", "u_email")?,
        display_name: first.try_get("", "u_name")?,
        grants,
    };
    Ok(Some((actor, first.try_get("", "u_active")?)))
}

/// The session with this hash and its actor (active or not), if it exists.
pub(crate) async fn session<C: ConnectionTrait>(
    c: &C,
    id_hash: &str,
) -> Result<Option<(SessionRow, Actor, bool)>, ServiceError> {
    let mut q = Query::select();
    q.columns([
        (session::Entity, session::Column::CsrfToken),
        (session::Entity, session::Column::CreatedAt),
        (session::Entity, session::Column::LastSeenAt),
    ])
    .from(session::Entity)
    .and_where(Expr::col((session::Entity, session::Column::IdHash)).eq(id_hash));
    with_grants(&mut q, session::Entity);
    let rows = c.query_all(&q).await?;
    let Some((actor, active)) = assemble(&rows)? else {
        return Ok(None);
    };
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let row = SessionRow {
        csrf_token: first.try_get("", "csrf_token")?,
        created_at: first.try_get("", "created_at")?,
        last_seen_at: first.try_get("", "last_seen_at")?,
    };
    Ok(Some((row, actor, active)))
}

/// The API token with this hash and its actor (active or not), if it exists.
pub(crate) async fn token<C: ConnectionTrait>(
    c: &C,
    token_hash: &str,
) -> Result<Option<(TokenRow, Actor, bool)>, ServiceError> {
    let mut q = Query::select();
    q.expr_as(
        Expr::col((api_token::Entity, api_token::Column::Id)),
        Alias::new("t_id"),
    )
    .columns([
        (api_token::Entity, api_token::Column::RevokedAt),
        (api_token::Entity, api_token::Column::ExpiresAt),
        (api_token::Entity, api_token::Column::LastUsedAt),
    ])
    .from(api_token::Entity)
    .and_where(Expr::col((api_token::Entity, api_token::Column::TokenHash)).eq(token_hash));
    with_grants(&mut q, api_token::Entity);
    let rows = c.query_all(&q).await?;
    let Some((actor, active)) = assemble(&rows)? else {
        return Ok(None);
    };
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let row = TokenRow {
        id: first.try_get("", "t_id")?,
        revoked_at: first.try_get("", "revoked_at")?,
        expires_at: first.try_get("", "expires_at")?,
        last_used_at: first.try_get("", "last_used_at")?,
    };
    Ok(Some((row, actor, active)))
}
