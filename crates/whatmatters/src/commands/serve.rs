//! Serving the web application and API, with the job worker, until asked to stop.

use anyhow::{Context, Result};
use services::Services;
use std::net::SocketAddr;
use std::time::Duration;

use crate::config::Config;

pub async fn serve(cfg: &Config, svc: Services) -> Result<()> {
    let state = web::AppState::new(svc.clone(), cfg.web());
    let app = web::router(state);
    let addr: SocketAddr = format!("{}:{}", cfg.bind, cfg.port)
        .parse()
        .with_context(|| format!("{}:{} is not an address to listen on", cfg.bind, cfg.port))?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    tracing::info!(%addr, database = %store::redact_url(&cfg.database_url), "whatmatters is serving");
    // Jobs (e-mail delivery) and periodic chores (removing expired sessions and full
    // rate-limit buckets) run in this process; see services::jobs.
    let worker = services::jobs::Worker::new(svc, services::jobs::registry()).spawn();
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .context("serving");
    worker.stop(Duration::from_secs(20)).await;
    served?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
