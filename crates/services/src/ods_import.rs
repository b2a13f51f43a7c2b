//! Imports the NHS Organisation Data Service's published files:
//! - GP practices (`epraccur.csv`: no header; code, name, …, postcode in column 10, status in
//!   column 13, commissioner in column 15, prescribing setting in column 26);
//! - PCN membership (the "PCN Core Partner Details" sheet of `ePCN.xlsx`, saved as CSV with its
//!   header row: Partner Organisation Code, PCN Code, PCN Name, Practice to PCN Relationship End Date).
//!
//! Bad rows are reported with their line number and reason; good rows are imported together in
//! one transaction, so a failure part-way leaves nothing half-written.

use chrono::NaiveDate;
use domain::{OdsCode, OrgKind, Postcode};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set,
};
use std::io::Read;
use store::entities::organisation::{self, Model as Organisation};

use crate::audit::{self, Event, Outcome};
use crate::org::move_subtree;
use crate::{RequestMeta, ServiceError, Services};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    Practices,
    PcnMembers,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Report {
    pub created: usize,
    pub updated: usize,
    pub skipped: usize,
    pub errors: Vec<RowError>,
}

/// ODS publishes names in capitals; show them as people write them.
pub fn title_case(s: &str) -> String {
    let small = ["and", "of", "the", "on", "in", "at", "upon"];
    s.split_whitespace()
        .enumerate()
        .map(|(i, w)| {
            let lower = w.to_lowercase();
            if i > 0 && small.contains(&lower.as_str()) {
                return lower;
            }
            if w.len() <= 3
                && ["PCN", "GP", "NHS", "ICB", "UK", "HC", "MC"]
                    .contains(&w.to_uppercase().as_str())
            {
                return w.to_uppercase();
            }
            let mut out = String::new();
            let mut up = true;
            for c in lower.chars() {
                out.extend(if up {
                    c.to_uppercase().collect::<Vec<_>>()
                } else {
                    vec![c]
                });
                up = matches!(c, '-' | '(' | '/' | '\'' | '.') && c != '\'';
            }
            out
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub async fn import(
    svc: &Services,
    meta: &RequestMeta,
    layout: Layout,
    input: impl Read,
) -> Result<Report, ServiceError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(layout == Layout::PcnMembers)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input);
    let mut report = Report::default();
    let txn = store::begin_write(&svc.db).await?;
    match layout {
        Layout::Practices => practices(svc, &txn, &mut rdr, &mut report).await?,
        Layout::PcnMembers => pcn_members(svc, &txn, &mut rdr, &mut report).await?,
    }
    audit::record(
        &txn,
        svc.now(),
        meta,
        Event::new(
            "ods_import",
            if report.errors.is_empty() {
                Outcome::Success
            } else {
                Outcome::Failure
            },
        )
        .by_label(None, "command line")
        .detail(format!(
            "{layout:?}: {} created, {} updated, {} skipped, {} rejected",
            report.created,
            report.updated,
            report.skipped,
            report.errors.len()
        )),
    )
    .await?;
    txn.commit().await?;
    Ok(report)
}

async fn by_code<C: ConnectionTrait>(
    c: &C,
    code: &str,
) -> Result<Option<Organisation>, ServiceError> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::OdsCode.eq(code))
        .one(c)
        .await?)
}

