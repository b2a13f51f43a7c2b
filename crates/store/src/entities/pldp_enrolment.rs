use sea_orm::entity::prelude::*;

/// Someone's place on the Peer Leadership Development Programme: the step they are on, and whether they left or graduated.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pldp_enrolments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    pub step: i32,
    pub state: String,
    pub enrolled_at: DateTimeUtc,
    pub cohort_id: Option<i32>,
    pub step3_done_at: Option<DateTimeUtc>,
    pub graduated_at: Option<DateTimeUtc>,
    pub left_at: Option<DateTimeUtc>,
    pub left_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
