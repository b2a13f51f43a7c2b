use sea_orm::entity::prelude::*;

/// A post in a community: a thread's first post (with a title; `announcement` when an organiser made it) or a reply (with `thread_id`). Moderators hide posts rather than delete them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "network_posts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub community_id: i32,
    pub thread_id: Option<i32>,
    pub author_id: Option<i32>,
    pub author_name: String,
    pub title: Option<String>,
    pub body: String,
    pub announcement: bool,
    pub created_at: DateTimeUtc,
    pub edited_at: Option<DateTimeUtc>,
    pub last_activity_at: DateTimeUtc,
    pub replies: i32,
    pub hidden_at: Option<DateTimeUtc>,
    pub hidden_by: Option<i32>,
    pub hidden_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
