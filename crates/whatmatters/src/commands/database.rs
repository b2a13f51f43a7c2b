//! `whatmatters migrate` and `whatmatters backup`: bringing the schema up to date and copying
//! the database.

use anyhow::{Context, Result, bail};
use sea_orm::{ConnectionTrait, Statement};
use std::path::PathBuf;

use super::init_logging;
use crate::config::Config;

/// Brings the database schema up to date.
pub async fn migrate(cfg: &Config) -> Result<()> {
    init_logging(cfg);
    store::open(&cfg.database_url, cfg.sqlite_durability()?).await?;
    println!(
        "The database at {} is up to date.",
        store::redact_url(&cfg.database_url)
    );
    Ok(())
}

/// Backs up the database: SQLite to a consistent copy, PostgreSQL by saying how to use pg_dump.
pub async fn backup(cfg: &Config, to: PathBuf) -> Result<()> {
    match store::Backend::of_url(&cfg.database_url)? {
        store::Backend::Postgres => {
            println!(
                "For PostgreSQL, use its own tool, which makes a consistent copy while whatmatters runs:"
            );
            println!(
                "  pg_dump --format=custom --file={} \"$DATABASE_URL\"",
                to.display()
            );
            println!(
                "and restore with pg_restore --clean --dbname=\"$DATABASE_URL\" {}",
                to.display()
            );
        }
        store::Backend::Sqlite => {
            if to.exists() {
                bail!("{} already exists; choose a new file name", to.display());
            }
            let db = store::connect_with(&cfg.database_url, cfg.sqlite_durability()?).await?;
            let path = to.display().to_string().replace('\'', "''");
            db.execute_raw(Statement::from_string(
                db.get_database_backend(),
                format!("VACUUM INTO '{path}'"),
            ))
            .await
            .context("writing the backup")?;
            println!(
                "Backed up {} to {}.",
                store::redact_url(&cfg.database_url),
                to.display()
            );
        }
    }
    Ok(())
}
