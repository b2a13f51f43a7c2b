#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Care use cases on both databases: bad input, access rules, concurrency.

mod common;
use common::*;

use chrono::Duration;
use domain::plan::{Action, Goal, Need, PlanContent};
use domain::referral::ReferralState;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use services::care::people::PersonInput;
use services::care::referrals::{
    self, CaseloadFilter, ContactInput, ReferralInput, SelfReferralInput, SelfReferralOutcome,
};
use services::care::{about_me, discharge, measures, plans};
use services::{Actor, Clock, RequestMeta, ServiceError, Services};
use store::entities::{audit_event, referral};
async fn actor(svc: &Services, email: &str) -> Actor {
    let u = services::identity::users::find_by_email(svc, email)
        .await
        .unwrap()
        .unwrap();
    services::identity::users::load_actor(svc.db(), &u)
        .await
        .unwrap()
}
fn person(nhs: &str, dob: &str) -> PersonInput {
    PersonInput {
        nhs_number: Some(nhs.into()),
        given_name: Some("Jack".into()),
        family_name: Some("Turner".into()),
        date_of_birth: Some(dob.into()),
        phone: Some("07700 900123".into()),
        preferred_contact: Some("phone".into()),
        ..Default::default()
    }
}

async fn refer(
    c: &Ctx,
    by: &Actor,
    p: PersonInput,
) -> Result<services::care::Referral, ServiceError> {
    let pcn = org(&c.svc, "U90001").await;
    let practice = org(&c.svc, "B90001").await;
    referrals::create(
        &c.svc,
        by,
        &meta(),
        ReferralInput {
            person: Some(PersonInput {
                practice_id: Some(practice),
                ..p
            }),
            service: Some("social_prescribing".into()),
            team_org_id: Some(pcn),
            referrer_name: Some("Dr Priya Shah".into()),
            referrer_organisation: Some("Riverside Medical Centre".into()),
            method: Some("secure_messaging".into()),
            reason: Some("Lonely since his wife died; wants to get out more".into()),
            urgency: Some("routine".into()),
            ..Default::default()
        },
    )
    .await
}

