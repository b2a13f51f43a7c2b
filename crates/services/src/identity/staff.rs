//! Managing staff in the browser: inviting someone by e-mail (a one-use link to set their
//! password, valid for [`INVITE_DAYS`] days), giving and taking away roles, and closing and
//! reopening accounts. Whoever does it needs `manage_users` at every organisation involved, and
//! sees only people with a role inside their scope: anyone else is "not found", as if absent.
//! Nobody changes their own roles or closes their own account. Everything is audited.

use chrono::Duration;
use domain::{Email, Permission, Role};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use store::entities::{api_token, membership, organisation, password_reset, user};

use super::{hash_token, random_token, session};
use crate::audit::{self, Event, Outcome};
use crate::error::Problems;
use crate::{Actor, Grant, RequestMeta, ServiceError, Services, email};

/// Days an invitation link stays usable.
pub const INVITE_DAYS: i64 = 7;

/// The roles staff may be given here: every role but the person's own (a person's account is
/// made from their record), the learner's (learners open their own accounts) and, unless the
/// giver is an administrator, administrator.
pub fn roles_to_give(by: &Actor) -> Vec<Role> {
    Role::ALL
        .into_iter()
        .filter(|r| !matches!(r, Role::Person | Role::Learner))
        .filter(|r| *r != Role::Admin || by.has_role(Role::Admin))
        .collect()
}

#[derive(Clone, Debug, Default)]
pub struct InviteInput {
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub organisation_id: Option<i32>,
}

/// A member of staff as someone managing users sees them.
#[derive(Clone, Debug)]
pub struct StaffMember {
    pub user: user::Model,
    /// Each role: its membership id, and the grant.
    pub roles: Vec<(i32, Grant)>,
    /// Invited and not yet set a password.
    pub invited: bool,
    /// Whether every role the account holds is within the actor's scope: only then may the
    /// actor close or reopen the whole account.
    pub wholly_managed: bool,
}

/// Checks a role and organisation the actor would give: a role they may give, at an
/// organisation where they manage users.
async fn check_role<C: ConnectionTrait>(
    c: &C,
    by: &Actor,
    p: &mut Problems,
    role: &str,
    organisation_id: Option<i32>,
) -> Result<Option<(Role, organisation::Model)>, ServiceError> {
    let role = match role.parse::<Role>() {
        Ok(r) if roles_to_give(by).contains(&r) => Some(r),
        _ => {
            p.add("role", "Choose a role from the list");
            None
        }
    };
    let org = match organisation_id {
        Some(id) => organisation::Entity::find_by_id(id)
            .one(c)
            .await?
            .filter(|o| by.can_at(Permission::ManageUsers, &o.path)),
        None => None,
    };
    if org.is_none() {
        p.add("organisation_id", "Choose an organisation from the list");
    }
    Ok(role.zip(org))
}

/// Invites a member of staff: an account with no password yet, their first role, and an e-mail
/// with a link to set their password.
/// What an invitation did.
#[derive(Debug)]
pub enum Invited {
    /// A new account, invited.
    New(user::Model),
    /// The address already had an account outside the manager's view: its holder was told, and
    /// the manager's answer is as for an invitation.
    AlreadyHadAccount,
}

