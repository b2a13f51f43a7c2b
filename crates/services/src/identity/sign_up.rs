//! Learners open their own accounts. Asking looks the same whether or not the address already
//! has an account (if it has, its holder is told so by e-mail instead); the e-mailed link works
//! once, within `SIGN_UP_HOURS`, and is where the learner chooses a password, so the account
//! is made only by whoever reads the mailbox. A learner holds the learner role at the
//! organisation they said they work for, if any, which grants nothing over anyone else.

use chrono::Duration;
use domain::{Email, Role};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use store::entities::{membership, organisation, sign_up, user};

use super::{hash_token, password, random_token};
use crate::audit::{self, Event, Outcome};
use crate::error::Problems;
use crate::{RequestMeta, ServiceError, Services, email, limits};

/// Hours the e-mailed link stays usable.
pub const SIGN_UP_HOURS: i64 = 24;

#[derive(Clone, Debug, Default)]
pub struct SignUpInput {
    pub display_name: String,
    pub email: String,
    /// One of [`domain::learning::JOB_ROLES`].
    pub job_role: String,
    /// The ODS code of the organisation they work for, if any.
    pub organisation_code: String,
}

/// A link still usable: who asked, and where they work.
#[derive(Clone, Debug)]
pub struct Pending {
    pub display_name: String,
    pub email: String,
    pub job_role: String,
    pub organisation: Option<String>,
}