async fn practices<R: Read>(
    svc: &Services,
    txn: &DatabaseTransaction,
    rdr: &mut csv::Reader<R>,
    report: &mut Report,
) -> Result<(), ServiceError> {
    let now = svc.now();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                report.errors.push(RowError {
                    line,
                    reason: format!("not readable as CSV: {e}"),
                });
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let fail = |reason: String| RowError { line, reason };
        if rec.len() < 15 {
            report.errors.push(fail(format!(
                "has {} columns; the GP practice layout has at least 15",
                rec.len()
            )));
            continue;
        }
        // Column 26 (prescribing setting) is 4 for GP practices; other settings are skipped.
        if rec.get(25).is_some_and(|s| !s.is_empty() && s != "4") {
            report.skipped += 1;
            continue;
        }
        let code = match OdsCode::parse_for(OrgKind::Practice, &rec[0]) {
            Ok(c) => c,
            Err(e) => {
                report
                    .errors
                    .push(fail(format!("organisation code {:?}: {e}", &rec[0])));
                continue;
            }
        };
        let name = match domain::text::ORG_NAME.clean(&title_case(&rec[1])) {
            Ok(Some(n)) => n,
            Ok(None) => {
                report
                    .errors
                    .push(fail(format!("practice {code} has no name")));
                continue;
            }
            Err(e) => {
                report.errors.push(fail(format!("practice {code}: {e}")));
                continue;
            }
        };
        let postcode = match rec[9].trim() {
            "" => None,
            pc => match Postcode::parse(pc) {
                Ok(p) => Some(p.as_str().to_owned()),
                Err(e) => {
                    report
                        .errors
                        .push(fail(format!("practice {code} postcode {pc:?}: {e}")));
                    continue;
                }
            },
        };
        let status = match &rec[12] {
            "A" | "P" => "active",
            "C" | "D" => "closed",
            other => {
                report.errors.push(fail(format!(
                    "practice {code} has status {other:?}; expected A, C, D or P"
                )));
                continue;
            }
        };
        match by_code(txn, code.as_str()).await? {
            Some(existing) => {
                if existing.kind != OrgKind::Practice.as_str() {
                    report.errors.push(fail(format!(
                        "{code} is already used by {}, which is not a GP practice",
                        existing.name
                    )));
                    continue;
                }
                organisation::Entity::update_many()
                    .col_expr(organisation::Column::Name, Expr::value(name))
                    .col_expr(organisation::Column::Postcode, Expr::value(postcode))
                    .col_expr(organisation::Column::Status, Expr::value(status))
                    .col_expr(organisation::Column::UpdatedAt, Expr::value(now))
                    .col_expr(
                        organisation::Column::Version,
                        Expr::value(existing.version + 1),
                    )
                    .filter(organisation::Column::Id.eq(existing.id))
                    .exec(txn)
                    .await?;
                report.updated += 1;
            }
            None => {
                let commissioner = rec[14].trim().to_uppercase();
                let Some(parent) = by_code(txn, &commissioner)
                    .await?
                    .filter(|o| o.kind == OrgKind::Icb.as_str())
                else {
                    report.errors.push(fail(format!("practice {code}: commissioner {commissioner:?} is not a known ICB; add the ICB first")));
                    continue;
                };
                let saved = organisation::ActiveModel {
                    kind: Set(OrgKind::Practice.as_str().into()),
                    ods_code: Set(Some(code.as_str().to_owned())),
                    name: Set(name),
                    parent_id: Set(Some(parent.id)),
                    path: Set(parent.path.clone()),
                    status: Set(status.into()),
                    pcn_opted_out: Set(false),
                    postcode: Set(postcode),
                    created_at: Set(now),
                    updated_at: Set(now),
                    version: Set(1),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
                let path = format!("{}{}/", parent.path, saved.id);
                let mut am: organisation::ActiveModel = saved.into();
                am.path = Set(path);
                am.update(txn).await?;
                report.created += 1;
            }
        }
    }
    Ok(())
}

