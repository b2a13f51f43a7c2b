use sea_orm::entity::prelude::*;

/// Work to do, or work that failed for good (a job is deleted when it succeeds). `payload` is
/// JSON text for the handler of `kind`. While a worker runs it, `locked_until` and `locked_by`
/// say who has it; `attempts` counts the runs begun, and `failed_at` is set when the last one
/// allowed has failed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub kind: String,
    pub payload: String,
    pub run_at: DateTimeUtc,
    pub attempts: i32,
    pub max_attempts: i32,
    pub locked_until: Option<DateTimeUtc>,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub failed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
