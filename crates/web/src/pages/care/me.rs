//! The person's own page (`/me`): who supports them, their plan, About Me and measures.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::about_me::SECTIONS;
use services::ServiceError;
use services::care::{about_me, lookup, measures};

use super::plan::{PlanView, plan_view};
use crate::AppState;
use crate::error::PageError;
use crate::middleware::Viewer;
use crate::view::{Layout, render};
use crate::viewer::CurrentActor;

#[derive(Template)]
#[template(path = "care/me.html")]
struct MePage {
    l: Layout,
    person_id: i32,
    name: String,
    supporters: Vec<lookup::Supporter>,
    about_me: Vec<(&'static str, String)>,
    plan: Option<PlanView>,
    chart: String,
    measures: usize,
}

/// The person's own view: who supports them, their plan, their About Me and their measures.
pub async fn me(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Response {
    let loaded = async {
        let Some(p) = lookup::own_record(&state.svc, a).await? else {
            return Err(ServiceError::NotFound("your record"));
        };
        let supporters = lookup::supporters(&state.svc, p.id).await?;
        let am = about_me::current(&state.svc, a, &v.meta, p.id).await?;
        let plan = services::care::plans::current(&state.svc, a, &v.meta, p.id).await?;
        let ms = measures::list(&state.svc, &p).await?;
        Ok((p, supporters, am, plan, ms))
    }
    .await;
    match loaded {
        Ok((p, supporters, am, plan, ms)) => {
            let sections = am.as_ref().map(about_me::sections_of).unwrap_or_default();
            render(
                StatusCode::OK,
                &MePage {
                    l: Layout::for_viewer("Your plan and support", &v, "/me"),
                    person_id: p.id,
                    name: p.given_name.clone(),
                    supporters,
                    about_me: SECTIONS
                        .iter()
                        .filter_map(|(k, label)| sections.get(*k).map(|t| (*label, t.clone())))
                        .collect(),
                    plan: plan.as_ref().map(plan_view),
                    chart: crate::charts::wellbeing_svg(&ms),
                    measures: ms.len(),
                },
            )
        }
        Err(ServiceError::NotFound(_)) => render(
            StatusCode::OK,
            &MePage {
                l: Layout::for_viewer("Your plan and support", &v, "/me"),
                person_id: 0,
                name: a.display_name.clone(),
                supporters: vec![],
                about_me: vec![],
                plan: None,
                chart: String::new(),
                measures: 0,
            },
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
