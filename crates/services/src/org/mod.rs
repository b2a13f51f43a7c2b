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

/// Organisations at or under any of these materialised paths, as a range an index serves on
/// both databases: `path` from the prefix up to (not including) the prefix with its last
/// character raised by one. SQLite compares text bytewise and uses its ordinary index on
/// `path`; PostgreSQL uses the bytewise operators (`~>=~`, `~<~`) that the `text_pattern_ops`
/// index serves whatever the database's collation. A range, unlike `GLOB`/`LIKE` with a bound
/// pattern, does not make SQLite prepare the statement again on every run, and a generic plan
/// on PostgreSQL can still use the index. No paths: no match.
pub(crate) fn under_paths(backend: sea_orm::DbBackend, paths: &[String]) -> Condition {
    use sea_orm::sea_query::{BinOper, ExprTrait};
    let mut cond = Condition::any();
    if paths.is_empty() {
        return cond.add(organisation::Column::Id.eq(-1));
    }
    let (from, below) = match backend {
        sea_orm::DbBackend::Postgres => (BinOper::Custom("~>=~"), BinOper::Custom("~<~")),
        _ => (BinOper::GreaterThanOrEqual, BinOper::SmallerThan),
    };
    for p in paths {
        let path = || Expr::col((organisation::Entity, organisation::Column::Path));
        cond = cond.add(
            Condition::all()
                .add(path().binary(from, Expr::value(p.clone())))
                .add(path().binary(below, Expr::value(prefix_end(p)))),
        );
    }
    cond
}

/// The least string above every string that starts with `prefix` (its last character raised
/// by one; paths end in `/`, so `/1/4/` gives `/1/40`).
fn prefix_end(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    match chars.pop() {
        Some(last) => {
            let next = char::from_u32(u32::from(last) + 1).unwrap_or(char::MAX);
            chars.push(next);
            chars.into_iter().collect()
        }
        None => char::MAX.to_string(),
    }
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

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn a_prefix_ends_just_above_everything_it_starts() {
        assert_eq!(prefix_end("/1/4/"), "/1/40");
        for under in ["/1/4/", "/1/4/9/", "/1/4/12/3/"] {
            assert!(under >= "/1/4/" && under < prefix_end("/1/4/").as_str());
        }
        for outside in ["/1/40/", "/1/41/", "/1/5/", "/1/", "/1/3/9/"] {
            assert!(!(outside >= "/1/4/" && outside < prefix_end("/1/4/").as_str()));
        }
    }
}
