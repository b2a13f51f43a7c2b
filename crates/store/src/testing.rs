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
//! ```ignore
//! store::db_test!(organisation_names_are_unique, |db| {
//!     /* db: DatabaseConnection, migrated and empty */
//! });
//! store::db_test!(the_demo_has_people, seeded("demo", my_seed), |db| {
//!     /* db: DatabaseConnection, a copy of what my_seed made */
//! });
//! ```

use crate::{StoreError, connect, migrate};
use sea_orm::sqlx::{self, Connection, PgConnection};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::collections::HashMap;
use std::future::Future;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

pub use crate::Backend;

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

fn remove_sqlite(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

async fn drop_pg_database(admin_url: &str, name: &str) {
    if let Ok(mut admin) = PgConnection::connect(admin_url).await {
        // Names are made here from a hash and a UUID, never from input.
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
        )))
        .execute(&mut admin)
        .await;
        let _ = admin.close().await;
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

/// A server on this machine is reached without TLS unless the URL asks for it: the tests open
/// hundreds of connections, and each TLS handshake there costs about 90 ms.
fn without_tls_on_this_machine(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let authority = url[after_scheme..]
        .split(['/', '?'])
        .next()
        .unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let local = ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|h| host_port == *h || host_port.starts_with(&format!("{h}:")));
    if !local || url.contains("sslmode=") {
        return url.to_owned();
    }
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}sslmode=disable")
}

/// SQLite template files made by this process, by name.
type SqliteTemplates = Mutex<HashMap<String, Arc<OnceCell<PathBuf>>>>;

fn sqlite_templates() -> &'static SqliteTemplates {
    static TEMPLATES: std::sync::OnceLock<SqliteTemplates> = std::sync::OnceLock::new();
    TEMPLATES.get_or_init(Default::default)
}

/// The migrated (and, given a seed, seeded) template file for this build, made once.
async fn sqlite_template(seed: Option<Seed>) -> Result<PathBuf, StoreError> {
    let (binary, build) = build_identity();
    let tag = seed.map_or("schema", |(tag, _)| checked_tag(tag));
    let prefix = format!("whatmatters-template-{tag}-{binary}-");
    let dir = std::env::temp_dir();
    let path = dir.join(format!("{prefix}{build}.db"));
    let cell = {
        let mut all = sqlite_templates()
            .lock()
            .map_err(|_| setup_err("SQLite templates poisoned"))?;
        all.entry(path.display().to_string()).or_default().clone()
    };
    let made = cell
        .get_or_try_init(|| async {
            if path.exists() {
                return Ok(path.clone());
            }
            // Made under another name and renamed, so a file under the real name is whole.
            let partial = dir.join(format!("{prefix}{build}-{}.partial", uuid::Uuid::new_v4()));
            let r = async {
                let db = connect(&format!("sqlite://{}", partial.display())).await?;
                migrate(&db).await?;
                if let Some((_, seed)) = seed {
                    seed(db.clone()).await.map_err(setup_err)?;
                }
                db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                    .await?;
                db.close().await?;
                std::fs::rename(&partial, &path).map_err(|e| setup_err(e.to_string()))?;
                Ok::<_, StoreError>(())
            }
            .await;
            remove_sqlite(&partial);
            r?;
            // Templates of older builds of this binary.
            if let Ok(entries) = std::fs::read_dir(&dir) {
                for e in entries.flatten() {
                    let name = e.file_name().to_string_lossy().into_owned();
                    if name.starts_with(&prefix) && e.path() != path {
                        let _ = std::fs::remove_file(e.path());
                    }
                }
            }
            Ok::<_, StoreError>(path.clone())
        })
        .await?;
    Ok(made.clone())
}

impl TestDb {
    /// A migrated, empty SQLite database.
    pub async fn sqlite() -> Result<TestDb, StoreError> {
        TestDb::sqlite_with(None).await
    }

    /// A SQLite database copied from a migrated template, seeded by `seed` if given.
    pub async fn sqlite_with(seed: Option<Seed>) -> Result<TestDb, StoreError> {
        let template = sqlite_template(seed).await?;
        let path =
            std::env::temp_dir().join(format!("whatmatters-test-{}.db", uuid::Uuid::new_v4()));
        let db = async {
            std::fs::copy(&template, &path).map_err(|e| setup_err(e.to_string()))?;
            connect(&format!("sqlite://{}", path.display())).await
        }
        .await;
        match db {
            Ok(db) => Ok(TestDb {
                db,
                backend: Backend::Sqlite,
                cleanup: Some(Cleanup::File(path)),
            }),
            Err(e) => {
                remove_sqlite(&path);
                Err(e)
            }
        }
    }

    /// A migrated, empty PostgreSQL database; None when no server is configured for tests
    /// (and this is not CI).
    pub async fn postgres() -> Result<Option<TestDb>, StoreError> {
        TestDb::postgres_with(None).await
    }

