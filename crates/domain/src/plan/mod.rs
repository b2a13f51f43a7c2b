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
    /// How much it matters to the person, 1-10.
    #[schema(minimum = 1, maximum = 10)]
    pub importance: i64,
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
    /// The person's confidence they will do it, 0-10.
    #[schema(minimum = 0, maximum = 10)]
    pub confidence: i64,
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
