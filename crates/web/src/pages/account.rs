//! The signed-in user's account page, with their API tokens.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::Permission;
use serde::Deserialize;
use services::Actor;
use services::{FieldError, ServiceError, identity::token};

use crate::AppState;
use crate::error::PageError;
use crate::forms::optional_int;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, date, render};
use crate::viewer::CurrentActor;

pub struct TokenRow {
    pub id: i32,
    pub name: String,
    pub prefix: String,
    pub status: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "account/show.html")]
struct AccountPage {
    l: Layout,
    errors: Errors,
    message: String,
    new_token: Option<String>,
    name: String,
    email: String,
    roles: Vec<String>,
    can_use_api: bool,
    tokens: Vec<TokenRow>,
    token_name: String,
    expires_in_days: String,
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page is drawn from everything the form holds"
)]
async fn page(
    state: &AppState,
    v: &Viewer,
    actor: &Actor,
    status: StatusCode,
    errors: Errors,
    message: String,
    new_token: Option<String>,
    typed: (String, String),
) -> Response {
    let now = state.svc.now();
    let tokens = match token::list(&state.svc, actor).await {
        Ok(t) => t,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    let tokens = tokens
        .into_iter()
        .map(|t| {
            let expired = t.expires_at.is_some_and(|e| e <= now);
            let status = match (t.revoked_at, t.expires_at) {
                (Some(r), _) => format!("Revoked on {}", date(&r)),
                (None, Some(e)) if expired => format!("Expired on {}", date(&e)),
                (None, Some(e)) => format!("Expires on {}", date(&e)),
                (None, None) => "Does not expire".into(),
            };
            TokenRow {
                id: t.id,
                active: t.revoked_at.is_none() && !expired,
                name: t.name,
                prefix: t.prefix,
                status,
            }
        })
        .collect();
    render(
        status,
        &AccountPage {
            l: Layout::for_viewer("Your account", v, "/account").with_errors(&errors),
            errors,
            message,
            new_token,
            name: actor.display_name.clone(),
            email: actor.email.clone(),
            roles: actor
                .grants
                .iter()
                .map(|g| format!("{} at {}", g.role.label(), g.organisation_name))
                .collect(),
            can_use_api: actor.can(Permission::UseApi),
            tokens,
            token_name: typed.0,
            expires_in_days: typed.1,
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref actor): CurrentActor,
) -> Response {
    page(
        &state,
        &v,
        actor,
        StatusCode::OK,
        Errors::default(),
        String::new(),
        None,
        (String::new(), "90".into()),
    )
    .await
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    expires_in_days: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref actor): CurrentActor,
    Form(f): Form<TokenForm>,
) -> Response {
    let mut errors: Vec<FieldError> = Vec::new();
    let days = optional_int(
        "expires_in_days",
        "Days until it expires",
        &f.expires_in_days,
        &mut errors,
    );
    let typed = (f.name.clone(), f.expires_in_days.clone());
    if !errors.is_empty() {
        return page(
            &state,
            &v,
            actor,
            StatusCode::UNPROCESSABLE_ENTITY,
            Errors(errors),
            String::new(),
            None,
            typed,
        )
        .await;
    }
    match token::create(&state.svc, actor, &v.meta, &f.name, days).await {
        Ok((_, secret)) => {
            page(
                &state,
                &v,
                actor,
                StatusCode::CREATED,
                Errors::default(),
                String::new(),
                Some(secret),
                (String::new(), "90".into()),
            )
            .await
        }
        Err(ServiceError::Invalid(list)) => {
            page(
                &state,
                &v,
                actor,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                String::new(),
                None,
                typed,
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref actor): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    match token::revoke(&state.svc, actor, &v.meta, id).await {
        Ok(()) => {
            page(
                &state,
                &v,
                actor,
                StatusCode::OK,
                Errors::default(),
                "The token has been revoked: it no longer works.".into(),
                None,
                (String::new(), "90".into()),
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            page(
                &state,
                &v,
                actor,
                StatusCode::CONFLICT,
                Errors::default(),
                m,
                None,
                (String::new(), "90".into()),
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
