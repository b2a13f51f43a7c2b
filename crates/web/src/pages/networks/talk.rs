//! Communities: a community's announcements and threads with a form to start one, a thread
//! with its replies and a form to reply, editing one's own post, reporting a post, and the
//! organisers' list of reported posts to hide or keep.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use services::networks::talk::{self, Moderation, Post, Standing};
use services::paging::Paging;
use services::{Actor, ServiceError};
use std::collections::HashMap;

use crate::AppState;
use crate::error::PageError;
use crate::forms::{Form, Query};
use crate::view::{Errors, Layout, Pager, date_time, render};
use crate::viewer::{CurrentActor, Viewer};

/// A post as pages show it.
pub struct PostView {
    pub id: i32,
    pub author: String,
    pub title: String,
    pub paragraphs: Vec<String>,
    pub when: String,
    pub edited: bool,
    pub hidden: String,
    pub is_hidden: bool,
    pub replies: i32,
    pub mine: bool,
    pub reported: bool,
}

fn view(p: &Post, actor: &Actor, reported: &[i32]) -> PostView {
    PostView {
        id: p.id,
        author: p.author.clone(),
        title: p.title.clone().unwrap_or_default(),
        paragraphs: p
            .body
            .split("\n\n")
            .filter(|x| !x.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        when: date_time(&p.created_at),
        edited: p.edited_at.is_some(),
        hidden: p.hidden.clone().unwrap_or_default(),
        is_hidden: p.hidden.is_some(),
        replies: p.replies,
        mine: p.author_id == Some(actor.user_id),
        reported: reported.contains(&p.id),
    }
}

#[derive(Template)]
#[template(path = "networks/community.html")]
struct CommunityPage {
    l: Layout,
    errors: Errors,
    network: String,
    slug: String,
    id: i32,
    organiser: bool,
    announcements: Vec<PostView>,
    threads: Vec<PostView>,
    total: u64,
    pager: Pager,
    title: String,
    body: String,
    announcement: bool,
}

#[allow(clippy::too_many_arguments)]
async fn community_page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    id: i32,
    page: u64,
    status: StatusCode,
    errors: Errors,
    f: HashMap<String, String>,
) -> Response {
    let paging = match Paging::new(page, 25) {
        Ok(p) => p,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    match talk::community(&state.svc, a, id, paging).await {
        Ok(c) => {
            let pages = c.total.div_ceil(25).max(1);
            render(
                status,
                &CommunityPage {
                    l: Layout::for_viewer(c.community.name.clone(), v, "/networks")
                        .with_errors(&errors),
                    errors,
                    network: c.network.name.clone(),
                    slug: c.network.slug.clone(),
                    id,
                    organiser: c.standing == Standing::Organiser,
                    announcements: c.announcements.iter().map(|p| view(p, a, &[])).collect(),
                    threads: c.threads.iter().map(|p| view(p, a, &[])).collect(),
                    total: c.total,
                    pager: Pager::new(&format!("/networks/communities/{id}"), &[], page, pages),
                    title: f.get("title").cloned().unwrap_or_default(),
                    body: f.get("body").cloned().unwrap_or_default(),
                    announcement: f.get("announcement").map(String::as_str) == Some("yes"),
                },
            )
        }
        Err(e) => PageError::new(e, v).into_response(),
    }
}

pub async fn community(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let page = match q.get("page").map(|p| p.parse::<u64>()) {
        None => 1,
        Some(Ok(p)) => p,
        Some(Err(_)) => 0,
    };
    community_page(
        &state,
        &v,
        a,
        id,
        page,
        StatusCode::OK,
        Errors::default(),
        HashMap::new(),
    )
    .await
}

pub async fn start_thread(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let announcement = get("announcement") == "yes";
    match talk::start_thread(
        &state.svc,
        a,
        &v.meta,
        id,
        &get("title"),
        &get("body"),
        announcement,
    )
    .await
    {
        Ok(t) => Redirect::to(&format!("/networks/threads/{t}?saved=posted")).into_response(),
        Err(ServiceError::Invalid(list)) => {
            community_page(
                &state,
                &v,
                a,
                id,
                1,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors::in_order(list, &talk::THREAD_FIELDS),
                f,
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Template)]
#[template(path = "networks/thread.html")]
struct ThreadPage {
    l: Layout,
    errors: Errors,
    network: String,
    slug: String,
    community: String,
    community_id: i32,
    organiser: bool,
    opening: PostView,
    announcement: bool,
    replies: Vec<PostView>,
    body: String,
}

async fn thread_page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    id: i32,
    status: StatusCode,
    errors: Errors,
    body: String,
) -> Response {
    match talk::thread(&state.svc, a, id).await {
        Ok(t) => render(
            status,
            &ThreadPage {
                l: Layout::for_viewer(
                    t.opening.title.clone().unwrap_or_else(|| "Thread".into()),
                    v,
                    "/networks",
                )
                .with_errors(&errors),
                errors,
                network: t.network.name.clone(),
                slug: t.network.slug.clone(),
                community: t.community.name.clone(),
                community_id: t.community.id,
                organiser: t.standing == Standing::Organiser,
                opening: view(&t.opening, a, &t.reported),
                announcement: t.opening.announcement,
                replies: t.replies.iter().map(|p| view(p, a, &t.reported)).collect(),
                body,
            },
        ),
        Err(e) => PageError::new(e, v).into_response(),
    }
}

pub async fn thread(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    thread_page(
        &state,
        &v,
        a,
        id,
        StatusCode::OK,
        Errors::default(),
        String::new(),
    )
    .await
}

pub async fn reply(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let body = f.get("body").cloned().unwrap_or_default();
    match talk::reply(&state.svc, a, &v.meta, id, &body).await {
        Ok(r) => {
            Redirect::to(&format!("/networks/threads/{id}?saved=replied#post-{r}")).into_response()
        }
        Err(ServiceError::Invalid(list)) => {
            thread_page(
                &state,
                &v,
                a,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                body,
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

/// One form about one post: editing it (title and text), or reporting it (a reason).
#[derive(Template)]
#[template(path = "networks/post_form.html")]
struct PostForm {
    l: Layout,
    errors: Errors,
    action: String,
    back: String,
    quoted: PostView,
    editing: bool,
    has_title: bool,
    title: String,
    body: String,
}

#[allow(clippy::too_many_arguments)]
fn post_form(
    v: &Viewer,
    a: &Actor,
    status: StatusCode,
    errors: Errors,
    p: &Post,
    editing: bool,
    title: String,
    body: String,
) -> Response {
    let thread = p.thread_id.unwrap_or(p.id);
    render(
        status,
        &PostForm {
            l: Layout::for_viewer(
                if editing {
                    "Edit your post"
                } else {
                    "Report a post"
                },
                v,
                "/networks",
            )
            .with_errors(&errors),
            errors,
            action: format!(
                "/networks/posts/{}/{}",
                p.id,
                if editing { "edit" } else { "report" }
            ),
            back: format!("/networks/threads/{thread}"),
            quoted: view(p, a, &[]),
            editing,
            has_title: p.thread_id.is_none(),
            title,
            body,
        },
    )
}

pub async fn edit_form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    match talk::for_editing(&state.svc, a, id).await {
        Ok(p) => {
            let (t, b) = (p.title.clone().unwrap_or_default(), p.body.clone());
            post_form(&v, a, StatusCode::OK, Errors::default(), &p, true, t, b)
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn edit(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    match talk::edit(&state.svc, a, &v.meta, id, &get("title"), &get("body")).await {
        Ok(t) => {
            Redirect::to(&format!("/networks/threads/{t}?saved=edited#post-{id}")).into_response()
        }
        Err(ServiceError::Invalid(list)) => match talk::for_editing(&state.svc, a, id).await {
            Ok(p) => post_form(
                &v,
                a,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors::in_order(list, &talk::THREAD_FIELDS),
                &p,
                true,
                get("title"),
                get("body"),
            ),
            Err(e) => PageError::new(e, &v).into_response(),
        },
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

/// The post to report, if the actor may read it.
async fn readable(state: &AppState, a: &Actor, id: i32) -> Result<Post, ServiceError> {
    let t = talk::thread_of_post(&state.svc, a, id).await?;
    std::iter::once(t.opening)
        .chain(t.replies)
        .find(|p| p.id == id)
        .ok_or(ServiceError::NotFound("post"))
}

pub async fn report_form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    match readable(&state, a, id).await {
        Ok(p) => post_form(
            &v,
            a,
            StatusCode::OK,
            Errors::default(),
            &p,
            false,
            String::new(),
            String::new(),
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn report(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let reason = f.get("body").cloned().unwrap_or_default();
    match talk::report(&state.svc, a, &v.meta, id, &reason).await {
        Ok(t) => Redirect::to(&format!("/networks/threads/{t}?saved=reported")).into_response(),
        Err(ServiceError::Invalid(list)) => match readable(&state, a, id).await {
            Ok(p) => post_form(
                &v,
                a,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(
                    list.into_iter()
                        .map(|mut x| {
                            x.field = "body".into();
                            x
                        })
                        .collect(),
                ),
                &p,
                false,
                String::new(),
                reason,
            ),
            Err(e) => PageError::new(e, &v).into_response(),
        },
        Err(ServiceError::Conflict(m)) => match readable(&state, a, id).await {
            Ok(p) => post_form(
                &v,
                a,
                StatusCode::CONFLICT,
                Errors::one("body", m),
                &p,
                false,
                String::new(),
                reason,
            ),
            Err(e) => PageError::new(e, &v).into_response(),
        },
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub struct ReportedView {
    pub post: PostView,
    pub thread_id: i32,
    pub community: String,
    pub reasons: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "networks/reports.html")]
struct ReportsPage {
    l: Layout,
    errors: Errors,
    network: String,
    slug: String,
    reported: Vec<ReportedView>,
}

async fn reports_page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    slug: &str,
    status: StatusCode,
    errors: Errors,
) -> Response {
    match talk::reports(&state.svc, a, slug).await {
        Ok((n, list)) => render(
            status,
            &ReportsPage {
                l: Layout::for_viewer(format!("Reported posts in {}", n.name), v, "/networks")
                    .with_errors(&errors),
                errors,
                network: n.name.clone(),
                slug: n.slug.clone(),
                reported: list
                    .into_iter()
                    .map(|r| {
                        let mut post = view(&r.post, a, &[]);
                        // Moderators see what a hidden post said.
                        post.paragraphs = r.post.body.split("\n\n").map(str::to_owned).collect();
                        ReportedView {
                            post,
                            thread_id: r.thread_id,
                            community: r.community,
                            reasons: r.reasons,
                        }
                    })
                    .collect(),
            },
        ),
        Err(e) => PageError::new(e, v).into_response(),
    }
}

pub async fn reports(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(slug): Path<String>,
) -> Response {
    reports_page(&state, &v, a, &slug, StatusCode::OK, Errors::default()).await
}

pub async fn moderate(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let action = match f.get("action").map(String::as_str) {
        Some("hide") => Moderation::Hide,
        Some("keep") => Moderation::Keep,
        _ => {
            return PageError::new(ServiceError::invalid("action", "Choose hide or keep"), &v)
                .into_response();
        }
    };
    let reason = f
        .get("reason")
        .or_else(|| f.get(&format!("reason-{id}")))
        .cloned()
        .unwrap_or_default();
    let slug = f.get("network").cloned().unwrap_or_default();
    match talk::moderate(&state.svc, a, &v.meta, id, action, &reason).await {
        Ok(_) => Redirect::to(&format!("/networks/{slug}/reports?saved=moderated")).into_response(),
        Err(ServiceError::Invalid(list)) => {
            let list = list
                .into_iter()
                .map(|mut x| {
                    x.field = format!("reason-{id}");
                    x
                })
                .collect();
            reports_page(
                &state,
                &v,
                a,
                &slug,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
