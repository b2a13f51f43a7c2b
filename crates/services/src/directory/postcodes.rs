//! Postcodes and where they are, imported from the ONS Postcode Directory (ONSPD, or its
//! National Statistics Postcode Lookup), a CSV file with a header naming `pcds` (or `pcd`,
//! `pcd7`, `pcd8`, `postcode`) and `lat` and `long` (or `latitude`, `longitude`); or from
//! Ordnance Survey's Code-Point Open, whose CSV files give British National Grid eastings and
//! northings, with no header row (or one naming `eastings` and `northings`). Rows without a
//! grid reference (ONSPD gives them latitude 99.999999, Code-Point 0, 0) are skipped; bad rows
//! are reported with their line; good rows are written in batches in one transaction, so a
//! failed import leaves nothing half-written.

use domain::Postcode;
use domain::directory::geo::{NationalGrid, Point};
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

/// Where a file keeps a row's postcode and position.
enum Columns {
    /// Latitude and longitude (the ONS Postcode Directory, NSPL).
    Degrees { pc: usize, lat: usize, long: usize },
    /// British National Grid eastings and northings (Code-Point Open).
    Grid {
        pc: usize,
        east: usize,
        north: usize,
    },
}

impl Columns {
    /// From a header row, if it names the columns needed.
    fn named(headers: &csv::StringRecord) -> Option<Columns> {
        let pc = column(headers, &["pcds", "pcd", "pcd7", "pcd8", "postcode", "pc"])?;
        if let (Some(lat), Some(long)) = (
            column(headers, &["lat", "latitude"]),
            column(headers, &["long", "longitude", "lng", "lon"]),
        ) {
            return Some(Columns::Degrees { pc, lat, long });
        }
        let east = column(headers, &["eastings", "easting", "ea", "oseast1m"])?;
        let north = column(headers, &["northings", "northing", "no", "osnrth1m"])?;
        Some(Columns::Grid { pc, east, north })
    }

    /// Code-Point Open's own files have no header row: postcode, positional quality,
    /// eastings, northings, then codes. A first row of that shape says so.
    fn code_point(first: &csv::StringRecord) -> Option<Columns> {
        let number = |i: usize| {
            first
                .get(i)
                .is_some_and(|f| f.trim().parse::<f64>().is_ok())
        };
        (Postcode::parse(first.get(0)?).is_ok() && number(2) && number(3)).then_some(
            Columns::Grid {
                pc: 0,
                east: 2,
                north: 3,
            },
        )
    }
}

/// What one row says: a postcode and where it is, a postcode with no grid reference, or why
/// the row cannot be used.
enum Row {
    At(Postcode, Point),
    Unplaced,
    Refused(String),
}

fn read_row(rec: &csv::StringRecord, cols: &Columns, grid: &NationalGrid) -> Row {
    let field = |i: usize| rec.get(i).unwrap_or("").trim();
    let pc_col = match *cols {
        Columns::Degrees { pc, .. } | Columns::Grid { pc, .. } => pc,
    };
    let Ok(pc) = Postcode::parse(field(pc_col)) else {
        return Row::Refused(format!("{:?} is not a postcode", field(pc_col)));
    };
    match *cols {
        Columns::Degrees { lat, long, .. } => {
            let (lat, long) = (field(lat), field(long));
            // ONSPD gives a postcode with no grid reference latitude 99.999999.
            if lat.is_empty() || lat.starts_with("99.9") {
                return Row::Unplaced;
            }
            match (lat.parse::<f64>(), long.parse::<f64>()) {
                (Ok(a), Ok(b)) => match Point::new(a, b) {
                    Ok(pt) => Row::At(pc, pt),
                    Err(e) => Row::Refused(format!("{pc}: {e}")),
                },
                _ => Row::Refused(format!("{pc}: latitude and longitude must be numbers")),
            }
        }
        Columns::Grid { east, north, .. } => {
            let (e, n) = (field(east), field(north));
            if e.is_empty() && n.is_empty() {
                return Row::Unplaced;
            }
            match (e.parse::<f64>(), n.parse::<f64>()) {
                // Code-Point gives a postcode with no grid reference (quality 90) 0, 0.
                (Ok(a), Ok(b)) if a == 0.0 && b == 0.0 => Row::Unplaced,
                (Ok(a), Ok(b)) => match grid.point(a, b) {
                    Ok(pt) => Row::At(pc, pt),
                    Err(err) => Row::Refused(format!("{pc}: {err}")),
                },
                _ => Row::Refused(format!("{pc}: eastings and northings must be numbers")),
            }
        }
    }
}

/// Imports a postcode directory file: the ONS Postcode Directory or NSPL (latitude and
/// longitude), or Ordnance Survey's Code-Point Open (eastings and northings, with or without
/// a header row).
pub async fn import(
    svc: &Services,
    meta: &RequestMeta,
    input: impl Read,
) -> Result<Report, ServiceError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input);
    let mut records = rdr.records();
    let first = match records.next() {
        Some(Ok(r)) => r,
        Some(Err(e)) => {
            return Err(ServiceError::invalid(
                "file",
                format!("The file cannot be read: {e}"),
            ));
        }
        None => return Err(ServiceError::invalid("file", "The file is empty")),
    };
    let (cols, first_is_data) = match Columns::named(&first) {
        Some(c) => (c, false),
        None => match Columns::code_point(&first) {
            Some(c) => (c, true),
            None => {
                return Err(ServiceError::invalid(
                    "file",
                    "The file needs a header row naming the postcode (pcds), latitude (lat) and longitude (long) columns, as the ONS Postcode Directory has, or eastings and northings, as Code-Point Open has",
                ));
            }
        },
    };
    let grid = NationalGrid::new();
    let mut report = Report::default();
    let mut rows = Vec::new();
    let reject = |report: &mut Report, line: u64, reason: String| {
        report.rejected += 1;
        if report.errors.len() < 100 {
            report.errors.push(RowError { line, reason });
        }
    };
    for rec in first_is_data
        .then_some(Ok(first))
        .into_iter()
        .chain(records)
    {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                reject(&mut report, line, format!("cannot be read: {e}"));
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        match read_row(&rec, &cols, &grid) {
            Row::At(pc, pt) => rows.push((pc, pt)),
            Row::Unplaced => report.skipped += 1,
            Row::Refused(why) => reject(&mut report, line, why),
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
