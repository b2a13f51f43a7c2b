//! Checking a plan: every text cleaned and bounded, the number of needs, goals, steps and
//! actions limited, dates within bounds; each problem named by its field.

use chrono::NaiveDate;

use super::{
    ACTION_STATUSES, Action, Contingency, GOAL_STATUSES, Goal, Need, PlanContent, PlanProblem,
    label_of,
};
use crate::dates::{self, DateProblem};
use crate::text::{self, TextField};

/// Cleans one text of the plan, adding a problem (named by `field`) when it is refused.
fn clean_text(
    out: &mut Vec<PlanProblem>,
    field: String,
    spec: TextField,
    value: &str,
) -> Option<String> {
    match spec.clean(value) {
        Ok(v) => Some(v.unwrap_or_default()),
        Err(e) => {
            out.push(PlanProblem {
                field,
                message: e.to_string(),
            });
            None
        }
    }
}

fn too_many(out: &mut Vec<PlanProblem>, field: String, n: usize, max: usize, what: &str) -> bool {
    if n > max {
        out.push(PlanProblem {
            field,
            message: format!("{what} {max} at most (this has {n})"),
        });
        true
    } else {
        false
    }
}

impl PlanContent {
    /// Checks the plan on `today` and returns it cleaned (every text trimmed and checked, blank
    /// steps dropped), or every problem found, each named by its field.
    pub fn clean(&self, today: NaiveDate) -> Result<PlanContent, Vec<PlanProblem>> {
        let mut out = Vec::new();
        let latest_action = dates::years_after(today, dates::ACTION_YEARS_AHEAD);
        let strengths = clean_text(
            &mut out,
            "strengths".into(),
            text::STRENGTHS,
            &self.strengths,
        )
        .unwrap_or_default();
        let mut needs = Vec::new();
        if !too_many(
            &mut out,
            "needs".into(),
            self.needs.len(),
            text::MAX_NEEDS,
            "A plan can have",
        ) {
            for (n, need) in self.needs.iter().enumerate() {
                needs.push(Self::clean_need(&mut out, n, need, latest_action));
            }
        }
        let mut contingencies = Vec::new();
        if !too_many(
            &mut out,
            "contingencies".into(),
            self.contingencies.len(),
            text::MAX_CONTINGENCIES,
            "A plan can have",
        ) {
            for (c, cont) in self.contingencies.iter().enumerate() {
                let f = |k: &str| format!("contingencies[{c}].{k}");
                let trigger = clean_text(
                    &mut out,
                    f("trigger"),
                    text::CONTINGENCY_TRIGGER,
                    &cont.trigger,
                );
                let action = clean_text(
                    &mut out,
                    f("action"),
                    text::CONTINGENCY_ACTION,
                    &cont.action,
                );
                let contact = clean_text(
                    &mut out,
                    f("contact"),
                    text::CONTINGENCY_CONTACT,
                    &cont.contact,
                );
                if trigger.as_deref() == Some("") || action.as_deref() == Some("") {
                    out.push(PlanProblem {
                        field: f("trigger"),
                        message: "Give both what would trigger the plan and what should happen"
                            .into(),
                    });
                }
                contingencies.push(Contingency {
                    trigger: trigger.unwrap_or_default(),
                    action: action.unwrap_or_default(),
                    contact: contact.unwrap_or_default(),
                });
            }
        }
        if out.is_empty() {
            Ok(PlanContent {
                strengths,
                needs,
                contingencies,
            })
        } else {
            Err(out)
        }
    }

    fn clean_need(
        out: &mut Vec<PlanProblem>,
        n: usize,
        need: &Need,
        latest_action: NaiveDate,
    ) -> Need {
        let description = clean_text(
            out,
            format!("needs[{n}].description"),
            text::NEED,
            &need.description,
        );
        if description.as_deref() == Some("") {
            out.push(PlanProblem {
                field: format!("needs[{n}].description"),
                message: "Describe the need or concern".into(),
            });
        }
        let mut goals = Vec::new();
        if !too_many(
            out,
            format!("needs[{n}].goals"),
            need.goals.len(),
            text::MAX_GOALS_PER_NEED,
            "A need can have",
        ) {
            for (g, goal) in need.goals.iter().enumerate() {
                goals.push(Self::clean_goal(out, n, g, goal, latest_action));
            }
        }
        Need {
            description: description.unwrap_or_default(),
            goals,
        }
    }

