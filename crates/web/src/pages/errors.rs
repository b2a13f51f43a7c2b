//! The NHS-style 403, 404, 429 and 500 pages, and the CSRF failure page.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use services::Actor;
use std::any::Any;

use crate::view::{Layout, render};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    heading: String,
    paragraphs: Vec<String>,
}

pub fn render_status(status: StatusCode, actor: Option<&Actor>) -> Response {
    let (title, paragraphs): (&str, &[&str]) = match status {
        StatusCode::NOT_FOUND => (
            "Page not found",
            &[
                "If you typed the web address, check it is correct.",
                "If you pasted the web address, check you copied the entire address.",
            ],
        ),
        StatusCode::FORBIDDEN => (
            "You do not have permission to see this page",
            &[
                "Your role does not give you access to this page or record. This has been recorded.",
                "If you think you should have access, ask your organisation's whatmatters administrator.",
            ],
        ),
        StatusCode::CONFLICT => (
            "This has already been done",
            &[
                "The record changed since you opened the page. Go back and reload it to see the latest version.",
            ],
        ),
        StatusCode::BAD_REQUEST => (
            "Sorry, we could not understand that request",
            &[
                "The web address or form had something in it we cannot accept. Nothing has been saved.",
                "Go back and try again, or start again from the home page.",
            ],
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "Sorry, that cannot be done at this address",
            &["Go back and use the page's own links and buttons."],
        ),
        StatusCode::REQUEST_TIMEOUT => (
            "Sorry, that took too long",
            &["Nothing has been saved. Try again in a moment."],
        ),
        StatusCode::TOO_MANY_REQUESTS => (
            "Too many attempts",
            &[
                "For everyone's security there is a limit on how often this can be tried. Nothing has been saved.",
                "Wait a few minutes and try again.",
            ],
        ),
        StatusCode::UNPROCESSABLE_ENTITY => (
            "Sorry, we could not use what was sent",
            &["Go back, check what you entered and try again. Nothing has been saved."],
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "What you sent is too large",
            &["Go back and try again with less."],
        ),
        _ => (
            "Sorry, there is a problem with the service",
            &[
                "Try again later. What you entered has not been saved.",
                "If the problem continues, contact your whatmatters administrator.",
            ],
        ),
    };
    render(
        status,
        &ErrorPage {
            l: Layout::new(title, actor, "", ""),
            heading: title.into(),
            paragraphs: paragraphs.iter().map(|s| s.to_string()).collect(),
        },
    )
}

/// "Too many attempts" (429), saying when to try again; also sent as Retry-After.
pub fn too_many_attempts(retry_after_secs: u64, actor: Option<&Actor>) -> Response {
    let title = "Too many attempts";
    let when = match retry_after_secs {
        0..=1 => "a moment".to_owned(),
        2..=59 => format!("{retry_after_secs} seconds"),
        60..=119 => "1 minute".to_owned(),
        s => format!("{} minutes", s.div_ceil(60)),
    };
    let mut r = render(
        StatusCode::TOO_MANY_REQUESTS,
        &ErrorPage {
            l: Layout::new(title, actor, "", ""),
            heading: title.into(),
            paragraphs: vec![
                "There have been too many attempts in a short time, so for your security we have paused them. Nothing has been changed.".into(),
                format!("Try again in {when}."),
                "If you cannot wait, contact your whatmatters administrator or, if you were referring yourself, phone your GP practice.".into(),
            ],
        },
    );
    r.headers_mut()
        .insert(axum::http::header::RETRY_AFTER, retry_after_secs.into());
    r
}

pub async fn not_found() -> Response {
    render_status(StatusCode::NOT_FOUND, None)
}

pub fn csrf_failed(actor: Option<&Actor>) -> Response {
    let title = "This form has expired";
    render(
        StatusCode::FORBIDDEN,
        &ErrorPage {
            l: Layout::new(title, actor, "", ""),
            heading: title.into(),
            paragraphs: vec![
                "For your security, forms only work for the page and session they were opened in. Nothing has been saved.".into(),
                "Go back, reload the page and try again.".into(),
            ],
        },
    )
}

pub fn panic_response(err: Box<dyn Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    tracing::error!(panic = %detail, "request handler panicked");
    render_status(StatusCode::INTERNAL_SERVER_ERROR, None)
}
