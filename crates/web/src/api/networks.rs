//! /api/v1/networks and /api/v1/lists: the networks (public), applying to join (anyone signed
//! in), organisers' decisions, joining a mailing list (public, double opt-in as on the pages),
//! the one-click unsubscribe that mail programs POST to (RFC 8058: no confirmation, no
//! session), and sending a message to a list (organisers). The same use cases, rules and
//! audit as the pages.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::Permission;
use domain::networks::ApplicationState;
use serde::{Deserialize, Serialize};
use services::networks::lists::{self, LinkResult};
use services::networks::{self, ApplicationInput, Decision};
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::ApiJson;
use crate::AppState;
use crate::error::ApiError;
use crate::middleware::Viewer;
use crate::routes::{Need, Routes, permission};
use crate::viewer::CurrentActor;

pub fn routes() -> Routes {
    let run = permission(Permission::RunNetworks);
    Routes::new()
        .api(Need::Public, routes!(list_networks))
        .api(Need::SignedIn, routes!(apply))
        .api(run, routes!(list_applications))
        .api(run, routes!(decide))
        .api(Need::Public, routes!(subscribe))
        .api(Need::Public, routes!(one_click_unsubscribe))
        .api(run, routes!(send_message))
        .api(Need::SignedIn, routes!(list_threads, start_thread))
        .api(Need::SignedIn, routes!(reply))
}

fn err(v: &Viewer) -> impl Fn(services::ServiceError) -> ApiError + '_ {
    super::care::err(v)
}

#[derive(Serialize, ToSchema)]
pub struct CommunityDto {
    pub id: i32,
    /// An NHS England region code.
    pub region: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct NetworkDto {
    /// The network's slug, its id in these paths.
    pub id: String,
    pub name: String,
    pub summary: String,
    pub guideline: String,
    pub organisation_id: i32,
    pub organiser: String,
    pub members: u64,
    pub communities: Vec<CommunityDto>,
}

/// Every network, with its communities (public).
#[utoipa::path(get, path = "/api/v1/networks", tag = "networks",
    responses((status = 200, description = "The networks, by name", body = [NetworkDto])))]
