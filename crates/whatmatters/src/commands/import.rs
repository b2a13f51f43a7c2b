//! `whatmatters import`: the wording of a licensed questionnaire, NHS ODS files, the ONS
//! Postcode Directory and Open Referral UK files.

use anyhow::{Context, Result, bail};
use services::{RequestMeta, ods_import};
use std::io::Read;
use std::path::PathBuf;

use super::services;
use crate::config::Config;
use crate::{Instrument, OdsLayout};

/// Loads a questionnaire's wording, one item per line.
pub async fn wording(cfg: &Config, instrument: Instrument, file: PathBuf) -> Result<()> {
    let svc = services(cfg).await?;
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
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
    Ok(())
}

/// Imports an ODS CSV file; exits with 2 when some rows were rejected.
pub async fn ods(cfg: &Config, layout: OdsLayout, file: PathBuf) -> Result<std::process::ExitCode> {
    let svc = services(cfg).await?;
    let mut bytes = Vec::new();
    std::fs::File::open(&file)
        .with_context(|| format!("opening {}", file.display()))?
        .read_to_end(&mut bytes)?;
    let layout = match layout {
        OdsLayout::Practices => ods_import::Layout::Practices,
        OdsLayout::PcnMembers => ods_import::Layout::PcnMembers,
    };
    let report =
        match ods_import::import(&svc, &RequestMeta::default(), layout, bytes.as_slice()).await {
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
    Ok(std::process::ExitCode::SUCCESS)
}

/// Imports postcodes and where they are; exits with 2 when some rows were rejected.
pub async fn postcodes(cfg: &Config, file: PathBuf) -> Result<std::process::ExitCode> {
    let svc = services(cfg).await?;
    let f = std::fs::File::open(&file).with_context(|| format!("opening {}", file.display()))?;
    let report = match services::directory::postcodes::import(
        &svc,
        &RequestMeta::default(),
        std::io::BufReader::new(f),
    )
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
        "{}: {} postcodes imported, {} without a grid reference skipped, {} rejected",
        file.display(),
        report.imported,
        report.skipped,
        report.rejected
    );
    for e in &report.errors {
        eprintln!("{}:{}: {}", file.display(), e.line, e.reason);
    }
    if report.rejected > 0 {
        return Ok(std::process::ExitCode::from(2));
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// Imports an Open Referral UK file; exits with 2 when some records were refused.
pub async fn oruk(cfg: &Config, file: PathBuf) -> Result<std::process::ExitCode> {
    let svc = services(cfg).await?;
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let report = services::directory::import::oruk(&svc, &RequestMeta::default(), &text).await?;
    println!(
        "{}: {} services, {} organisations, {} taxonomy terms imported; {} records refused",
        file.display(),
        report.services,
        report.organizations,
        report.terms,
        report.rejected.len()
    );
    for w in &report.warnings {
        eprintln!("{}: warning: {w}", file.display());
    }
    for r in &report.rejected {
        for why in &r.reasons {
            eprintln!("{}: {}: {why}", file.display(), r.record);
        }
    }
    if !report.rejected.is_empty() {
        return Ok(std::process::ExitCode::from(2));
    }
    Ok(std::process::ExitCode::SUCCESS)
}
