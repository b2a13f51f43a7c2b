use sea_orm::entity::prelude::*;

/// One token bucket of an abuse limit. `key` is the limit's name and what it counts (an account's
/// e-mail hash or a client address); `tokens` were left at `updated_at`, and refill with time.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "rate_limits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub tokens: f64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
