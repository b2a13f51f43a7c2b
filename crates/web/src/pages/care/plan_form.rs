//! Editing the personalised care and support plan, without JavaScript: the form shows what is
//! there (and one empty need, goal, action or contingency where a list is empty); "Add another"
//! sends the form back with one more slot in that list, keeping everything typed and saving
//! nothing. Each list's slot count travels in a hidden `slots_<list>` field. Fields are named by
//! position (`n0_g1_a2_what`); the use case's field paths (`needs[0].goals[1].actions[2].what`)
//! are mapped back to them so each error sits by its input, and its message names the need,
//! goal and action it belongs to.

use crate::forms::Form;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::plan::{ACTION_STATUSES, Action, Contingency, GOAL_STATUSES, Goal, Need, PlanContent};
use services::Actor;
use services::care::plans;
use services::{FieldError, ServiceError};
use std::collections::HashMap;

use crate::AppState;
use crate::error::PageError;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, render};
use crate::viewer::CurrentActor;

type Raw = HashMap<String, String>;

pub struct Field {
    pub id: String,
    pub value: String,
    pub error: String,
}

pub struct ActionForm {
    pub number: usize,
    pub what: Field,
    pub who: Field,
    pub when: Field,
    pub status: Field,
    pub confidence: Field,
}

pub struct GoalForm {
    pub number: usize,
    /// Slots in the goal's action list.
    pub action_slots: usize,
    pub description: Field,
    pub importance: Field,
    pub status: Field,
    pub stages: Field,
    pub actions: Vec<ActionForm>,
}

pub struct NeedForm {
    pub number: usize,
    /// Slots in the need's goal list.
    pub goal_slots: usize,
    pub description: Field,
    pub goals: Vec<GoalForm>,
}

pub struct ContingencyForm {
    pub trigger: Field,
    pub action: Field,
    pub contact: Field,
}

/// The form's field names for a plan's content.
fn to_raw(c: &PlanContent) -> Raw {
    let mut r = Raw::new();
    r.insert("strengths".into(), c.strengths.clone());
    for (i, n) in c.needs.iter().enumerate() {
        r.insert(format!("n{i}_description"), n.description.clone());
        for (j, g) in n.goals.iter().enumerate() {
            let p = format!("n{i}_g{j}");
            r.insert(format!("{p}_description"), g.description.clone());
            r.insert(
                format!("{p}_importance"),
                g.importance.map(|i| i.to_string()).unwrap_or_default(),
            );
            r.insert(format!("{p}_status"), g.status.clone());
            r.insert(format!("{p}_stages"), g.stage_goals.join("\n"));
            for (k, a) in g.actions.iter().enumerate() {
                let q = format!("{p}_a{k}");
                r.insert(format!("{q}_what"), a.what.clone());
                r.insert(format!("{q}_who"), a.who.clone());
                r.insert(format!("{q}_when"), a.when.clone());
                r.insert(format!("{q}_status"), a.status.clone());
                r.insert(
                    format!("{q}_confidence"),
                    a.confidence.map(|c| c.to_string()).unwrap_or_default(),
                );
            }
        }
    }
    for (i, x) in c.contingencies.iter().enumerate() {
        r.insert(format!("c{i}_trigger"), x.trigger.clone());
        r.insert(format!("c{i}_action"), x.action.clone());
        r.insert(format!("c{i}_contact"), x.contact.clone());
    }
    r
}

fn get<'a>(raw: &'a Raw, key: &str) -> &'a str {
    raw.get(key).map(|s| s.trim()).unwrap_or("")
}

/// Whether any field starting with `prefix` has been filled in (selects with defaults aside).
fn filled(raw: &Raw, prefix: &str) -> bool {
    raw.iter()
        .any(|(k, v)| k.starts_with(prefix) && !v.trim().is_empty() && !k.ends_with("_status"))
}