    fn clean_goal(
        out: &mut Vec<PlanProblem>,
        n: usize,
        g: usize,
        goal: &Goal,
        latest_action: NaiveDate,
    ) -> Goal {
        let f = |k: &str| format!("needs[{n}].goals[{g}].{k}");
        let add = |out: &mut Vec<PlanProblem>, field: String, message: &str| {
            out.push(PlanProblem {
                field,
                message: message.to_owned(),
            })
        };
        let description = clean_text(out, f("description"), text::GOAL, &goal.description);
        if description.as_deref() == Some("") {
            add(
                out,
                f("description"),
                "Describe the goal in the person's words",
            );
        }
        if goal.importance.is_some_and(|i| !(1..=10).contains(&i)) {
            add(
                out,
                f("importance"),
                "Importance must be a whole number from 1 to 10",
            );
        }
        if label_of(&GOAL_STATUSES, &goal.status).is_empty() {
            add(out, f("status"), "Choose the goal's status");
        }
        let mut stage_goals = Vec::new();
        if !too_many(
            out,
            f("stage_goals"),
            goal.stage_goals.len(),
            text::MAX_STAGE_GOALS_PER_GOAL,
            "A goal can have",
        ) {
            for (i, step) in goal.stage_goals.iter().enumerate() {
                if let Some(step) = clean_text(
                    out,
                    format!("needs[{n}].goals[{g}].stage_goals[{i}]"),
                    text::STAGE_GOAL,
                    step,
                )
                .filter(|s| !s.is_empty())
                {
                    stage_goals.push(step);
                }
            }
        }
        let mut actions = Vec::new();
        if !too_many(
            out,
            f("actions"),
            goal.actions.len(),
            text::MAX_ACTIONS_PER_GOAL,
            "A goal can have",
        ) {
            for (a, action) in goal.actions.iter().enumerate() {
                let f = |k: &str| format!("needs[{n}].goals[{g}].actions[{a}].{k}");
                let what = clean_text(out, f("what"), text::ACTION_WHAT, &action.what);
                if what.as_deref() == Some("") {
                    add(out, f("what"), "Say what will be done");
                }
                let who = clean_text(out, f("who"), text::ACTION_WHO, &action.who);
                if who.as_deref() == Some("") {
                    add(out, f("who"), "Say who will do it");
                }
                // Kept as YYYY-MM-DD, however it was written (the API's form, or as people type it).
                let mut when = action.when.trim().to_owned();
                if !when.is_empty() {
                    match dates::parse(&when)
                        .ok_or(DateProblem::NotADate)
                        .and_then(|d| dates::within(d, dates::earliest(), latest_action))
                    {
                        Ok(d) => when = d.format("%Y-%m-%d").to_string(),
                        Err(DateProblem::NotADate) => {
                            add(out, f("when"), "When must be a real date")
                        }
                        Err(DateProblem::TooEarly(d)) => add(
                            out,
                            f("when"),
                            &format!("When must be on or after {}", dates::long(d)),
                        ),
                        Err(DateProblem::TooLate(d)) => add(
                            out,
                            f("when"),
                            &format!("When must be no later than {}", dates::long(d)),
                        ),
                    }
                }
                if label_of(&ACTION_STATUSES, &action.status).is_empty() {
                    add(out, f("status"), "Choose the action's status");
                }
                if action.confidence.is_some_and(|c| !(0..=10).contains(&c)) {
                    add(
                        out,
                        f("confidence"),
                        "Confidence must be a whole number from 0 to 10",
                    );
                }
                actions.push(Action {
                    what: what.unwrap_or_default(),
                    who: who.unwrap_or_default(),
                    when,
                    status: action.status.clone(),
                    confidence: action.confidence,
                });
            }
        }
        Goal {
            description: description.unwrap_or_default(),
            importance: goal.importance,
            status: goal.status.clone(),
            stage_goals,
            actions,
        }
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
                    importance: Some(importance),
                    status: "in_progress".into(),
                    stage_goals: vec!["Visit the community garden once".into()],
                    actions: vec![Action {
                        what: "Go to the Saturday session".into(),
                        who: "Jack".into(),
                        when: "2026-12-05".into(),
                        status: "in_progress".into(),
                        confidence: Some(confidence),
                    }],
                }],
            }],
            contingencies: vec![],
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()
    }

    fn fields(p: &PlanContent) -> Vec<String> {
        p.clean(today())
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|x| x.field)
            .collect()
    }

    #[test]
    fn importance_and_confidence_may_be_left_out() {
        let mut p = plan(5, 5);
        p.needs[0].goals[0].importance = None;
        p.needs[0].goals[0].actions[0].confidence = None;
        assert_eq!(fields(&p), Vec::<String>::new());
    }

    #[test]
    fn importance_11_and_confidence_minus_1_are_refused_by_field() {
        assert_eq!(
            fields(&plan(11, -1)),
            vec![
                "needs[0].goals[0].importance",
                "needs[0].goals[0].actions[0].confidence"
            ]
        );
        assert!(plan(10, 0).clean(today()).is_ok());
    }

    #[test]
    fn every_text_in_the_plan_is_bounded_and_named() {
        let mut p = plan(5, 5);
        p.strengths = "x".repeat(5_001);
        p.needs[0].description = "Lonely\0".into();
        p.needs[0].goals[0].description = "g".repeat(1_001);
        p.needs[0].goals[0].stage_goals = vec!["s".repeat(1_001)];
        p.needs[0].goals[0].actions[0].what = "w".repeat(1_001);
        p.needs[0].goals[0].actions[0].who = "Jack\nTurner".into();
        p.contingencies = vec![Contingency {
            trigger: "t".repeat(1_001),
            action: "Phone Amira".into(),
            contact: "c".repeat(201),
        }];
        let problems = p.clean(today()).unwrap_err();
        let got: Vec<(&str, &str)> = problems
            .iter()
            .map(|x| (x.field.as_str(), x.message.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("strengths", "Strengths must be 5,000 characters or fewer"),
                (
                    "needs[0].description",
                    "Need must not contain control characters"
                ),
                (
                    "needs[0].goals[0].description",
                    "Goal must be 1,000 characters or fewer"
                ),
                (
                    "needs[0].goals[0].stage_goals[0]",
                    "Step towards the goal must be 1,000 characters or fewer"
                ),
                (
                    "needs[0].goals[0].actions[0].what",
                    "What will be done must be 1,000 characters or fewer"
                ),
                (
                    "needs[0].goals[0].actions[0].who",
                    "Who will do it must be on one line"
                ),
                (
                    "contingencies[0].trigger",
                    "What would trigger it must be 1,000 characters or fewer"
                ),
                (
                    "contingencies[0].contact",
                    "Who to contact must be 200 characters or fewer"
                ),
            ]
        );
    }

    #[test]
    fn the_number_of_needs_goals_steps_and_actions_is_bounded() {
        let mut p = plan(5, 5);
        p.needs = vec![p.needs[0].clone(); 21];
        assert_eq!(fields(&p), vec!["needs"]);
        let mut p = plan(5, 5);
        p.needs[0].goals = vec![p.needs[0].goals[0].clone(); 11];
        assert_eq!(fields(&p), vec!["needs[0].goals"]);
        let mut p = plan(5, 5);
        let a = p.needs[0].goals[0].actions[0].clone();
        p.needs[0].goals[0].actions = vec![a; 11];
        p.needs[0].goals[0].stage_goals = vec!["step".into(); 11];
        assert_eq!(
            fields(&p),
            vec!["needs[0].goals[0].stage_goals", "needs[0].goals[0].actions"]
        );
        let mut p = plan(5, 5);
        p.contingencies = vec![Contingency::default(); 11];
        assert_eq!(fields(&p), vec!["contingencies"]);
        // At the limits is fine.
        let mut p = plan(5, 5);
        p.needs = vec![p.needs[0].clone(); 20];
        assert!(p.clean(today()).is_ok());
    }

    #[test]
    fn action_dates_are_real_and_within_bounds() {
        for (when, ok) in [
            ("2026-12-05", true),
            ("", true),
            ("1899-12-31", false),
            ("2031-11-02", true),
            ("2031-11-03", false),
            ("+12026-01-01", false),
            ("5/12/2026", true),
            ("5/12/26", false),
            ("31//2026", false),
        ] {
            let mut p = plan(5, 5);
            p.needs[0].goals[0].actions[0].when = when.into();
            assert_eq!(p.clean(today()).is_ok(), ok, "{when}");
        }
        // However it was typed, it is kept as YYYY-MM-DD.
        let mut p = plan(5, 5);
        p.needs[0].goals[0].actions[0].when = " 5/12/2026 ".into();
        let c = p.clean(today()).unwrap();
        assert_eq!(c.needs[0].goals[0].actions[0].when, "2026-12-05");
    }

    #[test]
    fn the_cleaned_plan_is_trimmed_and_drops_blank_steps() {
        let mut p = plan(5, 5);
        p.strengths = "  Loves gardening \r\n".into();
        p.needs[0].goals[0].stage_goals = vec!["  ".into(), " Visit once ".into()];
        let c = p.clean(today()).unwrap();
        assert_eq!(c.strengths, "Loves gardening");
        assert_eq!(c.needs[0].goals[0].stage_goals, vec!["Visit once"]);
    }
}
