use sea_orm::entity::prelude::*;

/// A patient or peer leader's profile: what they bring and need, and whether organisations may see it and invite them (the pool).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "leader_profiles")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    pub lived_experience: String,
    pub skills: String,
    pub interests: String,
    pub region: String,
    pub availability: String,
    pub access_needs: String,
    pub contact_consent: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
