use sea_orm::entity::prelude::*;

/// A member of a network, in the community of their region; `listed` when they chose to appear in its member directory.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "network_members")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub network_id: i32,
    pub user_id: i32,
    pub community_id: Option<i32>,
    pub job_role: String,
    pub organisation: String,
    pub region: String,
    pub listed: bool,
    pub joined_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
