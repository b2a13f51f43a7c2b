//! Schema migrations, applied in order by `whatmatters migrate` (and at start-up).

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_care;
mod m0003_caseload_indexes;
mod m0004_rate_limits;
mod m0005_input_integrity;
mod m0006_jobs;
mod m0007_org_path_prefix;
mod m0008_triage_follow_ups;
mod m0009_gp_messages;
mod m0010_identity_check;
mod m0011_directory_taxonomy;
mod m0012_directory;
mod m0013_service_referrals;
mod m0014_learning;
mod m0015_learners;
mod m0016_networks;
mod m0017_leadership;

pub struct Migrator;

/// A foreign key named `fk_<table>_<col>` to `<to>.id`.
pub(crate) fn fk(
    table: &'static str,
    col: &'static str,
    to: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{col}"))
        .from(table, col)
        .to(to, "id")
        .on_delete(on_delete)
        .to_owned()
}

/// An index named `ix_<table>_<cols>`.
pub(crate) fn index(
    table: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(format!("ix_{table}_{}", cols.join("_")))
        .table(table);
    for c in cols {
        i.col(*c);
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_care::Migration),
            Box::new(m0003_caseload_indexes::Migration),
            Box::new(m0004_rate_limits::Migration),
            Box::new(m0005_input_integrity::Migration),
            Box::new(m0006_jobs::Migration),
            Box::new(m0007_org_path_prefix::Migration),
            Box::new(m0008_triage_follow_ups::Migration),
            Box::new(m0009_gp_messages::Migration),
            Box::new(m0010_identity_check::Migration),
            Box::new(m0011_directory_taxonomy::Migration),
            Box::new(m0012_directory::Migration),
            Box::new(m0013_service_referrals::Migration),
            Box::new(m0014_learning::Migration),
            Box::new(m0015_learners::Migration),
            Box::new(m0016_networks::Migration),
            Box::new(m0017_leadership::Migration),
        ]
    }
}

/// The text of every migration, so a test harness can tell when a cached schema is stale.
pub const SOURCES: &[&str] = &[
    include_str!("m0001_foundation.rs"),
    include_str!("m0002_care.rs"),
    include_str!("m0003_caseload_indexes.rs"),
    include_str!("m0004_rate_limits.rs"),
    include_str!("m0005_input_integrity.rs"),
    include_str!("m0006_jobs.rs"),
    include_str!("m0007_org_path_prefix.rs"),
    include_str!("m0008_triage_follow_ups.rs"),
    include_str!("m0009_gp_messages.rs"),
    include_str!("m0010_identity_check.rs"),
    include_str!("m0011_directory_taxonomy.rs"),
    include_str!("m0012_directory.rs"),
    include_str!("m0013_service_referrals.rs"),
    include_str!("m0014_learning.rs"),
    include_str!("m0015_learners.rs"),
    include_str!("m0016_networks.rs"),
    include_str!("m0017_leadership.rs"),
];
