//! Managing staff: inviting someone by e-mail, their roles, and closing or reopening their
//! account (see `services::identity::staff`). The command line stays for automation.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use services::identity::staff::{self, InviteInput};
use services::{Actor, ServiceError};
use std::collections::HashMap;

use crate::AppState;
use crate::error::PageError;
use crate::forms::Form;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, date_time, render};
use crate::viewer::CurrentActor;

type Fields = HashMap<String, String>;

fn field<'a>(f: &'a Fields, k: &str) -> &'a str {
    f.get(k).map(|s| s.trim()).unwrap_or("")
}

#[derive(Template)]
#[template(path = "admin/invite.html")]
struct InvitePage {
    l: Layout,
    errors: Errors,
    values: Fields,
    roles: Vec<(&'static str, &'static str)>,
    organisations: Vec<(String, String)>,
}

impl InvitePage {
    fn val(&self, k: &str) -> &str {
        self.values.get(k).map(String::as_str).unwrap_or("")
    }
}

async fn choices(
    state: &AppState,
    a: &Actor,
) -> Result<(Vec<(&'static str, &'static str)>, Vec<(String, String)>), ServiceError> {
    let roles = staff::roles_to_give(a)
        .into_iter()
        .map(|r| (r.as_str(), r.label()))
        .collect();
    let orgs = staff::organisations_to_give(&state.svc, a)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    Ok((roles, orgs))
}

async fn invite_page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    status: StatusCode,
    errors: Errors,
    values: Fields,
) -> Response {
    let (roles, organisations) = match choices(state, a).await {
        Ok(x) => x,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    render(
        status,
        &InvitePage {
            l: Layout::for_viewer("Invite a member of staff", v, "/admin/users")
                .with_errors(&errors),
            errors,
            values,
            roles,
            organisations,
        },
    )
}

pub async fn invite_form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Response {
    invite_page(
        &state,
        &v,
        a,
        StatusCode::OK,
        Errors::default(),
        Fields::new(),
    )
    .await
}

pub async fn invite(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Form(f): Form<Fields>,
) -> Response {
    let input = InviteInput {
        email: field(&f, "email").to_owned(),
        display_name: field(&f, "display_name").to_owned(),
        role: field(&f, "role").to_owned(),
        organisation_id: field(&f, "organisation_id").parse().ok(),
    };
    match staff::invite(&state.svc, a, &v.meta, input).await {
        Ok(staff::Invited::New(u)) => {
            Redirect::to(&format!("/admin/users/{}?saved=invited", u.id)).into_response()
        }
        Ok(staff::Invited::AlreadyHadAccount) => {
            Redirect::to("/admin/users?saved=invited").into_response()
        }
        Err(ServiceError::Conflict(m)) => {
            invite_page(
                &state,
                &v,
                a,
                StatusCode::CONFLICT,
                Errors::one("email", m),
                f,
            )
            .await
        }
        Err(ServiceError::Invalid(list)) => {
            invite_page(
                &state,
                &v,
                a,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                f,
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage {
    l: Layout,
    errors: Errors,
    id: i32,
    name: String,
    email: String,
    status: &'static str,
    status_class: &'static str,
    active: bool,
    last_sign_in: String,
    /// The roles they hold: membership id, role and organisation.
    held: Vec<(i32, &'static str, String)>,
    yourself: bool,
    values: Fields,
    role_choices: Vec<(&'static str, &'static str)>,
    organisations: Vec<(String, String)>,
}

impl UserPage {
    fn val(&self, k: &str) -> &str {
        self.values.get(k).map(String::as_str).unwrap_or("")
    }
}

async fn user_page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    id: i32,
    status: StatusCode,
    errors: Errors,
    values: Fields,
) -> Response {
    let loaded = async {
        let m = staff::get(&state.svc, a, id).await?;
        let c = choices(state, a).await?;
        Ok::<_, ServiceError>((m, c))
    }
    .await;
    let (m, (role_choices, organisations)) = match loaded {
        Ok(x) => x,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    let now = state.svc.now();
    let (status_text, status_class) = if !m.user.active {
        ("Closed", "nhsuk-tag--grey")
    } else if m.invited {
        ("Invited", "nhsuk-tag--blue")
    } else if m.user.locked_until.is_some_and(|t| t > now) {
        ("Locked", "nhsuk-tag--red")
    } else {
        ("Active", "nhsuk-tag--green")
    };
    render(
        status,
        &UserPage {
            l: Layout::for_viewer(m.user.display_name.clone(), v, "/admin/users")
                .with_errors(&errors),
            errors,
            id,
            name: m.user.display_name.clone(),
            email: m.user.email.clone(),
            status: status_text,
            status_class,
            active: m.user.active,
            last_sign_in: m
                .user
                .last_sign_in_at
                .map(|t| date_time(&t))
                .unwrap_or_else(|| "Never".into()),
            held: m
                .roles
                .iter()
                .map(|(mid, g)| (*mid, g.role.label(), g.organisation_name.clone()))
                .collect(),
            yourself: a.user_id == id,
            values,
            role_choices,
            organisations,
        },
    )
}

pub async fn user(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    user_page(
        &state,
        &v,
        a,
        id,
        StatusCode::OK,
        Errors::default(),
        Fields::new(),
    )
    .await
}

/// Back to the user's page with the banner, or the page again with the problem.
async fn after(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    id: i32,
    result: Result<(), ServiceError>,
    saved: &str,
    values: Fields,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/admin/users/{id}?saved={saved}")).into_response(),
        Err(ServiceError::Invalid(list)) => {
            user_page(
                state,
                v,
                a,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                values,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            user_page(
                state,
                v,
                a,
                id,
                StatusCode::CONFLICT,
                Errors::one("roles", m),
                values,
            )
            .await
        }
        Err(e) => PageError::new(e, v).into_response(),
    }
}

pub async fn add_role(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<Fields>,
) -> Response {
    let r = staff::add_role(
        &state.svc,
        a,
        &v.meta,
        id,
        field(&f, "role"),
        field(&f, "organisation_id").parse().ok(),
    )
    .await;
    after(&state, &v, a, id, r, "role-given", f).await
}

pub async fn remove_role(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path((id, membership)): Path<(i32, i32)>,
) -> Response {
    let r = staff::remove_role(&state.svc, a, &v.meta, id, membership).await;
    after(&state, &v, a, id, r, "role-removed", Fields::new()).await
}

pub async fn close(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    let r = staff::set_active(&state.svc, a, &v.meta, id, false).await;
    after(&state, &v, a, id, r, "closed", Fields::new()).await
}

pub async fn reopen(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    let r = staff::set_active(&state.svc, a, &v.meta, id, true).await;
    after(&state, &v, a, id, r, "reopened", Fields::new()).await
}
