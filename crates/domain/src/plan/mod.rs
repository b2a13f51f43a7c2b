//! The personalised care and support plan (PRSB PCSP): strengths, needs with goals, stage goals
//! and actions, contingency plans. Stored as a document; every saved version is kept.
//!
//! The plan's types and their statuses are here; checking and cleaning a plan is in `clean`.

mod clean;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanContent {
    #[serde(default)]
    pub strengths: String,
    #[serde(default)]
    pub needs: Vec<Need>,
    #[serde(default)]
    pub contingencies: Vec<Contingency>,
}

impl PlanContent {
    /// The next thing to do: the action still in progress with the earliest date (those without
    /// a date after those with one), with the goal it serves.
    pub fn next_action(&self) -> Option<(&Goal, &Action)> {
        self.needs
            .iter()
            .flat_map(|n| n.goals.iter())
            .flat_map(|g| g.actions.iter().map(move |a| (g, a)))
            .filter(|(_, a)| a.status == "in_progress")
            .min_by(|(_, a), (_, b)| {
                (a.when.is_empty(), a.when.as_str()).cmp(&(b.when.is_empty(), b.when.as_str()))
            })
    }
}

/// A need or concern, and the goals and hopes it leads to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Need {
    pub description: String,
    #[serde(default)]
    pub goals: Vec<Goal>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Goal {
    pub description: String,
    /// How much it matters to the person, 1-10, if they said.
    #[schema(minimum = 1, maximum = 10)]
    #[serde(default)]
    pub importance: Option<i64>,
    /// in_progress | achieved | partly_achieved | not_achieved | no_longer_relevant
    #[schema(schema_with = goal_status_schema)]
    pub status: String,
    #[serde(default)]
    pub stage_goals: Vec<String>,
    #[serde(default)]
    pub actions: Vec<Action>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Action {
    pub what: String,
    pub who: String,
    /// When, as an ISO date (YYYY-MM-DD).
    pub when: String,
    /// in_progress | done | refused
    #[schema(schema_with = action_status_schema)]
    pub status: String,
    /// The person's confidence they will do it, 0-10, if they said.
    #[schema(minimum = 0, maximum = 10)]
    #[serde(default)]
    pub confidence: Option<i64>,
}

/// What to do if things go wrong: the trigger, what should happen, who to contact.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Contingency {
    pub trigger: String,
    pub action: String,
    pub contact: String,
}

pub const GOAL_STATUSES: [(&str, &str); 5] = [
    ("in_progress", "In progress"),
    ("achieved", "Achieved"),
    ("partly_achieved", "Partly achieved"),
    ("not_achieved", "Not achieved"),
    ("no_longer_relevant", "No longer relevant"),
];

pub const ACTION_STATUSES: [(&str, &str); 3] = [
    ("in_progress", "In progress"),
    ("done", "Done"),
    ("refused", "Refused"),
];

fn one_of(values: &[(&str, &str)]) -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(values.iter().map(|v| v.0)))
        .build()
}

/// The goal statuses, for the OpenAPI document.
pub fn goal_status_schema() -> utoipa::openapi::schema::Object {
    one_of(&GOAL_STATUSES)
}

/// The action statuses, for the OpenAPI document.
pub fn action_status_schema() -> utoipa::openapi::schema::Object {
    one_of(&ACTION_STATUSES)
}

/// A problem with the plan, naming the field as the form does ("needs[0].goals[1].importance").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanProblem {
    pub field: String,
    pub message: String,
}

pub fn label_of(list: &[(&'static str, &'static str)], code: &str) -> &'static str {
    list.iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or("")
}

#[cfg(test)]
mod next_action_tests {
    use super::*;

    fn action(what: &str, when: &str, status: &str) -> Action {
        Action {
            what: what.into(),
            when: when.into(),
            status: status.into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_next_action_is_the_earliest_still_in_progress() {
        let plan = PlanContent {
            needs: vec![Need {
                goals: vec![
                    Goal {
                        description: "Walk more".into(),
                        actions: vec![
                            action("Buy boots", "2026-11-01", "done"),
                            action("No date yet", "", "in_progress"),
                        ],
                        ..Default::default()
                    },
                    Goal {
                        description: "Meet people".into(),
                        actions: vec![
                            action("Try the choir", "2026-12-09", "in_progress"),
                            action("Walking group", "2026-12-02", "in_progress"),
                            action("Book club", "2026-11-30", "refused"),
                        ],
                        ..Default::default()
                    },
                ],
                ..Default::default()
            }],
            ..Default::default()
        };
        let (goal, next) = plan.next_action().unwrap();
        assert_eq!(
            (goal.description.as_str(), next.what.as_str()),
            ("Meet people", "Walking group")
        );
        assert!(PlanContent::default().next_action().is_none());
    }
}
