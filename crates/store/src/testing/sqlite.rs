//! SQLite test databases: each a copy of a migrated (and maybe seeded) template file in the
//! temp directory, made once per build of the test binary.

use crate::{StoreError, connect, migrate};
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

use super::{Backend, Cleanup, Seed, TestDb, build_identity, checked_tag, setup_err};

pub(super) fn remove_sqlite(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
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
}
