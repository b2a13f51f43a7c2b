//! whatmatters: personalised care for NHS primary care, in one binary. The command line is
//! defined here and dispatched to `commands`, which hold what each command does.

mod commands;
mod config;

use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};
use commands::serve::serve;
use commands::{init_logging, services};
use config::Config;
use std::path::PathBuf;

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
        /// Also add this many generated community services across England, for load tests
        /// (for example 200000)
        #[arg(long, value_name = "N")]
        services: Option<usize>,
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
    /// Measure the directory search in process beside its bare SQL (after `demo --services N`)
    #[command(hide = true)]
    BenchBooking {
        /// Buyers at once
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Places left at the event everyone races for
        #[arg(long, default_value_t = 10)]
        places: i32,
        /// Seconds each throughput run lasts
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Measure a message to a mailing list of many subscribers: queueing and delivering
    #[command(hide = true)]
    BenchList {
        /// Confirmed subscribers to add to the demo's list first
        #[arg(long, default_value_t = 10_000)]
        subscribers: usize,
        /// Jobs the worker runs at once
        #[arg(long, default_value_t = 10)]
        batch: u64,
    },
    #[command(hide = true)]
    BenchSearch {
        #[arg(long, default_value_t = 2000)]
        iterations: usize,
        /// Metres from each postcode
        #[arg(long, default_value_t = 5000)]
        radius: u32,
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
        /// commissioner, vcse_worker, network_organiser, peer_leader, person, learner or admin
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
    /// Import where postcodes are: the ONS Postcode Directory (or the National Statistics
    /// Postcode Lookup) as CSV with its header row (pcds, lat, long), or a Code-Point Open CSV
    /// file (British National Grid eastings and northings; no header row needed)
    Postcodes {
        /// The CSV file
        file: PathBuf,
    },
    /// Import community services, organisations and taxonomies from Open Referral UK 3.0 JSON
    /// (a service, a page or array of them, an organisation with its services, a taxonomy, or
    /// ndjson with one record a line); records are upserted by id
    Oruk {
        /// The JSON or ndjson file
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
            services,
        } => {
            apply(&mut cfg, &listen);
            init_logging(&cfg);
            commands::demo::run(cfg, db, reset, no_serve, database_url, people, services).await?;
        }
        Command::Migrate => commands::database::migrate(&cfg).await?,
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    name,
                    role,
                    org,
                },
        } => commands::user::add(&cfg, email, name, role, org).await?,
        Command::User {
            command: UserCommand::Token { email, name, days },
        } => commands::user::token(&cfg, email, name, days).await?,
        Command::Import {
            command: ImportCommand::Wording { instrument, file },
        } => commands::import::wording(&cfg, instrument, file).await?,
        Command::Import {
            command: ImportCommand::Oruk { file },
        } => return commands::import::oruk(&cfg, file).await,
        Command::Import {
            command: ImportCommand::Postcodes { file },
        } => return commands::import::postcodes(&cfg, file).await,
        Command::Import {
            command: ImportCommand::Ods { layout, file },
        } => return commands::import::ods(&cfg, layout, file).await,
        Command::BenchBooking {
            clients,
            places,
            seconds,
        } => commands::bench_booking::run(&cfg, clients, places, seconds).await?,
        Command::BenchList { subscribers, batch } => {
            commands::bench_list::run(&cfg, subscribers, batch).await?
        }
        Command::BenchSearch { iterations, radius } => {
            commands::bench::run(&cfg, iterations, radius).await?
        }
        Command::Backup { to } => commands::database::backup(&cfg, to).await?,
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
