//! Signing in with e-mail and password.
//!
//! In order: the sign-in limits per client address and per e-mail address (token buckets, see
//! [`crate::limits`]); input no account could have is refused as incorrect before any query;
//! then the lockout. Each attempt is counted *before* its password is checked, by one conditional
//! update that only succeeds while the account is unlocked and has fewer than
//! `lockout_threshold` failures in a row, so however many guesses arrive at once, at most
//! `lockout_threshold` of them have their password checked. A failure that brings the count to
//! the threshold locks the account for `lockout_minutes`; a success resets the count.
//!
//! A locked account answers exactly as a wrong password and an unknown account do: the same
//! error, after the same work (one argon2 hash, a dummy one when there is no password to check).
//! The audit log records the real reason.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
use store::entities::user;

use super::{password, session, users};
use crate::audit::{self, Event, Outcome};
use crate::{RequestMeta, ServiceError, Services, limits};

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Same message for an unknown email, a wrong password and a locked account, so accounts
    /// cannot be probed.
    #[error("The email address or password is incorrect")]
    Incorrect,
    /// Only said once the right password is given.
    #[error("This account has been closed. Ask your administrator to reopen it")]
    Disabled,
    /// Includes [`ServiceError::RateLimited`] (too many attempts, or too much password work
    /// waiting).
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<sea_orm::DbErr> for SignInError {
    fn from(e: sea_orm::DbErr) -> Self {
        SignInError::Service(e.into())
    }
}

/// An id no account has (ids start at 1).
const NO_ACCOUNT: i32 = 0;
/// The longest e-mail address (RFC 5321).
const MAX_EMAIL_CHARS: usize = 254;
/// Far beyond the password policy's 128 characters: nothing longer can be right.
const MAX_PASSWORD_CHARS: usize = 1024;

/// Input that cannot belong to any account: too long, or with control characters (PostgreSQL
/// refuses NUL in text). Checked before any query.
fn impossible(email: &str, password: &str) -> bool {
    email.chars().count() > MAX_EMAIL_CHARS
        || email.chars().any(char::is_control)
        || password.chars().count() > MAX_PASSWORD_CHARS
        || password.contains('\0')
}

/// The e-mail as typed, safe to store in the audit log.
fn audit_label(email: &str) -> String {
    email
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .take(MAX_EMAIL_CHARS)
        .collect()
}

/// Counts an attempt against the account if it may be checked: unlocked and below the threshold.
/// One statement, so simultaneous attempts cannot all slip under the threshold.
async fn count_attempt(svc: &Services, id: i32, now: DateTime<Utc>) -> Result<bool, ServiceError> {
    let counted = user::Entity::update_many()
        .col_expr(
            user::Column::FailedSignIns,
            Expr::col(user::Column::FailedSignIns).add(1),
        )
        .filter(user::Column::Id.eq(id))
        .filter(user::Column::FailedSignIns.lt(svc.settings.lockout_threshold))
        .filter(
            Condition::any()
                .add(user::Column::LockedUntil.is_null())
                .add(user::Column::LockedUntil.lte(now)),
        )
        .exec(&svc.db)
        .await?
        .rows_affected;
    Ok(counted > 0)
}

/// Takes back an attempt whose password was never checked (the password work was full).
async fn uncount_attempt(svc: &Services, id: i32) -> Result<(), ServiceError> {
    user::Entity::update_many()
        .col_expr(
            user::Column::FailedSignIns,
            Expr::col(user::Column::FailedSignIns).sub(1),
        )
        .filter(user::Column::Id.eq(id))
        .filter(user::Column::FailedSignIns.gt(0))
        .exec(&svc.db)
        .await?;
    Ok(())
}

/// Locks the account if failures have reached the threshold; true if this call locked it.
async fn lock_if_due(svc: &Services, id: i32, now: DateTime<Utc>) -> Result<bool, ServiceError> {
    let until = now + Duration::minutes(svc.settings.lockout_minutes);
    let locked = user::Entity::update_many()
        .col_expr(user::Column::LockedUntil, Expr::value(Some(until)))
        .col_expr(user::Column::FailedSignIns, Expr::value(0))
        .filter(user::Column::Id.eq(id))
        .filter(user::Column::FailedSignIns.gte(svc.settings.lockout_threshold))
        .exec(&svc.db)
        .await?
        .rows_affected;
    Ok(locked > 0)
}

