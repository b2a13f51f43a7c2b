//! `whatmatters bench-search` (hidden): the directory search measured in process, beside the
//! bare SQL of the same query, on a database seeded with `demo --services N`. Prints p50, p95
//! and p99 in milliseconds for each, and their ratio.

use anyhow::{Result, bail};
use services::directory::search::{self, Query};
use services::directory::{postcodes, read};
use services::paging::Paging;
use std::time::Instant;

use super::services;
use crate::config::Config;

/// Words searched for, in turn.
pub const WORDS: [&str; 10] = [
    "walk",
    "carers",
    "food",
    "debt",
    "choir",
    "garden",
    "digital",
    "lunch",
    "bereavement",
    "job",
];

fn percentiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |p: f64| v[((v.len() as f64 * p) as usize).min(v.len() - 1)];
    (at(0.50), at(0.95), at(0.99))
}

pub async fn run(cfg: &Config, iterations: usize, radius: u32) -> Result<()> {
    let svc = services(cfg).await?;
    let codes = postcodes::starting(&svc, "ZZ", 2_000).await?;
    if codes.is_empty() {
        bail!("no load-test postcodes: seed with `whatmatters demo --services N` first");
    }
    let paging = Paging::new(1, 20)?;
    let (mut whole, mut raw, mut found) = (Vec::new(), Vec::new(), 0usize);
    for i in 0..iterations {
        let (_, pt) = codes[(i * 7919) % codes.len()];
        let q = Query {
            text: WORDS[i % WORDS.len()].into(),
            near: Some((pt, radius)),
            ..Query::default()
        };
        // What the API does for a page, bar HTTP and JSON: search, count, and read each whole.
        let t = Instant::now();
        let f = search::search(&svc, &q, paging).await?;
        let ids: Vec<i32> = f.hits.iter().map(|h| h.id).collect();
        let _ = read::services(&svc, &ids).await?;
        whole.push(t.elapsed().as_secs_f64() * 1000.0);
        found += f.hits.len();
        // The same query's page, bare.
        let st = search::raw_statement(&svc, &q, paging);
        let t = Instant::now();
        let _ = search::run_raw(&svc, st).await?;
        raw.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (w50, w95, w99) = percentiles(whole);
    let (r50, r95, r99) = percentiles(raw);
    println!(
        "searches: {iterations}, text + {radius} m, {:.1} results a page on average",
        found as f64 / iterations as f64
    );
    println!(
        "in process (search, count, read whole): p50 {w50:.2} ms  p95 {w95:.2} ms  p99 {w99:.2} ms"
    );
    println!(
        "raw SQL of the page query:              p50 {r50:.2} ms  p95 {r95:.2} ms  p99 {r99:.2} ms"
    );
    println!("ratio at p95: {:.1}x", w95 / r95.max(1e-9));
    Ok(())
}
