//! What each command does, one file per command; `main` parses the command line and calls them.

pub mod bench;
pub mod bench_booking;
pub mod bench_list;
pub mod database;
pub mod demo;
pub mod import;
pub mod serve;
pub mod user;

use anyhow::Result;
use services::{Services, SystemClock};
use std::sync::Arc;

use crate::config::Config;

pub fn init_logging(cfg: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn")
    });
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = if cfg.log_format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

pub async fn services(cfg: &Config) -> Result<Services> {
    let db = store::open(&cfg.database_url, cfg.sqlite_durability()?).await?;
    let svc = Services::new(db, Arc::new(SystemClock), cfg.settings());
    // Reference data every installation has: the directory's taxonomy of needs.
    services::directory::taxonomy::ensure(&svc).await?;
    Ok(svc)
}
