//! Finding a person, and the person's record.

use crate::forms::Query;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::Permission;
use domain::measures::Instrument;
use serde::Deserialize;
use services::care::Person;
use services::care::people::{self, parse_date};
use services::care::{about_me, plans};

use super::{nhs, state_tag};
use services::care::record::{PersonRecord, person_record};

use crate::AppState;
use crate::error::PageError;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, date, render};
use crate::viewer::CurrentActor;

pub struct PersonRow {
    pub id: i32,
    pub name: String,
    pub nhs_number: String,
    pub dob: String,
}

#[derive(Template)]
#[template(path = "care/search.html")]
struct SearchPage {
    l: Layout,
    errors: Errors,
    q: String,
    dob: String,
    searched: bool,
    rows: Vec<PersonRow>,
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    dob: String,
}

pub async fn search(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Query(q): Query<SearchQuery>,
) -> Response {
    let mut errors = Errors::default();
    let dob = match q.dob.trim() {
        "" => None,
        d => parse_date(d).or_else(|| {
            errors = Errors::one("dob", "Date of birth must be a real date");
            None
        }),
    };
    let searched = !q.q.trim().is_empty() || dob.is_some();
    let rows = if searched && errors.is_empty() {
        match people::search(
            &state.svc,
            a,
            &v.meta,
            people::Search {
                text: q.q.clone(),
                date_of_birth: dob,
            },
        )
        .await
        {
            Ok(found) => found
                .into_iter()
                .map(|f| PersonRow {
                    id: f.person.id,
                    name: format!("{} {}", f.person.given_name, f.person.family_name),
                    nhs_number: nhs(&f.person.nhs_number),
                    dob: f
                        .person
                        .date_of_birth
                        .map(domain::dates::long)
                        .unwrap_or_default(),
                })
                .collect(),
            Err(e) => return PageError::new(e, &v).into_response(),
        }
    } else {
        vec![]
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &SearchPage {
            l: Layout::for_viewer("Find a person", &v, "/caseload").with_errors(&errors),
            errors,
            q: q.q,
            dob: q.dob,
            searched,
            rows,
        },
    )
}

pub struct MeasureRow {
    pub date: String,
    pub instrument: &'static str,
    pub timepoint: &'static str,
    pub result: String,
}

