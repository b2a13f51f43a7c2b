//! Jobs: work queued in the same transaction as the change that causes it, and run by a worker
//! in any number of instances (see `services::jobs`).
//!
//! A row is work still to do, or work that failed for good: a job is deleted when it succeeds,
//! so the table stays small and the claiming index covers only what may still run. A failed job
//! keeps its row, with `failed_at` set and its `last_error`, until someone removes it.
//!
//! E-mails queued before this migration and not yet sent each get a `send_email` job, keeping
//! the attempts already made.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("jobs")
                .col(pk_auto("id"))
                .col(string_len("kind", 64))
                .col(text("payload"))
                .col(timestamp_with_time_zone("run_at"))
                .col(integer("attempts").default(0))
                .col(integer("max_attempts"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(string_len_null("locked_by", 100))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("failed_at"))
                .to_owned(),
        )
        .await?;
        let c = m.get_connection();
        // What a claim reads: jobs that may still run, oldest due first.
        c.execute_unprepared(
            "CREATE INDEX ix_jobs_due ON jobs (run_at, id) WHERE failed_at IS NULL",
        )
        .await?;
        // Failed jobs, for whoever looks after the service.
        c.execute_unprepared(
            "CREATE INDEX ix_jobs_failed ON jobs (failed_at) WHERE failed_at IS NOT NULL",
        )
        .await?;
        c.execute_unprepared(
            "INSERT INTO jobs (kind, payload, run_at, attempts, max_attempts, last_error, \
             created_at) \
             SELECT 'send_email', '{\"email_id\":' || CAST(id AS TEXT) || '}', created_at, \
             attempts, 10, last_error, created_at \
             FROM email_outbox WHERE sent_at IS NULL AND attempts < 10 ORDER BY id",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("jobs").to_owned()).await
    }
}