/// Checks what was sent and e-mails a link to finish (or, if the address has an account, a
/// note saying so). Either way the caller sees the same answer.
pub async fn request(
    svc: &Services,
    input: &SignUpInput,
    meta: &RequestMeta,
) -> Result<(), ServiceError> {
    let mut p = Problems::default();
    let name = p.required(
        "display_name",
        &Some(input.display_name.clone()),
        domain::text::DISPLAY_NAME,
        "Enter your full name",
    );
    let email_addr = if input.email.trim().is_empty() {
        p.add("email", "Enter your email address");
        None
    } else {
        p.take("email", Email::parse(&input.email))
    };
    let job_role = domain::learning::JOB_ROLES
        .iter()
        .find(|r| **r == input.job_role)
        .copied();
    if job_role.is_none() {
        p.add("job_role", "Choose what you do from the list");
    }
    let code = input.organisation_code.trim().to_uppercase();
    let mut org = None;
    if !code.is_empty() {
        if code.len() > 10 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            p.add(
                "organisation_code",
                "Enter an ODS code of letters and numbers, like A81001, or leave it empty",
            );
        } else {
            org = organisation::Entity::find()
                .filter(organisation::Column::OdsCode.eq(code.clone()))
                .one(&svc.db)
                .await?;
            if org.is_none() {
                p.add(
                    "organisation_code",
                    format!(
                        "There is no organisation with the code {code}: check it, or leave it empty"
                    ),
                );
            }
        }
    }
    p.finish()?;
    let (Some(name), Some(email_addr), Some(job_role)) = (name, email_addr, job_role) else {
        return Err(ServiceError::Internal("validated sign-up missing".into()));
    };
    limits::check(svc, &limits::SIGN_UP_PER_ADDRESS, &limits::address(meta)).await?;
    limits::check(
        svc,
        &limits::SIGN_UP_PER_ACCOUNT,
        &limits::account(email_addr.as_str()),
    )
    .await?;
    let now = svc.now();
    let base = svc.settings.public_url.trim_end_matches('/').to_owned();
    let txn = store::begin_write(&svc.db).await?;
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(email_addr.as_str()))
        .one(&txn)
        .await?;
    if let Some(u) = existing {
        email::enqueue(
            &txn,
            now,
            &u.email,
            "You already have a whatmatters account",
            &format!(
                "Dear {},\n\nSomeone asked to open a whatmatters account with this email address, which already has one.\n\nSign in at {base}/sign-in. If you have forgotten your password, you can reset it at {base}/password-reset.\n\nIf it was not you, you can ignore this email.\n\nwhatmatters\n",
                u.display_name
            ),
        )
        .await?;
        audit::record(
            &txn,
            now,
            meta,
            Event::new("sign_up_requested", Outcome::Failure)
                .by_label(Some(u.id), u.email.clone())
                .detail("already has an account; its holder was told"),
        )
        .await?;
        txn.commit().await?;
        svc.jobs_queued();
        return Ok(());
    }
    let token = random_token();
    sign_up::ActiveModel {
        email: Set(email_addr.as_str().to_owned()),
        display_name: Set(name.clone()),
        job_role: Set(job_role.to_owned()),
        organisation_id: Set(org.as_ref().map(|o| o.id)),
        token_hash: Set(hash_token(&token)),
        created_at: Set(now),
        expires_at: Set(now + Duration::hours(SIGN_UP_HOURS)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    email::enqueue(
        &txn,
        now,
        email_addr.as_str(),
        "Finish opening your whatmatters account",
        &format!(
            "Hello,\n\nTo finish opening your whatmatters account, open this link within {SIGN_UP_HOURS} hours and choose a password:\n\n{base}/register/{token}\n\nThe link works once. If you did not ask for an account, you can ignore this email: no account is made until the link is used.\n\nwhatmatters\n"
        ),
    )
    .await?;
    audit::record(
        &txn,
        now,
        meta,
        Event::new("sign_up_requested", Outcome::Success).by_label(None, email_addr.as_str()),
    )
    .await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok(())
}

async fn usable(svc: &Services, token: &str) -> Result<Option<sign_up::Model>, ServiceError> {
    let now = svc.now();
    Ok(sign_up::Entity::find()
        .filter(sign_up::Column::TokenHash.eq(hash_token(token)))
        .one(&svc.db)
        .await?
        .filter(|s| s.used_at.is_none() && s.expires_at > now))
}

/// The sign-up a link finishes, if it is still usable.
pub async fn check(svc: &Services, token: &str) -> Result<Option<Pending>, ServiceError> {
    let Some(s) = usable(svc, token).await? else {
        return Ok(None);
    };
    let organisation = match s.organisation_id {
        Some(id) => organisation::Entity::find_by_id(id)
            .one(&svc.db)
            .await?
            .map(|o| o.name),
        None => None,
    };
    Ok(Some(Pending {
        display_name: s.display_name,
        email: s.email,
        job_role: s.job_role,
        organisation,
    }))
}

fn gone() -> ServiceError {
    ServiceError::Conflict(
        "This link has expired or has already been used. Ask for an account again".into(),
    )
}

/// Uses the link up and makes the account with the chosen password. Returns the new user.
pub async fn complete(
    svc: &Services,
    token: &str,
    new_password: &str,
    confirm: &str,
    meta: &RequestMeta,
) -> Result<user::Model, ServiceError> {
    let Some(s) = usable(svc, token).await? else {
        return Err(gone());
    };
    domain::password::check(new_password, &s.email)
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
    let used = sign_up::Entity::update_many()
        .col_expr(sign_up::Column::UsedAt, Expr::value(Some(now)))
        .filter(sign_up::Column::Id.eq(s.id))
        .filter(sign_up::Column::UsedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if used == 0 {
        return Err(gone());
    }
    let u = user::ActiveModel {
        email: Set(s.email.clone()),
        display_name: Set(s.display_name.clone()),
        password_hash: Set(Some(hash)),
        active: Set(true),
        failed_sign_ins: Set(0),
        job_role: Set(Some(s.job_role.clone())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        // Two sign-ups for one address, the other finished first (or an invitation).
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ServiceError::Conflict(
            "An account with this email address was opened a moment ago: sign in, or reset its password".into(),
        ),
        _ => ServiceError::Db(e),
    })?;
    if let Some(org) = s.organisation_id {
        membership::ActiveModel {
            user_id: Set(u.id),
            organisation_id: Set(org),
            role: Set(Role::Learner.as_str().to_owned()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    sign_up::Entity::update_many()
        .col_expr(sign_up::Column::UserId, Expr::value(Some(u.id)))
        .filter(sign_up::Column::Id.eq(s.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        now,
        meta,
        Event::new("sign_up_completed", Outcome::Success).by_label(Some(u.id), u.email.clone()),
    )
    .await?;
    txn.commit().await?;
    Ok(u)
}

/// The chore: sign-ups whose link ran out a day ago are forgotten.
pub async fn purge_expired(svc: &Services) -> Result<u64, ServiceError> {
    let cutoff = svc.now() - Duration::days(1);
    Ok(sign_up::Entity::delete_many()
        .filter(sign_up::Column::ExpiresAt.lt(cutoff))
        .filter(sign_up::Column::UsedAt.is_null())
        .exec(&svc.db)
        .await?
        .rows_affected)
}
