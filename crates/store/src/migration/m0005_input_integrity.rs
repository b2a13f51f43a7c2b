//! Exact scores, and NHS numbers recorded more than once pending reconciliation.
//!
//! - Scores: SWEMWBS metric and PAM scores were stored as a single-precision float widened to
//!   double (9.51 as 9.510000228881836). Each is put back to the double nearest its two-place
//!   decimal, which is what the use cases now store and what JSON shows as `9.51`.
//! - People: an NHS number recorded by someone who could not see the existing record of that
//!   number is kept on a new record flagged `needs_reconciliation` (so the caller learns nothing
//!   of the other record). The NHS number stays unique among unflagged records, by a partial
//!   unique index in place of the column's unique constraint. SQLite cannot drop a column's
//!   constraint, so there the table is rebuilt (without touching the tables that refer to it).

use sea_orm::{ConnectionTrait, DatabaseExecutor, DbBackend};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

const PEOPLE_COLUMNS: &str = "id, nhs_number, given_name, family_name, search_name, \
    date_of_birth, email, phone, address, postcode, preferred_contact, practice_id, \
    reasonable_adjustments, communication_needs, representative_name, \
    representative_relationship, representative_contact, user_id, created_at, updated_at, version";

/// The people table of m0002, with or without the unique NHS number and the flag.
fn people_table(name: &'static str, unique_nhs: bool, flag: bool) -> TableCreateStatement {
    let mut nhs = string_len_null("nhs_number", 10);
    if unique_nhs {
        nhs.unique_key();
    }
    let mut t = Table::create();
    t.table(name)
        .col(pk_auto("id"))
        .col(nhs)
        .col(string_len("given_name", 100))
        .col(string_len("family_name", 100))
        .col(string_len("search_name", 210))
        .col(date_null("date_of_birth"))
        .col(string_len_null("email", 254))
        .col(string_len_null("phone", 40))
        .col(text_null("address"))
        .col(string_len_null("postcode", 10))
        .col(string_len("preferred_contact", 16).default("phone"))
        .col(integer_null("practice_id"))
        .col(text_null("reasonable_adjustments"))
        .col(text_null("communication_needs"))
        .col(string_len_null("representative_name", 200))
        .col(string_len_null("representative_relationship", 100))
        .col(string_len_null("representative_contact", 200))
        .col(integer_null("user_id").unique_key())
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
        .col(integer("version").default(1));
    if flag {
        t.col(boolean("needs_reconciliation").default(false));
    }
    t.foreign_key(&mut fk(
        "people",
        "practice_id",
        "organisations",
        ForeignKeyAction::SetNull,
    ))
    .foreign_key(&mut fk(
        "people",
        "user_id",
        "users",
        ForeignKeyAction::SetNull,
    ))
    .to_owned()
}

/// Rebuilds SQLite's people table as `people_table(unique_nhs, flag)`, keeping every row and
/// every reference to it: SQLite's documented procedure for changing a table, on one
/// connection with foreign keys off (so that dropping the old table cascades to nothing), in
/// one transaction checked with `foreign_key_check` before it commits.
async fn rebuild_sqlite_people(
    m: &SchemaManager<'_>,
    unique_nhs: bool,
    flag: bool,
) -> Result<(), DbErr> {
    use sea_orm::sqlx::{self, Row};
    let DatabaseExecutor::Connection(db) = m.get_connection() else {
        return Err(DbErr::Migration(
            "m0005 must run outside a transaction on SQLite".into(),
        ));
    };
    let err = |e: sqlx::Error| DbErr::Migration(format!("m0005 rebuilding people: {e}"));
    let mut conn = db
        .get_sqlite_connection_pool()
        .acquire()
        .await
        .map_err(err)?;
    let mut statements = vec![
        people_table("people_new", unique_nhs, flag).to_string(SqliteQueryBuilder),
        format!("INSERT INTO people_new ({PEOPLE_COLUMNS}) SELECT {PEOPLE_COLUMNS} FROM people"),
        "DROP TABLE people".to_owned(),
        "ALTER TABLE people_new RENAME TO people".to_owned(),
    ];
    for cols in ["search_name", "date_of_birth", "practice_id"] {
        statements.push(index("people", &[cols], false).to_string(SqliteQueryBuilder));
    }
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await
        .map_err(err)?;
    let rebuilt = async {
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        for sql in &statements {
            sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .execute(&mut *conn)
                .await?;
        }
        let broken = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&mut *conn)
            .await?;
        if let Some(row) = broken.first() {
            let table: String = row.try_get(0)?;
            return Err(sqlx::Error::Protocol(format!(
                "a reference from {table} would be broken"
            )));
        }
        sqlx::query("COMMIT").execute(&mut *conn).await?;
        Ok(())
    }
    .await;
    if rebuilt.is_err() {
        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
    }
    sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&mut *conn)
        .await
        .map_err(err)?;
    rebuilt.map_err(err)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let c = m.get_connection();
        c.execute_unprepared(
            "UPDATE measures SET score = ROUND(score * 100) / 100 WHERE score IS NOT NULL",
        )
        .await?;
        match m.get_database_backend() {
            DbBackend::Sqlite => rebuild_sqlite_people(m, false, true).await?,
            _ => {
                c.execute_unprepared(
                    "ALTER TABLE people DROP CONSTRAINT IF EXISTS people_nhs_number_key",
                )
                .await?;
                m.alter_table(
                    Table::alter()
                        .table("people")
                        .add_column(boolean("needs_reconciliation").default(false))
                        .to_owned(),
                )
                .await?;
            }
        }
        c.execute_unprepared(
            "CREATE UNIQUE INDEX ix_people_nhs_number_unreconciled ON people (nhs_number) \
             WHERE NOT needs_reconciliation",
        )
        .await?;
        m.create_index(index("people", &["nhs_number"], false))
            .await?;
        c.execute_unprepared(
            "CREATE INDEX ix_people_needs_reconciliation ON people (id) \
             WHERE needs_reconciliation",
        )
        .await?;
        Ok(())
    }

    /// Fails, changing nothing, while any NHS number is still recorded twice.
    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let c = m.get_connection();
        for name in [
            "ix_people_needs_reconciliation",
            "ix_people_nhs_number",
            "ix_people_nhs_number_unreconciled",
        ] {
            m.drop_index(Index::drop().name(name).table("people").to_owned())
                .await?;
        }
        match m.get_database_backend() {
            DbBackend::Sqlite => rebuild_sqlite_people(m, true, false).await?,
            _ => {
                m.alter_table(
                    Table::alter()
                        .table("people")
                        .drop_column("needs_reconciliation")
                        .to_owned(),
                )
                .await?;
                c.execute_unprepared(
                    "ALTER TABLE people ADD CONSTRAINT people_nhs_number_key UNIQUE (nhs_number)",
                )
                .await?;
            }
        }
        Ok(())
    }
}
