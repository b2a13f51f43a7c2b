//! One organisation: its details, where it sits in the hierarchy and what belongs to it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::{OrgKind, Permission};
use serde::Deserialize;
use services::ServiceError;
use services::org::{self, Organisation};

use super::{Row, kind_label, row};
use crate::AppState;
use crate::error::PageError;
use crate::middleware::Viewer;
use crate::view::{Layout, render, thousands};
use crate::viewer::CurrentActor;

#[derive(Template)]
#[template(path = "organisations/show.html")]
struct ShowPage {
    l: Layout,
    o: Organisation,
    kind_label: &'static str,
    rows: Vec<(&'static str, String)>,
    ancestors: Vec<(i32, String)>,
    children: Vec<Row>,
    can_edit: bool,
    saved: bool,
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref actor): CurrentActor,
    Path(id): Path<i32>,
    Query(q): Query<ShowQuery>,
) -> Response {
    let result = async {
        let o = org::get(&state.svc, actor, id).await?;
        let ancestors = org::ancestors(&state.svc, &o).await?;
        let children = org::children(&state.svc, actor, &o).await?;
        org::audit_view(&state.svc, actor, &v.meta, id).await?;
        Ok::<_, ServiceError>((o, ancestors, children))
    }
    .await;
    let (o, ancestors, children) = match result {
        Ok(x) => x,
        Err(e) => return PageError::new(e, &v).into_response(),
    };
    let parent_name = ancestors
        .last()
        .map(|p| p.name.clone())
        .unwrap_or_else(|| "None".into());
    let mut rows = vec![("Kind", kind_label(&o.kind).to_string())];
    if let Some(c) = &o.ods_code {
        rows.push(("ODS code", c.clone()));
    }
    rows.push(("Belongs to", parent_name));
    rows.push((
        "Status",
        if o.status == "closed" {
            "Closed".into()
        } else {
            "Active".into()
        },
    ));
    if let Some(n) = o.list_size {
        rows.push((
            "List size",
            format!("{} registered patients", thousands(n.into())),
        ));
    }
    if o.kind == OrgKind::Practice.as_str() {
        rows.push((
            "PCN membership",
            if o.pcn_opted_out {
                "Opted out of the PCN".into()
            } else {
                "Member of its PCN".into()
            },
        ));
        if let Some(a) = &o.commissioner_arrangement {
            rows.push(("Commissioner's arrangement", a.clone()));
        }
    }
    for (label, value) in [
        ("Postcode", &o.postcode),
        ("Email", &o.email),
        ("Phone", &o.phone),
        ("Website", &o.website),
        ("Charity number", &o.charity_number),
    ] {
        if let Some(v) = value {
            rows.push((label, v.clone()));
        }
    }
    let can_edit = actor.can_at(Permission::ManageOrganisations, &o.path);
    render(
        StatusCode::OK,
        &ShowPage {
            l: Layout::for_viewer(o.name.clone(), &v, "/organisations"),
            kind_label: kind_label(&o.kind),
            rows,
            ancestors: ancestors.into_iter().map(|a| (a.id, a.name)).collect(),
            children: children.into_iter().map(row).collect(),
            can_edit,
            saved: q.saved.is_some(),
            o,
        },
    )
}
