//! Password reset by e-mailed link. Asking always looks the same, whether or not the account
//! exists; the link works once, within `password_reset_minutes`. Asking is limited per client
//! address and per e-mail address as typed (so at most 3 e-mails an hour reach one account), and
//! the limits apply alike to addresses with and without an account.

use chrono::Duration;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use store::entities::{password_reset, user};

use super::{hash_token, password, random_token, session, users};
use crate::audit::{self, Event, Outcome};
use crate::{RequestMeta, ServiceError, Services, email, limits};

pub async fn request(
    svc: &Services,
    email_input: &str,
    meta: &RequestMeta,
) -> Result<(), ServiceError> {
    let email_addr = domain::Email::parse(email_input)
        .map_err(|e| ServiceError::invalid("email", e.to_string()))?;
    limits::check(svc, &limits::RESET_PER_ADDRESS, &limits::address(meta))
        .await
        .inspect_err(
            |_| tracing::warn!(ip = ?meta.ip, "password reset limit per address reached"),
        )?;
    limits::check(
        svc,
        &limits::RESET_PER_ACCOUNT,
        &limits::account(email_addr.as_str()),
    )
    .await
    .inspect_err(|_| tracing::warn!(ip = ?meta.ip, "password reset limit per account reached"))?;
    let now = svc.now();
    let Some(u) = users::find_by_email(svc, email_addr.as_str())
        .await?
        .filter(|u| u.active)
    else {
        audit::log(
            svc,
            now,
            meta,
            Event::new("password_reset_requested", Outcome::Failure)
                .by_label(None, email_addr.as_str())
                .detail("no such active account"),
        )
        .await?;
        return Ok(());
    };
    let token = random_token();
    let minutes = svc.settings.password_reset_minutes;
    let link = format!(
        "{}/password-reset/{token}",
        svc.settings.public_url.trim_end_matches('/')
    );
    let txn = store::begin_write(&svc.db).await?;
    password_reset::ActiveModel {
        user_id: Set(u.id),
        token_hash: Set(hash_token(&token)),
        created_at: Set(now),
        expires_at: Set(now + Duration::minutes(minutes)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    email::enqueue(
        &txn,
        now,
        &u.email,
        "Reset your whatmatters password",
        &format!(
            "Dear {},\n\nSomeone asked to reset the password for your whatmatters account.\n\nTo choose a new password, open this link within {minutes} minutes:\n\n{link}\n\nIf it was not you, you can ignore this email: your password has not changed.\n\nwhatmatters\n",
            u.display_name
        ),
    )
    .await?;
    audit::record(
        &txn,
        now,
        meta,
        Event::new("password_reset_requested", Outcome::Success)
            .by_label(Some(u.id), u.email.clone()),
    )
    .await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok(())
}

/// Whether a reset link is still usable (for showing the form or a clear message).
pub async fn check(
    svc: &Services,
    token: &str,
) -> Result<Option<password_reset::Model>, ServiceError> {
    let now = svc.now();
    Ok(password_reset::Entity::find()
        .filter(password_reset::Column::TokenHash.eq(hash_token(token)))
        .one(&svc.db)
        .await?
        .filter(|r| r.used_at.is_none() && r.expires_at > now))
}

/// Sets the new password, uses up the link, unlocks the account and ends all its sessions.
pub async fn complete(
    svc: &Services,
    token: &str,
    new_password: &str,
    confirm: &str,
    meta: &RequestMeta,
) -> Result<(), ServiceError> {
    let Some(r) = check(svc, token).await? else {
        return Err(ServiceError::Conflict(
            "This link has expired or has already been used. Ask for a new one".into(),
        ));
    };
    let u = user::Entity::find_by_id(r.user_id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("user"))?;
    domain::password::check(new_password, &u.email)
        .map_err(|e| ServiceError::invalid("password", e.to_string()))?;
    if new_password != confirm {
        return Err(ServiceError::invalid(
            "confirm",
            "The passwords do not match",
        ));
    }
    let hash = password::hash(svc, new_password.to_owned()).await?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    // Use the link up first: of two simultaneous submissions only one may win.
    let used = password_reset::Entity::update_many()
        .col_expr(
            password_reset::Column::UsedAt,
            sea_orm::sea_query::Expr::value(Some(now)),
        )
        .filter(password_reset::Column::Id.eq(r.id))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if used == 0 {
        return Err(ServiceError::Conflict(
            "This link has already been used. Ask for a new one".into(),
        ));
    }
    let mut am: user::ActiveModel = u.clone().into();
    am.password_hash = Set(Some(hash));
    am.failed_sign_ins = Set(0);
    am.locked_until = Set(None);
    am.updated_at = Set(now);
    am.update(&txn).await?;
    session::end_all_for_user(&txn, u.id).await?;
    audit::record(
        &txn,
        now,
        meta,
        Event::new("password_reset_completed", Outcome::Success)
            .by_label(Some(u.id), u.email.clone()),
    )
    .await?;
    txn.commit().await?;
    svc.actors.forget_user(u.id);
    Ok(())
}
