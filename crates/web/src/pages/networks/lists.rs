//! Mailing lists: a list's page with its sign-up form and the wording agreed to, "check your
//! email", the confirmation link's page (a button, so a mail scanner opening the link confirms
//! nothing), leaving by a message's link or by typing an address, and the organisers' page to
//! send a message.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use services::ServiceError;
use services::networks::lists::{self, LinkResult, List};
use std::collections::HashMap;

use super::notice;
use crate::AppState;
use crate::error::PageError;
use crate::forms::Form;
use crate::view::{Errors, Layout, date_time, render, thousands};
use crate::viewer::{CurrentActor, Viewer};

#[derive(Template)]
#[template(path = "networks/mailing_list.html")]
struct ListPage {
    l: Layout,
    errors: Errors,
    list: List,
    name: String,
    email: String,
    organiser: bool,
}

fn list_page(
    v: &Viewer,
    status: StatusCode,
    list: List,
    errors: Errors,
    f: HashMap<String, String>,
) -> Response {
    render(
        status,
        &ListPage {
            l: Layout::for_viewer(list.name.clone(), v, "/networks").with_errors(&errors),
            errors,
            organiser: v.actor().is_some_and(|a| list.organised_by(a)),
            list,
            name: f.get("name").cloned().unwrap_or_default(),
            email: f.get("email").cloned().unwrap_or_default(),
        },
    )
}

