//! `whatmatters demo`: seed a demo database (and optionally many people for load tests), print
//! how to sign in, and serve it.

use anyhow::{Context, Result};
use services::demo;
use std::path::PathBuf;

use super::serve::serve;
use super::services;
use crate::config::Config;

/// Seeds the demo database and serves it; logging and the listening address are already set.
pub async fn run(
    mut cfg: Config,
    db: PathBuf,
    reset: bool,
    no_serve: bool,
    database_url: Option<String>,
    people: Option<usize>,
    services_n: Option<usize>,
) -> Result<()> {
    if reset && database_url.is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", db.display()));
            if p.exists() {
                std::fs::remove_file(&p).with_context(|| format!("removing {}", p.display()))?;
            }
        }
    }
    cfg.database_url = database_url.unwrap_or_else(|| format!("sqlite://{}", db.display()));
    if cfg.outbox_dir == std::path::Path::new("outbox") {
        cfg.outbox_dir = PathBuf::from("outbox-demo");
    }
    let svc = services(&cfg).await?;
    let seeded = demo::seed(&svc).await?;
    if let (true, Some(n)) = (seeded, people) {
        let added = demo::seed_bulk(&svc, n).await?;
        println!("Added {added} people with referrals for load testing.");
    }
    if let (true, Some(n)) = (seeded, services_n) {
        let added = demo::seed_services(&svc, n).await?;
        println!("Added {added} community services for load testing.");
    }
    print_demo(&cfg, seeded);
    if !no_serve {
        serve(&cfg, svc).await?;
    }
    Ok(())
}

fn print_demo(cfg: &Config, seeded: bool) {
    println!();
    println!("whatmatters demo");
    println!(
        "  database: {} ({})",
        store::redact_url(&cfg.database_url),
        if seeded {
            "seeded just now"
        } else {
            "already seeded; use --reset to start again"
        }
    );
    println!("  open:     http://{}:{}/", cfg.bind, cfg.port);
    println!("  e-mails:  written to {}/", cfg.outbox_dir.display());
    println!();
    println!(
        "Sign in with any of these accounts; the password for all is: {}",
        demo::DEMO_PASSWORD
    );
    for u in demo::USERS {
        println!(
            "  {:<44} {} ({}) at {}",
            u.email,
            u.name,
            u.role.label(),
            u.at
        );
    }
    println!();
}
