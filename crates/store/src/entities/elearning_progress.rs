use sea_orm::entity::prelude::*;

/// How far a learner has got through an e-learning module.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "elearning_progress")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    pub module_slug: String,
    /// Lessons read, in order; the learner resumes at the next.
    pub lessons_done: i32,
    /// Knowledge checks taken.
    pub attempts: i32,
    /// Best knowledge-check score, as a percentage.
    pub best_score: Option<i32>,
    pub started_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub passed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
