//! A self-referral whose NHS number belongs to someone the PCN already knows, but whose name
//! or date of birth differ, starts a record of its own and names the known person here, so
//! staff check who it is before anything is joined up.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("referrals")
                .add_column(integer_null("identity_check_person_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("referrals")
                .drop_column("identity_check_person_id")
                .to_owned(),
        )
        .await
    }
}