#[derive(Template)]
#[template(path = "care/person.html")]
struct PersonPage {
    l: Layout,
    p: Person,
    details: Vec<(&'static str, String)>,
    referrals: Vec<(i32, &'static str, String, &'static str, &'static str)>,
    about_me: Vec<(&'static str, String)>,
    about_me_meta: String,
    plan_strengths: String,
    /// Each goal, its status and importance, and its actions.
    plan_goals: Vec<(String, String, Vec<String>)>,
    plan_meta: String,
    measures: Vec<MeasureRow>,
    chart: String,
    consents: Vec<String>,
    can_refer: bool,
    /// The team supporting the person changes the plan; others read it.
    may_edit_plan: bool,
    /// Each referral to a community service: its service's id and name, organisation, step,
    /// tag colour, and what happened when.
    service_referrals: Vec<(String, String, String, &'static str, &'static str, String)>,
}

pub async fn person(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    let PersonRecord {
        person: p,
        practice,
        referrals: refs,
        about_me: am,
        plan,
        measures: ms,
        consents,
        may_edit_plan,
        service_referrals,
    } = match person_record(&state.svc, a, &v.meta, id).await {
        Ok(x) => x,
        Err(e) => return PageError::new(e, &v).into_response(),
    };
    let pref = p.preferred_contact.label();
    let mut details = vec![
        ("NHS number", nhs(&p.nhs_number)),
        (
            "Date of birth",
            p.date_of_birth
                .map(domain::dates::long)
                .unwrap_or_else(|| "Not known".into()),
        ),
        (
            "GP practice",
            practice
                .map(|o| o.name)
                .unwrap_or_else(|| "Not known".into()),
        ),
        ("Prefers", pref.to_string()),
    ];
    for (label, value) in [
        ("Phone", &p.phone),
        ("Email", &p.email),
        ("Address", &p.address),
        ("Postcode", &p.postcode),
        ("Reasonable adjustments", &p.reasonable_adjustments),
        ("Communication needs", &p.communication_needs),
    ] {
        if let Some(v) = value {
            details.push((label, v.clone()));
        }
    }
    if let Some(rep) = &p.representative_name {
        details.push((
            "Carer or representative",
            format!(
                "{rep}{}",
                p.representative_relationship
                    .as_ref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ),
        ));
    }
    let about = am.as_ref().map(about_me::sections_of).unwrap_or_default();
    let about_me_rows = domain::about_me::SECTIONS
        .iter()
        .filter_map(|(k, label)| about.get(*k).map(|t| (*label, t.clone())))
        .collect();
    let about_me_meta = am
        .map(|v| {
            format!(
                "Version {}, updated {} by {}{}",
                v.version,
                date(&v.created_at),
                v.updated_by_label,
                v.helped_by
                    .map(|h| format!(", written with {h}"))
                    .unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let (plan_strengths, plan_goals, plan_meta) = match &plan {
        Some(pv) => {
            let c = plans::content_of(pv);
            let goals = c
                .needs
                .iter()
                .flat_map(|n| {
                    n.goals.iter().map(|g| {
                        let status =
                            domain::plan::label_of(&domain::plan::GOAL_STATUSES, &g.status);
                        let meta = match g.importance {
                            Some(i) => format!("{status}; matters {i} out of 10"),
                            None => status.to_string(),
                        };
                        let actions = g
                            .actions
                            .iter()
                            .map(|a| {
                                let when = if a.when.is_empty() {
                                    String::new()
                                } else {
                                    format!(", by {}", super::plan::when_long(&a.when))
                                };
                                format!(
                                    "{} ({}{when}): {}",
                                    a.what,
                                    a.who,
                                    domain::plan::label_of(
                                        &domain::plan::ACTION_STATUSES,
                                        &a.status
                                    )
                                    .to_lowercase()
                                )
                            })
                            .collect::<Vec<_>>();
                        (g.description.clone(), meta, actions)
                    })
                })
                .collect();
            (
                c.strengths,
                goals,
                format!(
                    "Version {}, saved {} by {}",
                    pv.version,
                    date(&pv.created_at),
                    pv.updated_by_label
                ),
            )
        }
        None => (String::new(), vec![], String::new()),
    };
    let chart = crate::charts::wellbeing_svg(&ms);
    let measures = ms
        .iter()
        .map(|m| MeasureRow {
            date: domain::dates::long(m.taken_on),
            instrument: m.instrument.label(),
            timepoint: m.timepoint.label(),
            result: match m.instrument {
                Instrument::Ons4 => {
                    let a = &m.answers;
                    format!(
                        "Life satisfaction {}, worthwhile {}, happy {}, anxious {}",
                        a.first().unwrap_or(&0),
                        a.get(1).unwrap_or(&0),
                        a.get(2).unwrap_or(&0),
                        a.get(3).unwrap_or(&0)
                    )
                }
                Instrument::Swemwbs => format!(
                    "Metric score {:.2} (raw {})",
                    m.score.unwrap_or(0.0),
                    m.answers.iter().map(|v| u32::from(*v)).sum::<u32>()
                ),
                Instrument::Pam => format!(
                    "Level {}, score {:.1}",
                    m.level.unwrap_or(0),
                    m.score.unwrap_or(0.0)
                ),
            },
        })
        .collect();
    render(
        StatusCode::OK,
        &PersonPage {
            l: Layout::for_viewer(
                format!("{} {}", p.given_name, p.family_name),
                &v,
                "/caseload",
            ),
            details,
            referrals: refs
                .into_iter()
                .map(|r| {
                    let (s, c) = state_tag(r.state);
                    (
                        r.id,
                        r.service.label(),
                        domain::dates::long(r.referred_on),
                        s,
                        c,
                    )
                })
                .collect(),
            about_me: about_me_rows,
            about_me_meta,
            plan_strengths,
            plan_goals,
            plan_meta,
            measures,
            chart,
            consents: consents
                .into_iter()
                .map(|c| {
                    format!(
                        "{} sharing with {} (recorded {})",
                        if c.given {
                            "Agrees to"
                        } else {
                            "Does not agree to"
                        },
                        c.share_with,
                        date(&c.recorded_at)
                    )
                })
                .collect(),
            can_refer: a.can(Permission::ProvideCare),
            may_edit_plan,
            service_referrals: service_referrals
                .into_iter()
                .map(|s| {
                    let mut steps = vec![format!("Sent {}", date(&s.sent_at))];
                    if let Some(t) = s.replied_at {
                        steps.push(format!(
                            "{} {}{}",
                            if s.state == services::directory::referrals::State::Declined {
                                "declined"
                            } else {
                                "accepted"
                            },
                            date(&t),
                            s.decline_reason
                                .as_deref()
                                .map(|r| format!(": {r}"))
                                .unwrap_or_default()
                        ));
                    }
                    if let Some(t) = s.outcome_at {
                        steps.push(format!("{} {}", s.state.label().to_lowercase(), date(&t)));
                    }
                    (
                        s.service_uuid,
                        s.service,
                        s.organization,
                        s.state.label(),
                        crate::pages::directory::inbox::tag(s.state),
                        steps.join(", "),
                    )
                })
                .collect(),
            p: p.into_person(),
        },
    )
}
