//! A network's communities: announcements from organisers, threads members start, replies,
//! edits by the author, reports of posts to the organisers, and moderation (a hidden post
//! stays, with why, so a thread still reads in order).

use chrono::{DateTime, Utc};
use domain::networks as rules;
use sea_orm::ExprTrait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use store::entities::{network_post as post, network_report as report, user};

use super::{Community, Network, by_id, membership};
use crate::audit::{self, Event as AuditEvent, Outcome};
use crate::error::Problems;
use crate::paging::Paging;
use crate::{Actor, RequestMeta, ServiceError, Services};

/// One post: a thread's opening post or a reply.
#[derive(Clone, Debug)]
pub struct Post {
    pub id: i32,
    pub community_id: i32,
    pub thread_id: Option<i32>,
    pub author_id: Option<i32>,
    pub author: String,
    pub title: Option<String>,
    /// Empty when the post is hidden.
    pub body: String,
    pub announcement: bool,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub last_activity_at: DateTime<Utc>,
    pub replies: i32,
    pub hidden: Option<String>,
}

impl From<post::Model> for Post {
    fn from(p: post::Model) -> Self {
        let hidden = p
            .hidden_at
            .map(|_| p.hidden_reason.clone().unwrap_or_default());
        Post {
            id: p.id,
            community_id: p.community_id,
            thread_id: p.thread_id,
            author_id: p.author_id,
            author: p.author_name,
            title: p.title,
            body: if hidden.is_some() {
                String::new()
            } else {
                p.body
            },
            announcement: p.announcement,
            created_at: p.created_at,
            edited_at: p.edited_at,
            last_activity_at: p.last_activity_at,
            replies: p.replies,
            hidden,
        }
    }
}

/// Who the actor is in a network's communities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    Member,
    Organiser,
}

/// The community and its network, if the actor may read it: a member of the network, or one
/// of its organisers. To anyone else it is not found, as one that does not exist.
async fn community_for(
    svc: &Services,
    actor: &Actor,
    community_id: i32,
) -> Result<(Network, Community, Standing), ServiceError> {
    let c = store::entities::network_community::Entity::find_by_id(community_id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("community"))?;
    let n = by_id(&svc.db, c.network_id).await?;
    let standing = if n.organised_by(actor) {
        Standing::Organiser
    } else if membership(&svc.db, actor, n.id).await?.is_some() {
        Standing::Member
    } else {
        // Not a member: answered as if there were no such community (or thread, or post).
        return Err(ServiceError::NotFound("community"));
    };
    Ok((n, c.into(), standing))
}

/// A community's page: its announcements (newest first), and a page of its threads, those
/// with the latest posts first.
pub struct CommunityPage {
    pub network: Network,
    pub community: Community,
    pub standing: Standing,
    pub announcements: Vec<Post>,
    pub threads: Vec<Post>,
    pub total: u64,
    pub paging: Paging,
}

pub async fn community(
    svc: &Services,
    actor: &Actor,
    community_id: i32,
    paging: Paging,
) -> Result<CommunityPage, ServiceError> {
    let (network, community, standing) = community_for(svc, actor, community_id).await?;
    let starters = post::Entity::find()
        .filter(post::Column::CommunityId.eq(community.id))
        .filter(post::Column::ThreadId.is_null());
    let announcements = starters
        .clone()
        .filter(post::Column::Announcement.eq(true))
        .filter(post::Column::HiddenAt.is_null())
        .order_by_desc(post::Column::CreatedAt)
        .limit(5)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(Post::from)
        .collect();
    let threads = starters.filter(post::Column::Announcement.eq(false));
    let total = threads.clone().count(&svc.db).await?;
    let threads = threads
        .order_by_desc(post::Column::LastActivityAt)
        .order_by_desc(post::Column::Id)
        .offset(paging.offset())
        .limit(paging.per_page)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(Post::from)
        .collect();
    Ok(CommunityPage {
        network,
        community,
        standing,
        announcements,
        threads,
        total,
        paging,
    })
}

