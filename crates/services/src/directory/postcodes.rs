//! Postcodes and where they are, imported from the ONS Postcode Directory (ONSPD, or its
//! National Statistics Postcode Lookup): a CSV file with a header naming `pcds` (or `pcd`,
//! `pcd7`, `pcd8`, `postcode`) and `lat` and `long` (or `latitude`, `longitude`). Rows without
//! a grid reference (ONSPD gives them latitude 99.999999) are skipped; bad rows are reported
//! with their line; good rows are written in batches in one transaction, so a failed import
//! leaves nothing half-written.

use domain::Postcode;
use domain::directory::geo::Point;
use sea_orm::sea_query::OnConflict;
use sea_orm::{DatabaseTransaction, EntityTrait, Set};
use std::io::Read;
use store::entities::postcode;

use crate::audit::{self, Event, Outcome};
use crate::ods_import::RowError;
use crate::{RequestMeta, ServiceError, Services};

/// What an import did.
#[derive(Debug, Default)]
pub struct Report {
    pub imported: usize,
    /// Rows with no grid reference.
    pub skipped: usize,
    /// Rows refused, with why (the first 100).
    pub errors: Vec<RowError>,
    pub rejected: usize,
}

/// Where a postcode is, if we know it.
pub async fn locate(svc: &Services, pc: &Postcode) -> Result<Option<Point>, ServiceError> {
    Ok(postcode::Entity::find_by_id(pc.as_str().to_owned())
        .one(&svc.db)
        .await?
        .and_then(|p| Point::new(p.latitude, p.longitude).ok()))
}

/// Up to `limit` known postcodes starting with `prefix`, and where they are (for load tests).
pub async fn starting(
    svc: &Services,
    prefix: &str,
    limit: u64,
) -> Result<Vec<(String, Point)>, ServiceError> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
    Ok(postcode::Entity::find()
        .filter(postcode::Column::Postcode.starts_with(prefix))
        .order_by_asc(postcode::Column::Postcode)
        .limit(limit)
        .all(&svc.db)
        .await?
        .into_iter()
        .filter_map(|p| {
            Point::new(p.latitude, p.longitude)
                .ok()
                .map(|pt| (p.postcode, pt))
        })
        .collect())
}

/// Writes postcodes and their points (replacing what was known of them).
pub(crate) async fn upsert(
    txn: &DatabaseTransaction,
    rows: &[(Postcode, Point)],
) -> Result<(), ServiceError> {
    for chunk in rows.chunks(1000) {
        postcode::Entity::insert_many(chunk.iter().map(|(pc, pt)| postcode::ActiveModel {
            postcode: Set(pc.as_str().to_owned()),
            latitude: Set(pt.latitude),
            longitude: Set(pt.longitude),
        }))
        .on_conflict(
            OnConflict::column(postcode::Column::Postcode)
                .update_columns([postcode::Column::Latitude, postcode::Column::Longitude])
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

fn column(headers: &csv::StringRecord, names: &[&str]) -> Option<usize> {
    headers
        .iter()
        .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
}

/// Imports a postcode directory file.
pub async fn import(
    svc: &Services,
    meta: &RequestMeta,
    input: impl Read,
) -> Result<Report, ServiceError> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input);
    let headers = rdr
        .headers()
        .map_err(|e| ServiceError::invalid("file", format!("The file cannot be read: {e}")))?
        .clone();
    let pc_col = column(&headers, &["pcds", "pcd", "pcd7", "pcd8", "postcode"]);
    let lat_col = column(&headers, &["lat", "latitude"]);
    let long_col = column(&headers, &["long", "longitude", "lng", "lon"]);
    let (Some(pc_col), Some(lat_col), Some(long_col)) = (pc_col, lat_col, long_col) else {
        return Err(ServiceError::invalid(
            "file",
            "The file needs a header row naming the postcode (pcds), latitude (lat) and longitude (long) columns, as the ONS Postcode Directory has",
        ));
    };
    let mut report = Report::default();
    let mut rows = Vec::new();
    let reject = |report: &mut Report, line: u64, reason: String| {
        report.rejected += 1;
        if report.errors.len() < 100 {
            report.errors.push(RowError { line, reason });
        }
    };
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                reject(&mut report, line, format!("cannot be read: {e}"));
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let field = |i: usize| rec.get(i).unwrap_or("").trim();
        let pc = match Postcode::parse(field(pc_col)) {
            Ok(p) => p,
            Err(_) => {
                reject(
                    &mut report,
                    line,
                    format!("{:?} is not a postcode", field(pc_col)),
                );
                continue;
            }
        };
        let (lat, long) = (field(lat_col), field(long_col));
        if lat.is_empty() || lat.starts_with("99.9") {
            report.skipped += 1;
            continue;
        }
        match (lat.parse::<f64>(), long.parse::<f64>()) {
            (Ok(a), Ok(b)) => match Point::new(a, b) {
                Ok(pt) => rows.push((pc, pt)),
                Err(e) => reject(&mut report, line, format!("{pc}: {e}")),
            },
            _ => reject(
                &mut report,
                line,
                format!("{pc}: latitude and longitude must be numbers"),
            ),
        }
    }
    let txn = store::begin_write(&svc.db).await?;
    upsert(&txn, &rows).await?;
    report.imported = rows.len();
    audit::record(
        &txn,
        svc.now(),
        meta,
        Event::new(
            "postcode_import",
            if report.rejected == 0 {
                Outcome::Success
            } else {
                Outcome::Failure
            },
        )
        .by_label(None, "command line")
        .detail(format!(
            "{} imported, {} without a grid reference, {} rejected",
            report.imported, report.skipped, report.rejected
        )),
    )
    .await?;
    txn.commit().await?;
    Ok(report)
}
