//! The personalised care and support plan (PRSB PCSP): strengths, needs with goals, stage goals
//! and actions, contingency plans. Stored as a document; every saved version is kept.

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

impl PlanContent {
    pub fn validate(&self) -> Vec<PlanProblem> {
        let mut out = Vec::new();
        let mut add = |field: String, message: &str| {
            out.push(PlanProblem {
                field,
                message: message.to_owned(),
            })
        };
        for (n, need) in self.needs.iter().enumerate() {
            if need.description.trim().is_empty() {
                add(
                    format!("needs[{n}].description"),
                    "Describe the need or concern",
                );
            }
            for (g, goal) in need.goals.iter().enumerate() {
                let f = |k: &str| format!("needs[{n}].goals[{g}].{k}");
                if goal.description.trim().is_empty() {
                    add(f("description"), "Describe the goal in the person's words");
                }
                if !(1..=10).contains(&goal.importance) {
                    add(
                        f("importance"),
                        "Importance must be a whole number from 1 to 10",
                    );
                }
                if label_of(&GOAL_STATUSES, &goal.status).is_empty() {
                    add(f("status"), "Choose the goal's status");
                }
                for (a, action) in goal.actions.iter().enumerate() {
                    let f = |k: &str| format!("needs[{n}].goals[{g}].actions[{a}].{k}");
                    if action.what.trim().is_empty() {
                        add(f("what"), "Say what will be done");
                    }
                    if action.who.trim().is_empty() {
                        add(f("who"), "Say who will do it");
                    }
                    if !action.when.is_empty()
                        && chrono::NaiveDate::parse_from_str(&action.when, "%Y-%m-%d").is_err()
                    {
                        add(f("when"), "When must be a real date, like 2026-12-01");
                    }
                    if label_of(&ACTION_STATUSES, &action.status).is_empty() {
                        add(f("status"), "Choose the action's status");
                    }
                    if !(0..=10).contains(&action.confidence) {
                        add(
                            f("confidence"),
                            "Confidence must be a whole number from 0 to 10",
                        );
                    }
                }
            }
        }
        for (c, cont) in self.contingencies.iter().enumerate() {
            if cont.trigger.trim().is_empty() || cont.action.trim().is_empty() {
                add(
                    format!("contingencies[{c}].trigger"),
                    "Give both what would trigger the plan and what should happen",
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(importance: i64, confidence: i64) -> PlanContent {
        PlanContent {
            strengths: "Loves gardening".into(),
            needs: vec![Need {
                description: "Feels lonely since moving".into(),
                goals: vec![Goal {
                    description: "Meet people who like gardening".into(),
                    importance,
                    status: "in_progress".into(),
                    stage_goals: vec!["Visit the community garden once".into()],
                    actions: vec![Action {
                        what: "Go to the Saturday session".into(),
                        who: "Jack".into(),
                        when: "2026-12-05".into(),
                        status: "in_progress".into(),
                        confidence,
                    }],
                }],
            }],
            contingencies: vec![],
        }
    }

    #[test]
    fn importance_11_and_confidence_minus_1_are_refused_by_field() {
        let p = plan(11, -1).validate();
        let fields: Vec<&str> = p.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "needs[0].goals[0].importance",
                "needs[0].goals[0].actions[0].confidence"
            ]
        );
        assert!(plan(10, 0).validate().is_empty());
    }
}
