//! Professionals trained in personalised care against the national aim: the nation, each
//! region and ICB, and the PCNs in the viewer's scope.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use services::learning::trained::{self, Row};

use crate::AppState;
use crate::error::PageError;
use crate::view::{Layout, render, thousands};
use crate::viewer::{CurrentActor, Viewer};

pub struct Line {
    pub name: String,
    pub code: String,
    pub trained: String,
}

fn lines(rows: &[Row]) -> Vec<Line> {
    rows.iter()
        .map(|r| Line {
            name: r.name.clone(),
            code: r.code.clone().unwrap_or_default(),
            trained: thousands(r.trained as i64),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "learning/trained.html")]
struct Page {
    l: Layout,
    nation: String,
    aim: String,
    percent: String,
    regions: Vec<Line>,
    icbs: Vec<Line>,
    pcns: Vec<Line>,
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Response {
    match trained::counts(&state.svc, a).await {
        Ok(t) => render(
            StatusCode::OK,
            &Page {
                l: Layout::for_viewer("Professionals trained", &v, "/learning"),
                nation: thousands(t.nation as i64),
                aim: thousands(t.aim as i64),
                percent: format!("{:.1}", t.nation as f64 * 100.0 / t.aim.max(1) as f64),
                regions: lines(&t.regions),
                icbs: lines(&t.icbs),
                pcns: lines(&t.pcns),
            },
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
