//! The care and support plan to read (any saved version), and the plan's reading view shared
//! with the person's own page.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::PageError;
use crate::middleware::Viewer;
use crate::view::{Layout, date_time, render};
use crate::viewer::CurrentActor;

pub struct GoalView {
    pub description: String,
    pub importance: Option<i64>,
    pub status: &'static str,
    pub stage_goals: Vec<String>,
    /// What, who, by when, status, confidence (blank if not said).
    pub actions: Vec<(String, String, String, &'static str, String)>,
}

pub struct NeedView {
    pub description: String,
    pub goals: Vec<GoalView>,
}

pub struct PlanView {
    pub meta: String,
    pub strengths: String,
    pub needs: Vec<NeedView>,
    pub contingencies: Vec<(String, String, String)>,
    pub agreed_with: String,
    pub review: String,
}

/// An action's date as stored (YYYY-MM-DD) in the one way dates are shown.
pub(super) fn when_long(when: &str) -> String {
    chrono::NaiveDate::parse_from_str(when, "%Y-%m-%d")
        .map(domain::dates::long)
        .unwrap_or_else(|_| when.to_owned())
}

pub(super) fn plan_view(v: &services::care::PlanVersion) -> PlanView {
    use domain::plan::{ACTION_STATUSES, GOAL_STATUSES, label_of};
    let c = services::care::plans::content_of(v);
    PlanView {
        meta: format!(
            "Version {}, saved {} by {}",
            v.version,
            date_time(&v.created_at),
            v.updated_by_label
        ),
        strengths: c.strengths,
        needs: c
            .needs
            .into_iter()
            .map(|n| NeedView {
                description: n.description,
                goals: n
                    .goals
                    .into_iter()
                    .map(|g| GoalView {
                        description: g.description,
                        importance: g.importance,
                        status: label_of(&GOAL_STATUSES, &g.status),
                        stage_goals: g.stage_goals,
                        actions: g
                            .actions
                            .into_iter()
                            .map(|a| {
                                (
                                    a.what,
                                    a.who,
                                    when_long(&a.when),
                                    label_of(&ACTION_STATUSES, &a.status),
                                    a.confidence.map(|c| c.to_string()).unwrap_or_default(),
                                )
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        contingencies: c
            .contingencies
            .into_iter()
            .map(|x| (x.trigger, x.action, x.contact))
            .collect(),
        agreed_with: v.agreed_with.clone().unwrap_or_default(),
        review: v.review_date.map(domain::dates::long).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "care/plan.html")]
struct PlanPage {
    l: Layout,
    person_id: i32,
    name: String,
    plan: Option<PlanView>,
    back: String,
    versions: Vec<(i32, String, bool)>,
}

#[derive(serde::Deserialize, Default)]
pub struct PlanQuery {
    version: Option<i32>,
}

/// The plan in plain words, to read on screen or print and take away.
pub async fn plan(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    axum::extract::Query(q): axum::extract::Query<PlanQuery>,
) -> Response {
    match services::care::plans::read(&state.svc, a, &v.meta, id).await {
        Ok((p, history)) => {
            let shown = match q.version {
                Some(n) => history.iter().find(|h| h.version == n).cloned(),
                None => history.first().cloned(),
            };
            let shown_version = shown.as_ref().map(|s| s.version);
            let own = p.user_id == Some(a.user_id);
            render(
                StatusCode::OK,
                &PlanPage {
                    l: Layout::for_viewer(
                        format!("Care and support plan: {} {}", p.given_name, p.family_name),
                        &v,
                        if own { "/me" } else { "/caseload" },
                    ),
                    person_id: id,
                    name: format!("{} {}", p.given_name, p.family_name),
                    plan: shown.as_ref().map(plan_view),
                    back: if own {
                        "/me".into()
                    } else {
                        format!("/people/{id}")
                    },
                    versions: history
                        .iter()
                        .map(|h| {
                            (
                                h.version,
                                format!(
                                    "Version {}: {} by {}",
                                    h.version,
                                    date_time(&h.created_at),
                                    h.updated_by_label
                                ),
                                Some(h.version) == shown_version,
                            )
                        })
                        .collect(),
                },
            )
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
