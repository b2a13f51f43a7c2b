//! Learners: accounts anyone may open (confirmed by an e-mailed link that works once, before it
//! runs out), certificates for events attended and e-learning completed (each with a code that
//! anyone can check), learners' progress through e-learning modules, who counts as trained,
//! and each learner's private calendar feed.
//!
//! The e-learning modules themselves ship with the application (`domain::learning::elearning`)
//! and are named here by their slug.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};
        m.alter_table(
            Table::alter()
                .table("users")
                .add_column(string_len_null("job_role", 100))
                .to_owned(),
        )
        .await?;
        // Each alteration alone: SQLite adds one column a statement.
        m.alter_table(
            Table::alter()
                .table("learning_events")
                .add_column(integer_null("certificate_months"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("learning_events")
                .add_column(boolean("accredited").default(false))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("sign_ups")
                .col(pk_auto("id"))
                .col(string_len("email", 254))
                .col(string_len("display_name", 200))
                .col(string_len("job_role", 100))
                .col(integer_null("organisation_id"))
                .col(string_len_uniq("token_hash", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .col(integer_null("user_id"))
                .foreign_key(&mut fk(
                    "sign_ups",
                    "organisation_id",
                    "organisations",
                    SetNull,
                ))
                .foreign_key(&mut fk("sign_ups", "user_id", "users", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_index(index("sign_ups", &["expires_at"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("learning_certificates")
                .col(pk_auto("id"))
                .col(string_len_uniq("code", 16))
                .col(integer_null("user_id"))
                .col(string_len("name", 200))
                .col(string_len("email", 254))
                .col(string_len("kind", 8))
                .col(string_len("title", 200))
                .col(integer_null("event_id"))
                .col(integer_null("place_id").unique_key())
                .col(string_len_null("module_slug", 40))
                .col(integer("cpd_minutes"))
                .col(timestamp_with_time_zone("issued_at"))
                .col(timestamp_with_time_zone_null("expires_at"))
                .col(timestamp_with_time_zone_null("recert_reminded_at"))
                .check(Expr::cust("cpd_minutes >= 0"))
                .foreign_key(&mut fk(
                    "learning_certificates",
                    "user_id",
                    "users",
                    SetNull,
                ))
                .foreign_key(&mut fk(
                    "learning_certificates",
                    "event_id",
                    "learning_events",
                    SetNull,
                ))
                .foreign_key(&mut fk(
                    "learning_certificates",
                    "place_id",
                    "learning_places",
                    SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "learning_certificates",
            &["user_id", "module_slug"],
            true,
        ))
        .await?;
        m.create_index(index("learning_certificates", &["email"], false))
            .await?;
        m.create_index(index("learning_certificates", &["expires_at"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("elearning_progress")
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(string_len("module_slug", 40))
                // Lessons read, in order: the learner resumes at this one.
                .col(integer("lessons_done").default(0))
                .col(integer("attempts").default(0))
                .col(integer_null("best_score"))
                .col(timestamp_with_time_zone("started_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("passed_at"))
                .check(Expr::cust(
                    "lessons_done >= 0 AND lessons_done <= 100 AND attempts >= 0 \
                     AND (best_score IS NULL OR (best_score >= 0 AND best_score <= 100))",
                ))
                .foreign_key(&mut fk("elearning_progress", "user_id", "users", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "elearning_progress",
            &["user_id", "module_slug"],
            true,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("learning_trained")
                .col(pk_auto("id"))
                .col(integer_uniq("user_id"))
                .col(string_len("source", 60))
                .col(timestamp_with_time_zone("trained_at"))
                .foreign_key(&mut fk("learning_trained", "user_id", "users", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("calendar_feeds")
                .col(pk_auto("id"))
                .col(integer_uniq("user_id"))
                .col(string_len_uniq("token_hash", 64))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("calendar_feeds", "user_id", "users", Cascade))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "calendar_feeds",
            "learning_trained",
            "elearning_progress",
            "learning_certificates",
            "sign_ups",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        for (t, c) in [
            ("learning_events", "accredited"),
            ("learning_events", "certificate_months"),
            ("users", "job_role"),
        ] {
            m.alter_table(Table::alter().table(t).drop_column(c).to_owned())
                .await?;
        }
        Ok(())
    }
}
