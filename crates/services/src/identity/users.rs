//! Users and their memberships.

use domain::{Email, OrgKind, Permission, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use store::entities::{membership, organisation, user};

use crate::audit::{self, Event, Outcome};
use crate::error::Problems;
use crate::{Actor, Grant, RequestMeta, ServiceError, Services};

#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub memberships: Vec<(Role, i32)>,
}

/// Builds the actor for a user: their grants with each organisation's path.
pub async fn load_actor<C: ConnectionTrait>(c: &C, u: &user::Model) -> Result<Actor, ServiceError> {
    let ms = membership::Entity::find()
        .filter(membership::Column::UserId.eq(u.id))
        .order_by_asc(membership::Column::Id)
        .all(c)
        .await?;
    let org_ids: Vec<i32> = ms.iter().map(|m| m.organisation_id).collect();
    let orgs = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(org_ids))
        .all(c)
        .await?;
    let mut grants = Vec::with_capacity(ms.len());
    for m in ms {
        let (Ok(role), Some(o)) = (
            m.role.parse::<Role>(),
            orgs.iter().find(|o| o.id == m.organisation_id),
        ) else {
            continue;
        };
        grants.push(Grant {
            role,
            organisation_id: o.id,
            organisation_name: o.name.clone(),
            organisation_kind: o.kind.parse().unwrap_or(OrgKind::Team),
            path: o.path.clone(),
        });
    }
    Ok(Actor {
        user_id: u.id,
        email: u.email.clone(),
        display_name: u.display_name.clone(),
        grants,
    })
}

/// Creates a user with memberships. `by` is None for the command line (the operator), or the
/// admin acting, who must be able to manage users at every organisation named.
pub async fn create(
    svc: &Services,
    by: Option<&Actor>,
    meta: &RequestMeta,
    input: NewUser,
) -> Result<user::Model, ServiceError> {
    let mut p = Problems::default();
    let email = p.take("email", Email::parse(&input.email));
    let name = p
        .required(
            "display_name",
            &Some(input.display_name.clone()),
            domain::text::DISPLAY_NAME,
            "Enter the person's name",
        )
        .unwrap_or_default();
    if let Some(e) = &email {
        p.take(
            "password",
            domain::password::check(&input.password, e.as_str()),
        );
    }
    if input.memberships.is_empty() {
        p.add(
            "memberships",
            "Give the user at least one role at an organisation",
        );
    }
    let org_ids: Vec<i32> = input.memberships.iter().map(|(_, o)| *o).collect();
    let orgs = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(org_ids))
        .all(&svc.db)
        .await?;
    for (_, org_id) in &input.memberships {
        match orgs.iter().find(|o| o.id == *org_id) {
            None => p.add(
                "memberships",
                format!("There is no organisation with id {org_id}"),
            ),
            Some(o) => {
                if let Some(a) = by {
                    a.require_at(
                        Permission::ManageUsers,
                        &o.path,
                        "add users to this organisation",
                    )?;
                }
            }
        }
    }
    if let Some(e) = &email {
        let taken = user::Entity::find()
            .filter(user::Column::Email.eq(e.as_str()))
            .one(&svc.db)
            .await?
            .is_some();
        if taken {
            p.add("email", "An account with this email address already exists");
        }
    }
    p.finish()?;
    let email = email.ok_or_else(|| ServiceError::invalid("email", "Enter an email address"))?;
    let hash = super::password::hash(svc, input.password).await?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let u = user::ActiveModel {
        email: Set(email.as_str().to_owned()),
        display_name: Set(name),
        password_hash: Set(Some(hash)),
        active: Set(true),
        failed_sign_ins: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            ServiceError::invalid("email", "An account with this email address already exists")
        }
        _ => ServiceError::Db(e),
    })?;
    for (role, org_id) in &input.memberships {
        membership::ActiveModel {
            user_id: Set(u.id),
            organisation_id: Set(*org_id),
            role: Set(role.as_str().to_owned()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let mut ev = Event::new("user_created", Outcome::Success)
        .entity("user", u.id)
        .detail(format!(
            "{} with {} membership(s)",
            u.email,
            input.memberships.len()
        ));
    ev = match by {
        Some(a) => ev.by(a),
        None => ev.by_label(None, "command line"),
    };
    audit::record(&txn, now, meta, ev).await?;
    txn.commit().await?;
    Ok(u)
}

/// The account with this e-mail address. Something that is not an e-mail address (a NUL, a
/// megabyte) is no one's, and never reaches the database.
pub async fn find_by_email(
    svc: &Services,
    email: &str,
) -> Result<Option<user::Model>, ServiceError> {
    let Ok(email) = Email::parse(email) else {
        return Ok(None);
    };
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&svc.db)
        .await?)
}

/// The memberships of everyone with a grant inside the actor's scopes, for admin listings.
pub async fn list_in_scope(
    svc: &Services,
    actor: &Actor,
) -> Result<Vec<(user::Model, Vec<Grant>)>, ServiceError> {
    actor.require(Permission::ManageUsers, "list users")?;
    let scopes = actor.scopes(Permission::ManageUsers);
    let orgs = organisation::Entity::find()
        .filter(crate::org::under_paths(
            svc.db.get_database_backend(),
            &scopes,
        ))
        .all(&svc.db)
        .await?;
    let ids: Vec<i32> = orgs.iter().map(|o| o.id).collect();
    // Learners name the organisation they work for themselves: they are not its staff.
    let ms = membership::Entity::find()
        .filter(membership::Column::OrganisationId.is_in(ids))
        .filter(membership::Column::Role.ne(Role::Learner.as_str()))
        .all(&svc.db)
        .await?;
    let mut user_ids: Vec<i32> = ms.iter().map(|m| m.user_id).collect();
    user_ids.sort_unstable();
    user_ids.dedup();
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids))
        .order_by_asc(user::Column::DisplayName)
        .all(&svc.db)
        .await?;
    Ok(users
        .into_iter()
        .map(|u| {
            let grants = ms
                .iter()
                .filter(|m| m.user_id == u.id)
                .filter_map(|m| {
                    let o = orgs.iter().find(|o| o.id == m.organisation_id)?;
                    Some(Grant {
                        role: m.role.parse().ok()?,
                        organisation_id: o.id,
                        organisation_name: o.name.clone(),
                        organisation_kind: o.kind.parse().ok()?,
                        path: o.path.clone(),
                    })
                })
                .collect();
            (u, grants)
        })
        .collect())
}

/// The actor a user acts as, for the command line (which acts as a named user).
pub async fn actor_of(svc: &crate::Services, u: &user::Model) -> Result<Actor, ServiceError> {
    load_actor(&svc.db, u).await
}

/// What a user said they do, when they opened their account (to fill in forms for them).
pub async fn job_role(svc: &Services, user_id: i32) -> Result<Option<String>, ServiceError> {
    Ok(user::Entity::find_by_id(user_id)
        .one(&svc.db)
        .await?
        .and_then(|u| u.job_role))
}
