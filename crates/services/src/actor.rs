//! Who is acting, with the roles they hold and where. All permission checks go through here.

use domain::{OrgKind, Permission, Role};
use serde::Serialize;

use crate::error::ServiceError;

/// A role held at an organisation; it applies to that organisation and all below it.
#[derive(Clone, Debug, Serialize)]
pub struct Grant {
    pub role: Role,
    pub organisation_id: i32,
    pub organisation_name: String,
    pub organisation_kind: OrgKind,
    /// The organisation's materialised path ("/1/4/").
    pub path: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Actor {
    pub user_id: i32,
    pub email: String,
    pub display_name: String,
    pub grants: Vec<Grant>,
}

impl Actor {
    pub fn roles(&self) -> impl Iterator<Item = Role> + '_ {
        self.grants.iter().map(|g| g.role)
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles().any(|r| r == role)
    }

    /// Holds the permission somewhere.
    pub fn can(&self, p: Permission) -> bool {
        self.grants.iter().any(|g| g.role.grants(p))
    }

    /// Holds the permission over the organisation at `path` (at it or above it).
    pub fn can_at(&self, p: Permission, path: &str) -> bool {
        self.grants
            .iter()
            .any(|g| g.role.grants(p) && path.starts_with(&g.path))
    }

    /// May see the organisation at `path`: within a scope where the actor may view
    /// organisations, or one of the organisations above the actor's own (their PCN's ICB).
    pub fn can_see_org(&self, path: &str) -> bool {
        self.grants.iter().any(|g| {
            g.role.grants(Permission::ViewOrganisations)
                && (path.starts_with(&g.path) || g.path.starts_with(path))
        })
    }

    /// The paths under which the actor holds the permission, with nested ones removed.
    pub fn scopes(&self, p: Permission) -> Vec<String> {
        let mut paths: Vec<String> = self
            .grants
            .iter()
            .filter(|g| g.role.grants(p))
            .map(|g| g.path.clone())
            .collect();
        paths.sort();
        paths.dedup();
        let all = paths.clone();
        paths.retain(|p| !all.iter().any(|q| q != p && p.starts_with(q.as_str())));
        paths
    }

    pub fn require(&self, p: Permission, what: &str) -> Result<(), ServiceError> {
        if self.can(p) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(what.to_owned()))
        }
    }

    pub fn require_at(&self, p: Permission, path: &str, what: &str) -> Result<(), ServiceError> {
        if self.can_at(p, path) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(what.to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, path: &str) -> Actor {
        Actor {
            user_id: 1,
            email: "a@b.uk".into(),
            display_name: "A".into(),
            grants: vec![Grant {
                role,
                organisation_id: 4,
                organisation_name: "PCN".into(),
                organisation_kind: OrgKind::Pcn,
                path: path.into(),
            }],
        }
    }

    #[test]
    fn a_pcn_manager_manages_their_pcn_and_its_practices_only() {
        let a = actor(Role::PcnManager, "/1/2/4/");
        assert!(a.can_at(Permission::ManageOrganisations, "/1/2/4/"));
        assert!(a.can_at(Permission::ManageOrganisations, "/1/2/4/9/"));
        assert!(!a.can_at(Permission::ManageOrganisations, "/1/2/5/"));
        assert!(!a.can_at(Permission::ManageOrganisations, "/1/2/"));
        // /1/2/44/ must not match /1/2/4/: paths end in a slash for this reason.
        assert!(!a.can_at(Permission::ManageOrganisations, "/1/2/44/"));
    }

    #[test]
    fn staff_see_their_ancestors_but_not_siblings() {
        let a = actor(Role::LinkWorker, "/1/2/4/");
        assert!(a.can_see_org("/1/2/"));
        assert!(a.can_see_org("/1/2/4/9/"));
        assert!(!a.can_see_org("/1/2/5/"));
    }

    #[test]
    fn a_person_sees_no_organisation_pages() {
        let a = actor(Role::Person, "/1/2/4/");
        assert!(!a.can_see_org("/1/2/4/"));
    }

    #[test]
    fn nested_scopes_collapse() {
        let mut a = actor(Role::Admin, "/1/");
        a.grants.push(Grant {
            path: "/1/2/".into(),
            ..a.grants[0].clone()
        });
        assert_eq!(a.scopes(Permission::ViewAudit), vec!["/1/".to_string()]);
    }
}
