//! Storage: SeaORM entities, migrations and queries on SQLite (default) or PostgreSQL.
//!
//! The backend is chosen once, from the database URL, in [`connect`]. Everything above this
//! crate talks to a [`DatabaseConnection`] and never to a driver.

pub mod entities;
pub mod migration;
#[cfg(feature = "testing")]
pub mod testing;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, Iterable, PrimaryKeyToColumn, QueryFilter, QueryOrder, QuerySelect,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

pub use sea_orm::DatabaseConnection;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the database URL {0:?} is not one whatmatters can use: it must start with sqlite:// (a file) or postgres:// (a PostgreSQL server)"
    )]
    UnsupportedUrl(String),
    #[error("could not open the database at {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("could not bring the database schema up to date: {0}")]
    Migrate(DbErr),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Which kind of database a URL points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact_url(url)))
        }
    }
}

/// Hides the password in a database URL so it can be shown in errors and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// How hard SQLite works to keep a commit across a power cut.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SqliteDurability {
    /// `synchronous=FULL`: the write-ahead log is synced at every commit, so an acknowledged
    /// change survives losing power. The default.
    #[default]
    Full,
    /// `synchronous=NORMAL`: synced at checkpoints only; a power cut may lose the last
    /// commits (never corrupts). Faster writes, for those who accept that.
    Normal,
}

impl SqliteDurability {
    /// `full` or `normal`, as written in the configuration.
    pub fn parse(s: &str) -> Option<SqliteDurability> {
        match s.trim().to_ascii_lowercase().as_str() {
            "full" => Some(SqliteDurability::Full),
            "normal" => Some(SqliteDurability::Normal),
            _ => None,
        }
    }
}

/// Opens a pool on the database the URL names, durable across power loss (see
/// [`connect_with`]).
pub async fn connect(url: &str) -> Result<DatabaseConnection, StoreError> {
    connect_with(url, SqliteDurability::Full).await
}

/// Opens a pool on the database the URL names. SQLite files are created if missing and run in
/// WAL mode with foreign keys enforced, a busy timeout (so concurrent writers wait, not fail) and
/// the given durability; PostgreSQL keeps its server's own settings.
pub async fn connect_with(
    url: &str,
    durability: SqliteDurability,
) -> Result<DatabaseConnection, StoreError> {
    let backend = Backend::of_url(url)?;
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10));
    match backend {
        Backend::Sqlite => {
            opts.max_connections(8).min_connections(1);
            opts.map_sqlx_sqlite_opts(move |o| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(match durability {
                        SqliteDurability::Full => SqliteSynchronous::Full,
                        SqliteDurability::Normal => SqliteSynchronous::Normal,
                    })
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .pragma("cache_size", "-16000")
            });
        }
        Backend::Postgres => {
            opts.max_connections(20).min_connections(1);
            probe_postgres(url).await?;
        }
    }
    Database::connect(opts)
        .await
        .map_err(|e| StoreError::Connect {
            url: redact_url(url),
            reason: root_cause(&e),
        })
}

/// The innermost error's message: the driver's own words, once.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// One direct connection first, so an unreachable server or a wrong password is reported as
/// itself (a pool only says that it timed out).
async fn probe_postgres(url: &str) -> Result<(), StoreError> {
    use sea_orm::sqlx::Connection;
    let fail = |reason: String| StoreError::Connect {
        url: redact_url(url),
        reason,
    };
    match tokio::time::timeout(
        Duration::from_secs(5),
        sea_orm::sqlx::PgConnection::connect(url),
    )
    .await
    {
        Err(_) => Err(fail("no answer within 5 seconds".into())),
        Ok(Err(e)) => Err(fail(root_cause(&e))),
        Ok(Ok(c)) => {
            let _ = c.close().await;
            Ok(())
        }
    }
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), StoreError> {
    migration::Migrator::up(db, None)
        .await
        .map_err(StoreError::Migrate)
}

/// Connects and migrates: what every command that touches data does first.
pub async fn open(
    url: &str,
    durability: SqliteDurability,
) -> Result<DatabaseConnection, StoreError> {
    let db = connect_with(url, durability).await?;
    migrate(&db).await?;
    Ok(db)
}

/// Begins a transaction that will write: the one way every use case starts one.
///
/// SQLite: `BEGIN IMMEDIATE`, so the write lock is taken at the start and a transaction that
/// reads before it writes waits its turn (up to the busy timeout) instead of failing its lock
/// upgrade with "database is locked". PostgreSQL: an ordinary transaction, in which rows that
/// are read and then changed are locked with [`lock_for_update`], in ascending id order.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Locks the rows of `E` with these ids for the rest of the transaction (PostgreSQL
/// `SELECT … FOR UPDATE`, in ascending id order so that two transactions never wait on each
/// other). On SQLite the transaction from [`begin_write`] already holds the database's write
/// lock, so there is nothing more to take.
pub async fn lock_for_update<E>(txn: &DatabaseTransaction, ids: &[i32]) -> Result<(), DbErr>
where
    E: EntityTrait,
    E::Column: ColumnTrait,
{
    if txn.get_database_backend() != DbBackend::Postgres || ids.is_empty() {
        return Ok(());
    }
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let pk = E::PrimaryKey::iter()
        .next()
        .map(|k| k.into_column())
        .ok_or_else(|| DbErr::Custom("a table without a primary key cannot be locked".into()))?;
    E::find()
        .select_only()
        .column(pk)
        .filter(pk.is_in(ids))
        .order_by_asc(pk)
        .lock_exclusive()
        .into_tuple::<i32>()
        .all(txn)
        .await?;
    Ok(())
}

/// A cheap round trip, for readiness checks.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT 1",
    ))
    .await
    .map(|_| ())
}

pub fn backend_of(db: &DatabaseConnection) -> Backend {
    match db.get_database_backend() {
        DbBackend::Postgres => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_the_backend_or_are_refused() {
        assert_eq!(Backend::of_url("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(
            Backend::of_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        let err = Backend::of_url("mysql://root:secret@h/db")
            .unwrap_err()
            .to_string();
        assert!(err.contains("must start with sqlite://"), "{err}");
        assert!(!err.contains("secret"), "password leaked: {err}");
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://wm:pw@db:5432/wm"),
            "postgres://wm:***@db:5432/wm"
        );
        assert_eq!(
            redact_url("sqlite://whatmatters.db"),
            "sqlite://whatmatters.db"
        );
    }

    #[tokio::test]
    async fn unreachable_postgres_gives_a_clear_error() {
        let err = connect("postgres://nobody:pw@127.0.0.1:1/none")
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "could not open the database at postgres://nobody:***@127.0.0.1:1/none"
            ),
            "{err}"
        );
    }
}