/// A thread: its opening post and every reply in order, with the actor's standing and which
/// posts they have reported.
pub struct Thread {
    pub network: Network,
    pub community: Community,
    pub standing: Standing,
    pub opening: Post,
    pub replies: Vec<Post>,
    pub reported: Vec<i32>,
}

async fn opening(svc: &Services, thread_id: i32) -> Result<post::Model, ServiceError> {
    post::Entity::find_by_id(thread_id)
        .filter(post::Column::ThreadId.is_null())
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("thread"))
}

pub async fn thread(svc: &Services, actor: &Actor, thread_id: i32) -> Result<Thread, ServiceError> {
    let first = opening(svc, thread_id).await?;
    let (network, community, standing) = community_for(svc, actor, first.community_id).await?;
    let replies: Vec<Post> = post::Entity::find()
        .filter(post::Column::ThreadId.eq(first.id))
        .order_by_asc(post::Column::Id)
        .limit(1000)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(Post::from)
        .collect();
    let mut ids: Vec<i32> = replies.iter().map(|r| r.id).collect();
    ids.push(first.id);
    let reported = report::Entity::find()
        .filter(report::Column::ReporterId.eq(actor.user_id))
        .filter(report::Column::PostId.is_in(ids))
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|r| r.post_id)
        .collect();
    Ok(Thread {
        network,
        community,
        standing,
        opening: first.into(),
        replies,
        reported,
    })
}

/// The thread a post belongs to, if the actor may read it.
pub async fn thread_of_post(
    svc: &Services,
    actor: &Actor,
    post_id: i32,
) -> Result<Thread, ServiceError> {
    let p = post::Entity::find_by_id(post_id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("post"))?;
    thread(svc, actor, p.thread_id.unwrap_or(p.id)).await
}

/// The form's fields in the order they appear.
pub const THREAD_FIELDS: [&str; 2] = ["title", "body"];

/// Starts a thread in a community (members and organisers), or, for organisers with
/// `announcement`, posts an announcement. Returns the thread's id.
pub async fn start_thread(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    community_id: i32,
    title: &str,
    body: &str,
    announcement: bool,
) -> Result<i32, ServiceError> {
    let (n, c, standing) = community_for(svc, actor, community_id).await?;
    if announcement && standing != Standing::Organiser {
        return Err(ServiceError::Forbidden(
            "post announcements: only the network's organisers can".into(),
        ));
    }
    let mut p = Problems::default();
    let title = p.required(
        "title",
        &Some(title.to_owned()),
        rules::THREAD_TITLE,
        "Enter a title",
    );
    let body = p.required(
        "body",
        &Some(body.to_owned()),
        rules::POST_BODY,
        "Enter your post",
    );
    p.finish()?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let saved = post::ActiveModel {
        community_id: Set(c.id),
        thread_id: Set(None),
        author_id: Set(Some(actor.user_id)),
        author_name: Set(actor.display_name.clone()),
        title: Set(title),
        body: Set(body.unwrap_or_default()),
        announcement: Set(announcement),
        created_at: Set(now),
        last_activity_at: Set(now),
        replies: Set(0),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new(
            if announcement {
                "network_announced"
            } else {
                "network_thread_started"
            },
            Outcome::Success,
        )
        .by(actor)
        .entity("network_post", saved.id)
        .organisation(n.organisation_id),
    )
    .await?;
    txn.commit().await?;
    Ok(saved.id)
}