/// The most slots any list is shown with.
const MAX_SLOTS: usize = 20;

/// The most slots list `list` is shown with: the plan's own limit for that list, so no form
/// sent back can ask for more than a plan may hold.
fn max_slots(list: &str) -> usize {
    use domain::text::{MAX_ACTIONS_PER_GOAL, MAX_CONTINGENCIES, MAX_GOALS_PER_NEED, MAX_NEEDS};
    let limit = if list == "n" {
        MAX_NEEDS
    } else if list == "c" {
        MAX_CONTINGENCIES
    } else if list.ends_with("_a") {
        MAX_ACTIONS_PER_GOAL
    } else {
        MAX_GOALS_PER_NEED
    };
    limit.min(MAX_SLOTS)
}

/// How many slots list `list` shows: every filled one, as many as the form last showed
/// (`slots_<list>`), and at least one, within the plan's limit for it. `list` is the slots'
/// common prefix without the index (`n0_g` for the goals of the first need).
fn slots(raw: &Raw, list: &str) -> usize {
    let max = max_slots(list);
    let mut count = get(raw, &format!("slots_{list}"))
        .parse::<usize>()
        .unwrap_or(1)
        .clamp(1, max);
    for i in 0..max {
        if filled(raw, &format!("{list}{i}_")) {
            count = count.max(i + 1);
        }
    }
    count
}

/// A number typed, or none left blank.
fn number(raw: &Raw, key: &str) -> Option<i64> {
    match get(raw, key) {
        "" => None,
        // Out of range on purpose: the plan's own validation explains the allowed range.
        v => Some(v.parse().unwrap_or(i64::MIN)),
    }
}

/// "Add another" pressed for list `list`: one more slot, and the id of its first field.
fn add_slot(raw: &mut Raw, list: &str) -> Option<String> {
    let known = list == "n"
        || list == "c"
        || (list.ends_with("_g") || list.ends_with("_a"))
            && list.starts_with('n')
            && list.len() <= 16
            && list.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !known {
        return None;
    }
    let next = slots(raw, list);
    if next >= max_slots(list) {
        return None;
    }
    raw.insert(format!("slots_{list}"), (next + 1).to_string());
    let first = if list == "c" {
        "trigger"
    } else if list.ends_with("_a") {
        "what"
    } else {
        "description"
    };
    Some(format!("{list}{next}_{first}"))
}

/// "needs[1].goals[0].actions[2].who" → "Need 2, goal 1, action 3"; "contingencies[0].x" →
/// "Contingency plan 1"; "" for fields of the plan as a whole.
fn belongs_to(path: &str) -> String {
    let mut parts = Vec::new();
    for (key, name) in [
        ("needs[", "need"),
        ("goals[", "goal"),
        ("actions[", "action"),
        ("contingencies[", "contingency plan"),
    ] {
        if let Some(rest) = path.split(key).nth(1)
            && let Some(n) = rest.split(']').next().and_then(|n| n.parse::<usize>().ok())
        {
            parts.push(format!("{name} {}", n + 1));
        }
    }
    let joined = parts.join(", ");
    let mut chars = joined.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => joined,
    }
}

