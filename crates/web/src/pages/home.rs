//! The home page: a landing page when signed out; when signed in, what the person's roles
//! cover — their organisations, what sits within them, and for admins the latest activity.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::{OrgKind, Permission, Role};
use services::{Actor, ServiceError, audit, org};

use crate::AppState;
use crate::error::PageError;
use crate::middleware::Viewer;
use crate::view::{Layout, date_time, render, thousands};

pub struct KindCount {
    pub kind: &'static str,
    pub label: &'static str,
    pub count: u64,
    pub patients: i64,
    pub patients_text: String,
}

pub struct GrantRow {
    pub role: &'static str,
    pub org_id: i32,
    pub org_name: String,
    pub kind: &'static str,
    pub linked: bool,
}

pub struct MemberRow {
    pub id: i32,
    pub name: String,
    pub code: String,
    pub list_size: String,
    pub opted_out: bool,
}

pub struct Home {
    pub name: String,
    pub roles_summary: String,
    pub org_counts: Vec<KindCount>,
    pub grants: Vec<GrantRow>,
    pub members_heading: String,
    pub members: Vec<MemberRow>,
    pub recent_audit: Vec<String>,
    pub is_person: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    home: Option<Home>,
}

async fn build(state: &AppState, a: &Actor) -> Result<Home, ServiceError> {
    let mut org_counts = Vec::new();
    if a.can(Permission::ViewOrganisations) {
        for (k, n, patients) in org::counts(&state.svc, a).await? {
            if n > 0 {
                org_counts.push(KindCount {
                    kind: k.as_str(),
                    label: k.label(),
                    count: n,
                    patients,
                    patients_text: thousands(patients),
                });
            }
        }
    }
    let grants = a
        .grants
        .iter()
        .map(|g| GrantRow {
            role: g.role.label(),
            org_id: g.organisation_id,
            org_name: g.organisation_name.clone(),
            kind: g.organisation_kind.label(),
            linked: g.role.grants(Permission::ViewOrganisations),
        })
        .collect();
    // What sits within the organisation of the first staff role: a PCN's practices, an ICB's PCNs.
    let mut members = Vec::new();
    let mut members_heading = String::new();
    if let Some(g) = a.grants.iter().find(|g| {
        g.role.grants(Permission::ViewOrganisations)
            && matches!(
                g.organisation_kind,
                OrgKind::Pcn | OrgKind::Icb | OrgKind::Region
            )
    }) {
        let o = org::get(&state.svc, a, g.organisation_id).await?;
        members_heading = format!("Within {}", o.name);
        for c in org::children(&state.svc, a, &o).await? {
            members.push(MemberRow {
                id: c.id,
                name: c.name,
                code: c.ods_code.unwrap_or_default(),
                list_size: c.list_size.map(|n| thousands(n.into())).unwrap_or_default(),
                opted_out: c.pcn_opted_out,
            });
        }
    }
    let mut recent_audit = Vec::new();
    if a.can(Permission::ViewAudit) {
        let page = audit::search(
            &state.svc,
            a,
            audit::Search {
                page: 1,
                per_page: 5,
                ..Default::default()
            },
        )
        .await?;
        recent_audit = page
            .events
            .into_iter()
            .map(|e| {
                format!(
                    "{}: {} – {} ({})",
                    date_time(&e.at),
                    e.actor_label,
                    e.action.replace('_', " "),
                    e.outcome
                )
            })
            .collect();
    }
    let mut roles: Vec<String> = a
        .grants
        .iter()
        .map(|g| {
            format!(
                "{} at {}",
                g.role.label().to_lowercase(),
                g.organisation_name
            )
        })
        .collect();
    roles.dedup();
    Ok(Home {
        name: a.display_name.clone(),
        roles_summary: if roles.is_empty() {
            "a user with no roles yet".into()
        } else {
            roles.join(", ")
        },
        org_counts,
        grants,
        members_heading,
        members,
        recent_audit,
        is_person: a.has_role(Role::Person),
    })
}

pub async fn show(State(state): State<AppState>, v: Viewer) -> Response {
    let home = match v.actor() {
        Some(a) => match build(&state, a).await {
            Ok(h) => Some(h),
            Err(e) => return PageError::new(e, &v).into_response(),
        },
        None => None,
    };
    let title = if home.is_some() {
        "Home"
    } else {
        "Personalised care for primary care networks"
    };
    render(
        StatusCode::OK,
        &HomePage {
            l: Layout::for_viewer(title, &v, "/"),
            home,
        },
    )
}
