//! The limit for load tests: the least an HTTP server can do to answer one row by key as JSON
//! from SQLite on this machine (axum, a pool of SQLite connections in WAL mode, one prepared
//! query). whatmatters is measured as a ratio to it, in the same run (scripts/bench.sh).
//!
//!   limit --port 8290 --rows 50000
//!   GET /people/{id}  ->  {"id":…,"given_name":…,"family_name":…,"date_of_birth":…}

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sea_orm::sqlx::{self, SqlitePool};
use serde::Serialize;

#[derive(Serialize)]
struct Person {
    id: i64,
    given_name: String,
    family_name: String,
    date_of_birth: String,
}

async fn person(
    State(pool): State<SqlitePool>,
    Path(id): Path<i64>,
) -> Result<Json<Person>, StatusCode> {
    sqlx::query_as::<_, (i64, String, String, String)>(
        "SELECT id, given_name, family_name, date_of_birth FROM people WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(&pool)
    .await
    .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
    .map(|(id, given_name, family_name, date_of_birth)| {
        Json(Person {
            id,
            given_name,
            family_name,
            date_of_birth,
        })
    })
    .ok_or(StatusCode::NOT_FOUND)
}

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port = u16::try_from(arg("--port", 8290))?;
    let rows = arg("--rows", 50_000);
    let path = std::env::temp_dir().join(format!("whatmatters-limit-{port}.db"));
    let _ = std::fs::remove_file(&path);
    let opts = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal);
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(opts)
        .await?;
    sqlx::query(
        "CREATE TABLE people (id INTEGER PRIMARY KEY, given_name TEXT NOT NULL, family_name TEXT NOT NULL, date_of_birth TEXT NOT NULL)",
    )
    .execute(&pool)
    .await?;
    let mut tx = pool.begin().await?;
    for i in 1..=rows {
        sqlx::query(
            "INSERT INTO people (id, given_name, family_name, date_of_birth) VALUES (?, ?, ?, ?)",
        )
        .bind(i64::try_from(i)?)
        .bind(format!("Given{i}"))
        .bind(format!("Family{i}"))
        .bind(format!("19{:02}-0{}-1{}", 30 + i % 70, 1 + i % 9, i % 10))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    let app = Router::new()
        .route("/people/{id}", get(person))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("limit: {rows} people, serving on http://127.0.0.1:{port}/people/{{id}}");
    axum::serve(listener, app).await?;
    Ok(())
}
