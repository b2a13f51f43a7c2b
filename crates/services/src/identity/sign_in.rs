//! Signing in with email and password, with per-account throttling: after
//! `lockout_threshold` failures in a row the account is locked for `lockout_minutes`.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use store::entities::user;

use super::{password, session, users};
use crate::audit::{self, Event, Outcome};
use crate::{RequestMeta, ServiceError, Services};

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Same message for an unknown email and a wrong password, so accounts cannot be probed.
    #[error("The email address or password is incorrect")]
    Incorrect,
    #[error("This account is locked after too many failed sign-ins")]
    Locked { until: DateTime<Utc> },
    #[error("This account has been closed. Ask your administrator to reopen it")]
    Disabled,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<sea_orm::DbErr> for SignInError {
    fn from(e: sea_orm::DbErr) -> Self {
        SignInError::Service(e.into())
    }
}

/// Checks the credentials and starts a session; returns the user and the session token.
pub async fn sign_in(
    svc: &Services,
    email: &str,
    password_input: &str,
    meta: &RequestMeta,
) -> Result<(user::Model, String), SignInError> {
    let now = svc.now();
    let email_norm = email.trim().to_lowercase();
    let found = users::find_by_email(svc, &email_norm).await?;
    let label = email_norm.chars().take(254).collect::<String>();
    let Some(u) = found else {
        // Spend the same time as a real check.
        password::verify(password_input.to_owned(), None).await;
        audit::record(
            &svc.db,
            now,
            meta,
            Event::new("sign_in", Outcome::Failure)
                .by_label(None, label)
                .detail("unknown account"),
        )
        .await?;
        return Err(SignInError::Incorrect);
    };
    if !u.active {
        audit::record(
            &svc.db,
            now,
            meta,
            Event::new("sign_in", Outcome::Refused)
                .by_label(Some(u.id), label)
                .detail("account closed"),
        )
        .await?;
        return Err(SignInError::Disabled);
    }
    if let Some(until) = u.locked_until.filter(|t| *t > now) {
        audit::record(
            &svc.db,
            now,
            meta,
            Event::new("sign_in", Outcome::Refused)
                .by_label(Some(u.id), label)
                .detail("account locked"),
        )
        .await?;
        return Err(SignInError::Locked { until });
    }
    if !password::verify(password_input.to_owned(), u.password_hash.clone()).await {
        // Count atomically, so simultaneous guesses all count.
        user::Entity::update_many()
            .col_expr(
                user::Column::FailedSignIns,
                Expr::col(user::Column::FailedSignIns).add(1),
            )
            .filter(user::Column::Id.eq(u.id))
            .exec(&svc.db)
            .await?;
        let until = now + Duration::minutes(svc.settings.lockout_minutes);
        let locked = user::Entity::update_many()
            .col_expr(user::Column::LockedUntil, Expr::value(Some(until)))
            .col_expr(user::Column::FailedSignIns, Expr::value(0))
            .filter(user::Column::Id.eq(u.id))
            .filter(user::Column::FailedSignIns.gte(svc.settings.lockout_threshold))
            .exec(&svc.db)
            .await?
            .rows_affected
            > 0;
        let detail = if locked {
            "wrong password; account now locked"
        } else {
            "wrong password"
        };
        audit::record(
            &svc.db,
            now,
            meta,
            Event::new("sign_in", Outcome::Failure)
                .by_label(Some(u.id), label)
                .detail(detail),
        )
        .await?;
        return Err(if locked {
            SignInError::Locked { until }
        } else {
            SignInError::Incorrect
        });
    }
    user::Entity::update_many()
        .col_expr(user::Column::FailedSignIns, Expr::value(0))
        .col_expr(
            user::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(user::Column::LastSignInAt, Expr::value(Some(now)))
        .filter(user::Column::Id.eq(u.id))
        .exec(&svc.db)
        .await?;
    let token = session::start(svc, u.id, meta).await?;
    audit::record(
        &svc.db,
        now,
        meta,
        Event::new("sign_in", Outcome::Success).by_label(Some(u.id), label),
    )
    .await?;
    Ok((u, token))
}
