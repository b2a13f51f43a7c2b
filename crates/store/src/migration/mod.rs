//! Schema migrations, applied in order by `whatmatters migrate` (and at start-up).

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_care;
mod m0003_caseload_indexes;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_care::Migration),
            Box::new(m0003_caseload_indexes::Migration),
        ]
    }
}

/// The text of every migration, so a test harness can tell when a cached schema is stale.
pub const SOURCES: &[&str] = &[
    include_str!("m0001_foundation.rs"),
    include_str!("m0002_care.rs"),
    include_str!("m0003_caseload_indexes.rs"),
];
