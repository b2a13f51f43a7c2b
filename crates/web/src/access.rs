//! What each route needs, in one table. The access middleware refuses any route missing from
//! it, so a new route cannot be reachable without a decision about who may use it.

use axum::http::Method;
use domain::Permission;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// A signed-in user holding this permission somewhere; the use case then checks the record.
    Permission(Permission),
}

/// The need of a route (by its path template) and method; None for a route not in the table.
pub fn need(method: &Method, route: &str) -> Option<Need> {
    use Need::{Public, SignedIn};
    use Permission::*;
    let need = Need::Permission;
    let write = !(method == Method::GET || method == Method::HEAD);
    Some(match route {
        "/" | "/sign-in" | "/password-reset" | "/password-reset/{token}" => Public,
        "/api/docs" | "/api/openapi.json" | "/healthz" | "/readyz" | "/metrics"
        | "/assets/{*path}" => Public,
        "/sign-out" | "/account" | "/api/v1/me" => SignedIn,
        "/organisations" | "/organisations/{id}" => need(ViewOrganisations),
        "/organisations/new" | "/organisations/{id}/edit" => need(ManageOrganisations),
        "/api/v1/organisations" | "/api/v1/organisations/{id}" if write => {
            need(ManageOrganisations)
        }
        "/api/v1/organisations" | "/api/v1/organisations/{id}" => need(ViewOrganisations),
        "/admin/audit" | "/api/v1/audit-events" => need(ViewAudit),
        "/admin/users" => need(ManageUsers),
        "/self-referral" => Public,
        "/caseload"
        | "/caseload/no-one-lost"
        | "/people"
        | "/referrals/{id}/contacts"
        | "/referrals/{id}/assign"
        | "/referrals/{id}/state"
        | "/referrals/{id}/discharge" => need(ProvideCare),
        // Anyone on staff may refer; the person's own pages check the relationship in the use case.
        "/referrals/new" | "/referrals/{id}" | "/referrals/{id}/message" | "/people/{id}" => {
            SignedIn
        }
        "/people/{id}/about-me" | "/people/{id}/measures" | "/people/{id}/plan" | "/me" => SignedIn,
        "/people/{id}/plan/edit" | "/people/{id}/decisions" => need(ProvideCare),
        "/people/{id}/edit" | "/people/{id}/consents" => need(ProvideCare),
        "/api/v1/caseload"
        | "/api/v1/people"
        | "/api/v1/referrals/{id}/contacts"
        | "/api/v1/referrals/{id}/discharge"
        | "/api/v1/people/{id}/decisions" => need(ProvideCare),
        // The use cases check the relationship; a person may use their own record.
        "/api/v1/referrals"
        | "/api/v1/referrals/{id}"
        | "/api/v1/people/{id}"
        | "/api/v1/people/{id}/about-me"
        | "/api/v1/people/{id}/plan"
        | "/api/v1/people/{id}/measures" => SignedIn,
        "/account/api-tokens" | "/account/api-tokens/{id}/revoke" => need(UseApi),
        _ => return None,
    })
}

/// Routes that never need to know who is asking (no session lookup).
pub fn anonymous_only(route: &str) -> bool {
    matches!(
        route,
        "/healthz" | "/readyz" | "/metrics" | "/assets/{*path}" | "/api/openapi.json"
    )
}
