//! Organisations: regions, ICBs, PCNs, practices, VCSE organisations and teams.
//!
//! `read` lists and reads them within the actor's view (and the tree around one); `validate`
//! checks what is entered; `change` creates and edits them, moving a subtree when a parent
//! changes. This module keeps the materialised-path conditions they and other contexts share.

mod change;
mod read;
mod validate;

pub(crate) use change::move_subtree;
pub use change::{create, update};
pub use read::{
    ListFilter, OrgPage, ancestors, audit_view, children, counts, get, id_by_key, list,
    parent_choices,
};
pub use validate::OrgInput;

use domain::Permission;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait};
use store::entities::organisation;
/// An organisation in the hierarchy (nation, region, ICB, PCN, practice, VCSE ...).
pub use store::entities::organisation::Model as Organisation;

use crate::{Actor, ServiceError};

/// Organisations at or under any of these materialised paths, as a condition an index can
/// serve on both databases: PostgreSQL `path LIKE '/1/4/%'` (the `text_pattern_ops` index),
/// SQLite `path GLOB '/1/4/*'` (case-sensitive, so its ordinary index applies; LIKE is not).
/// Paths hold only digits and slashes, so neither pattern needs escaping. No paths: no match.
pub(crate) fn under_paths(backend: sea_orm::DbBackend, paths: &[String]) -> Condition {
    use sea_orm::sea_query::ExprTrait;
    let mut cond = Condition::any();
    if paths.is_empty() {
        return cond.add(organisation::Column::Id.eq(-1));
    }
    for p in paths {
        let path = Expr::col((organisation::Entity, organisation::Column::Path));
        cond = cond.add(match backend {
            sea_orm::DbBackend::Sqlite => path.binary(
                sea_orm::sea_query::BinOper::Custom("GLOB"),
                Expr::value(format!("{p}*")),
            ),
            _ => path.like(format!("{p}%")),
        });
    }
    cond
}

fn scope_condition(backend: sea_orm::DbBackend, actor: &Actor, p: Permission) -> Condition {
    under_paths(backend, &actor.scopes(p))
}

async fn find<C: ConnectionTrait>(c: &C, id: i32) -> Result<Organisation, ServiceError> {
    organisation::Entity::find_by_id(id)
        .one(c)
        .await?
        .ok_or(ServiceError::NotFound("organisation"))
}
