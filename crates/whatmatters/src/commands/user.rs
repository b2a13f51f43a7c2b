//! `whatmatters user`: add a user, and issue an API token for one.

use anyhow::{Context, Result, bail};
use services::{RequestMeta, Services};

use super::services;
use crate::config::Config;

/// Adds a user with a role at an organisation, reading the password from standard input.
pub async fn add(
    cfg: &Config,
    email: String,
    name: String,
    role: String,
    org: String,
) -> Result<()> {
    let svc = services(cfg).await?;
    let role: domain::Role = role.parse().map_err(|e| {
        anyhow::anyhow!(
            "{e}: choose one of {}",
            domain::Role::ALL.map(|r| r.as_str()).join(", ")
        )
    })?;
    let org_id = find_org(&svc, &org).await?;
    eprintln!("Password for {email} (12 characters or more), then Enter:");
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .context("reading the password from standard input")?;
    let input = services::identity::users::NewUser {
        email,
        display_name: name,
        password: password.trim_end_matches(['\r', '\n']).to_owned(),
        memberships: vec![(role, org_id)],
    };
    match services::identity::users::create(&svc, None, &RequestMeta::default(), input).await {
        Ok(u) => println!(
            "Added {} (user {}) as {} at organisation {org_id}.",
            u.email,
            u.id,
            role.label()
        ),
        Err(services::ServiceError::Invalid(list)) => {
            for e in list {
                eprintln!("{}: {}", e.field, e.message);
            }
            bail!("the user was not added");
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// Issues an API token for a user and prints it once.
pub async fn token(cfg: &Config, email: String, name: String, days: i64) -> Result<()> {
    let svc = services(cfg).await?;
    let meta = RequestMeta::default();
    let user = services::identity::users::find_by_email(&svc, &email.trim().to_lowercase())
        .await?
        .ok_or_else(|| anyhow::anyhow!("no user has the email {email}"))?;
    let actor = services::identity::users::actor_of(&svc, &user).await?;
    match services::identity::token::create(&svc, &actor, &meta, &name, Some(days)).await {
        Ok((_, token)) => println!("{token}"),
        Err(services::ServiceError::Invalid(list)) => {
            for e in list {
                eprintln!("{}: {}", e.field, e.message);
            }
            bail!("no token was issued");
        }
        Err(services::ServiceError::Forbidden(what)) => {
            bail!("{email} may not {what}: their role does not use the API")
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

async fn find_org(svc: &Services, key: &str) -> Result<i32> {
    services::org::id_by_key(svc, key)
        .await?
        .with_context(|| format!("there is no organisation with ODS code or id {key:?}"))
}
