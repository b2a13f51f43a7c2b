//! An index that serves "organisations under this path" on PostgreSQL whatever the database's
//! collation (`path LIKE '/1/4/%'` can use a btree index only with `text_pattern_ops` or the C
//! collation). SQLite needs none: its queries use `GLOB`, which the existing index on `path`
//! serves.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared(
                    "CREATE INDEX ix_organisations_path_prefix ON organisations (path text_pattern_ops)",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared("DROP INDEX IF EXISTS ix_organisations_path_prefix")
                .await?;
        }
        Ok(())
    }
}
