//! Opening a learner's account: the form, "check your email", and the e-mailed link's page
//! where the learner chooses a password.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use services::ServiceError;
use services::identity::sign_up::{self, SIGN_UP_HOURS, SignUpInput};
use std::collections::HashMap;

use crate::AppState;
use crate::error::PageError;
use crate::forms::Form;
use crate::view::{Errors, Layout, render};
use crate::viewer::Viewer;

/// The form's fields in the order they appear, for the error summary.
const FIELDS: [&str; 4] = ["display_name", "email", "job_role", "organisation_code"];

#[derive(Template)]
#[template(path = "learning/register.html")]
struct FormPage {
    l: Layout,
    errors: Errors,
    f: HashMap<String, String>,
    job_roles: &'static [&'static str],
}

impl FormPage {
    fn v(&self, k: &str) -> &str {
        self.f.get(k).map(String::as_str).unwrap_or("")
    }
    fn e(&self, k: &str) -> &str {
        self.errors.get(k).unwrap_or("")
    }
}

fn form_page(
    v: &Viewer,
    status: StatusCode,
    errors: Errors,
    f: HashMap<String, String>,
) -> Response {
    render(
        status,
        &FormPage {
            l: Layout::for_viewer("Create an account", v, "/register").with_errors(&errors),
            errors,
            f,
            job_roles: &domain::learning::JOB_ROLES,
        },
    )
}

pub async fn form(v: Viewer) -> Response {
    if v.actor().is_some() {
        return Redirect::to("/").into_response();
    }
    form_page(&v, StatusCode::OK, Errors::default(), HashMap::new())
}

#[derive(Template)]
#[template(path = "learning/register_sent.html")]
struct SentPage {
    l: Layout,
    email: String,
    hours: i64,
}

pub async fn submit(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let input = SignUpInput {
        display_name: get("display_name"),
        email: get("email"),
        job_role: get("job_role"),
        organisation_code: get("organisation_code"),
    };
    match sign_up::request(&state.svc, &input, &v.meta).await {
        Ok(()) => render(
            StatusCode::OK,
            &SentPage {
                l: Layout::for_viewer("Check your email", &v, "/register"),
                email: input.email.trim().to_owned(),
                hours: SIGN_UP_HOURS,
            },
        ),
        Err(ServiceError::Invalid(list)) => form_page(
            &v,
            StatusCode::UNPROCESSABLE_ENTITY,
            Errors::in_order(list, &FIELDS),
            f,
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Template)]
#[template(path = "learning/register_finish.html")]
struct FinishPage {
    l: Layout,
    errors: Errors,
    token: String,
    pending: Option<sign_up::Pending>,
}

fn finish_page(
    v: &Viewer,
    status: StatusCode,
    errors: Errors,
    token: String,
    pending: Option<sign_up::Pending>,
) -> Response {
    let title = if pending.is_some() {
        "Choose a password"
    } else {
        "This link has expired"
    };
    render(
        status,
        &FinishPage {
            l: Layout::for_viewer(title, v, "/register").with_errors(&errors),
            errors,
            token,
            pending,
        },
    )
}

pub async fn finish_form(
    State(state): State<AppState>,
    v: Viewer,
    Path(token): Path<String>,
) -> Response {
    match sign_up::check(&state.svc, &token).await {
        Ok(Some(p)) => finish_page(&v, StatusCode::OK, Errors::default(), token, Some(p)),
        Ok(None) => finish_page(&v, StatusCode::GONE, Errors::default(), token, None),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn finish(
    State(state): State<AppState>,
    v: Viewer,
    Path(token): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    match sign_up::complete(
        &state.svc,
        &token,
        &get("password"),
        &get("confirm"),
        &v.meta,
    )
    .await
    {
        Ok(_) => Redirect::to("/sign-in?registered=1").into_response(),
        Err(ServiceError::Invalid(list)) => {
            let pending = match sign_up::check(&state.svc, &token).await {
                Ok(p) => p,
                Err(e) => return PageError::new(e, &v).into_response(),
            };
            finish_page(
                &v,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                token,
                pending,
            )
        }
        Err(ServiceError::Conflict(_)) => {
            finish_page(&v, StatusCode::GONE, Errors::default(), token, None)
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
