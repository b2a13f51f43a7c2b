//! Triage and follow-ups.
//!
//! A referral records when its team accepted it (`accepted_at`), so a referral waiting for
//! triage is one received and not yet accepted. A follow-up is a worker's reminder about a
//! referral ("call back on Tuesday"): whose it is, the day it is due, a short note, and when it
//! was done. Open follow-ups are read by owner and day, so that is what the index covers.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};
        m.alter_table(
            Table::alter()
                .table("referrals")
                .add_column(timestamp_with_time_zone_null("accepted_at"))
                .to_owned(),
        )
        .await?;
        let c = m.get_connection();
        // Referrals already past "received" were accepted when first contacted.
        c.execute_unprepared(
            "UPDATE referrals SET accepted_at = COALESCE(first_contact_at, updated_at) \
             WHERE state <> 'received' OR first_contact_at IS NOT NULL",
        )
        .await?;
        m.create_table(
            Table::create()
                .table("follow_ups")
                .col(pk_auto("id"))
                .col(integer("referral_id"))
                .col(integer("person_id"))
                .col(integer_null("owner_user_id"))
                .col(date("due_on"))
                .col(string_len("note", 200))
                .col(timestamp_with_time_zone_null("done_at"))
                .col(integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("follow_ups", "referral_id", "referrals", Cascade))
                .foreign_key(&mut fk("follow_ups", "owner_user_id", "users", SetNull))
                .to_owned(),
        )
        .await?;
        c.execute_unprepared(
            "CREATE INDEX ix_follow_ups_open ON follow_ups (owner_user_id, due_on) \
             WHERE done_at IS NULL",
        )
        .await?;
        c.execute_unprepared("CREATE INDEX ix_follow_ups_referral ON follow_ups (referral_id)")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("follow_ups").to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table("referrals")
                .drop_column("accepted_at")
                .to_owned(),
        )
        .await
    }
}
