//! whatmatters: personalised care for NHS primary care, in one binary.

mod config;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use config::Config;
use sea_orm::{ConnectionTrait, Statement};
use services::{RequestMeta, Services, SystemClock, demo, ods_import};
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "whatmatters",
    version,
    about = "Personalised care for NHS primary care networks"
)]
struct Cli {
    /// Configuration file (default: whatmatters.toml in the current folder, if present)
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and API
    Serve {
        #[command(flatten)]
        listen: Listen,
        /// Print the effective configuration (without secrets) and exit
        #[arg(long)]
        print_config: bool,
    },
    /// Create a demo database with a realistic region, serve it, and print how to sign in
    Demo {
        #[command(flatten)]
        listen: Listen,
        /// The SQLite file for the demo
        #[arg(long, default_value = "whatmatters-demo.db")]
        db: PathBuf,
        /// Delete the demo database first and seed it afresh
        #[arg(long)]
        reset: bool,
        /// Seed and exit without serving
        #[arg(long)]
        no_serve: bool,
        /// Also add this many people, each with a referral, for load tests (for example 50000)
        #[arg(long, value_name = "N")]
        people: Option<usize>,
        /// Seed this database instead of the SQLite file (for example a PostgreSQL database
        /// for load tests); seeding is skipped when it already has organisations
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
    },
    /// Bring the database schema up to date
    Migrate,
    /// Manage users
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Import reference data
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Back up the database (SQLite: a consistent copy while running; PostgreSQL: how to use pg_dump)
    Backup {
        /// The file to write
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
}

#[derive(Args)]
struct Listen {
    /// Address to listen on
    #[arg(long, value_name = "ADDR")]
    bind: Option<String>,
    /// Port to listen on
    #[arg(long, value_name = "N")]
    port: Option<u16>,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user with a role at an organisation. The password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// link_worker, care_coordinator, health_and_wellbeing_coach, clinician, pcn_manager,
        /// commissioner, vcse_worker, network_organiser, peer_leader, person or admin
        #[arg(long)]
        role: String,
        /// The organisation, by ODS code or id
        #[arg(long, value_name = "CODE_OR_ID")]
        org: String,
    },
    /// Issue an API token for a user (for a system that calls the API on their behalf) and
    /// print it once; it is stored only as a hash. Revoke it on the user's account page.
    Token {
        #[arg(long)]
        email: String,
        /// What the token is for, like "GP system sync"
        #[arg(long)]
        name: String,
        /// Days until it expires (1 to 365)
        #[arg(long, default_value_t = 30)]
        days: i64,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Load the wording of a licensed questionnaire, under your organisation's own registration:
    /// a text file with one item per line
    Wording {
        #[arg(long, value_enum)]
        instrument: Instrument,
        file: PathBuf,
    },
    /// Import an NHS ODS CSV file
    Ods {
        /// Which ODS layout the file has
        #[arg(long, value_enum)]
        layout: OdsLayout,
        /// The CSV file
        file: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Instrument {
    /// The seven SWEMWBS statements, in questionnaire order
    Swemwbs,
}

#[derive(Clone, Copy, ValueEnum)]
enum OdsLayout {
    /// GP practices (epraccur.csv, no header row)
    Practices,
    /// PCN membership (ePCN "PCN Core Partner Details" saved as CSV, with its header row)
    PcnMembers,
}

fn init_logging(cfg: &Config) {
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

async fn services(cfg: &Config) -> Result<Services> {
    let db = store::open(&cfg.database_url, cfg.sqlite_durability()?).await?;
    Ok(Services::new(db, Arc::new(SystemClock), cfg.settings()))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<std::process::ExitCode> {
    let cli = Cli::parse();
    let mut cfg = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve {
            listen,
            print_config,
        } => {
            apply(&mut cfg, &listen);
            if print_config {
                print!("{}", cfg.printable());
                return Ok(std::process::ExitCode::SUCCESS);
            }
            init_logging(&cfg);
            let svc = services(&cfg).await?;
            serve(&cfg, svc).await?;
        }
        Command::Demo {
            listen,
            db,
            reset,
            no_serve,
            database_url,
            people,
        } => {
            apply(&mut cfg, &listen);
            init_logging(&cfg);
            if reset && database_url.is_none() {
                for suffix in ["", "-wal", "-shm"] {
                    let p = PathBuf::from(format!("{}{suffix}", db.display()));
                    if p.exists() {
                        std::fs::remove_file(&p)
                            .with_context(|| format!("removing {}", p.display()))?;
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
            print_demo(&cfg, seeded);
            if !no_serve {
                serve(&cfg, svc).await?;
            }
        }
        Command::Migrate => {
            init_logging(&cfg);
            store::open(&cfg.database_url, cfg.sqlite_durability()?).await?;
            println!(
                "The database at {} is up to date.",
                store::redact_url(&cfg.database_url)
            );
        }
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    name,
                    role,
                    org,
                },
        } => {
            let svc = services(&cfg).await?;
            let role: domain::Role = role.parse().map_err(|e| {
                anyhow::anyhow!(
                    "{e}: choose one of {}",
                    domain::Role::ALL.map(|r| r.as_str()).join(", ")
                )
            })?;
            let org_id = find_org(&svc, &org).await?;
            eprintln!("Password for {email} (12 characters or more), then Enter:");
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("reading the password from standard input")?;
            let input = services::identity::users::NewUser {
                email,
                display_name: name,
                password: password.trim_end_matches(['\r', '\n']).to_owned(),
                memberships: vec![(role, org_id)],
            };
            match services::identity::users::create(&svc, None, &RequestMeta::default(), input)
                .await
            {
                Ok(u) => println!(
                    "Added {} (user {}) as {} at organisation {org_id}.",
                    u.email,
                    u.id,
                    role.label()
                ),
                Err(services::ServiceError::Invalid(list)) => {
                    for e in list {
                        eprintln!("{}: {}", e.field, e.message);
                    }
                    bail!("the user was not added");
                }
                Err(e) => return Err(e.into()),
            }
        }
        Command::User {
            command: UserCommand::Token { email, name, days },
        } => {
            let svc = services(&cfg).await?;
            let meta = RequestMeta::default();
            let user = services::identity::users::find_by_email(&svc, &email.trim().to_lowercase())
                .await?
                .ok_or_else(|| anyhow::anyhow!("no user has the email {email}"))?;
            let actor = services::identity::users::actor_of(&svc, &user).await?;
            match services::identity::token::create(&svc, &actor, &meta, &name, Some(days)).await {
                Ok((_, token)) => println!("{token}"),
                Err(services::ServiceError::Invalid(list)) => {
                    for e in list {
                        eprintln!("{}: {}", e.field, e.message);
                    }
                    bail!("no token was issued");
                }
                Err(services::ServiceError::Forbidden(what)) => {
                    bail!("{email} may not {what}: their role does not use the API")
                }
                Err(e) => return Err(e.into()),
            }
        }
        Command::Import {
            command: ImportCommand::Wording { instrument, file },
        } => {
            let svc = services(&cfg).await?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let items: Vec<String> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect();
            let (name, expected) = match instrument {
                Instrument::Swemwbs => ("swemwbs", 7),
            };
            if items.len() != expected {
                bail!(
                    "{} has {} non-empty lines; {name} has {expected} items, one per line",
                    file.display(),
                    items.len()
                );
            }
            services::care::measures::load_wording(&svc, name, &items).await?;
            println!("Loaded the wording of {expected} {name} items.");
        }
        Command::Import {
            command: ImportCommand::Ods { layout, file },
        } => {
            let svc = services(&cfg).await?;
            let mut bytes = Vec::new();
            std::fs::File::open(&file)
                .with_context(|| format!("opening {}", file.display()))?
                .read_to_end(&mut bytes)?;
            let layout = match layout {
                OdsLayout::Practices => ods_import::Layout::Practices,
                OdsLayout::PcnMembers => ods_import::Layout::PcnMembers,
            };
            let report =
                match ods_import::import(&svc, &RequestMeta::default(), layout, bytes.as_slice())
                    .await
                {
                    Ok(r) => r,
                    Err(services::ServiceError::Invalid(list)) => {
                        for e in list {
                            eprintln!("{}: {}", file.display(), e.message);
                        }
                        bail!("nothing was imported");
                    }
                    Err(e) => return Err(e.into()),
                };
            println!(
                "{}: {} created, {} updated, {} skipped, {} rejected",
                file.display(),
                report.created,
                report.updated,
                report.skipped,
                report.errors.len()
            );
            for e in &report.errors {
                eprintln!("{}:{}: {}", file.display(), e.line, e.reason);
            }
            if !report.errors.is_empty() {
                return Ok(std::process::ExitCode::from(2));
            }
        }
        Command::Backup { to } => match store::Backend::of_url(&cfg.database_url)? {
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
        },
    }
    Ok(std::process::ExitCode::SUCCESS)
}

fn apply(cfg: &mut Config, listen: &Listen) {
    if let Some(b) = &listen.bind {
        cfg.bind = b.clone();
    }
    if let Some(p) = listen.port {
        cfg.port = p;
    }
}

async fn find_org(svc: &Services, key: &str) -> Result<i32> {
    services::org::id_by_key(svc, key)
        .await?
        .with_context(|| format!("there is no organisation with ODS code or id {key:?}"))
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

async fn serve(cfg: &Config, svc: Services) -> Result<()> {
    let state = web::AppState::new(svc.clone(), cfg.web());
    let app = web::router(state);
    let addr: SocketAddr = format!("{}:{}", cfg.bind, cfg.port)
        .parse()
        .with_context(|| format!("{}:{} is not an address to listen on", cfg.bind, cfg.port))?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    tracing::info!(%addr, database = %store::redact_url(&cfg.database_url), "whatmatters is serving");
    // Jobs (e-mail delivery) and periodic chores (removing expired sessions and full
    // rate-limit buckets) run in this process; see services::jobs.
    let worker = services::jobs::Worker::new(svc, services::jobs::registry()).spawn();
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .context("serving");
    worker.stop(Duration::from_secs(20)).await;
    served?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
