//! Server-rendered pages: the platform's here, each other context's in its own folder with its
//! own `routes()`.

pub mod account;
pub mod admin;
pub mod auth;
pub mod care;
pub mod directory;
pub mod docs;
pub mod errors;
pub mod home;
pub mod leadership;
pub mod learning;
pub mod networks;
pub mod organisations;
pub mod staff;

use domain::Permission::{ManageOrganisations, ManageUsers, UseApi, ViewAudit, ViewOrganisations};

use crate::routes::{Need, Routes, permission};

/// The platform's pages: home, sign-in and password reset, account and API tokens,
/// organisations, administration and the API's documentation.
pub fn routes() -> Routes {
    Routes::new()
        .get("/", Need::Public, home::show)
        .get("/sign-in", Need::Public, auth::sign_in_form)
        .post("/sign-in", Need::Public, auth::sign_in)
        .post("/sign-out", Need::SignedIn, auth::sign_out)
        .get("/password-reset", Need::Public, auth::reset_request_form)
        .post("/password-reset", Need::Public, auth::reset_request)
        .get("/password-reset/{token}", Need::Public, auth::reset_form)
        .post("/password-reset/{token}", Need::Public, auth::reset)
        .get("/account", Need::SignedIn, account::show)
        .post(
            "/account/api-tokens",
            permission(UseApi),
            account::create_token,
        )
        .post(
            "/account/api-tokens/{id}/revoke",
            permission(UseApi),
            account::revoke_token,
        )
        .get(
            "/organisations",
            permission(ViewOrganisations),
            organisations::list::list,
        )
        .get(
            "/organisations/new",
            permission(ManageOrganisations),
            organisations::form::new_form,
        )
        .post(
            "/organisations/new",
            permission(ManageOrganisations),
            organisations::form::create,
        )
        .get(
            "/organisations/{id}",
            permission(ViewOrganisations),
            organisations::show::show,
        )
        .get(
            "/organisations/{id}/edit",
            permission(ManageOrganisations),
            organisations::form::edit_form,
        )
        .post(
            "/organisations/{id}/edit",
            permission(ManageOrganisations),
            organisations::form::update,
        )
        .get("/admin/audit", permission(ViewAudit), admin::audit)
        .get("/admin/users", permission(ManageUsers), admin::users)
        .get(
            "/admin/users/invite",
            permission(ManageUsers),
            staff::invite_form,
        )
        .post(
            "/admin/users/invite",
            permission(ManageUsers),
            staff::invite,
        )
        .get("/admin/users/{id}", permission(ManageUsers), staff::user)
        .post(
            "/admin/users/{id}/roles",
            permission(ManageUsers),
            staff::add_role,
        )
        .post(
            "/admin/users/{id}/roles/{membership}/remove",
            permission(ManageUsers),
            staff::remove_role,
        )
        .post(
            "/admin/users/{id}/close",
            permission(ManageUsers),
            staff::close,
        )
        .post(
            "/admin/users/{id}/reopen",
            permission(ManageUsers),
            staff::reopen,
        )
        .get("/api/docs", Need::Public, docs::show)
}
