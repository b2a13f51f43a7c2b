//! Organisations, identity (users, memberships, sessions, tokens, resets), audit and e-mail.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("organisations")
                .col(pk_auto("id"))
                .col(string_len("kind", 16))
                .col(string_len_null("ods_code", 12).unique_key())
                .col(string_len("name", 200))
                .col(integer_null("parent_id"))
                .col(string_len("path", 200))
                .col(string_len("status", 16).default("active"))
                .col(integer_null("list_size"))
                .col(boolean("pcn_opted_out").default(false))
                .col(text_null("commissioner_arrangement"))
                .col(string_len_null("postcode", 10))
                .col(string_len_null("email", 254))
                .col(string_len_null("phone", 40))
                .col(string_len_null("website", 300))
                .col(string_len_null("charity_number", 20))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version").default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_organisations_parent_id")
                        .from("organisations", "parent_id")
                        .to("organisations", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index("organisations", &["path"], false))
            .await?;
        m.create_index(index("organisations", &["parent_id"], false))
            .await?;
        m.create_index(index("organisations", &["kind", "name"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("users")
                .col(pk_auto("id"))
                .col(string_len("email", 254).unique_key())
                .col(string_len("display_name", 200))
                .col(string_len_null("password_hash", 200))
                .col(boolean("active").default(true))
                .col(integer("failed_sign_ins").default(0))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(timestamp_with_time_zone_null("last_sign_in_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("memberships")
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(integer("organisation_id"))
                .col(string_len("role", 40))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "memberships",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "memberships",
                    "organisation_id",
                    "organisations",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "memberships",
            &["user_id", "organisation_id", "role"],
            true,
        ))
        .await?;
        m.create_index(index("memberships", &["organisation_id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("sessions")
                .col(string_len("id_hash", 64).primary_key())
                .col(integer("user_id"))
                .col(string_len("csrf_token", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("last_seen_at"))
                .col(string_len_null("ip", 64))
                .col(string_len_null("user_agent", 300))
                .foreign_key(&mut fk(
                    "sessions",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("sessions", &["user_id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("api_tokens")
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(string_len("name", 100))
                .col(string_len("token_hash", 64).unique_key())
                .col(string_len("prefix", 16))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("expires_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut fk(
                    "api_tokens",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("password_resets")
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(string_len("token_hash", 64).unique_key())
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .foreign_key(&mut fk(
                    "password_resets",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("audit_events")
                .col(big_pk_auto("id"))
                .col(timestamp_with_time_zone("at"))
                .col(string_len_null("request_id", 64))
                .col(integer_null("actor_user_id"))
                .col(string_len("actor_label", 254))
                .col(string_len("action", 64))
                .col(string_len_null("entity_type", 40))
                .col(string_len_null("entity_id", 64))
                .col(integer_null("person_id"))
                .col(integer_null("organisation_id"))
                .col(string_len_null("purpose", 64))
                .col(string_len("outcome", 16))
                .col(text_null("detail"))
                .col(string_len_null("ip", 64))
                .to_owned(),
        )
        .await?;
        m.create_index(index("audit_events", &["at"], false))
            .await?;
        m.create_index(index("audit_events", &["actor_user_id", "at"], false))
            .await?;
        m.create_index(index("audit_events", &["person_id", "at"], false))
            .await?;
        m.create_index(index("audit_events", &["action", "at"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("email_outbox")
                .col(pk_auto("id"))
                .col(string_len("to_address", 254))
                .col(string_len("subject", 300))
                .col(text("body_text"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .col(integer("attempts").default(0))
                .col(text_null("last_error"))
                .col(string_len_null("delivered_to", 500))
                .to_owned(),
        )
        .await?;
        m.create_index(index("email_outbox", &["sent_at"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "email_outbox",
            "audit_events",
            "password_resets",
            "api_tokens",
            "sessions",
            "memberships",
            "users",
            "organisations",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
