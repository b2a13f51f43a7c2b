//! Runs store tests on both backends, each test on a database of its own.
//!
//! SQLite: a fresh file in the temp directory. PostgreSQL: a database cloned from a migrated
//! template (made once per schema version, under an advisory lock) on the server named by
//! `TEST_DATABASE_URL`. When that variable is unset the PostgreSQL half is skipped with a
//! message, unless `CI` is set, where a missing server is a failure.
//!
//! ```ignore
//! store::db_test!(organisation_names_are_unique, |db| {
//!     /* db: DatabaseConnection */
//! });
//! ```

use crate::{StoreError, connect, migrate};
use sea_orm::DatabaseConnection;
use sea_orm::sqlx::{self, Connection, PgConnection};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;

pub use crate::Backend;

/// A database made for one test; call [`TestDb::finish`] to remove it.
pub struct TestDb {
    pub db: DatabaseConnection,
    pub backend: Backend,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    PgDatabase { admin_url: String, name: String },
}

fn schema_tag() -> String {
    let mut h = DefaultHasher::new();
    crate::migration::SOURCES.hash(&mut h);
    format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
}

fn with_database(url: &str, database: &str) -> String {
    // postgres://user@host:port/db?params -> same with another db
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let root = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{database}?{q}"),
        None => format!("{root}/{database}"),
    }
}

impl TestDb {
    pub async fn sqlite() -> Result<TestDb, StoreError> {
        let path =
            std::env::temp_dir().join(format!("whatmatters-test-{}.db", uuid::Uuid::new_v4()));
        let db = connect(&format!("sqlite://{}", path.display())).await?;
        migrate(&db).await?;
        Ok(TestDb {
            db,
            backend: Backend::Sqlite,
            cleanup: Cleanup::File(path),
        })
    }

    /// None when no PostgreSQL server is configured for tests (and this is not CI).
    pub async fn postgres() -> Result<Option<TestDb>, StoreError> {
        let admin_url = match std::env::var("TEST_DATABASE_URL") {
            Ok(u) if !u.is_empty() => u,
            _ => {
                if std::env::var_os("CI").is_some() {
                    panic!(
                        "TEST_DATABASE_URL must be set in CI: the PostgreSQL half of the store tests may not be skipped"
                    );
                }
                eprintln!(
                    "TEST_DATABASE_URL is not set: skipping the PostgreSQL half of this test"
                );
                return Ok(None);
            }
        };
        let template = format!("wm_template_{}", schema_tag());
        let mut admin = PgConnection::connect(&admin_url).await.map_err(sqlx_err)?;
        // One process at a time creates the template; the others wait here, then clone it.
        sqlx::query("SELECT pg_advisory_lock(727274)")
            .execute(&mut admin)
            .await
            .map_err(sqlx_err)?;
        let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
            .bind(&template)
            .fetch_optional(&mut admin)
            .await
            .map_err(sqlx_err)?;
        let made = if exists.is_none() {
            let r = async {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "CREATE DATABASE \"{template}\""
                )))
                .execute(&mut admin)
                .await
                .map_err(sqlx_err)?;
                let db = connect(&with_database(&admin_url, &template)).await?;
                let m = migrate(&db).await;
                db.close().await?;
                m
            }
            .await;
            if r.is_err() {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{template}\""
                )))
                .execute(&mut admin)
                .await;
            }
            r
        } else {
            Ok(())
        };
        sqlx::query("SELECT pg_advisory_unlock(727274)")
            .execute(&mut admin)
            .await
            .map_err(sqlx_err)?;
        made?;

        let name = format!("wm_test_{}", uuid::Uuid::new_v4().simple());
        let mut attempt = 0;
        loop {
            let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
            )))
            .execute(&mut admin)
            .await;
            match r {
                Ok(_) => break,
                // Names are made here from a hash and a UUID, never from input.
                // Another test's clone of the same template may hold it for a moment.
                Err(e)
                    if attempt < 50 && e.to_string().contains("being accessed by other users") =>
                {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => return Err(sqlx_err(e)),
            }
        }
        let _ = admin.close().await;
        let db = connect(&with_database(&admin_url, &name)).await?;
        Ok(Some(TestDb {
            db,
            backend: Backend::Postgres,
            cleanup: Cleanup::PgDatabase { admin_url, name },
        }))
    }

    pub async fn finish(self) {
        let _ = self.db.close().await;
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::PgDatabase { admin_url, name } => {
                if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                    )))
                    .execute(&mut admin)
                    .await;
                    let _ = admin.close().await;
                }
            }
        }
    }
}

fn sqlx_err(e: sqlx::Error) -> StoreError {
    StoreError::Db(sea_orm::DbErr::Custom(format!("test database setup: {e}")))
}

/// Turns one async test body into two tests, `NAME::sqlite` and `NAME::postgres`, each given
/// a migrated, empty database as `db` (a `DatabaseConnection`).
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = $crate::testing::TestDb::sqlite()
                    .await
                    .expect("SQLite test database");
                {
                    let $db = t.db.clone();
                    $body
                }
                t.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(t) = $crate::testing::TestDb::postgres()
                    .await
                    .expect("PostgreSQL test database")
                else {
                    return;
                };
                {
                    let $db = t.db.clone();
                    $body
                }
                t.finish().await;
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn swaps_the_database_in_a_url() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }
}