/// The plan typed into the form, leaving out empty slots.
fn from_raw(raw: &Raw) -> PlanContent {
    let mut c = PlanContent {
        strengths: get(raw, "strengths").to_owned(),
        ..Default::default()
    };
    for i in 0..slots(raw, "n") {
        if !filled(raw, &format!("n{i}_")) {
            continue;
        }
        let mut need = Need {
            description: get(raw, &format!("n{i}_description")).to_owned(),
            goals: vec![],
        };
        for j in 0..slots(raw, &format!("n{i}_g")) {
            let p = format!("n{i}_g{j}");
            if !filled(raw, &format!("{p}_")) {
                continue;
            }
            let mut goal = Goal {
                description: get(raw, &format!("{p}_description")).to_owned(),
                importance: number(raw, &format!("{p}_importance")),
                status: get(raw, &format!("{p}_status")).to_owned(),
                stage_goals: get(raw, &format!("{p}_stages"))
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
                actions: vec![],
            };
            for k in 0..slots(raw, &format!("{p}_a")) {
                let q = format!("{p}_a{k}");
                if !filled(raw, &format!("{q}_")) {
                    continue;
                }
                goal.actions.push(Action {
                    what: get(raw, &format!("{q}_what")).to_owned(),
                    who: get(raw, &format!("{q}_who")).to_owned(),
                    when: get(raw, &format!("{q}_when")).to_owned(),
                    status: get(raw, &format!("{q}_status")).to_owned(),
                    confidence: number(raw, &format!("{q}_confidence")),
                });
            }
            need.goals.push(goal);
        }
        c.needs.push(need);
    }
    for i in 0..slots(raw, "c") {
        if filled(raw, &format!("c{i}_")) {
            c.contingencies.push(Contingency {
                trigger: get(raw, &format!("c{i}_trigger")).to_owned(),
                action: get(raw, &format!("c{i}_action")).to_owned(),
                contact: get(raw, &format!("c{i}_contact")).to_owned(),
            });
        }
    }
    c
}

/// "Say who will do it" → "say who will do it", to follow "Goal 2, action 1: ".
fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "needs[0].goals[1].actions[2].what" → "n0_g1_a2_what".
fn field_id(path: &str) -> String {
    path.replace("needs[", "n")
        .replace("].goals[", "_g")
        .replace("].actions[", "_a")
        .replace("contingencies[", "c")
        .replace("].", "_")
}

