#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Triage and follow-ups on both databases: once only under simultaneous requests, and only
//! for those who work on the referral.

mod common;
use common::*;

use domain::referral::ReferralState;
use sea_orm::EntityTrait;
use services::care::people::PersonInput;
use services::care::referrals::{self, FollowUpInput, ReferralInput, Triage};
use services::{Actor, ServiceError};
use store::entities::{gp_message, referral};

async fn received(c: &Ctx, by: &Actor) -> referral::Model {
    let r = referrals::create(
        &c.svc,
        by,
        &meta(),
        ReferralInput {
            person: Some(PersonInput {
                nhs_number: Some("943 476 5919".into()),
                given_name: Some("Aisha".into()),
                family_name: Some("Begum".into()),
                date_of_birth: Some("1961-03-09".into()),
                phone: Some("07700 900123".into()),
                preferred_contact: Some("phone".into()),
                practice_id: Some(org(&c.svc, "B90001").await),
                ..Default::default()
            }),
            service: Some("social_prescribing".into()),
            team_org_id: Some(org(&c.svc, "U90001").await),
            referrer_name: Some("Dr Priya Shah".into()),
            method: Some("secure_messaging".into()),
            reason: Some("Caring for her husband and exhausted".into()),
            urgency: Some("routine".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    referral::Entity::find_by_id(r.id)
        .one(c.svc.db())
        .await
        .unwrap()
        .unwrap()
}

fn conflicts(results: &[Result<ReferralState, ServiceError>]) -> usize {
    results
        .iter()
        .filter(|r| matches!(r, Err(ServiceError::Conflict(_))))
        .count()
}

store::db_test!(simultaneous_triage_decisions_apply_exactly_one, |db| {
    let c = ctx(db).await;
    let lw = actor(&c.svc, "link.worker@demo.whatmatters.test").await;
    let r = received(&c, &lw).await;
    let decisions = (0..8).map(|i| {
        let (svc, lw, m) = (c.svc.clone(), lw.clone(), meta());
        async move {
            let d = match i % 3 {
                0 => Triage::Accept {
                    assign_to: Some(lw.user_id),
                },
                1 => Triage::Signpost {
                    to: Some("Citizens Advice".into()),
                },
                _ => Triage::NotAccepted {
                    reason: Some("Needs specialist mental health support".into()),
                },
            };
            referrals::triage(&svc, &lw, &m, r.id, r.version, d).await
        }
    });
    let results = futures::future::join_all(decisions).await;
    let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(won.len(), 1, "{results:?}");
    assert_eq!(conflicts(&results), 7);
    let after = referral::Entity::find_by_id(r.id)
        .one(c.svc.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.version, r.version + 1, "changed once");
    let messages = gp_message::Entity::find().all(c.svc.db()).await.unwrap();
    assert_eq!(
        messages.iter().filter(|m| m.referral_id == r.id).count(),
        usize::from(*won[0] != ReferralState::Received),
        "a message only when the referral closed, and only one"
    );
});

store::db_test!(
    triage_is_refused_outside_the_team_and_checks_its_worker,
    |db| {
        let c = ctx(db).await;
        let lw = actor(&c.svc, "link.worker@demo.whatmatters.test").await;
        let other = actor(&c.svc, "link.worker.fellside@demo.whatmatters.test").await;
        let r = received(&c, &lw).await;
        let e = referrals::triage(
            &c.svc,
            &other,
            &meta(),
            r.id,
            r.version,
            Triage::NotAccepted {
                reason: Some("x".into()),
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(e, ServiceError::NotFound(_)), "{e:?}");
        // A worker from another PCN cannot be given the referral.
        let e = referrals::triage(
            &c.svc,
            &lw,
            &meta(),
            r.id,
            r.version,
            Triage::Accept {
                assign_to: Some(other.user_id),
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(e, ServiceError::Invalid(_)), "{e:?}");
        // Signposting and not accepting are triage's alone.
        let e = referrals::change_state(
            &c.svc,
            &lw,
            &meta(),
            r.id,
            r.version,
            referrals::StateChange {
                to: ReferralState::Signposted,
                reason: Some("x".into()),
                review_due: None,
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(e, ServiceError::Invalid(_)), "{e:?}");
    }
);

store::db_test!(a_follow_up_is_done_once_however_many_press_done, |db| {
    let c = ctx(db).await;
    let lw = actor(&c.svc, "link.worker@demo.whatmatters.test").await;
    let r = received(&c, &lw).await;
    let id = referrals::set_follow_up(
        &c.svc,
        &lw,
        &meta(),
        r.id,
        FollowUpInput {
            due_on: Some("2026-11-03".into()),
            note: Some("Ring back".into()),
        },
    )
    .await
    .unwrap();
    let presses = (0..8).map(|_| {
        let (svc, lw, m) = (c.svc.clone(), lw.clone(), meta());
        async move { referrals::complete_follow_up(&svc, &lw, &m, r.id, id).await }
    });
    let results = futures::future::join_all(presses).await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|e| matches!(e, ServiceError::Conflict(_)))
    );
    let long = "x".repeat(201);
    // Limits: dates from today to a year ahead; the note is required and bounded.
    for (due, note, field) in [
        ("2026-11-01", "Ring", "due_on"),
        ("2027-11-03", "Ring", "due_on"),
        ("not a date", "Ring", "due_on"),
        ("2026-11-03", "", "note"),
        ("2026-11-03", long.as_str(), "note"),
    ] {
        let e = referrals::set_follow_up(
            &c.svc,
            &lw,
            &meta(),
            r.id,
            FollowUpInput {
                due_on: Some(due.into()),
                note: Some(note.into()),
            },
        )
        .await
        .unwrap_err();
        match e {
            ServiceError::Invalid(list) => {
                assert_eq!(
                    list.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(),
                    [field],
                    "{due} {note}"
                )
            }
            e => panic!("{e:?}"),
        }
    }
});

store::db_test!(simultaneous_first_contacts_tell_the_gp_once, |db| {
    let c = ctx(db).await;
    let lw = actor(&c.svc, "link.worker@demo.whatmatters.test").await;
    let r = received(&c, &lw).await;
    let calls = (0..6).map(|_| {
        let (svc, lw, m) = (c.svc.clone(), lw.clone(), meta());
        async move {
            referrals::record_contact(
                &svc,
                &lw,
                &m,
                r.id,
                referrals::ContactInput {
                    kind: Some("phone".into()),
                    ..Default::default()
                },
            )
            .await
        }
    });
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    let messages = services::unchecked::gp_messages(c.svc.db(), r.id)
        .await
        .unwrap();
    assert_eq!(messages.len(), 1, "one message at first contact");
    let m = &messages[0];
    assert_eq!(
        (m.kind.as_str(), m.snomed_code.as_str()),
        ("first_contact", "871731000000106")
    );
    assert!(
        m.body.contains("was first contacted on 2 November 2026"),
        "{}",
        m.body
    );
    // The practice has no address here: the message says so.
    assert_eq!(m.sent_to, None);
    assert_eq!(
        m.not_sent_reason.as_deref(),
        Some("Not e-mailed: Riverside Medical Centre has no e-mail address recorded")
    );
});

store::db_test!(a_gp_reads_but_does_not_change_a_patients_plan, |db| {
    let c = ctx(db).await;
    let lw = actor(&c.svc, "link.worker@demo.whatmatters.test").await;
    let gp = actor(&c.svc, "gp@demo.whatmatters.test").await;
    let r = received(&c, &lw).await;
    let plan = |strengths: &str| services::care::plans::PlanInput {
        based_on: 0,
        content: domain::plan::PlanContent {
            strengths: strengths.into(),
            ..Default::default()
        },
        ..Default::default()
    };
    // A patient of the GP's practice: the GP may read the record...
    services::care::people::get(&c.svc, &gp, &meta(), r.person_id)
        .await
        .unwrap();
    // ...but the plan is changed only by the team supporting her.
    let e = services::care::plans::save(&c.svc, &gp, &meta(), r.person_id, plan("By the GP"))
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Forbidden(_)), "{e:?}");
    services::care::plans::save(&c.svc, &lw, &meta(), r.person_id, plan("With Aisha"))
        .await
        .unwrap();
});
