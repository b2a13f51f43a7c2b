//! The community directory's taxonomies and their terms (Open Referral UK `taxonomy` and
//! `taxonomy_term`), identified by UUID. The needs taxonomy is kept up to date by the service
//! at start-up (`services::directory::taxonomy::ensure`), not by this migration, so its
//! wording lives in one place.

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
                .table("taxonomies")
                .col(string_len("id", 36).primary_key())
                .col(string_len("code", 100).unique_key())
                .col(string_len("name", 200))
                .col(text("description"))
                .col(string_len_null("uri", 300))
                .col(string_len_null("version", 50))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("taxonomy_terms")
                .col(string_len("id", 36).primary_key())
                .col(string_len("taxonomy_id", 36))
                .col(string_len_null("parent_id", 36))
                .col(string_len("code", 100))
                .col(string_len("name", 200))
                .col(text("description"))
                .col(string_len_null("term_uri", 300))
                .foreign_key(&mut fk(
                    "taxonomy_terms",
                    "taxonomy_id",
                    "taxonomies",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ix_taxonomy_terms_code ON taxonomy_terms (taxonomy_id, code)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("taxonomy_terms").to_owned())
            .await?;
        m.drop_table(Table::drop().table("taxonomies").to_owned())
            .await
    }
}
