//! Creating and editing organisations, and rewriting a subtree's paths after a move.

use domain::{Permission, Role};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use store::entities::organisation::{self, Model as Organisation};

use super::find;
use super::validate::{OrgInput, validate};
use crate::audit::{self, Event, Outcome};
use crate::{Actor, RequestMeta, ServiceError, Services};

fn can_create_under(actor: &Actor, parent: Option<&Organisation>) -> bool {
    match parent {
        Some(par) => actor.can_at(Permission::ManageOrganisations, &par.path),
        None => actor.has_role(Role::Admin),
    }
}

pub async fn create(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    input: OrgInput,
) -> Result<Organisation, ServiceError> {
    actor.require(Permission::ManageOrganisations, "add organisations")?;
    let v = validate(svc, actor, &input, None).await?;
    if !can_create_under(actor, v.parent.as_ref()) {
        return Err(ServiceError::Forbidden("add an organisation there".into()));
    }
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let parent_path = v
        .parent
        .as_ref()
        .map(|p| p.path.clone())
        .unwrap_or_else(|| "/".into());
    let saved = organisation::ActiveModel {
        kind: Set(v.kind.as_str().to_owned()),
        ods_code: Set(v.ods_code),
        name: Set(v.name),
        parent_id: Set(v.parent.as_ref().map(|p| p.id)),
        path: Set(parent_path.clone()),
        status: Set(v.status),
        list_size: Set(v.list_size),
        pcn_opted_out: Set(v.pcn_opted_out),
        commissioner_arrangement: Set(v.commissioner_arrangement),
        postcode: Set(v.postcode),
        email: Set(v.email),
        phone: Set(v.phone),
        website: Set(v.website),
        charity_number: Set(v.charity_number),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(unique_to_invalid)?;
    let mut am: organisation::ActiveModel = saved.clone().into();
    am.path = Set(format!("{parent_path}{}/", saved.id));
    let saved = am.update(&txn).await?;
    audit::record(
        &txn,
        now,
        meta,
        Event::new("organisation_created", Outcome::Success)
            .by(actor)
            .entity("organisation", saved.id)
            .organisation(saved.id)
            .detail(saved.name.clone()),
    )
    .await?;
    txn.commit().await?;
    // Actors carry organisation names and paths.
    svc.actors.clear();
    Ok(saved)
}

fn unique_to_invalid(e: sea_orm::DbErr) -> ServiceError {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ServiceError::invalid(
            "ods_code",
            "This ODS code is already used by another organisation",
        ),
        _ => ServiceError::Db(e),
    }
}

/// Edits an organisation. Fails with a conflict, saving nothing, when someone else saved a
/// change since `input.version` was read.
pub async fn update(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    input: OrgInput,
) -> Result<Organisation, ServiceError> {
    let existing = find(&svc.db, id).await?;
    actor.require_at(
        Permission::ManageOrganisations,
        &existing.path,
        "edit this organisation",
    )?;
    let Some(expected) = input.version else {
        return Err(ServiceError::invalid(
            "version",
            "The version of the record you edited is missing; reload the page",
        ));
    };
    let v = validate(svc, actor, &input, Some(&existing)).await?;
    if v.parent.as_ref().map(|p| p.id) != existing.parent_id
        && !can_create_under(actor, v.parent.as_ref())
    {
        return Err(ServiceError::Forbidden(
            "move this organisation there".into(),
        ));
    }
    let stale = || {
        ServiceError::Conflict(
            "Someone else changed this organisation while you were editing it. Your changes have not been saved: review the current details and make your changes again".into(),
        )
    };
    let next = expected.checked_add(1).ok_or_else(stale)?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let new_path = match &v.parent {
        Some(p) => format!("{}{}/", p.path, id),
        None => format!("/{id}/"),
    };
    // Only the version that was read may be replaced: a concurrent edit leaves 0 rows.
    let changed = organisation::Entity::update_many()
        .col_expr(organisation::Column::OdsCode, Expr::value(v.ods_code))
        .col_expr(organisation::Column::Name, Expr::value(v.name))
        .col_expr(
            organisation::Column::ParentId,
            Expr::value(v.parent.as_ref().map(|p| p.id)),
        )
        .col_expr(organisation::Column::Status, Expr::value(v.status))
        .col_expr(organisation::Column::ListSize, Expr::value(v.list_size))
        .col_expr(
            organisation::Column::PcnOptedOut,
            Expr::value(v.pcn_opted_out),
        )
        .col_expr(
            organisation::Column::CommissionerArrangement,
            Expr::value(v.commissioner_arrangement),
        )
        .col_expr(organisation::Column::Postcode, Expr::value(v.postcode))
        .col_expr(organisation::Column::Email, Expr::value(v.email))
        .col_expr(organisation::Column::Phone, Expr::value(v.phone))
        .col_expr(organisation::Column::Website, Expr::value(v.website))
        .col_expr(
            organisation::Column::CharityNumber,
            Expr::value(v.charity_number),
        )
        .col_expr(organisation::Column::UpdatedAt, Expr::value(now))
        .col_expr(organisation::Column::Version, Expr::value(next))
        .filter(organisation::Column::Id.eq(id))
        .filter(organisation::Column::Version.eq(expected))
        .exec(&txn)
        .await
        .map_err(unique_to_invalid)?
        .rows_affected;
    if changed == 0 {
        return Err(stale());
    }
    if new_path != existing.path {
        move_subtree(&txn, &existing.path, &new_path).await?;
    }
    audit::record(
        &txn,
        now,
        meta,
        Event::new("organisation_updated", Outcome::Success)
            .by(actor)
            .entity("organisation", id)
            .organisation(id),
    )
    .await?;
    txn.commit().await?;
    // Actors carry organisation names and paths.
    svc.actors.clear();
    find(&svc.db, id).await
}

/// Rewrites the paths of an organisation and everything below it after a move.
pub(crate) async fn move_subtree<C: ConnectionTrait>(
    c: &C,
    old: &str,
    new: &str,
) -> Result<(), ServiceError> {
    let below = organisation::Entity::find()
        .filter(super::under_paths(
            c.get_database_backend(),
            &[old.to_owned()],
        ))
        .all(c)
        .await?;
    for o in below {
        let path = format!("{new}{}", &o.path[old.len()..]);
        organisation::Entity::update_many()
            .col_expr(organisation::Column::Path, Expr::value(path))
            .filter(organisation::Column::Id.eq(o.id))
            .exec(c)
            .await?;
    }
    Ok(())
}
