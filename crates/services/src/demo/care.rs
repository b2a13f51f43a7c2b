//! The demo's care: people at every stage of the journey (referred, contacted, active with a
//! plan and measures, discharged, declined, unreached), made through the care services.

use sea_orm::EntityTrait;
use store::entities::organisation;

use super::test_nhs_number;
use crate::{ServiceError, Services};

struct DemoPerson {
    given: &'static str,
    family: &'static str,
    born: &'static str,
    practice: &'static str,
    pcn: &'static str,
    reason: &'static str,
    /// received | waiting | contacted | active | discharged | declined | unreached
    stage: &'static str,
    days_ago: i64,
}

const PEOPLE: &[DemoPerson] = &[
    DemoPerson {
        given: "Jack",
        family: "Turner",
        born: "1948-05-12",
        practice: "B90001",
        pcn: "U90001",
        reason: "Lonely since his wife died last year; used to love gardening",
        stage: "active",
        days_ago: 40,
    },
    DemoPerson {
        given: "Margaret",
        family: "Oyelaran",
        born: "1953-11-02",
        practice: "B90002",
        pcn: "U90001",
        reason: "Worried about money and heating this winter",
        stage: "active",
        days_ago: 30,
    },
    DemoPerson {
        given: "Callum",
        family: "Reid",
        born: "1989-01-23",
        practice: "B90001",
        pcn: "U90001",
        reason: "Low mood after losing his job; wants to get active again",
        stage: "contacted",
        days_ago: 10,
    },
    DemoPerson {
        given: "Aisha",
        family: "Begum",
        born: "1975-07-30",
        practice: "B90003",
        pcn: "U90001",
        reason: "Carer for her mother; exhausted and would like a break",
        stage: "received",
        days_ago: 1,
    },
    DemoPerson {
        given: "Peter",
        family: "Lowe",
        born: "1961-03-08",
        practice: "B90004",
        pcn: "U90001",
        reason: "Type 2 diabetes; wants help to manage it himself",
        stage: "waiting",
        days_ago: 9,
    },
    DemoPerson {
        given: "Sofia",
        family: "Nowak",
        born: "1992-09-17",
        practice: "B90002",
        pcn: "U90001",
        reason: "New to the area with a baby; knows nobody",
        stage: "discharged",
        days_ago: 70,
    },
    DemoPerson {
        given: "Derek",
        family: "Hall",
        born: "1944-12-01",
        practice: "B90003",
        pcn: "U90001",
        reason: "Several falls; family worried he is isolated",
        stage: "declined",
        days_ago: 20,
    },
    DemoPerson {
        given: "Kelly",
        family: "Marsden",
        born: "1983-04-04",
        practice: "B90004",
        pcn: "U90001",
        reason: "Housing problems affecting her asthma",
        stage: "unreached",
        days_ago: 25,
    },
    DemoPerson {
        given: "Ruth",
        family: "Armstrong",
        born: "1950-08-19",
        practice: "B90013",
        pcn: "U90004",
        reason: "Recently bereaved; would like to join a walking group",
        stage: "active",
        days_ago: 35,
    },
    DemoPerson {
        given: "Imran",
        family: "Qureshi",
        born: "1970-02-26",
        practice: "B90014",
        pcn: "U90004",
        reason: "Chronic back pain; stopped going out",
        stage: "received",
        days_ago: 2,
    },
];