pub async fn invite(
    svc: &Services,
    by: &Actor,
    meta: &RequestMeta,
    input: InviteInput,
) -> Result<Invited, ServiceError> {
    by.require(Permission::ManageUsers, "invite staff")?;
    let mut p = Problems::default();
    let name = p.required(
        "display_name",
        &Some(input.display_name.clone()),
        domain::text::DISPLAY_NAME,
        "Enter the person's full name",
    );
    let email = p.take("email", Email::parse(&input.email));
    let given = check_role(&svc.db, by, &mut p, &input.role, input.organisation_id).await?;
    let existing = match &email {
        Some(e) => {
            user::Entity::find()
                .filter(user::Column::Email.eq(e.as_str()))
                .one(&svc.db)
                .await?
        }
        None => None,
    };
    // Someone the manager can already see is pointed out; anyone else's account is not
    // revealed: the answer is as for an invitation, and the account's holder is told instead.
    let in_scope = match &existing {
        Some(u) => get(svc, by, u.id).await.is_ok(),
        None => false,
    };
    if in_scope {
        p.add(
            "email",
            "Someone you manage already has an account with this email address: give them the role from their page",
        );
    }
    p.finish()?;
    if let Some(u) = existing {
        let now = svc.now();
        let txn = store::begin_write(&svc.db).await?;
        email::enqueue(
            &txn,
            now,
            &u.email,
            "An invitation to whatmatters",
            &format!(
                "Dear {},\n\n{} tried to invite you to whatmatters, but you already have an account with this email address. Sign in as usual, or ask them to give your account the role they meant to.\n\nwhatmatters\n",
                u.display_name, by.display_name
            ),
        )
        .await?;
        audit::record(
            &txn,
            now,
            meta,
            Event::new("user_invited", Outcome::Failure)
                .by(by)
                .entity("user", u.id)
                .detail("already has an account; its holder was told"),
        )
        .await?;
        txn.commit().await?;
        svc.jobs_queued();
        return Ok(Invited::AlreadyHadAccount);
    }
    let (Some(name), Some(email), Some((role, org))) = (name, email, given) else {
        return Err(ServiceError::Internal(
            "validated invitation missing".into(),
        ));
    };
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let u = user::ActiveModel {
        email: Set(email.as_str().to_owned()),
        display_name: Set(name),
        password_hash: Set(None),
        active: Set(true),
        failed_sign_ins: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        // Invited by someone else a moment ago.
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ServiceError::Conflict(
            "Someone invited this person a moment ago: find them in the list of users".into(),
        ),
        _ => ServiceError::Db(e),
    })?;
    membership::ActiveModel {
        user_id: Set(u.id),
        organisation_id: Set(org.id),
        role: Set(role.as_str().to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let token = random_token();
    password_reset::ActiveModel {
        user_id: Set(u.id),
        token_hash: Set(hash_token(&token)),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(INVITE_DAYS)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let link = format!(
        "{}/password-reset/{token}",
        svc.settings.public_url.trim_end_matches('/')
    );
    email::enqueue(
        &txn,
        now,
        &u.email,
        "You have been invited to whatmatters",
        &format!(
            "Dear {},\n\n{} has invited you to whatmatters as {} at {}.\n\nTo choose your password and sign in, open this link within {INVITE_DAYS} days:\n\n{link}\n\nIf you were not expecting this, you can ignore this email.\n\nwhatmatters\n",
            u.display_name,
            by.display_name,
            role.label().to_lowercase(),
            org.name
        ),
    )
    .await?;
    audit::record(
        &txn,
        now,
        meta,
        Event::new("user_invited", Outcome::Success)
            .by(by)
            .entity("user", u.id)
            .detail(format!("{} as {} at {}", u.email, role.as_str(), org.name)),
    )
    .await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok(Invited::New(u))
}

/// A member of staff with a role inside the actor's scope, with the roles the actor can see;
/// anyone else is not found.
pub async fn get(svc: &Services, by: &Actor, user_id: i32) -> Result<StaffMember, ServiceError> {
    by.require(Permission::ManageUsers, "manage staff")?;
    let u = user::Entity::find_by_id(user_id).one(&svc.db).await?;
    // A learner's own claim to work somewhere makes them no one's staff.
    let ms = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .filter(membership::Column::Role.ne(Role::Learner.as_str()))
        .all(&svc.db)
        .await?;
    let mut roles = Vec::new();
    let mut wholly_managed = true;
    for m in ms {
        let Some(o) = organisation::Entity::find_by_id(m.organisation_id)
            .one(&svc.db)
            .await?
        else {
            continue;
        };
        if !by.can_at(Permission::ManageUsers, &o.path) {
            wholly_managed = false;
            continue;
        }
        let (Ok(role), Ok(kind)) = (m.role.parse(), o.kind.parse()) else {
            continue;
        };
        roles.push((
            m.id,
            Grant {
                role,
                organisation_id: o.id,
                organisation_name: o.name,
                organisation_kind: kind,
                path: o.path,
            },
        ));
    }
    match u {
        Some(user) if !roles.is_empty() => Ok(StaffMember {
            invited: user.password_hash.is_none(),
            wholly_managed,
            user,
            roles,
        }),
        _ => Err(ServiceError::NotFound("user")),
    }
}

/// Locks the user's row for the rest of the transaction, so changes to one account take turns
/// (an update takes the row lock on PostgreSQL; SQLite's write transactions take turns anyway).
async fn lock_user<C: ConnectionTrait>(
    c: &C,
    user_id: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ServiceError> {
    user::Entity::update_many()
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .exec(c)
        .await?;
    Ok(())
}

/// How many of the user's roles are at organisations where the actor manages users.
async fn visible_roles<C: ConnectionTrait>(
    c: &C,
    by: &Actor,
    user_id: i32,
) -> Result<u64, ServiceError> {
    Ok(membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .filter(
            membership::Column::OrganisationId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(organisation::Column::Id)
                    .from(organisation::Entity)
                    .cond_where(crate::org::under_paths(
                        c.get_database_backend(),
                        &by.scopes(Permission::ManageUsers),
                    ))
                    .to_owned(),
            ),
        )
        .count(c)
        .await?)
}

/// Nobody changes their own roles or account here, so nobody can lock themselves out.
fn not_yourself(by: &Actor, user_id: i32, what: &str) -> Result<(), ServiceError> {
    if by.user_id == user_id {
        return Err(ServiceError::Conflict(format!(
            "You cannot {what}: ask another administrator"
        )));
    }
    Ok(())
}

/// Gives a member of staff another role.
pub async fn add_role(
    svc: &Services,
    by: &Actor,
    meta: &RequestMeta,
    user_id: i32,
    role: &str,
    organisation_id: Option<i32>,
) -> Result<(), ServiceError> {
    let member = get(svc, by, user_id).await?;
    not_yourself(by, user_id, "change your own roles")?;
    let mut p = Problems::default();
    let given = check_role(&svc.db, by, &mut p, role, organisation_id).await?;
    if let Some((r, o)) = &given
        && member
            .roles
            .iter()
            .any(|(_, g)| g.role == *r && g.organisation_id == o.id)
    {
        p.add(
            "role",
            format!(
                "They are already {} at {}",
                r.label().to_lowercase(),
                o.name
            ),
        );
    }
    p.finish()?;
    let Some((role, org)) = given else {
        return Err(ServiceError::Internal("validated role missing".into()));
    };
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    membership::ActiveModel {
        user_id: Set(user_id),
        organisation_id: Set(org.id),
        role: Set(role.as_str().to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        // The same role given a moment ago by a second press or another manager.
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            ServiceError::Conflict("That role was given a moment ago".into())
        }
        _ => ServiceError::Db(e),
    })?;
    let detail = format!("{} at {}", role.as_str(), org.name);
    account_changed(svc, txn, by, meta, user_id, "role_given", Some(detail)).await
}

/// Takes a role away. The last role the actor can see is kept: close the account instead.
pub async fn remove_role(
    svc: &Services,
    by: &Actor,
    meta: &RequestMeta,
    user_id: i32,
    membership_id: i32,
) -> Result<(), ServiceError> {
    let member = get(svc, by, user_id).await?;
    not_yourself(by, user_id, "change your own roles")?;
    let Some((_, grant)) = member.roles.iter().find(|(id, _)| *id == membership_id) else {
        return Err(ServiceError::NotFound("role"));
    };
    if !roles_to_give(by).contains(&grant.role) {
        return Err(ServiceError::Forbidden(format!(
            "take away the role of {}",
            grant.role.label().to_lowercase()
        )));
    }
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    lock_user(&txn, user_id, now).await?;
    let n = membership::Entity::delete_many()
        .filter(membership::Column::Id.eq(membership_id))
        .filter(membership::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?
        .rows_affected;
    if n == 0 {
        return Err(ServiceError::Conflict(
            "That role was taken away a moment ago".into(),
        ));
    }
    // Counted after the user's row is locked, so two removals at once cannot both leave it.
    if visible_roles(&txn, by, user_id).await? == 0 {
        return Err(ServiceError::Conflict(
            "This is their only role here: close the account instead".into(),
        ));
    }
    let detail = format!("{} at {}", grant.role.as_str(), grant.organisation_name);
    account_changed(svc, txn, by, meta, user_id, "role_removed", Some(detail)).await
}

/// Closes an account: they can no longer sign in, and their sessions and API tokens end at
/// once. Or reopens it (`active = true`); they sign in with their password as before.
pub async fn set_active(
    svc: &Services,
    by: &Actor,
    meta: &RequestMeta,
    user_id: i32,
    active: bool,
) -> Result<(), ServiceError> {
    let member = get(svc, by, user_id).await?;
    not_yourself(
        by,
        user_id,
        if active {
            "reopen your own account"
        } else {
            "close your own account"
        },
    )?;
    if !member.wholly_managed {
        return Err(ServiceError::Forbidden(
            "close or reopen an account with roles outside the organisations you manage".into(),
        ));
    }
    if member.user.active == active {
        return Err(ServiceError::Conflict(if active {
            "This account is already open".into()
        } else {
            "This account is already closed".into()
        }));
    }
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let n = user::Entity::update_many()
        .col_expr(user::Column::Active, Expr::value(active))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::Active.eq(!active))
        .exec(&txn)
        .await?
        .rows_affected;
    if n == 0 {
        return Err(ServiceError::Conflict(
            "Someone else changed this account a moment ago".into(),
        ));
    }
    if !active {
        session::end_all_for_user(&txn, user_id).await?;
        api_token::Entity::update_many()
            .col_expr(api_token::Column::RevokedAt, Expr::value(Some(now)))
            .filter(api_token::Column::UserId.eq(user_id))
            .filter(api_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
    }
    let action = if active {
        "user_reopened"
    } else {
        "user_closed"
    };
    account_changed(svc, txn, by, meta, user_id, action, None).await
}

/// Finishes a change to an account: audits it in its transaction, commits, and drops the
/// account from this instance's actor cache so the change applies at once.
async fn account_changed(
    svc: &Services,
    txn: sea_orm::DatabaseTransaction,
    by: &Actor,
    meta: &RequestMeta,
    user_id: i32,
    action: &'static str,
    detail: Option<String>,
) -> Result<(), ServiceError> {
    let mut event = Event::new(action, Outcome::Success)
        .by(by)
        .entity("user", user_id);
    if let Some(d) = detail {
        event = event.detail(d);
    }
    audit::record(&txn, svc.now(), meta, event).await?;
    txn.commit().await?;
    svc.actors.forget_user(user_id);
    Ok(())
}

/// The organisations where the actor may give roles, as (id, name), by name.
pub async fn organisations_to_give(
    svc: &Services,
    by: &Actor,
) -> Result<Vec<(i32, String)>, ServiceError> {
    use sea_orm::QueryOrder;
    Ok(organisation::Entity::find()
        .filter(crate::org::under_paths(
            svc.db.get_database_backend(),
            &by.scopes(Permission::ManageUsers),
        ))
        .filter(organisation::Column::Status.eq("active"))
        .order_by_asc(organisation::Column::Name)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}
