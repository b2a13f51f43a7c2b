//! The list of organisations, with search, a filter by kind and pages.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::Permission;
use serde::Deserialize;
use services::org::{self, ListFilter};

use super::{Row, kinds, row};
use crate::AppState;
use crate::error::PageError;
use crate::middleware::Viewer;
use crate::view::{Layout, Pager, render, thousands};
use crate::viewer::CurrentActor;

#[derive(Template)]
#[template(path = "organisations/list.html")]
struct ListPage {
    l: Layout,
    q: String,
    kind: String,
    kinds: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
    total_text: String,
    pager: Pager,
    can_add: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    kind: Option<String>,
    page: Option<u64>,
}

pub async fn list(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref actor): CurrentActor,
    Query(q): Query<ListQuery>,
) -> Response {
    let kind = q.kind.clone().unwrap_or_default();
    let filter = ListFilter {
        kind: kind.parse().ok(),
        q: q.q.clone(),
        parent_id: None,
        page: q.page.unwrap_or(1),
        per_page: 25,
    };
    match org::list(&state.svc, actor, filter).await {
        Ok(page) => {
            let total_text = match page.total {
                0 => "No organisations match your search.".to_string(),
                1 => "1 organisation".to_string(),
                n => format!(
                    "{} organisations, page {} of {}",
                    thousands(n as i64),
                    page.page,
                    page.total_pages()
                ),
            };
            let pager = Pager::new(
                "/organisations",
                &[
                    ("q", q.q.clone().unwrap_or_default()),
                    ("kind", kind.clone()),
                ],
                page.page,
                page.total_pages(),
            );
            render(
                StatusCode::OK,
                &ListPage {
                    l: Layout::for_viewer("Organisations", &v, "/organisations"),
                    q: q.q.unwrap_or_default(),
                    kind,
                    kinds: kinds(),
                    rows: page.items.into_iter().map(row).collect(),
                    total_text,
                    pager,
                    can_add: actor.can(Permission::ManageOrganisations),
                },
            )
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