/// People at every stage of the journey, for the demo's caseloads.
pub(super) async fn seed_care(svc: &Services) -> Result<(), ServiceError> {
    use crate::care::{about_me, discharge, measures, plans, referrals};
    use domain::plan::{Action, Contingency, Goal, Need, PlanContent};
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, QueryFilter};
    use store::entities::{person, referral};

    let meta = crate::RequestMeta {
        request_id: Some("demo-seed".into()),
        ..Default::default()
    };
    let by_email = |email: &'static str| async move {
        let u = crate::identity::users::find_by_email(svc, email)
            .await?
            .ok_or(ServiceError::NotFound("demo user"))?;
        crate::identity::users::load_actor(&svc.db, &u).await
    };
    let amira = by_email("link.worker@demo.whatmatters.test").await?;
    let nadia = by_email("link.worker.fellside@demo.whatmatters.test").await?;
    let org = |code: &'static str| async move {
        organisation::Entity::find()
            .filter(organisation::Column::OdsCode.eq(code))
            .one(&svc.db)
            .await?
            .map(|o| o.id)
            .ok_or(ServiceError::NotFound("demo organisation"))
    };
    let now = svc.now();
    for (i, d) in PEOPLE.iter().enumerate() {
        let worker = if d.pcn == "U90004" { &nadia } else { &amira };
        let r = referrals::create(
            svc,
            worker,
            &meta,
            referrals::ReferralInput {
                person: Some(crate::care::people::PersonInput {
                    nhs_number: Some(test_nhs_number(i as u32 + 1)),
                    given_name: Some(d.given.into()),
                    family_name: Some(d.family.into()),
                    date_of_birth: Some(d.born.into()),
                    phone: Some(format!("07700 900{:03}", 100 + i)),
                    preferred_contact: Some("phone".into()),
                    practice_id: Some(org(d.practice).await?),
                    ..Default::default()
                }),
                service: Some(
                    if i == 2 {
                        "health_and_wellbeing_coaching"
                    } else {
                        "social_prescribing"
                    }
                    .into(),
                ),
                team_org_id: Some(org(d.pcn).await?),
                referrer_name: Some(
                    if i % 3 == 0 {
                        "Dr Priya Shah"
                    } else {
                        "Practice nurse"
                    }
                    .into(),
                ),
                referrer_organisation: Some("Riverside Medical Centre".into()),
                method: Some(
                    if i % 2 == 0 {
                        "secure_messaging"
                    } else {
                        "phone"
                    }
                    .into(),
                ),
                reason: Some(d.reason.into()),
                urgency: Some(
                    if d.stage == "received" && i == 3 {
                        "urgent"
                    } else {
                        "routine"
                    }
                    .into(),
                ),
                ..Default::default()
            },
        )
        .await?;
        // Date the referral back to when it arrived.
        let when = now - chrono::Duration::days(d.days_ago);
        referral::Entity::update_many()
            .col_expr(referral::Column::CreatedAt, Expr::value(when))
            .col_expr(referral::Column::ReferredOn, Expr::value(when.date_naive()))
            .filter(referral::Column::Id.eq(r.id))
            .exec(&svc.db)
            .await?;
        let contact = |kind: &str, notes: &str| referrals::ContactInput {
            kind: Some(kind.into()),
            duration_minutes: Some(45),
            notes: Some(notes.into()),
            ..Default::default()
        };
        let current = |id: i32| async move {
            referral::Entity::find_by_id(id)
                .one(&svc.db)
                .await?
                .ok_or(ServiceError::NotFound("referral"))
        };
        // Triage: every referral but those just received is taken on by the team's worker.
        if d.stage != "received" {
            let cur = current(r.id).await?;
            referrals::triage(
                svc,
                worker,
                &meta,
                r.id,
                cur.version,
                referrals::Triage::Accept {
                    assign_to: Some(worker.user_id),
                },
            )
            .await?;
        }
        let follow_up = match d.stage {
            "contacted" => Some("Call back about the befriending service"),
            "active" if i == 0 => Some("Ring after the Saturday garden session: how did it go?"),
            _ => None,
        };
        if let Some(note) = follow_up {
            referrals::set_follow_up(
                svc,
                worker,
                &meta,
                r.id,
                referrals::FollowUpInput {
                    due_on: Some(svc.today().to_string()),
                    note: Some(note.into()),
                },
            )
            .await?;
        }
        match d.stage {
            "contacted" | "active" | "discharged" => {
                referrals::record_contact(
                    svc,
                    worker,
                    &meta,
                    r.id,
                    contact(
                        "phone",
                        "First call: talked about what matters to them and agreed to meet",
                    ),
                )
                .await?;
            }
            "declined" => {
                let cur = current(r.id).await?;
                referrals::change_state(
                    svc,
                    worker,
                    &meta,
                    r.id,
                    cur.version,
                    referrals::StateChange {
                        to: domain::referral::ReferralState::Declined,
                        reason: Some("Feels his family support is enough for now".into()),
                        review_due: None,
                    },
                )
                .await?;
            }
            "unreached" => {
                for _ in 0..3 {
                    referrals::record_contact(
                        svc,
                        worker,
                        &meta,
                        r.id,
                        referrals::ContactInput {
                            kind: Some("phone".into()),
                            attempt_only: true,
                            ..Default::default()
                        },
                    )
                    .await?;
                }
            }
            _ => {}
        }
        if matches!(d.stage, "active" | "discharged") {
            referrals::record_contact(
                svc,
                worker,
                &meta,
                r.id,
                contact(
                    "face_to_face",
                    "What matters to me conversation at the practice",
                ),
            )
            .await?;
            let cur = current(r.id).await?;
            referrals::change_state(
                svc,
                worker,
                &meta,
                r.id,
                cur.version,
                referrals::StateChange {
                    to: domain::referral::ReferralState::Active,
                    reason: None,
                    review_due: Some(now.date_naive() + chrono::Duration::days(42)),
                },
            )
            .await?;
            let mut sections = about_me::Sections::new();
            sections.insert(
                "most_important".into(),
                format!("{}: family, and getting out of the house again", d.given),
            );
            sections.insert(
                "communication".into(),
                "Phone in the morning; hard of hearing on the left".into(),
            );
            sections.insert(
                "support".into(),
                "Give me time to think before deciding".into(),
            );
            about_me::save(
                svc,
                worker,
                &meta,
                r.person_id,
                0,
                sections,
                Some(format!("{} with their link worker", d.given)),
            )
            .await?;
            let plan = PlanContent {
                strengths: "Warm, sociable, knows the area well".into(),
                needs: vec![Need {
                    description: "Feels isolated and low".into(),
                    goals: vec![Goal {
                        description: "Meet people with the same interests every week".into(),
                        importance: Some(9),
                        status: "in_progress".into(),
                        stage_goals: vec![
                            "Visit the community garden once".into(),
                            "Go on their own".into(),
                        ],
                        actions: vec![Action {
                            what: "Go to the Saturday session at Millbrook Community Garden".into(),
                            who: d.given.into(),
                            when: (now.date_naive() + chrono::Duration::days(5)).to_string(),
                            status: "in_progress".into(),
                            confidence: Some(6),
                        }],
                    }],
                }],
                contingencies: vec![Contingency {
                    trigger: "Feeling very low for more than a few days".into(),
                    action: "Call the link worker or the GP practice".into(),
                    contact: "Riverdale Central PCN, 0113 496 0000".into(),
                }],
            };
            plans::save(
                svc,
                worker,
                &meta,
                r.person_id,
                plans::PlanInput {
                    based_on: 0,
                    content: plan,
                    agreed_with: Some(d.given.into()),
                    review_date: Some((now.date_naive() + chrono::Duration::days(42)).to_string()),
                    ..Default::default()
                },
            )
            .await?;
            let start = (now - chrono::Duration::days(d.days_ago - 7))
                .date_naive()
                .to_string();
            for (tp, on, items) in [
                ("start", Some(start.clone()), [3i64, 3, 2, 3, 3, 2, 3]),
                ("review", None, [4, 3, 3, 3, 4, 3, 4]),
            ] {
                measures::record(
                    svc,
                    worker,
                    &meta,
                    r.person_id,
                    measures::MeasureInput {
                        instrument: "swemwbs".into(),
                        timepoint: Some(tp.into()),
                        taken_on: on,
                        answers: items.map(Some).to_vec(),
                        ..Default::default()
                    },
                )
                .await?;
            }
            measures::record(
                svc,
                worker,
                &meta,
                r.person_id,
                measures::MeasureInput {
                    instrument: "ons4".into(),
                    timepoint: Some("start".into()),
                    taken_on: Some(start),
                    answers: vec![Some(4), Some(5), Some(4), Some(7)],
                    ..Default::default()
                },
            )
            .await?;
        }
        if d.stage == "discharged" {
            let cur = current(r.id).await?;
            discharge::discharge(
                svc,
                worker,
                &meta,
                r.id,
                cur.version,
                "connected_to_support",
                "Now goes to a weekly parent and baby group and has made friends there",
            )
            .await?;
        }
        // The demo person account is Jack Turner's own.
        if i == 0 {
            let jack = crate::identity::users::find_by_email(svc, "person@demo.whatmatters.test")
                .await?
                .ok_or(ServiceError::NotFound("demo person"))?;
            person::Entity::update_many()
                .col_expr(person::Column::UserId, Expr::value(Some(jack.id)))
                .filter(person::Column::Id.eq(r.person_id))
                .exec(&svc.db)
                .await?;
        }
    }
    Ok(())
}
