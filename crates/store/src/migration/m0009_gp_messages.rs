//! Messages to the GP and referrer: one when the person is first reached (carrying the code of
//! the referral to social prescribing) and one when the referral closes, each written at most
//! once per referral, and each saying why it was not e-mailed when it was not.
//!
//! Replaces `discharge_messages` (one closing message per referral); its messages are kept as
//! closing messages.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::Cascade;
        m.create_table(
            Table::create()
                .table("gp_messages")
                .col(pk_auto("id"))
                .col(integer("referral_id"))
                .col(integer("person_id"))
                .col(string_len("kind", 16))
                .col(string_len("snomed_code", 20))
                .col(string_len("snomed_display", 100))
                .col(text("body"))
                .col(integer_null("practice_id"))
                .col(string_len_null("sent_to", 254))
                .col(string_len_null("not_sent_reason", 300))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("gp_messages", "referral_id", "referrals", Cascade))
                .to_owned(),
        )
        .await?;
        let c = m.get_connection();
        c.execute_unprepared(
            "CREATE UNIQUE INDEX ix_gp_messages_referral_kind ON gp_messages (referral_id, kind)",
        )
        .await?;
        c.execute_unprepared(
            "INSERT INTO gp_messages (referral_id, person_id, kind, snomed_code, snomed_display, \
             body, practice_id, sent_to, not_sent_reason, created_at) \
             SELECT referral_id, person_id, 'closing', snomed_code, snomed_display, body, \
             practice_id, sent_to, CASE WHEN sent_to IS NULL THEN 'Not e-mailed: the practice \
             had no e-mail address recorded, or the person had declined sharing with their GP \
             practice' END, created_at FROM discharge_messages ORDER BY id",
        )
        .await?;
        m.drop_table(Table::drop().table("discharge_messages").to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::Cascade;
        m.create_table(
            Table::create()
                .table("discharge_messages")
                .col(pk_auto("id"))
                .col(integer("referral_id").unique_key())
                .col(integer("person_id"))
                .col(string_len("snomed_code", 20))
                .col(string_len("snomed_display", 100))
                .col(text("body"))
                .col(integer_null("practice_id"))
                .col(string_len_null("sent_to", 254))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "discharge_messages",
                    "referral_id",
                    "referrals",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO discharge_messages (referral_id, person_id, snomed_code, \
                 snomed_display, body, practice_id, sent_to, created_at) \
                 SELECT referral_id, person_id, snomed_code, snomed_display, body, practice_id, \
                 sent_to, created_at FROM gp_messages WHERE kind = 'closing' ORDER BY id",
            )
            .await?;
        m.drop_table(Table::drop().table("gp_messages").to_owned())
            .await
    }
}