fn build(raw: &Raw, errors: &Errors) -> (Vec<NeedForm>, Vec<ContingencyForm>) {
    let field = |id: String| Field {
        value: raw.get(&id).cloned().unwrap_or_default(),
        error: errors.get(&id).unwrap_or("").to_owned(),
        id,
    };
    let needs = (0..slots(raw, "n"))
        .map(|i| NeedForm {
            number: i + 1,
            description: field(format!("n{i}_description")),
            goal_slots: slots(raw, &format!("n{i}_g")),
            goals: (0..slots(raw, &format!("n{i}_g")))
                .map(|j| {
                    let p = format!("n{i}_g{j}");
                    GoalForm {
                        number: j + 1,
                        action_slots: slots(raw, &format!("{p}_a")),
                        description: field(format!("{p}_description")),
                        importance: field(format!("{p}_importance")),
                        status: field(format!("{p}_status")),
                        stages: field(format!("{p}_stages")),
                        actions: (0..slots(raw, &format!("{p}_a")))
                            .map(|k| {
                                let q = format!("{p}_a{k}");
                                ActionForm {
                                    number: k + 1,
                                    what: field(format!("{q}_what")),
                                    who: field(format!("{q}_who")),
                                    when: field(format!("{q}_when")),
                                    status: field(format!("{q}_status")),
                                    confidence: field(format!("{q}_confidence")),
                                }
                            })
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect();
    let contingencies = (0..slots(raw, "c"))
        .map(|i| ContingencyForm {
            trigger: field(format!("c{i}_trigger")),
            action: field(format!("c{i}_action")),
            contact: field(format!("c{i}_contact")),
        })
        .collect();
    (needs, contingencies)
}

#[derive(Template)]
#[template(path = "care/plan_form.html")]
struct PlanFormPage {
    l: Layout,
    errors: Errors,
    person_id: i32,
    name: String,
    based_on: i32,
    strengths: Field,
    needs: Vec<NeedForm>,
    contingencies: Vec<ContingencyForm>,
    agreed_with: String,
    review_date: String,
    funding_source: String,
    goal_statuses: Vec<(&'static str, &'static str)>,
    action_statuses: Vec<(&'static str, &'static str)>,
    /// Slots in the lists of needs and of contingency plans.
    need_slots: usize,
    contingency_slots: usize,
    /// The field to move to when the page opens: the first of a slot just added.
    focus: String,
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page is drawn from everything the form holds"
)]
async fn page(
    state: &AppState,
    v: &Viewer,
    a: &Actor,
    id: i32,
    status: StatusCode,
    errors: Errors,
    typed: Option<Raw>,
    focus: String,
) -> Response {
    let (p, history) = match plans::read(&state.svc, a, &v.meta, id).await {
        Ok(x) => x,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    // Refused on opening, not only on saving: see plans::may_edit.
    match plans::may_edit(&state.svc, a, &p).await {
        Ok(true) => {}
        Ok(false) => {
            return PageError::new(
                ServiceError::Forbidden(
                    "change this plan: it is written with the person by the team supporting them"
                        .into(),
                ),
                v,
            )
            .into_response();
        }
        Err(e) => return PageError::new(e, v).into_response(),
    }
    let current = history.into_iter().next();
    let latest = current.as_ref().map(|c| c.version).unwrap_or(0);
    let raw = match typed {
        Some(t) => t,
        None => {
            let mut r = current
                .as_ref()
                .map(|c| to_raw(&plans::content_of(c)))
                .unwrap_or_default();
            if let Some(c) = &current {
                r.insert(
                    "agreed_with".into(),
                    c.agreed_with.clone().unwrap_or_default(),
                );
                r.insert(
                    "review_date".into(),
                    c.review_date.map(|d| d.to_string()).unwrap_or_default(),
                );
                r.insert(
                    "funding_source".into(),
                    c.funding_source.clone().unwrap_or_default(),
                );
            }
            r
        }
    };
    let (needs, contingencies) = build(&raw, &errors);
    render(
        status,
        &PlanFormPage {
            l: Layout::for_viewer(
                format!("Plan: {} {}", p.given_name, p.family_name),
                v,
                "/caseload",
            )
            .with_errors(&errors),
            person_id: id,
            name: format!("{} {}", p.given_name, p.family_name),
            based_on: latest,
            strengths: Field {
                id: "strengths".into(),
                value: raw.get("strengths").cloned().unwrap_or_default(),
                error: errors.get("strengths").unwrap_or("").to_owned(),
            },
            needs,
            contingencies,
            agreed_with: raw.get("agreed_with").cloned().unwrap_or_default(),
            review_date: raw.get("review_date").cloned().unwrap_or_default(),
            funding_source: raw.get("funding_source").cloned().unwrap_or_default(),
            goal_statuses: GOAL_STATUSES.to_vec(),
            action_statuses: ACTION_STATUSES.to_vec(),
            need_slots: slots(&raw, "n"),
            contingency_slots: slots(&raw, "c"),
            focus,
            errors,
        },
    )
}

pub async fn form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    page(
        &state,
        &v,
        a,
        id,
        StatusCode::OK,
        Errors::default(),
        None,
        String::new(),
    )
    .await
}

pub async fn save(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
    Form(mut raw): Form<Raw>,
) -> Response {
    // "Add another …": the same form again with one more slot there, nothing saved.
    if let Some(list) = raw.remove("add") {
        let focus = add_slot(&mut raw, &list).unwrap_or_default();
        return page(
            &state,
            &v,
            a,
            id,
            StatusCode::OK,
            Errors::default(),
            Some(raw),
            focus,
        )
        .await;
    }
    let input = plans::PlanInput {
        based_on: get(&raw, "based_on").parse().unwrap_or(0),
        content: from_raw(&raw),
        agreed_with: Some(get(&raw, "agreed_with").to_owned()),
        review_date: Some(get(&raw, "review_date").to_owned()),
        review_owner_user_id: Some(a.user_id),
        funding_source: Some(get(&raw, "funding_source").to_owned()),
    };
    match plans::save(&state.svc, a, &v.meta, id, input).await {
        Ok(_) => Redirect::to(&format!("/people/{id}/plan?saved=plan")).into_response(),
        Err(ServiceError::Invalid(list)) => {
            let errors = Errors(
                list.into_iter()
                    .map(|e| {
                        let message = match belongs_to(&e.field) {
                            at if at.is_empty() => e.message,
                            at => format!("{at}: {}", lowercase_first(&e.message)),
                        };
                        FieldError::new(field_id(&e.field), message)
                    })
                    .collect(),
            );
            page(
                &state,
                &v,
                a,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                Some(raw),
                String::new(),
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            page(
                &state,
                &v,
                a,
                id,
                StatusCode::CONFLICT,
                Errors::one("strengths", m),
                Some(raw),
                String::new(),
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_map_to_input_ids() {
        assert_eq!(
            field_id("needs[0].goals[1].actions[2].confidence"),
            "n0_g1_a2_confidence"
        );
        assert_eq!(field_id("needs[3].description"), "n3_description");
        assert_eq!(field_id("contingencies[0].trigger"), "c0_trigger");
    }

    #[test]
    fn errors_name_the_need_goal_and_action_they_belong_to() {
        assert_eq!(
            belongs_to("needs[0].goals[1].actions[0].who"),
            "Need 1, goal 2, action 1"
        );
        assert_eq!(belongs_to("contingencies[2].contact"), "Contingency plan 3");
        assert_eq!(belongs_to("review_date"), "");
    }

    #[test]
    fn another_slot_is_added_only_to_a_list_the_form_has() {
        let mut raw = Raw::new();
        raw.insert("n0_g0_description".into(), "Walk".into());
        assert_eq!(
            add_slot(&mut raw, "n0_g").as_deref(),
            Some("n0_g1_description")
        );
        assert_eq!(slots(&raw, "n0_g"), 2);
        assert_eq!(
            add_slot(&mut raw, "n0_g0_a").as_deref(),
            Some("n0_g0_a1_what")
        );
        assert_eq!(add_slot(&mut raw, "c").as_deref(), Some("c1_trigger"));
        for odd in ["", "x", "n0_g\"><script>", "strengths", "n0_description"] {
            assert_eq!(add_slot(&mut raw, odd), None, "{odd}");
        }
        raw.insert("slots_n".into(), "99999".into());
        assert_eq!(
            slots(&raw, "n"),
            domain::text::MAX_NEEDS,
            "capped at the plan's limit"
        );
        raw.insert("slots_n0_g0_a".into(), "99999".into());
        assert_eq!(slots(&raw, "n0_g0_a"), domain::text::MAX_ACTIONS_PER_GOAL);
    }

    #[test]
    fn a_plan_survives_the_form_round_trip_and_empty_slots_are_dropped() {
        let c = PlanContent {
            strengths: "Kind".into(),
            needs: vec![Need {
                description: "Lonely".into(),
                goals: vec![Goal {
                    description: "Join a group".into(),
                    importance: Some(8),
                    status: "in_progress".into(),
                    stage_goals: vec!["Find one".into(), "Go once".into()],
                    actions: vec![Action {
                        what: "Call the garden".into(),
                        who: "Jack".into(),
                        when: "2026-12-01".into(),
                        status: "done".into(),
                        confidence: Some(7),
                    }],
                }],
            }],
            contingencies: vec![Contingency {
                trigger: "Low".into(),
                action: "Call".into(),
                contact: "PCN".into(),
            }],
        };
        let mut raw = to_raw(&c);
        // The empty slots a browser sends back, with their default selections.
        raw.insert("n1_description".into(), String::new());
        raw.insert("n1_g0_status".into(), "in_progress".into());
        raw.insert("n0_g0_a1_what".into(), String::new());
        raw.insert("n0_g0_a1_status".into(), "in_progress".into());
        assert_eq!(from_raw(&raw), c);
    }
}