async fn pcn_members<R: Read>(
    svc: &Services,
    txn: &DatabaseTransaction,
    rdr: &mut csv::Reader<R>,
    report: &mut Report,
) -> Result<(), ServiceError> {
    let now = svc.now();
    let headers = rdr
        .headers()
        .map_err(|e| ServiceError::invalid("file", format!("the header row is not readable: {e}")))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(c_practice), Some(c_pcn), Some(c_name)) = (
        col("Partner Organisation Code"),
        col("PCN Code"),
        col("PCN Name"),
    ) else {
        return Err(ServiceError::invalid(
            "file",
            "the header row must name the columns Partner Organisation Code, PCN Code and PCN Name (the PCN Core Partner Details sheet of ePCN)",
        ));
    };
    let c_end = col("Practice to PCN Relationship End Date");
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                report.errors.push(RowError {
                    line,
                    reason: format!("not readable as CSV: {e}"),
                });
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let fail = |reason: String| RowError { line, reason };
        let get = |i: usize| rec.get(i).unwrap_or("").trim();
        if let Some(end) = c_end.map(get).filter(|e| !e.is_empty()) {
            let ended = NaiveDate::parse_from_str(end, "%Y%m%d")
                .or_else(|_| NaiveDate::parse_from_str(end, "%Y-%m-%d"))
                .or_else(|_| NaiveDate::parse_from_str(end, "%d/%m/%Y"));
            match ended {
                Ok(d) if d <= now.date_naive() => {
                    report.skipped += 1;
                    continue;
                }
                Ok(_) => {}
                Err(_) => {
                    report.errors.push(fail(format!(
                        "end date {end:?} is not a date (expected YYYYMMDD)"
                    )));
                    continue;
                }
            }
        }
        let practice_code = match OdsCode::parse_for(OrgKind::Practice, get(c_practice)) {
            Ok(c) => c,
            Err(e) => {
                report.errors.push(fail(format!(
                    "partner organisation code {:?}: {e}",
                    get(c_practice)
                )));
                continue;
            }
        };
        let pcn_code = match OdsCode::parse_for(OrgKind::Pcn, get(c_pcn)) {
            Ok(c) => c,
            Err(e) => {
                report
                    .errors
                    .push(fail(format!("PCN code {:?}: {e}", get(c_pcn))));
                continue;
            }
        };
        let pcn_name = match domain::text::ORG_NAME.clean(&title_case(get(c_name))) {
            Ok(Some(n)) => n,
            Ok(None) => {
                report
                    .errors
                    .push(fail(format!("PCN {pcn_code} has no name")));
                continue;
            }
            Err(e) => {
                report.errors.push(fail(format!("PCN {pcn_code}: {e}")));
                continue;
            }
        };
        let Some(practice) = by_code(txn, practice_code.as_str())
            .await?
            .filter(|o| o.kind == OrgKind::Practice.as_str())
        else {
            report.errors.push(fail(format!(
                "practice {practice_code} is not known: import the GP practices file first"
            )));
            continue;
        };
        let pcn = match by_code(txn, pcn_code.as_str()).await? {
            Some(p) if p.kind == OrgKind::Pcn.as_str() => p,
            Some(p) => {
                report.errors.push(fail(format!(
                    "{pcn_code} is already used by {}, which is not a PCN",
                    p.name
                )));
                continue;
            }
            None => {
                let Some(icb) = icb_of(txn, &practice).await? else {
                    report.errors.push(fail(format!("practice {practice_code} has no ICB above it, so PCN {pcn_code} cannot be placed")));
                    continue;
                };
                let saved = organisation::ActiveModel {
                    kind: Set(OrgKind::Pcn.as_str().into()),
                    ods_code: Set(Some(pcn_code.as_str().to_owned())),
                    name: Set(pcn_name),
                    parent_id: Set(Some(icb.id)),
                    path: Set(icb.path.clone()),
                    status: Set("active".into()),
                    pcn_opted_out: Set(false),
                    created_at: Set(now),
                    updated_at: Set(now),
                    version: Set(1),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
                let path = format!("{}{}/", icb.path, saved.id);
                let mut am: organisation::ActiveModel = saved.into();
                am.path = Set(path);
                report.created += 1;
                am.update(txn).await?
            }
        };
        if practice.parent_id == Some(pcn.id) {
            report.skipped += 1;
            continue;
        }
        let new_path = format!("{}{}/", pcn.path, practice.id);
        organisation::Entity::update_many()
            .col_expr(organisation::Column::ParentId, Expr::value(Some(pcn.id)))
            .col_expr(organisation::Column::PcnOptedOut, Expr::value(false))
            .col_expr(
                organisation::Column::CommissionerArrangement,
                Expr::value(Option::<String>::None),
            )
            .col_expr(organisation::Column::UpdatedAt, Expr::value(now))
            .col_expr(
                organisation::Column::Version,
                Expr::value(practice.version + 1),
            )
            .filter(organisation::Column::Id.eq(practice.id))
            .exec(txn)
            .await?;
        move_subtree(txn, &practice.path, &new_path).await?;
        report.updated += 1;
    }
    Ok(())
}

async fn icb_of<C: ConnectionTrait>(
    c: &C,
    o: &Organisation,
) -> Result<Option<Organisation>, ServiceError> {
    let ids: Vec<i32> = o.path.split('/').filter_map(|s| s.parse().ok()).collect();
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(ids))
        .filter(organisation::Column::Kind.eq(OrgKind::Icb.as_str()))
        .one(c)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::title_case;

    #[test]
    fn ods_capitals_become_readable_names() {
        assert_eq!(title_case("THE DENSHAM SURGERY"), "The Densham Surgery");
        assert_eq!(
            title_case("ST. JOHN'S HEALTH CENTRE"),
            "St. John's Health Centre"
        );
        assert_eq!(title_case("LEEDS CENTRAL PCN"), "Leeds Central PCN");
        assert_eq!(
            title_case("BISHOP AUCKLAND-ON-WEAR"),
            "Bishop Auckland-On-Wear"
        );
    }
}
