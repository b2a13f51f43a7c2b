//! PostgreSQL test databases: each cloned from a migrated (and maybe seeded) template database,
//! made under an advisory lock on the server named by `TEST_DATABASE_URL`.

use crate::{StoreError, connect, migrate};
use sea_orm::DatabaseConnection;
use sea_orm::sqlx::{self, Connection, PgConnection};
use std::future::Future;

use super::{Backend, Cleanup, Seed, TestDb, build_identity, checked_tag, schema_tag, setup_err};

pub(super) async fn drop_pg_database(admin_url: &str, name: &str) {
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

impl TestDb {
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

fn sqlx_err(e: sqlx::Error) -> StoreError {
    setup_err(e)
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