    /// A PostgreSQL database cloned from a migrated template, seeded by `seed` if given.
    pub async fn postgres_with(seed: Option<Seed>) -> Result<Option<TestDb>, StoreError> {
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
        let admin_url = without_tls_on_this_machine(&admin_url);
        let mut admin = PgConnection::connect(&admin_url).await.map_err(sqlx_err)?;
        // One process at a time makes templates; the others wait here, then clone them.
        sqlx::query("SELECT pg_advisory_lock(727274)")
            .execute(&mut admin)
            .await
            .map_err(sqlx_err)?;
        let made = pg_templates(&mut admin, &admin_url, seed).await;
        sqlx::query("SELECT pg_advisory_unlock(727274)")
            .execute(&mut admin)
            .await
            .map_err(sqlx_err)?;
        let template = made?;

        let name = format!("wm_test_{}", uuid::Uuid::new_v4().simple());
        let r = create_from(&mut admin, &name, &template).await;
        let _ = admin.close().await;
        r?;
        let db = match connect(&with_database(&admin_url, &name)).await {
            Ok(db) => db,
            Err(e) => {
                drop_pg_database(&admin_url, &name).await;
                return Err(e);
            }
        };
        Ok(Some(TestDb {
            db,
            backend: Backend::Postgres,
            cleanup: Some(Cleanup::PgDatabase { admin_url, name }),
        }))
    }

    /// Closes the connections, then removes the database.
    pub async fn finish(self) {
        let _ = self.db.close_by_ref().await;
    }
}

async fn pg_exists(admin: &mut PgConnection, name: &str) -> Result<bool, StoreError> {
    let found: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(&mut *admin)
        .await
        .map_err(sqlx_err)?;
    Ok(found.is_some())
}

/// Makes `name` as a copy of `template`. Names are made here from hashes, tags and UUIDs,
/// never from input.
async fn create_from(
    admin: &mut PgConnection,
    name: &str,
    template: &str,
) -> Result<(), StoreError> {
    let mut attempt = 0;
    loop {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
        )))
        .execute(&mut *admin)
        .await;
        match r {
            Ok(_) => return Ok(()),
            // Another test's clone of the same template may hold it for a moment.
            Err(e) if attempt < 50 && e.to_string().contains("being accessed by other users") => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(e) => return Err(sqlx_err(e)),
        }
    }
}

/// Makes `name` (from `template`, or empty) and fills it with `fill`; on failure, drops it.
async fn make_template<F, Fut>(
    admin: &mut PgConnection,
    admin_url: &str,
    name: &str,
    template: Option<&str>,
    fill: F,
) -> Result<(), StoreError>
where
    F: FnOnce(DatabaseConnection) -> Fut,
    Fut: Future<Output = Result<(), StoreError>>,
{
    let r = async {
        match template {
            Some(t) => create_from(&mut *admin, name, t).await?,
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .execute(&mut *admin)
                    .await
                    .map_err(sqlx_err)?;
            }
        }
        let db = connect(&with_database(admin_url, name)).await?;
        let filled = fill(db.clone()).await;
        db.close().await?;
        filled
    }
    .await;
    if r.is_err() {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
        )))
        .execute(&mut *admin)
        .await;
    }
    r
}

/// The template to clone for a test (called under the advisory lock): the migrated schema's,
/// or a seeded copy of it for this build.
async fn pg_templates(
    admin: &mut PgConnection,
    admin_url: &str,
    seed: Option<Seed>,
) -> Result<String, StoreError> {
    let schema = format!("wm_template_{}", schema_tag());
    if !pg_exists(admin, &schema).await? {
        make_template(admin, admin_url, &schema, None, |db| async move {
            migrate(&db).await
        })
        .await?;
    }
    let Some((tag, seed)) = seed else {
        return Ok(schema);
    };
    let (binary, build) = build_identity();
    let prefix = format!("wm_template_{}_{binary}_", checked_tag(tag));
    let seeded = format!("{prefix}{build}");
    if pg_exists(admin, &seeded).await? {
        return Ok(seeded);
    }
    make_template(admin, admin_url, &seeded, Some(&schema), |db| async move {
        seed(db).await.map_err(setup_err)
    })
    .await?;
    // Templates of older builds of this binary (never in use: each build has its own).
    let older: Vec<(String,)> = sqlx::query_as("SELECT datname FROM pg_database")
        .fetch_all(&mut *admin)
        .await
        .map_err(sqlx_err)?;
    for (name,) in older {
        if name.starts_with(&prefix) && name != seeded {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\""
            )))
            .execute(&mut *admin)
            .await;
        }
    }
    Ok(seeded)
}

fn setup_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Db(sea_orm::DbErr::Custom(format!("test database setup: {e}")))
}

fn sqlx_err(e: sqlx::Error) -> StoreError {
    setup_err(e)
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

    #[test]
    fn a_server_on_this_machine_is_reached_without_tls_unless_asked() {
        use super::without_tls_on_this_machine as plain;
        assert_eq!(
            plain("postgres://postgres@127.0.0.1:5432/postgres"),
            "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
        );
        assert_eq!(
            plain("postgres://u:p@localhost/db?application_name=t"),
            "postgres://u:p@localhost/db?application_name=t&sslmode=disable"
        );
        assert_eq!(
            plain("postgres://u@127.0.0.1/db?sslmode=require"),
            "postgres://u@127.0.0.1/db?sslmode=require"
        );
        assert_eq!(
            plain("postgres://u@db.example.org:5432/db"),
            "postgres://u@db.example.org:5432/db"
        );
        assert_eq!(
            plain("postgres://u@127.0.0.10/db"),
            "postgres://u@127.0.0.10/db"
        );
    }
}