fn fields(e: ServiceError) -> Vec<String> {
    match e {
        ServiceError::Invalid(list) => list.into_iter().map(|f| f.field).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

store::db_test!(
    an_invalid_nhs_number_or_future_birth_date_is_refused_with_the_reason,
    |db| {
        let c = ctx(db).await;
        let lw = actor(&c.svc, "link.worker@demo.whatmatters.test").await;
        let e = refer(&c, &lw, person("943 476 5918", "2030-01-01"))
            .await
            .unwrap_err();
        let ServiceError::Invalid(list) = e else {
            panic!()
        };
        assert_eq!(list[0].field, "person.nhs_number");
        assert!(
            list[0].message.contains("the last digit should be 9"),
            "{}",
            list[0].message
        );
        assert_eq!(list[1].field, "person.date_of_birth");
        assert!(list[1].message.contains("today or in the past"));
        assert_eq!(
            referral::Entity::find().count(c.svc.db()).await.unwrap(),
            0,
            "nothing saved"
        );
    }
);

store::db_test!(a_second_open_referral_is_flagged_not_merged, |db| {
    let c = ctx(db).await;
    let lw = actor(&c.svc, "link.worker@demo.whatmatters.test").await;
    let first = refer(&c, &lw, person("943 476 5919", "1950-06-01"))
        .await
        .unwrap();
    let again = referrals::create(
        &c.svc,
        &lw,
        &meta(),
        ReferralInput {
            person_id: Some(first.person_id),
            service: Some("social_prescribing".into()),
            team_org_id: Some(org(&c.svc, "U90001").await),
            referrer_name: Some("Practice nurse".into()),
            method: Some("phone".into()),
            reason: Some("Asked again at a flu clinic".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(again.possible_duplicate_of, Some(first.id));
    assert_eq!(again.person_id, first.person_id);
});

store::db_test!(
    another_pcns_worker_is_told_the_person_is_not_found_and_is_audited,
    |db| {
        let c = ctx(db).await;
        let lw = actor(&c.svc, "link.worker@demo.whatmatters.test").await;
        let other = actor(&c.svc, "link.worker.fellside@demo.whatmatters.test").await;
        let r = refer(&c, &lw, person("943 476 5919", "1950-06-01"))
            .await
            .unwrap();
        let m = meta();
        assert!(matches!(
            services::care::people::get(&c.svc, &other, &m, r.person_id).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            referrals::get(&c.svc, &other, &m, r.id).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            about_me::current(&c.svc, &other, &m, r.person_id).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            plans::current(&c.svc, &other, &m, r.person_id).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            discharge::discharge(&c.svc, &other, &m, r.id, r.version, "goals_met", "x").await,
            Err(ServiceError::NotFound(_))
        ));
        let caseload = referrals::caseload(
            &c.svc,
            &other,
            &m,
            CaseloadFilter {
                page: 1,
                per_page: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(caseload.total, 0, "not on another PCN's caseload");
        let refused = audit_event::Entity::find()
            .filter(audit_event::Column::Outcome.eq("refused"))
            .filter(audit_event::Column::PersonId.eq(r.person_id))
            .count(c.svc.db())
            .await
            .unwrap();
        assert_eq!(refused, 5, "each refusal is audited with the person");
        // The team's own worker is fine, and the read is audited too.
        services::care::people::get(&c.svc, &lw, &m, r.person_id)
            .await
            .unwrap();
        let viewed = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("person_viewed"))
            .filter(audit_event::Column::Outcome.eq("success"))
            .count(c.svc.db())
            .await
            .unwrap();
        assert_eq!(viewed, 1);
    }
);

fn plan(importance: i64, confidence: i64) -> PlanContent {
    PlanContent {
        strengths: "Loves gardening; good neighbour".into(),
        needs: vec![Need {
            description: "Lonely since moving".into(),
            goals: vec![Goal {
                description: "Meet people who like gardening".into(),
                importance: Some(importance),
                status: "in_progress".into(),
                stage_goals: vec![],
                actions: vec![Action {
                    what: "Go to the Saturday garden session".into(),
                    who: "Jack".into(),
                    when: "2026-11-14".into(),
                    status: "in_progress".into(),
                    confidence: Some(confidence),
                }],
            }],
        }],
        contingencies: vec![],
    }
}

store::db_test!(
    plans_refuse_importance_11_and_confidence_minus_1_and_keep_every_version,
    |db| {
        let c = ctx(db).await;
        let lw = actor(&c.svc, "link.worker@demo.whatmatters.test").await;
        let r = refer(&c, &lw, person("943 476 5919", "1950-06-01"))
            .await
            .unwrap();
        let m = meta();
        let bad = plans::save(
            &c.svc,
            &lw,
            &m,
            r.person_id,
            plans::PlanInput {
                based_on: 0,
                content: plan(11, -1),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(
            fields(bad),
            vec![
                "needs[0].goals[0].importance",
                "needs[0].goals[0].actions[0].confidence"
            ]
        );
        let v1 = plans::save(
            &c.svc,
            &lw,
            &m,
            r.person_id,
            plans::PlanInput {
                based_on: 0,
                content: plan(8, 6),
                agreed_with: Some("Jack".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(v1.version, 1);
        let v2 = plans::save(
            &c.svc,
            &lw,
            &m,
            r.person_id,
            plans::PlanInput {
                based_on: 1,
                content: plan(9, 7),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(v2.version, 2);
        // Someone who started from version 1 is told, and nothing is overwritten.
        let late = plans::save(
            &c.svc,
            &lw,
            &m,
            r.person_id,
            plans::PlanInput {
                based_on: 1,
                content: plan(3, 3),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(late, ServiceError::Conflict(_)));
        let history = services::unchecked::plan_history(c.svc.db(), r.person_id)
            .await
            .unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(
            plans::content_of(&history[0]).needs[0].goals[0].importance,
            Some(9)
        );
    }
);

store::db_test!(
    simultaneous_plan_saves_from_one_version_keep_exactly_one,
    |db| {
        let c = ctx(db).await;
        let lw = actor(&c.svc, "link.worker@demo.whatmatters.test").await;
        let r = refer(&c, &lw, person("943 476 5919", "1950-06-01"))
            .await
            .unwrap();
        let saves = (1..=5).map(|i| {
            let (svc, lw, m) = (c.svc.clone(), lw.clone(), meta());
            async move {
                plans::save(
                    &svc,
                    &lw,
                    &m,
                    r.person_id,
                    plans::PlanInput {
                        based_on: 0,
                        content: plan(i, 5),
                        ..Default::default()
                    },
                )
                .await
            }
        });
        let results = futures::future::join_all(saves).await;
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
        assert!(
            results
                .iter()
                .filter_map(|r| r.as_ref().err())
                .all(|e| matches!(e, ServiceError::Conflict(_))),
            "{results:?}"
        );
        assert_eq!(
            services::unchecked::plan_history(c.svc.db(), r.person_id)
                .await
                .unwrap()
                .len(),
            1
        );
    }
);

store::db_test!(measures_score_and_refuse_out_of_range_items, |db| {
    let c = ctx(db).await;
    let lw = actor(&c.svc, "link.worker@demo.whatmatters.test").await;
    let r = refer(&c, &lw, person("943 476 5919", "1950-06-01"))
        .await
        .unwrap();
    let m = meta();
    let input = |instrument: &str, answers: Vec<i64>| measures::MeasureInput {
        instrument: instrument.into(),
        timepoint: Some("start".into()),
        answers: answers.into_iter().map(Some).collect(),
        ..Default::default()
    };
    let bad = measures::record(
        &c.svc,
        &lw,
        &m,
        r.person_id,
        input("swemwbs", vec![3, 3, 3, 3, 3, 6, 3]),
    )
    .await
    .unwrap_err();
    assert_eq!(fields(bad), vec!["answers[5]"]);
    let s = measures::record(
        &c.svc,
        &lw,
        &m,
        r.person_id,
        input("swemwbs", vec![4, 4, 3, 3, 4, 3, 4]),
    )
    .await
    .unwrap();
    assert_eq!(s.score, Some(22.35));
    let o = measures::record(
        &c.svc,
        &lw,
        &m,
        r.person_id,
        input("ons4", vec![4, 5, 3, 8]),
    )
    .await
    .unwrap();
    assert_eq!(o.answers, vec![4, 5, 3, 8]);
    assert!(
        measures::record(
            &c.svc,
            &lw,
            &m,
            r.person_id,
            input("ons4", vec![4, 5, 11, 8])
        )
        .await
        .is_err()
    );
    // Staff choose start, review or end: "recorded by the person" is the person's own to give.
    let as_theirs = measures::MeasureInput {
        timepoint: Some("self".into()),
        ..input("ons4", vec![4, 5, 3, 8])
    };
    match measures::record(&c.svc, &lw, &m, r.person_id, as_theirs).await {
        Err(services::ServiceError::Invalid(errors)) => {
            assert_eq!(errors[0].field, "timepoint")
        }
        other => panic!("expected a timepoint problem, got {other:?}"),
    }
    assert_eq!(
        services::unchecked::measures(c.svc.db(), r.person_id)
            .await
            .unwrap()
            .len(),
        2
    );
});

store::db_test!(
    a_referral_is_discharged_once_even_when_asked_twice_at_once,
    |db| {
        let c = ctx(db).await;
        let lw = actor(&c.svc, "link.worker@demo.whatmatters.test").await;
        let r = refer(&c, &lw, person("943 476 5919", "1950-06-01"))
            .await
            .unwrap();
        let m = meta();
        // Discharge needs a first contact.
        let early = discharge::discharge(&c.svc, &lw, &m, r.id, r.version, "goals_met", "done")
            .await
            .unwrap_err();
        assert!(matches!(early, ServiceError::Conflict(_)));
        referrals::record_contact(
            &c.svc,
            &lw,
            &m,
            r.id,
            ContactInput {
                kind: Some("phone".into()),
                duration_minutes: Some(20),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let r = referral::Entity::find_by_id(r.id)
            .one(c.svc.db())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(r.state, "contacted");
        let tries = (0..5).map(|_| {
            let (svc, lw, m) = (c.svc.clone(), lw.clone(), meta());
            async move {
                discharge::discharge(
                    &svc,
                    &lw,
                    &m,
                    r.id,
                    r.version,
                    "connected_to_support",
                    "Now goes to the Saturday garden group",
                )
                .await
            }
        });
        let results = futures::future::join_all(tries).await;
        assert_eq!(
            results.iter().filter(|x| x.is_ok()).count(),
            1,
            "{results:?}"
        );
        let msg = results.into_iter().find_map(Result::ok).unwrap();
        // The code of the referral went with the message at first contact.
        assert_eq!(msg.snomed_code, "");
        assert!(msg.body.contains("Outcome: Discharged"));
        assert!(
            msg.body
                .contains("Reason for discharge: Connected to community support")
        );
        assert!(msg.body.contains("943 476 5919"));
        // Asking again later is refused with the reason.
        let r = referral::Entity::find_by_id(r.id)
            .one(c.svc.db())
            .await
            .unwrap()
            .unwrap();
        let again = discharge::discharge(&c.svc, &lw, &m, r.id, r.version, "goals_met", "again")
            .await
            .unwrap_err();
        assert_eq!(
            again.to_string(),
            "This referral is already discharged; it cannot be discharged again"
        );
    }
);

store::db_test!(declining_sends_the_declined_code, |db| {
    let c = ctx(db).await;
    let lw = actor(&c.svc, "link.worker@demo.whatmatters.test").await;
    let r = refer(&c, &lw, person("943 476 5919", "1950-06-01"))
        .await
        .unwrap();
    let m = meta();
    let no_reason = referrals::change_state(
        &c.svc,
        &lw,
        &m,
        r.id,
        r.version,
        referrals::StateChange {
            to: ReferralState::Declined,
            reason: None,
            review_due: None,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(fields(no_reason), vec!["reason"]);
    referrals::change_state(
        &c.svc,
        &lw,
        &m,
        r.id,
        r.version,
        referrals::StateChange {
            to: ReferralState::Declined,
            reason: Some("Already well supported by family".into()),
            review_due: None,
        },
    )
    .await
    .unwrap();
    let msg = services::unchecked::gp_messages(c.svc.db(), r.id)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(msg.snomed_code, "871711000000103");
});

store::db_test!(unable_to_contact_needs_three_recorded_attempts, |db| {
    let c = ctx(db).await;
    let lw = actor(&c.svc, "link.worker@demo.whatmatters.test").await;
    let r = refer(&c, &lw, person("943 476 5919", "1950-06-01"))
        .await
        .unwrap();
    let m = meta();
    let attempt = || ContactInput {
        kind: Some("phone".into()),
        attempt_only: true,
        ..Default::default()
    };
    for _ in 0..2 {
        referrals::record_contact(&c.svc, &lw, &m, r.id, attempt())
            .await
            .unwrap();
    }
    let r2 = referral::Entity::find_by_id(r.id)
        .one(c.svc.db())
        .await
        .unwrap()
        .unwrap();
    assert!(
        referrals::change_state(
            &c.svc,
            &lw,
            &m,
            r.id,
            r2.version,
            referrals::StateChange {
                to: ReferralState::UnableToContact,
                reason: None,
                review_due: None
            }
        )
        .await
        .is_err()
    );
    referrals::record_contact(&c.svc, &lw, &m, r.id, attempt())
        .await
        .unwrap();
    let r3 = referral::Entity::find_by_id(r.id)
        .one(c.svc.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((r3.contact_attempts, r3.state.as_str()), (3, "received"));
    referrals::change_state(
        &c.svc,
        &lw,
        &m,
        r.id,
        r3.version,
        referrals::StateChange {
            to: ReferralState::UnableToContact,
            reason: None,
            review_due: None,
        },
    )
    .await
    .unwrap();
});

store::db_test!(contacts_are_recorded_at_the_uk_time_of_day_typed, |db| {
    // The test clock stands at 10:00 on 2 November 2026, when the UK is on GMT.
    let c = ctx(db).await;
    let lw = actor(&c.svc, "link.worker@demo.whatmatters.test").await;
    let r = refer(&c, &lw, person("943 476 5919", "1950-06-01"))
        .await
        .unwrap();
    let m = meta();
    let at = |date: &str, time: Option<&str>| ContactInput {
        kind: Some("phone".into()),
        date: Some(date.into()),
        time: time.map(Into::into),
        ..Default::default()
    };
    let utc = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    for (date, time, stored) in [
        ("2026-11-01", Some("2:30pm"), "2026-11-01T14:30:00Z"),
        ("2026-11-02", Some("09:15"), "2026-11-02T09:15:00Z"),
        // British Summer Time: 2:30pm in London is 1:30pm UTC.
        ("2026-07-01", Some("2:30pm"), "2026-07-01T13:30:00Z"),
        // No time: now for today, midday for an earlier day.
        ("2026-11-02", None, "2026-11-02T10:00:00Z"),
        ("2026-10-30", None, "2026-10-30T12:00:00Z"),
    ] {
        let saved = referrals::record_contact(&c.svc, &lw, &m, r.id, at(date, time))
            .await
            .unwrap();
        assert_eq!(saved.at, utc(stored), "{date} {time:?}");
    }
    for (date, time) in [
        ("2026-11-02", "11am"),
        ("2026-11-02", "25:00"),
        ("2026-11-02", "half two"),
        // The clocks went forward at 1am on 29 March 2026: 1:30am never happened.
        ("2026-03-29", "1:30am"),
    ] {
        let e = referrals::record_contact(&c.svc, &lw, &m, r.id, at(date, Some(time)))
            .await
            .unwrap_err();
        assert_eq!(fields(e), ["time"], "{date} {time}");
    }
});

store::db_test!(
    simultaneous_contacts_on_one_referral_all_save_and_every_attempt_counts,
    |db| {
        let c = ctx(db).await;
        let lw = actor(&c.svc, "link.worker@demo.whatmatters.test").await;
        let r = refer(&c, &lw, person("943 476 5919", "1950-06-01"))
            .await
            .unwrap();
        let tries = (0..8).map(|i| {
            let (svc, lw, m) = (c.svc.clone(), lw.clone(), meta());
            async move {
                referrals::record_contact(
                    &svc,
                    &lw,
                    &m,
                    r.id,
                    ContactInput {
                        kind: Some("phone".into()),
                        // Half reach the person, half are attempts that do not.
                        attempt_only: i % 2 == 0,
                        ..Default::default()
                    },
                )
                .await
            }
        });
        let results = futures::future::join_all(tries).await;
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        let after = referral::Entity::find_by_id(r.id)
            .one(c.svc.db())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.contact_attempts, 4);
        assert_eq!(after.state, "contacted");
        assert_eq!(after.version, r.version + 8);
        assert_eq!(after.last_contact_at, Some(c.clock.now()));
        assert_eq!(after.first_contact_at, Some(c.clock.now()));
        // A stale edit from before the contacts is refused, not silently applied.
        let stale = referrals::change_state(
            &c.svc,
            &lw,
            &meta(),
            r.id,
            r.version,
            referrals::StateChange {
                to: ReferralState::Active,
                reason: None,
                review_due: None,
            },
        )
        .await;
        assert!(matches!(stale, Err(ServiceError::Conflict(_))), "{stale:?}");
    }
);

fn first_pages() -> referrals::LostPages {
    referrals::LostPages {
        waiting: 1,
        stale: 1,
        per_page: 25,
    }
}

store::db_test!(no_one_lost_counts_everyone_and_pages_each_group, |db| {
    let c = ctx(db).await;
    let lw = actor(&c.svc, "link.worker@demo.whatmatters.test").await;
    let mut ids = Vec::new();
    for i in 0..27 {
        let p = PersonInput {
            nhs_number: None,
            given_name: Some(format!("Waiting{i}")),
            ..person("", "1950-06-01")
        };
        ids.push(refer(&c, &lw, p).await.unwrap().id);
    }
    c.clock.advance(Duration::days(8));
    let m = meta();
    let first = referrals::no_one_lost(&c.svc, &lw, &m, first_pages())
        .await
        .unwrap();
    assert_eq!(first.waiting.total, 27, "every one counted, none capped");
    assert_eq!(first.waiting.total_pages(), 2);
    assert_eq!(first.waiting.rows.len(), 25);
    let second = referrals::no_one_lost(
        &c.svc,
        &lw,
        &m,
        referrals::LostPages {
            waiting: 2,
            ..first_pages()
        },
    )
    .await
    .unwrap();
    assert_eq!(second.waiting.rows.len(), 2);
    // Oldest first, each exactly once across the pages.
    let shown: Vec<i32> = first
        .waiting
        .rows
        .iter()
        .chain(&second.waiting.rows)
        .map(|(r, _)| r.referral.id)
        .collect();
    assert_eq!(shown, ids);
    assert_eq!(second.stale.total, 0);
});

store::db_test!(people_waiting_too_long_show_in_the_no_one_lost_view, |db| {
    let c = ctx(db).await;
    let lw = actor(&c.svc, "link.worker@demo.whatmatters.test").await;
    let r = refer(&c, &lw, person("943 476 5919", "1950-06-01"))
        .await
        .unwrap();
    let m = meta();
    let lost = referrals::no_one_lost(&c.svc, &lw, &m, first_pages())
        .await
        .unwrap();
    assert_eq!((lost.waiting.total, lost.stale.total), (0, 0));
    c.clock.advance(Duration::days(8));
    let lost = referrals::no_one_lost(&c.svc, &lw, &m, first_pages())
        .await
        .unwrap();
    assert_eq!((lost.waiting.total, lost.stale.total), (1, 0));
    assert_eq!(lost.waiting.rows[0].0.referral.id, r.id);
    let filtered = referrals::caseload(
        &c.svc,
        &lw,
        &m,
        CaseloadFilter {
            no_contact_days: Some(7),
            page: 1,
            per_page: 25,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(filtered.total, 1);
});

store::db_test!(names_are_found_despite_typos_within_scope, |db| {
    let c = ctx(db).await;
    let lw = actor(&c.svc, "link.worker@demo.whatmatters.test").await;
    refer(&c, &lw, person("943 476 5919", "1950-06-01"))
        .await
        .unwrap();
    let m = meta();
    let found = services::care::people::search(
        &c.svc,
        &lw,
        &m,
        services::care::people::Search {
            text: "jack turnr".into(),
            date_of_birth: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(found.len(), 1);
    let by_nhs = services::care::people::search(
        &c.svc,
        &lw,
        &m,
        services::care::people::Search {
            text: "9434765919".into(),
            date_of_birth: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(by_nhs.len(), 1);
    let other = actor(&c.svc, "link.worker.fellside@demo.whatmatters.test").await;
    let none = services::care::people::search(
        &c.svc,
        &other,
        &m,
        services::care::people::Search {
            text: "jack turner".into(),
            date_of_birth: None,
        },
    )
    .await
    .unwrap();
    assert!(none.is_empty(), "another PCN cannot find the person");
});

fn self_referral(practice: i32, nhs: &str) -> SelfReferralInput {
    SelfReferralInput {
        person: PersonInput {
            practice_id: Some(practice),
            ..person(nhs, "1962-02-14")
        },
        service: Some("social_prescribing".into()),
        reason: Some("I would like to find a walking group".into()),
        consent_to_contact: true,
        trap: None,
    }
}

store::db_test!(
    a_self_referral_flood_is_stopped_and_automated_posts_are_discarded,
    |db| {
        let c = ctx(db).await;
        let practice = org(&c.svc, "B90001").await;
        let m = meta();
        let first = referrals::self_refer(&c.svc, &m, self_referral(practice, "943 476 5919"))
            .await
            .unwrap();
        assert!(matches!(first, SelfReferralOutcome::Received { .. }));
        let r = referral::Entity::find()
            .one(c.svc.db())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (r.source.as_str(), r.method.as_str(), r.team_org_id),
            ("self", "self_referral", org(&c.svc, "U90001").await)
        );
        for _ in 1..referrals::SELF_REFERRALS_PER_ADDRESS_PER_HOUR {
            referrals::self_refer(&c.svc, &m, self_referral(practice, ""))
                .await
                .unwrap();
        }
        let flood = referrals::self_refer(&c.svc, &m, self_referral(practice, ""))
            .await
            .unwrap_err();
        assert!(
            matches!(flood, ServiceError::RateLimited { retry_after_secs } if retry_after_secs > 0),
            "{flood:?}"
        );
        let count = referral::Entity::find().count(c.svc.db()).await.unwrap();
        assert_eq!(count, referrals::SELF_REFERRALS_PER_ADDRESS_PER_HOUR);
        let bot = SelfReferralInput {
            trap: Some("http://spam.example".into()),
            ..self_referral(practice, "")
        };
        let other_ip = RequestMeta {
            ip: Some("198.51.100.7".into()),
            ..meta()
        };
        assert!(matches!(
            referrals::self_refer(&c.svc, &other_ip, bot).await.unwrap(),
            SelfReferralOutcome::Discarded
        ));
        assert_eq!(
            referral::Entity::find().count(c.svc.db()).await.unwrap(),
            count,
            "nothing kept from the bot"
        );
        // An hour later the address may refer again.
        c.clock.advance(Duration::minutes(61));
        assert!(
            referrals::self_refer(&c.svc, &m, self_referral(practice, ""))
                .await
                .is_ok()
        );
    }
);

store::db_test!(about_me_keeps_history_and_refuses_a_stale_save, |db| {
    let c = ctx(db).await;
    let lw = actor(&c.svc, "link.worker@demo.whatmatters.test").await;
    let r = refer(&c, &lw, person("943 476 5919", "1950-06-01"))
        .await
        .unwrap();
    let m = meta();
    let mut s = about_me::Sections::new();
    s.insert(
        "most_important".into(),
        "My grandchildren and my garden".into(),
    );
    about_me::save(
        &c.svc,
        &lw,
        &m,
        r.person_id,
        0,
        s.clone(),
        Some("Jack, with Amira".into()),
    )
    .await
    .unwrap();
    s.insert(
        "wellness".into(),
        "Bad knees; good days and bad days".into(),
    );
    about_me::save(&c.svc, &lw, &m, r.person_id, 1, s.clone(), None)
        .await
        .unwrap();
    assert!(matches!(
        about_me::save(&c.svc, &lw, &m, r.person_id, 1, s, None).await,
        Err(ServiceError::Conflict(_))
    ));
    assert_eq!(
        services::unchecked::about_me_history(c.svc.db(), r.person_id)
            .await
            .unwrap()
            .len(),
        2
    );
});