pub async fn list_networks(
    State(state): State<AppState>,
    v: Viewer,
) -> Result<Json<Vec<NetworkDto>>, ApiError> {
    let all = networks::list(&state.svc).await.map_err(err(&v))?;
    Ok(Json(
        all.into_iter()
            .map(|n| NetworkDto {
                id: n.slug,
                name: n.name,
                summary: n.summary,
                guideline: n.guideline,
                organisation_id: n.organisation_id,
                organiser: n.organisation,
                members: n.members,
                communities: n
                    .communities
                    .into_iter()
                    .map(|c| CommunityDto {
                        id: c.id,
                        region: c.region,
                        name: c.name,
                    })
                    .collect(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ApplicationCreate {
    /// One of the roles the registration form lists, like "Care coordinator".
    pub job_role: String,
    pub organisation: String,
    /// An NHS England region code with a community in this network.
    pub region: String,
    pub motivation: String,
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationCreated {
    pub id: i32,
    /// pending
    pub state: String,
}

/// Applies to join a network as the caller. Applying while an application waits, or as a
/// member, is a 409.
#[utoipa::path(post, path = "/api/v1/networks/{id}/applications", tag = "networks",
    params(("id" = String, Path, description = "The network's slug")),
    request_body = ApplicationCreate,
    responses((status = 201, description = "Sent to the organisers", body = ApplicationCreated),
        (status = 409, description = "Already applied, or already a member", body = crate::error::ErrorEnvelope)))]
pub async fn apply(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(slug): Path<String>,
    ApiJson(b): ApiJson<ApplicationCreate>,
) -> Result<(StatusCode, Json<ApplicationCreated>), ApiError> {
    let input = ApplicationInput {
        job_role: b.job_role,
        organisation: b.organisation,
        region: b.region,
        motivation: b.motivation,
    };
    let id = networks::apply(&state.svc, a, &v.meta, &slug, &input)
        .await
        .map_err(err(&v))?;
    Ok((
        StatusCode::CREATED,
        Json(ApplicationCreated {
            id,
            state: "pending".into(),
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationDto {
    pub id: i32,
    pub name: String,
    pub email: String,
    pub job_role: String,
    pub organisation: String,
    pub region: String,
    pub motivation: String,
    pub applied_at: DateTime<Utc>,
}

/// The applications waiting for a decision, oldest first (the network's organisers).
#[utoipa::path(get, path = "/api/v1/networks/{id}/applications", tag = "networks",
    params(("id" = String, Path, description = "The network's slug")),
    responses((status = 200, description = "Applications waiting", body = [ApplicationDto])))]
pub async fn list_applications(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<ApplicationDto>>, ApiError> {
    let (_, list) =
        networks::applications(&state.svc, a, &v.meta, &slug, ApplicationState::Pending)
            .await
            .map_err(err(&v))?;
    Ok(Json(
        list.into_iter()
            .map(|x| ApplicationDto {
                id: x.id,
                name: x.name,
                email: x.email,
                job_role: x.job_role,
                organisation: x.organisation,
                region: x.region,
                motivation: x.motivation,
                applied_at: x.created_at,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionBody {
    /// approve | decline
    pub decision: String,
    /// E-mailed to the applicant; needed to decline.
    #[serde(default)]
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct Decided {
    pub id: i32,
    /// approved | declined
    pub state: String,
}

/// Approves (making the applicant a member) or declines an application that is waiting. One
/// already decided, or withdrawn, is a 409.
#[utoipa::path(post, path = "/api/v1/networks/{id}/applications/{application}/decision", tag = "networks",
    params(("id" = String, Path, description = "The network's slug"),
        ("application" = i32, Path, description = "The application's id")),
    request_body = DecisionBody,
    responses((status = 200, description = "Decided; the applicant was emailed", body = Decided),
        (status = 409, description = "Already decided, or withdrawn", body = crate::error::ErrorEnvelope)))]
pub async fn decide(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path((slug, id)): Path<(String, i32)>,
    ApiJson(b): ApiJson<DecisionBody>,
) -> Result<Json<Decided>, ApiError> {
    let decision = match b.decision.as_str() {
        "approve" => Decision::Approve,
        "decline" => Decision::Decline,
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "decision must be approve or decline",
                Some("decision"),
            ));
        }
    };
    networks::decide(&state.svc, a, &v.meta, &slug, id, decision, &b.message)
        .await
        .map_err(err(&v))?;
    Ok(Json(Decided {
        id,
        state: match decision {
            Decision::Approve => "approved",
            Decision::Decline => "declined",
        }
        .into(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct SubscriptionCreate {
    pub email: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct Accepted {
    /// What happens next.
    pub detail: String,
}

/// Asks to join a mailing list. The address's owner is e-mailed a link to confirm; the answer
/// is the same whether or not the address is already on the list.
#[utoipa::path(post, path = "/api/v1/lists/{id}/subscriptions", tag = "networks",
    params(("id" = String, Path, description = "The list's slug")),
    request_body = SubscriptionCreate,
    responses((status = 202, description = "A confirmation link was e-mailed", body = Accepted)))]
pub async fn subscribe(
    State(state): State<AppState>,
    v: Viewer,
    Path(slug): Path<String>,
    ApiJson(b): ApiJson<SubscriptionCreate>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    lists::subscribe(&state.svc, &v.meta, &slug, &b.name, &b.email, "api")
        .await
        .map_err(err(&v))?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            detail: "We have e-mailed a link to confirm; nothing is sent until it is used".into(),
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Unsubscribed {
    pub list: String,
    pub unsubscribed: bool,
}

/// One-click unsubscribe (RFC 8058): the address in a list message's `List-Unsubscribe`
/// header. A mail program POSTs `List-Unsubscribe=One-Click` here; nothing else is asked.
/// Doing it twice is the same as once.
#[utoipa::path(post, path = "/api/v1/lists/{id}/unsubscribe/{token}", tag = "networks",
    params(("id" = String, Path, description = "The list's slug"),
        ("token" = String, Path, description = "The signed token from the message")),
    responses((status = 200, description = "Unsubscribed", body = Unsubscribed)))]
pub async fn one_click_unsubscribe(
    State(state): State<AppState>,
    v: Viewer,
    Path((slug, token)): Path<(String, String)>,
) -> Result<Json<Unsubscribed>, ApiError> {
    match lists::unsubscribe(&state.svc, &v.meta, &slug, &token, "one-click (RFC 8058)")
        .await
        .map_err(err(&v))?
    {
        LinkResult::Done { slug, .. } => Ok(Json(Unsubscribed {
            list: slug,
            unsubscribed: true,
        })),
        LinkResult::Expired { .. } | LinkResult::Invalid => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "That unsubscribe link is not valid",
            Some("token"),
        )),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct MessageCreate {
    pub subject: String,
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct MessageQueued {
    pub id: i32,
    /// How many subscribers it is going to, one copy each.
    pub recipients: i32,
}

/// Sends a message to everyone subscribed to a list, one job per recipient (the list's
/// organisers).
#[utoipa::path(post, path = "/api/v1/lists/{id}/messages", tag = "networks",
    params(("id" = String, Path, description = "The list's slug")),
    request_body = MessageCreate,
    responses((status = 202, description = "Queued for every subscriber", body = MessageQueued),
        (status = 409, description = "No one is subscribed yet", body = crate::error::ErrorEnvelope)))]
pub async fn send_message(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(slug): Path<String>,
    ApiJson(b): ApiJson<MessageCreate>,
) -> Result<(StatusCode, Json<MessageQueued>), ApiError> {
    let (id, recipients) = lists::send(&state.svc, a, &v.meta, &slug, &b.subject, &b.body)
        .await
        .map_err(err(&v))?;
    Ok((StatusCode::ACCEPTED, Json(MessageQueued { id, recipients })))
}

#[derive(Serialize, ToSchema)]
pub struct PostDto {
    pub id: i32,
    pub author: String,
    /// A thread's title; absent for a reply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Empty when a moderator hid the post.
    pub body: String,
    pub announcement: bool,
    pub replies: i32,
    pub created_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<DateTime<Utc>>,
    /// Why a moderator hid it, if they did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden: Option<String>,
}

fn post_dto(p: services::networks::talk::Post) -> PostDto {
    PostDto {
        id: p.id,
        author: p.author,
        title: p.title,
        body: p.body,
        announcement: p.announcement,
        replies: p.replies,
        created_at: p.created_at,
        edited_at: p.edited_at,
        hidden: p.hidden,
    }
}

#[derive(Serialize, ToSchema)]
pub struct CommunityThreads {
    pub announcements: Vec<PostDto>,
    /// The latest active first, 25 at most.
    pub threads: Vec<PostDto>,
    pub total: u64,
}

/// A community's announcements and threads (its network's members and organisers; to anyone
/// else it is not found).
#[utoipa::path(get, path = "/api/v1/networks/communities/{id}/threads", tag = "networks",
    params(("id" = String, Path, description = "The community's id")),
    responses((status = 200, description = "Announcements and threads", body = CommunityThreads)))]
pub async fn list_threads(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<CommunityThreads>, ApiError> {
    // Any id that is not one of ours, however it is written, is not found.
    let id: i32 = id.parse().map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No community has that id",
            Some("id"),
        )
    })?;
    let paging = services::paging::Paging::new(1, 25).map_err(err(&v))?;
    let c = services::networks::talk::community(&state.svc, a, id, paging)
        .await
        .map_err(err(&v))?;
    Ok(Json(CommunityThreads {
        announcements: c.announcements.into_iter().map(post_dto).collect(),
        threads: c.threads.into_iter().map(post_dto).collect(),
        total: c.total,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ThreadCreate {
    pub title: String,
    pub body: String,
    /// Organisers only: post it as an announcement.
    #[serde(default)]
    pub announcement: bool,
}

/// Starts a thread in a community (members and organisers).
#[utoipa::path(post, path = "/api/v1/networks/communities/{id}/threads", tag = "networks",
    params(("id" = i32, Path, description = "The community's id")),
    request_body = ThreadCreate,
    responses((status = 201, description = "Posted", body = PostDto)))]
pub async fn start_thread(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    ApiJson(b): ApiJson<ThreadCreate>,
) -> Result<(StatusCode, Json<PostDto>), ApiError> {
    let t = services::networks::talk::start_thread(
        &state.svc,
        a,
        &v.meta,
        id,
        &b.title,
        &b.body,
        b.announcement,
    )
    .await
    .map_err(err(&v))?;
    let thread = services::networks::talk::thread(&state.svc, a, t)
        .await
        .map_err(err(&v))?;
    Ok((StatusCode::CREATED, Json(post_dto(thread.opening))))
}

#[derive(Deserialize, ToSchema)]
pub struct ReplyCreate {
    pub body: String,
}

/// Replies to a thread (members and organisers of its network).
#[utoipa::path(post, path = "/api/v1/networks/threads/{id}/replies", tag = "networks",
    params(("id" = i32, Path, description = "The thread's id (its opening post's)")),
    request_body = ReplyCreate,
    responses((status = 201, description = "Posted", body = PostDto)))]
pub async fn reply(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    ApiJson(b): ApiJson<ReplyCreate>,
) -> Result<(StatusCode, Json<PostDto>), ApiError> {
    let r = services::networks::talk::reply(&state.svc, a, &v.meta, id, &b.body)
        .await
        .map_err(err(&v))?;
    let thread = services::networks::talk::thread(&state.svc, a, id)
        .await
        .map_err(err(&v))?;
    let post = thread
        .replies
        .into_iter()
        .find(|p| p.id == r)
        .ok_or_else(|| err(&v)(services::ServiceError::NotFound("post")))?;
    Ok((StatusCode::CREATED, Json(post_dto(post))))
}
