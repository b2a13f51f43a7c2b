//! Sign in, sign out and password reset pages.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use services::ServiceError;
use services::identity::{
    reset, session,
    sign_in::{SignInError, sign_in as do_sign_in},
};

use crate::AppState;
use crate::error::PageError;
use crate::middleware::{Viewer, set_cookie};
use crate::view::{Errors, Layout, render};

#[derive(Template)]
#[template(path = "auth/sign_in.html")]
struct SignInPage {
    l: Layout,
    errors: Errors,
    email: String,
    next: String,
    expired: bool,
    reset_done: bool,
    registered: bool,
}

#[derive(Deserialize, Default)]
pub struct SignInQuery {
    next: Option<String>,
    expired: Option<String>,
    reset: Option<String>,
    registered: Option<String>,
}

fn local_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => {
            n.to_owned()
        }
        _ => "/".into(),
    }
}

pub async fn sign_in_form(v: Viewer, Query(q): Query<SignInQuery>) -> Response {
    if v.current.is_some() {
        return Redirect::to(&local_next(q.next.as_deref())).into_response();
    }
    render(
        StatusCode::OK,
        &SignInPage {
            l: Layout::for_viewer("Sign in", &v, "/sign-in"),
            errors: Errors::default(),
            email: String::new(),
            next: local_next(q.next.as_deref()),
            expired: q.expired.is_some() || v.expired,
            reset_done: q.reset.is_some(),
            registered: q.registered.is_some(),
        },
    )
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn sign_in(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<SignInForm>,
) -> Response {
    let next = local_next(f.next.as_deref());
    let mut errors = Vec::new();
    if f.email.trim().is_empty() {
        errors.push(services::FieldError::new(
            "email",
            "Enter your email address",
        ));
    }
    if f.password.is_empty() {
        errors.push(services::FieldError::new("password", "Enter your password"));
    }
    let show = |errors: Errors, status| {
        let l = Layout::for_viewer("Sign in", &v, "/sign-in").with_errors(&errors);
        render(
            status,
            &SignInPage {
                l,
                errors,
                email: f.email.clone(),
                next: next.clone(),
                expired: false,
                reset_done: false,
                registered: false,
            },
        )
    };
    if !errors.is_empty() {
        return show(Errors(errors), StatusCode::UNPROCESSABLE_ENTITY);
    }
    match do_sign_in(&state.svc, &f.email, &f.password, &v.meta).await {
        Ok((_, token)) => {
            let mut r = Redirect::to(&next).into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&state, state.session_cookie(), &token, None),
            );
            r
        }
        Err(SignInError::Incorrect) => show(
            Errors::one("email", "The email address or password is incorrect"),
            StatusCode::UNAUTHORIZED,
        ),
        Err(SignInError::Disabled) => show(
            Errors::one(
                "email",
                "This account has been closed. Ask your administrator to reopen it",
            ),
            StatusCode::FORBIDDEN,
        ),
        Err(SignInError::Service(e)) => PageError::new(e, &v).into_response(),
    }
}

pub async fn sign_out(State(state): State<AppState>, v: Viewer) -> Response {
    if let Some(c) = &v.current
        && let Err(e) = session::end(&state.svc, c, &v.meta).await
    {
        return PageError::new(e, &v).into_response();
    }
    let mut r = Redirect::to("/sign-in").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, state.session_cookie(), "", Some(0)),
    );
    r
}

#[derive(Template)]
#[template(path = "auth/reset_request.html")]
struct ResetRequestPage {
    l: Layout,
    errors: Errors,
    email: String,
    minutes: i64,
}

#[derive(Template)]
#[template(path = "auth/reset_sent.html")]
struct ResetSentPage {
    l: Layout,
    email: String,
    minutes: i64,
}

pub async fn reset_request_form(State(state): State<AppState>, v: Viewer) -> Response {
    render(
        StatusCode::OK,
        &ResetRequestPage {
            l: Layout::for_viewer("Reset your password", &v, "/password-reset"),
            errors: Errors::default(),
            email: v.actor().map(|a| a.email.clone()).unwrap_or_default(),
            minutes: state.svc.settings.password_reset_minutes,
        },
    )
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

pub async fn reset_request(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<EmailForm>,
) -> Response {
    let minutes = state.svc.settings.password_reset_minutes;
    match reset::request(&state.svc, &f.email, &v.meta).await {
        Ok(()) => render(
            StatusCode::OK,
            &ResetSentPage {
                l: Layout::for_viewer("Check your email", &v, "/password-reset"),
                email: f.email.trim().to_owned(),
                minutes,
            },
        ),
        Err(ServiceError::Invalid(list)) => {
            let errors = Errors(list);
            let l = Layout::for_viewer("Reset your password", &v, "/password-reset")
                .with_errors(&errors);
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ResetRequestPage {
                    l,
                    errors,
                    email: f.email,
                    minutes,
                },
            )
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Template)]
#[template(path = "auth/reset_form.html")]
struct ResetFormPage {
    l: Layout,
    errors: Errors,
    token: String,
    usable: bool,
}

pub async fn reset_form(
    State(state): State<AppState>,
    v: Viewer,
    Path(token): Path<String>,
) -> Response {
    match reset::check(&state.svc, &token).await {
        Ok(found) => {
            let usable = found.is_some();
            let title = if usable {
                "Choose a new password"
            } else {
                "This link has expired"
            };
            render(
                if usable {
                    StatusCode::OK
                } else {
                    StatusCode::GONE
                },
                &ResetFormPage {
                    l: Layout::for_viewer(title, &v, "/password-reset"),
                    errors: Errors::default(),
                    token,
                    usable,
                },
            )
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

pub async fn reset(
    State(state): State<AppState>,
    v: Viewer,
    Path(token): Path<String>,
    Form(f): Form<ResetForm>,
) -> Response {
    match reset::complete(&state.svc, &token, &f.password, &f.confirm, &v.meta).await {
        Ok(()) => {
            let mut r = Redirect::to("/sign-in?reset=1").into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&state, state.session_cookie(), "", Some(0)),
            );
            r
        }
        Err(ServiceError::Invalid(list)) => {
            let errors = Errors(list);
            let l = Layout::for_viewer("Choose a new password", &v, "/password-reset")
                .with_errors(&errors);
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ResetFormPage {
                    l,
                    errors,
                    token,
                    usable: true,
                },
            )
        }
        Err(ServiceError::Conflict(_)) => render(
            StatusCode::GONE,
            &ResetFormPage {
                l: Layout::for_viewer("This link has expired", &v, "/password-reset"),
                errors: Errors::default(),
                token,
                usable: false,
            },
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