/// Replies to a thread. Returns the reply's id.
pub async fn reply(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    thread_id: i32,
    body: &str,
) -> Result<i32, ServiceError> {
    let first = opening(svc, thread_id).await?;
    let (n, _, _) = community_for(svc, actor, first.community_id).await?;
    let mut p = Problems::default();
    let body = p.required(
        "body",
        &Some(body.to_owned()),
        rules::POST_BODY,
        "Enter your reply",
    );
    p.finish()?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let saved = post::ActiveModel {
        community_id: Set(first.community_id),
        thread_id: Set(Some(first.id)),
        author_id: Set(Some(actor.user_id)),
        author_name: Set(actor.display_name.clone()),
        title: Set(None),
        body: Set(body.unwrap_or_default()),
        announcement: Set(false),
        created_at: Set(now),
        last_activity_at: Set(now),
        replies: Set(0),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // Counted in the database, so replies sent at once are all counted.
    post::Entity::update_many()
        .col_expr(
            post::Column::Replies,
            Expr::col(post::Column::Replies).add(1),
        )
        .col_expr(post::Column::LastActivityAt, Expr::value(now))
        .filter(post::Column::Id.eq(first.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("network_replied", Outcome::Success)
            .by(actor)
            .entity("network_post", saved.id)
            .organisation(n.organisation_id),
    )
    .await?;
    txn.commit().await?;
    Ok(saved.id)
}

/// A post the actor may edit: their own, not hidden, in a network they still belong to.
pub async fn for_editing(
    svc: &Services,
    actor: &Actor,
    post_id: i32,
) -> Result<Post, ServiceError> {
    let p = post::Entity::find_by_id(post_id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("post"))?;
    community_for(svc, actor, p.community_id).await?;
    if p.author_id != Some(actor.user_id) {
        return Err(ServiceError::Forbidden(
            "edit this post: only its author can".into(),
        ));
    }
    if p.hidden_at.is_some() {
        return Err(ServiceError::Conflict(
            "A moderator hid this post, so it cannot be edited".into(),
        ));
    }
    Ok(p.into())
}

/// Edits the actor's own post (a thread's opening post keeps a title). Returns the thread's id.
pub async fn edit(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    post_id: i32,
    title: &str,
    body: &str,
) -> Result<i32, ServiceError> {
    let before = for_editing(svc, actor, post_id).await?;
    let mut p = Problems::default();
    let title = if before.thread_id.is_none() {
        p.required(
            "title",
            &Some(title.to_owned()),
            rules::THREAD_TITLE,
            "Enter a title",
        )
    } else {
        None
    };
    let body = p.required(
        "body",
        &Some(body.to_owned()),
        rules::POST_BODY,
        "Enter your post",
    );
    p.finish()?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let mut q = post::Entity::update_many()
        .col_expr(post::Column::Body, Expr::value(body.unwrap_or_default()))
        .col_expr(post::Column::EditedAt, Expr::value(Some(now)));
    if title.is_some() {
        q = q.col_expr(post::Column::Title, Expr::value(title));
    }
    // Not if a moderator hid it meanwhile.
    let done = q
        .filter(post::Column::Id.eq(post_id))
        .filter(post::Column::HiddenAt.is_null())
        .exec(&txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(ServiceError::Conflict(
            "A moderator hid this post, so it cannot be edited".into(),
        ));
    }
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("network_post_edited", Outcome::Success)
            .by(actor)
            .entity("network_post", post_id),
    )
    .await?;
    txn.commit().await?;
    Ok(before.thread_id.unwrap_or(before.id))
}

/// Reports a post to the network's organisers, once per member. Returns the thread's id.
pub async fn report(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    post_id: i32,
    reason: &str,
) -> Result<i32, ServiceError> {
    let p0 = post::Entity::find_by_id(post_id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("post"))?;
    let (n, _, _) = community_for(svc, actor, p0.community_id).await?;
    let mut p = Problems::default();
    let reason = p.required(
        "reason",
        &Some(reason.to_owned()),
        rules::REPORT_REASON,
        "Tell the organisers what is wrong with this post",
    );
    p.finish()?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let saved = report::ActiveModel {
        post_id: Set(p0.id),
        reporter_id: Set(actor.user_id),
        reason: Set(reason.unwrap_or_default()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    match saved {
        Ok(_) => {}
        Err(e) if crate::error::is_unique_violation(&e) => {
            return Err(ServiceError::Conflict(
                "You have already reported this post: the organisers will look at it".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("network_post_reported", Outcome::Success)
            .by(actor)
            .entity("network_post", p0.id)
            .organisation(n.organisation_id),
    )
    .await?;
    txn.commit().await?;
    Ok(p0.thread_id.unwrap_or(p0.id))
}

/// A post reported and not yet dealt with, as organisers see it.
#[derive(Clone, Debug)]
pub struct Reported {
    pub post: Post,
    pub thread_id: i32,
    pub community: String,
    pub reasons: Vec<(String, String)>,
}

/// The network's reported posts that no organiser has dealt with yet, oldest report first.
pub async fn reports(
    svc: &Services,
    actor: &Actor,
    slug: &str,
) -> Result<(Network, Vec<Reported>), ServiceError> {
    let n = super::organised(svc, actor, slug).await?;
    let community_ids: Vec<i32> = n.communities.iter().map(|c| c.id).collect();
    let open = report::Entity::find()
        .filter(report::Column::ResolvedAt.is_null())
        .order_by_asc(report::Column::Id)
        .all(&svc.db)
        .await?;
    let posts = post::Entity::find()
        .filter(post::Column::Id.is_in(open.iter().map(|r| r.post_id)))
        .filter(post::Column::CommunityId.is_in(community_ids))
        .all(&svc.db)
        .await?;
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(open.iter().map(|r| r.reporter_id)))
        .all(&svc.db)
        .await?;
    let mut out: Vec<Reported> = Vec::new();
    for r in &open {
        let Some(p) = posts.iter().find(|p| p.id == r.post_id) else {
            continue;
        };
        let who = users
            .iter()
            .find(|u| u.id == r.reporter_id)
            .map(|u| u.display_name.clone())
            .unwrap_or_default();
        if let Some(x) = out.iter_mut().find(|x| x.post.id == p.id) {
            x.reasons.push((who, r.reason.clone()));
            continue;
        }
        let mut shown: Post = p.clone().into();
        // Moderators see what was said, even of a post already hidden.
        shown.body = p.body.clone();
        out.push(Reported {
            thread_id: p.thread_id.unwrap_or(p.id),
            community: n
                .community(p.community_id)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            post: shown,
            reasons: vec![(who, r.reason.clone())],
        });
    }
    Ok((n, out))
}

/// How a moderator deals with a post.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moderation {
    /// Hide it, saying why; its reports are closed.
    Hide,
    /// Leave it as it is; its reports are closed.
    Keep,
}

/// Moderates a post in one of the network's communities. Returns the thread's id.
pub async fn moderate(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    post_id: i32,
    action: Moderation,
    reason: &str,
) -> Result<i32, ServiceError> {
    let p0 = post::Entity::find_by_id(post_id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("post"))?;
    let (n, _, standing) = community_for(svc, actor, p0.community_id).await?;
    if standing != Standing::Organiser {
        return Err(ServiceError::Forbidden(
            "moderate posts: only the network's organisers can".into(),
        ));
    }
    let mut p = Problems::default();
    let reason = match action {
        Moderation::Hide => p.required(
            "reason",
            &Some(reason.to_owned()),
            rules::HIDE_REASON,
            "Say why the post is hidden: members see this in its place",
        ),
        Moderation::Keep => None,
    };
    p.finish()?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    if action == Moderation::Hide {
        post::Entity::update_many()
            .col_expr(post::Column::HiddenAt, Expr::value(Some(now)))
            .col_expr(post::Column::HiddenBy, Expr::value(Some(actor.user_id)))
            .col_expr(post::Column::HiddenReason, Expr::value(reason))
            .filter(post::Column::Id.eq(p0.id))
            .exec(&txn)
            .await?;
    }
    report::Entity::update_many()
        .col_expr(report::Column::ResolvedAt, Expr::value(Some(now)))
        .col_expr(report::Column::ResolvedBy, Expr::value(Some(actor.user_id)))
        .filter(report::Column::PostId.eq(p0.id))
        .filter(report::Column::ResolvedAt.is_null())
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new(
            match action {
                Moderation::Hide => "network_post_hidden",
                Moderation::Keep => "network_post_kept",
            },
            Outcome::Success,
        )
        .by(actor)
        .entity("network_post", p0.id)
        .organisation(n.organisation_id),
    )
    .await?;
    txn.commit().await?;
    Ok(p0.thread_id.unwrap_or(p0.id))
}
