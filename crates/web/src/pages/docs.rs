//! The API documentation page, rendered on the server from the OpenAPI document.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use crate::middleware::Viewer;
use crate::view::{Layout, render};

pub struct Operation {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub params: Vec<(String, String, String)>,
    pub responses: String,
}

#[derive(Template)]
#[template(path = "docs.html")]
struct DocsPage {
    l: Layout,
    operations: Vec<Operation>,
}

fn operations(doc: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(op) = item.get(method) else { continue };
            let text = |k: &str| {
                op.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let summary = [text("summary"), text("description")]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(". ");
            let params = op
                .get("parameters")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            let s = |k: &str| {
                                p.get(k)
                                    .and_then(Value::as_str)
                                    .unwrap_or_default()
                                    .to_owned()
                            };
                            (s("name"), s("in"), s("description"))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let responses = op
                .get("responses")
                .and_then(Value::as_object)
                .map(|r| {
                    r.iter()
                        .map(|(code, v)| {
                            format!(
                                "{code} {}",
                                v.get("description")
                                    .and_then(Value::as_str)
                                    .unwrap_or_default()
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default();
            out.push(Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                summary,
                params,
                responses,
            });
        }
    }
    out
}

pub async fn show(v: Viewer) -> Response {
    let doc = serde_json::to_value(crate::openapi::document()).unwrap_or(Value::Null);
    render(
        StatusCode::OK,
        &DocsPage {
            l: Layout::for_viewer("API documentation", &v, "/api/docs"),
            operations: operations(&doc),
        },
    )
}
