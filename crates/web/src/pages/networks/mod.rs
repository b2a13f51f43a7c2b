//! Networks and mailing lists: the networks anyone may look at and apply to, each network's
//! page, the member directory, communities and their threads, organisers' decisions and
//! moderation; and mailing lists with their sign-up, confirmation and leaving pages.

pub mod lists;
pub mod network;
pub mod talk;

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use domain::Permission;

use crate::routes::{Need, Routes, permission};
use crate::view::{Layout, render};
use crate::viewer::Viewer;

pub fn routes() -> Routes {
    let run = permission(Permission::RunNetworks);
    Routes::new()
        .get("/networks", Need::Public, network::list)
        .get("/networks/{slug}", Need::Public, network::show)
        .get(
            "/networks/{slug}/apply",
            Need::SignedIn,
            network::apply_form,
        )
        .post("/networks/{slug}/apply", Need::SignedIn, network::apply)
        .post(
            "/networks/{slug}/withdraw",
            Need::SignedIn,
            network::withdraw,
        )
        .post("/networks/{slug}/listing", Need::SignedIn, network::listing)
        .get("/networks/{slug}/members", Need::SignedIn, network::members)
        .get("/networks/{slug}/applications", run, network::applications)
        .get(
            "/networks/{slug}/applications/{id}",
            run,
            network::application,
        )
        .post("/networks/{slug}/applications/{id}", run, network::decide)
        .post("/networks/{slug}/events", run, network::show_event)
        .get("/networks/{slug}/reports", run, talk::reports)
        .get(
            "/networks/communities/{id}",
            Need::SignedIn,
            talk::community,
        )
        .post(
            "/networks/communities/{id}",
            Need::SignedIn,
            talk::start_thread,
        )
        .get("/networks/threads/{id}", Need::SignedIn, talk::thread)
        .post("/networks/threads/{id}", Need::SignedIn, talk::reply)
        .get("/networks/posts/{id}/edit", Need::SignedIn, talk::edit_form)
        .post("/networks/posts/{id}/edit", Need::SignedIn, talk::edit)
        .get(
            "/networks/posts/{id}/report",
            Need::SignedIn,
            talk::report_form,
        )
        .post("/networks/posts/{id}/report", Need::SignedIn, talk::report)
        .post("/networks/posts/{id}/moderate", run, talk::moderate)
        .get("/lists/{slug}", Need::Public, lists::show)
        .post("/lists/{slug}", Need::Public, lists::subscribe)
        .get("/lists/confirm/{token}", Need::Public, lists::confirm_form)
        .post("/lists/confirm/{token}", Need::Public, lists::confirm)
        .get("/lists/{slug}/leave", Need::Public, lists::leave_form)
        .post("/lists/{slug}/leave", Need::Public, lists::leave)
        .get(
            "/lists/{slug}/leave/{token}",
            Need::Public,
            lists::leave_link_form,
        )
        .post(
            "/lists/{slug}/leave/{token}",
            Need::Public,
            lists::leave_link,
        )
        .get("/lists/{slug}/send", run, lists::send_form)
        .post("/lists/{slug}/send", run, lists::send)
}

/// A page that tells the reader one thing, with at most one button and some links onward.
#[derive(Template)]
#[template(path = "networks/notice.html")]
pub(crate) struct Notice {
    pub l: Layout,
    pub caption: String,
    pub paragraphs: Vec<String>,
    /// A form's action and its button's text (empty for none).
    pub action: String,
    pub button: String,
    pub links: Vec<(String, String)>,
}

pub(crate) fn notice(
    v: &Viewer,
    status: StatusCode,
    title: &str,
    caption: &str,
    paragraphs: Vec<String>,
    button: Option<(String, &str)>,
    links: Vec<(String, String)>,
) -> Response {
    let (action, button) = button.map(|(a, b)| (a, b.to_owned())).unwrap_or_default();
    render(
        status,
        &Notice {
            l: Layout::for_viewer(title, v, "/networks"),
            caption: caption.to_owned(),
            paragraphs,
            action,
            button,
            links,
        },
    )
}