/// Checks the credentials and starts a session; returns the user and the session token.
pub async fn sign_in(
    svc: &Services,
    email: &str,
    password_input: &str,
    meta: &RequestMeta,
) -> Result<(user::Model, String), SignInError> {
    let email_norm = email.trim().to_lowercase();
    let label = audit_label(&email_norm);
    limits::check(svc, &limits::SIGN_IN_PER_ADDRESS, &limits::address(meta))
        .await
        .inspect_err(|_| tracing::warn!(ip = ?meta.ip, "sign-in limit per address reached"))?;
    if impossible(&email_norm, password_input) {
        audit::log(
            svc,
            svc.now(),
            meta,
            Event::new("sign_in", Outcome::Failure)
                .by_label(None, label)
                .detail("input no account can have (too long or control characters)"),
        )
        .await?;
        return Err(SignInError::Incorrect);
    }
    limits::check(
        svc,
        &limits::SIGN_IN_PER_ACCOUNT,
        &limits::account(&email_norm),
    )
    .await
    .inspect_err(|_| tracing::warn!(ip = ?meta.ip, "sign-in limit per account reached"))?;

    let now = svc.now();
    let found = users::find_by_email(svc, &email_norm).await?;
    let id = found.as_ref().map(|u| u.id);
    // No account has id 0: for an unknown account the same statements run and match nothing, so
    // it costs what a known one does.
    let counted = count_attempt(svc, id.unwrap_or(NO_ACCOUNT), now).await?;
    let stored = match &found {
        Some(u) if counted => u.password_hash.clone(),
        _ => None,
    };
    let right = match password::verify(svc, password_input.to_owned(), stored).await {
        Ok(right) => right,
        Err(e) => {
            if counted {
                uncount_attempt(svc, id.unwrap_or(NO_ACCOUNT)).await?;
            }
            return Err(e.into());
        }
    };

    let Some(u) = found.filter(|_| right) else {
        let locked_now = lock_if_due(svc, id.unwrap_or(NO_ACCOUNT), now).await?;
        let (outcome, detail) = match (id, counted, locked_now) {
            (None, _, _) => (Outcome::Failure, "unknown account"),
            (Some(_), false, _) => (Outcome::Refused, "account locked"),
            (Some(_), true, true) => (Outcome::Failure, "wrong password; account now locked"),
            (Some(_), true, false) => (Outcome::Failure, "wrong password"),
        };
        audit::log(
            svc,
            now,
            meta,
            Event::new("sign_in", outcome)
                .by_label(id, label)
                .detail(detail),
        )
        .await?;
        return Err(SignInError::Incorrect);
    };
    // The right password ends the run of failures, whatever happens next.
    let mut reset = user::Entity::update_many()
        .col_expr(user::Column::FailedSignIns, Expr::value(0))
        .col_expr(
            user::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(user::Column::Id.eq(u.id));
    if u.active {
        reset = reset.col_expr(user::Column::LastSignInAt, Expr::value(Some(now)));
    }
    reset.exec(&svc.db).await?;
    if !u.active {
        audit::log(
            svc,
            now,
            meta,
            Event::new("sign_in", Outcome::Refused)
                .by_label(Some(u.id), label)
                .detail("account closed"),
        )
        .await?;
        return Err(SignInError::Disabled);
    }
    let token = session::start(svc, u.id, meta).await?;
    audit::log(
        svc,
        now,
        meta,
        Event::new("sign_in", Outcome::Success).by_label(Some(u.id), label),
    )
    .await?;
    Ok((u, token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_no_account_can_have_is_recognised() {
        assert!(!impossible("a@b.uk", "correct horse battery"));
        assert!(impossible("a\0@b.uk", "x"));
        assert!(impossible("a\u{7}@b.uk", "x"));
        assert!(impossible(&format!("{}@b.uk", "a".repeat(250)), "x"));
        assert!(impossible("a@b.uk", "pass\0word"));
        assert!(impossible("a@b.uk", &"x".repeat(1025)));
        assert_eq!(audit_label("a\0b"), "a\u{fffd}b");
    }
}