pub async fn show(State(state): State<AppState>, v: Viewer, Path(slug): Path<String>) -> Response {
    match lists::get(&state.svc, &slug).await {
        Ok(l) => {
            let mut f = HashMap::new();
            if let Some(a) = v.actor() {
                f.insert("name".to_owned(), a.display_name.clone());
                f.insert("email".to_owned(), a.email.clone());
            }
            list_page(&v, StatusCode::OK, l, Errors::default(), f)
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn subscribe(
    State(state): State<AppState>,
    v: Viewer,
    Path(slug): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let source = format!("/lists/{slug}");
    match lists::subscribe(
        &state.svc,
        &v.meta,
        &slug,
        &get("name"),
        &get("email"),
        &source,
    )
    .await
    {
        Ok(()) => notice(
            &v,
            StatusCode::OK,
            "Check your email",
            "Keep in the loop",
            vec![
                format!(
                    "We have sent an email to {} with a link to confirm.",
                    get("email").trim()
                ),
                format!(
                    "Nothing more will be sent until you use it. The link works for {} days.",
                    lists::CONFIRM_DAYS
                ),
            ],
            None,
            vec![("/networks".into(), "Networks".into())],
        ),
        Err(ServiceError::Invalid(list)) => match lists::get(&state.svc, &slug).await {
            Ok(l) => list_page(
                &v,
                StatusCode::UNPROCESSABLE_ENTITY,
                l,
                Errors::in_order(list, &lists::SUBSCRIBE_FIELDS),
                f,
            ),
            Err(e) => PageError::new(e, &v).into_response(),
        },
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

fn link_result(v: &Viewer, r: LinkResult, done_title: &str, done_text: String) -> Response {
    match r {
        LinkResult::Done { list, slug } => notice(
            v,
            StatusCode::OK,
            done_title,
            &list,
            vec![done_text.replace("{list}", &list)],
            None,
            vec![(format!("/lists/{slug}"), format!("About {list}"))],
        ),
        LinkResult::Expired { slug } => notice(
            v,
            StatusCode::GONE,
            "This link has expired",
            "",
            vec!["The link has run out, or you have left the list since it was sent. You can ask to join again.".into()],
            None,
            vec![(format!("/lists/{slug}"), "Join the list again".into())],
        ),
        LinkResult::Invalid => notice(
            v,
            StatusCode::NOT_FOUND,
            "This link is not valid",
            "",
            vec!["Check that you copied the whole link from the email.".into()],
            None,
            vec![("/networks".into(), "Networks".into())],
        ),
    }
}

pub async fn confirm_form(v: Viewer, Path(token): Path<String>) -> Response {
    notice(
        &v,
        StatusCode::OK,
        "Confirm your subscription",
        "Keep in the loop",
        vec!["Confirm that you want to receive this list's emails. You can leave at any time by the link in every email.".into()],
        Some((format!("/lists/confirm/{token}"), "Confirm")),
        Vec::new(),
    )
}

pub async fn confirm(
    State(state): State<AppState>,
    v: Viewer,
    Path(token): Path<String>,
) -> Response {
    match lists::confirm(&state.svc, &v.meta, &token).await {
        Ok(r) => link_result(
            &v,
            r,
            "You are subscribed",
            "Thank you: you will now receive {list}. Every email has a link to leave.".into(),
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Template)]
#[template(path = "networks/leave.html")]
struct LeavePage {
    l: Layout,
    errors: Errors,
    list: List,
    email: String,
}

pub async fn leave_form(
    State(state): State<AppState>,
    v: Viewer,
    Path(slug): Path<String>,
) -> Response {
    match lists::get(&state.svc, &slug).await {
        Ok(list) => render(
            StatusCode::OK,
            &LeavePage {
                l: Layout::for_viewer(format!("Leave {}", list.name), &v, "/networks"),
                errors: Errors::default(),
                list,
                email: String::new(),
            },
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn leave(
    State(state): State<AppState>,
    v: Viewer,
    Path(slug): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let email = f.get("email").cloned().unwrap_or_default();
    match lists::unsubscribe_address(&state.svc, &v.meta, &slug, &email).await {
        Ok(()) => notice(
            &v,
            StatusCode::OK,
            "You will get no more emails from this list",
            "Keep in the loop",
            vec![format!(
                "If {} was on the list, it has been taken off. You can join again at any time.",
                email.trim()
            )],
            None,
            vec![(format!("/lists/{slug}"), "Back to the list".into())],
        ),
        Err(ServiceError::Invalid(list)) => match lists::get(&state.svc, &slug).await {
            Ok(l) => {
                let errors = Errors(list);
                render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &LeavePage {
                        l: Layout::for_viewer(format!("Leave {}", l.name), &v, "/networks")
                            .with_errors(&errors),
                        errors,
                        list: l,
                        email,
                    },
                )
            }
            Err(e) => PageError::new(e, &v).into_response(),
        },
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn leave_link_form(v: Viewer, Path((slug, token)): Path<(String, String)>) -> Response {
    notice(
        &v,
        StatusCode::OK,
        "Leave this mailing list",
        "Keep in the loop",
        vec!["You will get no more emails from this list. You can join again at any time.".into()],
        Some((format!("/lists/{slug}/leave/{token}"), "Unsubscribe")),
        Vec::new(),
    )
}

pub async fn leave_link(
    State(state): State<AppState>,
    v: Viewer,
    Path((slug, token)): Path<(String, String)>,
) -> Response {
    match lists::unsubscribe(&state.svc, &v.meta, &slug, &token, "link in a message").await {
        Ok(r) => link_result(
            &v,
            r,
            "You have unsubscribed",
            "You will get no more emails from {list}.".into(),
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub struct SentRow {
    pub subject: String,
    pub when: String,
    pub progress: String,
}

#[derive(Template)]
#[template(path = "networks/send.html")]
struct SendPage {
    l: Layout,
    errors: Errors,
    list: List,
    subscribed: String,
    pending: String,
    sent: Vec<SentRow>,
    subject: String,
    body: String,
}

async fn send_page(
    state: &AppState,
    v: &Viewer,
    a: &services::Actor,
    slug: &str,
    status: StatusCode,
    errors: Errors,
    f: HashMap<String, String>,
) -> Response {
    match lists::overview(&state.svc, a, slug).await {
        Ok(o) => render(
            status,
            &SendPage {
                l: Layout::for_viewer(format!("Send to {}", o.list.name), v, "/networks")
                    .with_errors(&errors),
                errors,
                subscribed: thousands(i64::try_from(o.subscribed).unwrap_or(i64::MAX)),
                pending: thousands(i64::try_from(o.pending).unwrap_or(i64::MAX)),
                sent: o
                    .messages
                    .into_iter()
                    .map(|m| SentRow {
                        subject: m.subject,
                        when: date_time(&m.created_at),
                        progress: if i64::try_from(m.delivered).unwrap_or(0)
                            >= i64::from(m.recipients)
                        {
                            format!("Sent to {}", thousands(i64::from(m.recipients)))
                        } else {
                            format!(
                                "Sending: {} of {}",
                                thousands(i64::try_from(m.delivered).unwrap_or(0)),
                                thousands(i64::from(m.recipients))
                            )
                        },
                    })
                    .collect(),
                list: o.list,
                subject: f.get("subject").cloned().unwrap_or_default(),
                body: f.get("body").cloned().unwrap_or_default(),
            },
        ),
        Err(e) => PageError::new(e, v).into_response(),
    }
}

pub async fn send_form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(slug): Path<String>,
) -> Response {
    send_page(
        &state,
        &v,
        a,
        &slug,
        StatusCode::OK,
        Errors::default(),
        HashMap::new(),
    )
    .await
}

pub async fn send(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(slug): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    match lists::send(&state.svc, a, &v.meta, &slug, &get("subject"), &get("body")).await {
        Ok(_) => Redirect::to(&format!("/lists/{slug}/send?saved=list-sent")).into_response(),
        Err(ServiceError::Invalid(list)) => {
            send_page(
                &state,
                &v,
                a,
                &slug,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors::in_order(list, &lists::SEND_FIELDS),
                f,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            send_page(
                &state,
                &v,
                a,
                &slug,
                StatusCode::CONFLICT,
                Errors::one("subject", m),
                f,
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
