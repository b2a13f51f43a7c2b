//! Runs store tests on both backends, each test on a database of its own.
//!
//! SQLite: a copy of a migrated template file in the temp directory. PostgreSQL: a database
//! cloned from a migrated template (made once per schema version, under an advisory lock) on
//! the server named by `TEST_DATABASE_URL`. When that variable is unset the PostgreSQL half is
//! skipped with a message, unless `CI` is set, where a missing server is a failure.
//!
//! A test may start from seeded data instead: `seeded(TAG, SEED)` seeds a template once per
//! build of the test binary (the seed lives in crates that depend on this one, so it is passed
//! in) and each test gets its own copy of it. Templates of older builds of the same binary are
//! removed when a newer one is made.
//!
//! Each test's database is removed when its [`TestDb`] is dropped, also when the test panics.
//!
//! What is common (the test database and its cleanup, which build a template belongs to, the
//! macro) is here; making SQLite and PostgreSQL databases is in `sqlite` and `postgres`.
//!
//! ```ignore
//! store::db_test!(organisation_names_are_unique, |db| {
//!     /* db: DatabaseConnection, migrated and empty */
//! });
//! store::db_test!(the_demo_has_people, seeded("demo", my_seed), |db| {
//!     /* db: DatabaseConnection, a copy of what my_seed made */
//! });
//! ```

mod postgres;
mod sqlite;

use crate::StoreError;
use sea_orm::DatabaseConnection;
use std::future::Future;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::pin::Pin;

pub use crate::Backend;
use postgres::drop_pg_database;
use sqlite::remove_sqlite;

/// Fills a migrated, empty database with what a test starts from; it must make the same data
/// every time (it runs once per build of a test binary and backend).
pub type SeedFn =
    fn(DatabaseConnection) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// A seed with the tag that names its templates (letters, digits and `_`, at most 16).
pub type Seed = (&'static str, SeedFn);

/// A database made for one test, removed when this is dropped (also when the test panics).
/// [`TestDb::finish`] closes the connections first, which is gentler on PostgreSQL.
pub struct TestDb {
    pub db: DatabaseConnection,
    pub backend: Backend,
    cleanup: Option<Cleanup>,
}

enum Cleanup {
    File(PathBuf),
    PgDatabase { admin_url: String, name: String },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self.cleanup.take() {
            Some(Cleanup::File(path)) => remove_sqlite(&path),
            Some(Cleanup::PgDatabase { admin_url, name }) => {
                // Drop may run inside an async test or while it unwinds, where blocking on
                // this runtime is not allowed: drop the database from a thread of its own.
                let dropped = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    rt.block_on(drop_pg_database(&admin_url, &name));
                });
                let _ = dropped.join();
            }
            None => {}
        }
    }
}

fn schema_tag() -> String {
    let mut h = DefaultHasher::new();
    crate::migration::SOURCES.hash(&mut h);
    format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
}

/// Which test binary this is (its path, less the hash cargo adds to the name, so that rebuilds
/// with other dependencies count as the same binary) and which build of it (its full path, size
/// and modification time): a seeded template is made again whenever the binary, and so the seed,
/// changes, and replaces the one of the binary's previous build.
fn build_identity() -> (String, String) {
    static ID: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let exe = std::env::current_exe().ok();
        let mut binary = DefaultHasher::new();
        exe.as_ref()
            .map(|p| without_cargo_hash(&p.display().to_string()).to_owned())
            .hash(&mut binary);
        let mut build = DefaultHasher::new();
        exe.hash(&mut build);
        match exe.as_ref().and_then(|p| std::fs::metadata(p).ok()) {
            Some(m) => {
                m.len().hash(&mut build);
                m.modified().ok().hash(&mut build);
            }
            // Unknown: a template of this process's own.
            None => uuid::Uuid::new_v4().hash(&mut build),
        }
        schema_tag().hash(&mut build);
        (
            format!("{:08x}", binary.finish() & 0xffff_ffff),
            format!("{:012x}", build.finish() & 0xffff_ffff_ffff),
        )
    })
    .clone()
}

/// `…/deps/http-0123456789abcdef` → `…/deps/http`.
fn without_cargo_hash(path: &str) -> &str {
    match path.rsplit_once('-') {
        Some((name, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            name
        }
        _ => path,
    }
}

fn checked_tag(tag: &str) -> &str {
    assert!(
        !tag.is_empty()
            && tag.len() <= 16
            && tag
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
        "a seed tag is 1 to 16 of a-z, 0-9 and _: {tag:?}"
    );
    tag
}

impl TestDb {
    /// Closes the connections, then removes the database.
    pub async fn finish(self) {
        let _ = self.db.close_by_ref().await;
    }
}

fn setup_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Db(sea_orm::DbErr::Custom(format!("test database setup: {e}")))
}

/// Turns one async test body into two tests, `NAME::sqlite` and `NAME::postgres`, each given
/// a database of its own as `db` (a `DatabaseConnection`): migrated and empty, or with
/// `seeded(TAG, SEED)` a copy of what `SEED` (a [`testing::SeedFn`](crate::testing::SeedFn))
/// made once. The database is removed when the test ends, passing or not.
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$db:ident| $body:block) => {
        $crate::db_test!(@tests $name, ::core::option::Option::None, |$db| $body);
    };
    ($name:ident, seeded($tag:expr, $seed:expr), |$db:ident| $body:block) => {
        $crate::db_test!(
            @tests $name,
            ::core::option::Option::Some(($tag, $seed as $crate::testing::SeedFn)),
            |$db| $body
        );
    };
    (@tests $name:ident, $seed:expr, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = $crate::testing::TestDb::sqlite_with($seed)
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
                let Some(t) = $crate::testing::TestDb::postgres_with($seed)
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
    #[test]
    fn rebuilds_of_a_test_binary_count_as_the_same_binary() {
        use super::without_cargo_hash;
        assert_eq!(
            without_cargo_hash("/w/target/debug/deps/http-f0f9e92a2299eac0"),
            "/w/target/debug/deps/http"
        );
        assert_eq!(
            without_cargo_hash("/w/target/debug/deps/care"),
            "/w/target/debug/deps/care"
        );
        assert_eq!(
            without_cargo_hash("/w/target/debug/deps/a-b"),
            "/w/target/debug/deps/a-b"
        );
    }
}
