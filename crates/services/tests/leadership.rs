#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Patient and peer leadership on both databases: profiles and the pool, accreditations and
//! their public check, opportunities from posting to payment (a rate changed after a payment
//! keeps the payment's rate), the Peer Leadership Development Programme's steps, cohort places
//! never overfilled under many placements at once, leaving and graduating; and consultations.

mod common;
use common::*;

use chrono::Duration;
use services::ServiceError;
use services::leadership::opportunities::{self, OpportunityInput};
use services::leadership::pldp::{self, Action};
use services::leadership::pool::{self, ProfileInput};
use services::leadership::{influence, rates};
use services::learning::elearning;

const ORGANISER: &str = "network.organiser@demo.whatmatters.test";
const ADMIN: &str = "admin@demo.whatmatters.test";
const PEER: &str = "peer.leader@demo.whatmatters.test";
const LEARNER: &str = "learner@demo.whatmatters.test";
const PCN_MANAGER: &str = "pcn.manager@demo.whatmatters.test";
const LINK_WORKER: &str = "link.worker@demo.whatmatters.test";

async fn seeded(db: store::DatabaseConnection) -> Ctx {
    let c = ctx(db).await;
    services::demo::seed_learning(&c.svc).await.unwrap();
    services::demo::seed_networks(&c.svc).await.unwrap();
    services::demo::seed_leadership(&c.svc).await.unwrap();
    c
}

fn profile(consent: bool) -> ProfileInput {
    ProfileInput {
        lived_experience: "Caring for my son, who has autism.".into(),
        skills: vec!["co_design".into(), "interviewing".into()],
        interests: "Children's services".into(),
        region: "Y63".into(),
        availability: "weekdays".into(),
        access_needs: String::new(),
        contact_consent: consent,
    }
}

fn day(d: chrono::NaiveDate) -> Option<String> {
    Some(d.format("%Y-%m-%d").to_string())
}

store::db_test!(
    leaders_join_the_pool_by_consent_and_accreditations_can_be_checked,
    |db| {
        let c = seeded(db).await;
        let learner = actor(&c.svc, LEARNER).await;
        let organiser = actor(&c.svc, ORGANISER).await;
        let bad = ProfileInput {
            skills: vec!["juggling".into()],
            region: "Y99".into(),
            availability: "never".into(),
            ..ProfileInput::default()
        };
        match pool::save(&c.svc, &learner, &meta(), &bad).await {
            Err(ServiceError::Invalid(list)) => {
                let fields: Vec<_> = list.iter().map(|f| f.field.as_str()).collect();
                assert_eq!(
                    fields,
                    ["lived_experience", "skills", "region", "availability"]
                );
            }
            other => panic!("{other:?}"),
        }
        pool::save(&c.svc, &learner, &meta(), &profile(false))
            .await
            .unwrap();
        let in_pool = |list: &[pool::Leader]| list.iter().any(|l| l.user_id == learner.user_id);
        assert!(!in_pool(
            &pool::pool(&c.svc, &organiser, &meta()).await.unwrap()
        ));
        // Not in the pool: cannot be accredited or invited (not found, as if not there).
        let issued = day(c.svc.today() - Duration::days(10));
        assert!(matches!(
            pool::accredit(
                &c.svc,
                &organiser,
                &meta(),
                learner.user_id,
                "coach",
                "Centre",
                &issued,
                &None
            )
            .await,
            Err(ServiceError::NotFound(_))
        ));
        pool::save(&c.svc, &learner, &meta(), &profile(true))
            .await
            .unwrap();
        assert!(in_pool(
            &pool::pool(&c.svc, &organiser, &meta()).await.unwrap()
        ));
        // Only network organisers accredit; the pool is not for everyone.
        let link_worker = actor(&c.svc, LINK_WORKER).await;
        assert!(matches!(
            pool::accredit(
                &c.svc,
                &link_worker,
                &meta(),
                learner.user_id,
                "coach",
                "Centre",
                &issued,
                &None
            )
            .await,
            Err(ServiceError::Forbidden(_))
        ));
        assert!(matches!(
            pool::pool(&c.svc, &link_worker, &meta()).await,
            Err(ServiceError::Forbidden(_))
        ));
        match pool::accredit(
            &c.svc,
            &organiser,
            &meta(),
            learner.user_id,
            "wizard",
            " ",
            &None,
            &issued,
        )
        .await
        {
            Err(ServiceError::Invalid(list)) => {
                let fields: Vec<_> = list.iter().map(|f| f.field.as_str()).collect();
                assert_eq!(fields, ["kind", "issuer", "issued_on", "expires_on"]);
            }
            other => panic!("{other:?}"),
        }
        let code = pool::accredit(
            &c.svc,
            &organiser,
            &meta(),
            learner.user_id,
            "coach",
            "Northern Shires Centre",
            &issued,
            &day(c.svc.today() + Duration::days(365)),
        )
        .await
        .unwrap();
        let checked = pool::verify(&c.svc, &code.to_lowercase().replace('-', " "))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(checked.holder, "Chloe Bennett");
        assert_eq!(checked.label(), "Coach");
        assert!(checked.current(c.svc.today()));
        assert!(
            pool::verify(&c.svc, "WMA-00000-00000")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            pool::verify(&c.svc, "anything at all")
                .await
                .unwrap()
                .is_none()
        );
    }
);

fn workshop(c: &Ctx) -> OpportunityInput {
    OpportunityInput {
        title: "Co-design: the discharge letter".into(),
        kind: "co_design".into(),
        description: "Rewrite the letter people get when they leave the service.".into(),
        skills: vec!["co_design".into(), "lived_experience".into()],
        region: "Y63".into(),
        availability: "weekdays".into(),
        hours: "3".into(),
        payment_level: "involvement".into(),
        closes_on: day(c.svc.today() + Duration::days(14)),
        event: String::new(),
    }
}

store::db_test!(an_opportunity_from_posting_to_payment, |db| {
    let c = seeded(db).await;
    let organiser = actor(&c.svc, ORGANISER).await;
    let region = org(&c.svc, "Y90").await;
    // Every problem at once, in the form's order.
    let bad = OpportunityInput {
        hours: "0".into(),
        payment_level: "gold".into(),
        closes_on: day(c.svc.today() - Duration::days(1)),
        ..OpportunityInput::default()
    };
    match opportunities::create(&c.svc, &organiser, &meta(), region, &bad).await {
        Err(ServiceError::Invalid(list)) => {
            let fields: Vec<_> = list.iter().map(|f| f.field.as_str()).collect();
            assert_eq!(
                fields,
                [
                    "title",
                    "kind",
                    "description",
                    "availability",
                    "hours",
                    "payment_level",
                    "closes_on"
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    let id = opportunities::create(&c.svc, &organiser, &meta(), region, &workshop(&c))
        .await
        .unwrap();
    // A PCN's manager cannot run the region's opportunity: not found, as if not there.
    let manager = actor(&c.svc, PCN_MANAGER).await;
    assert!(matches!(
        opportunities::applicants(&c.svc, &manager, &meta(), id).await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(matches!(
        opportunities::applicants(&c.svc, &manager, &meta(), 999_999).await,
        Err(ServiceError::NotFound(_))
    ));
    // The peer leader fits best: co-design and lived experience, the region, weekdays and an
    // accreditation.
    let suggested = opportunities::suggestions(&c.svc, &organiser, &meta(), id)
        .await
        .unwrap();
    assert_eq!(suggested[0].leader.name, "Maureen Ellis");
    assert!(suggested.windows(2).all(|w| w[0].score >= w[1].score));
    // A leader applies (once); another is invited and says yes.
    let peer = actor(&c.svc, PEER).await;
    opportunities::apply(&c.svc, &peer, &meta(), id, "I would like to help.")
        .await
        .unwrap();
    assert!(matches!(
        opportunities::apply(&c.svc, &peer, &meta(), id, "").await,
        Err(ServiceError::Conflict(_))
    ));
    let learner = actor(&c.svc, LEARNER).await;
    assert!(matches!(
        opportunities::apply(&c.svc, &learner, &meta(), id, "").await,
        Err(ServiceError::Conflict(m)) if m.contains("profile")
    ));
    let (_, list) = opportunities::applicants(&c.svc, &organiser, &meta(), id)
        .await
        .unwrap();
    let application = list.iter().find(|a| a.user_id == peer.user_id).unwrap().id;
    // Hours only once selected.
    let worked = day(c.svc.today() - Duration::days(1));
    assert!(matches!(
        opportunities::record_hours(&c.svc, &organiser, &meta(), id, application, &worked, "3")
            .await,
        Err(ServiceError::Conflict(_))
    ));
    opportunities::select(&c.svc, &organiser, &meta(), id, application, true)
        .await
        .unwrap();
    assert!(matches!(
        opportunities::select(&c.svc, &organiser, &meta(), id, application, false).await,
        Err(ServiceError::Conflict(_))
    ));
    match opportunities::record_hours(&c.svc, &organiser, &meta(), id, application, &None, "13")
        .await
    {
        Err(ServiceError::Invalid(list)) => {
            let fields: Vec<_> = list.iter().map(|f| f.field.as_str()).collect();
            assert_eq!(fields, ["worked_on", "hours"]);
        }
        other => panic!("{other:?}"),
    }
    // 3 hours at the involvement rate of the day (£22.50): £67.50.
    let paid =
        opportunities::record_hours(&c.svc, &organiser, &meta(), id, application, &worked, "3")
            .await
            .unwrap();
    assert_eq!(paid, 6_750);
    // Only administrators change rates; a new rate, even back-dated, leaves that payment be.
    assert!(matches!(
        rates::add(
            &c.svc,
            &organiser,
            &meta(),
            "involvement",
            "Involvement",
            "25",
            &day(c.svc.today())
        )
        .await,
        Err(ServiceError::Forbidden(_))
    ));
    let admin = actor(&c.svc, ADMIN).await;
    match rates::add(&c.svc, &admin, &meta(), "Gold Level!", "", "-1", &None).await {
        Err(ServiceError::Invalid(list)) => {
            let fields: Vec<_> = list.iter().map(|f| f.field.as_str()).collect();
            assert_eq!(fields, rates::FIELDS);
        }
        other => panic!("{other:?}"),
    }
    rates::add(
        &c.svc,
        &admin,
        &meta(),
        "involvement",
        "Involvement",
        "25.00",
        &day(c.svc.today() - Duration::days(2)),
    )
    .await
    .unwrap();
    let again =
        opportunities::record_hours(&c.svc, &organiser, &meta(), id, application, &worked, "1.5")
            .await
            .unwrap();
    assert_eq!(again, 3_750, "new work is paid at the new rate");
    let payments = opportunities::payments(&c.svc, &organiser, &meta())
        .await
        .unwrap();
    let mine: Vec<_> = payments
        .iter()
        .filter(|p| p.opportunity == "Co-design: the discharge letter")
        .map(|p| (p.pence_per_hour, p.payment_pence))
        .collect();
    assert_eq!(mine, [(2_250, 6_750), (2_500, 3_750)]);
    let csv = opportunities::payments_csv(&payments).unwrap();
    assert!(csv.starts_with(
        "Name,Email,Organisation,Opportunity,Date,Hours,Rate per hour (GBP),Payment due (GBP)"
    ));
    assert!(csv.contains("Maureen Ellis,peer.leader@demo.whatmatters.test,"));
    assert!(csv.contains(",3.00,22.50,67.50"));
    // The PCN manager's export holds only their own organisations' payments.
    assert!(
        opportunities::payments(&c.svc, &manager, &meta())
            .await
            .unwrap()
            .iter()
            .all(|p| p.opportunity != "Co-design: the discharge letter")
    );
});

async fn pass(c: &Ctx, who: &services::Actor, slug: &str) {
    let m = domain::learning::elearning::module(slug).unwrap();
    for n in 0..m.lessons.len() {
        elearning::finish_lesson(&c.svc, who, slug, n)
            .await
            .unwrap();
    }
    let answers: Vec<Option<usize>> = m.questions.iter().map(|q| Some(q.answer)).collect();
    elearning::check(&c.svc, who, &meta(), slug, &answers)
        .await
        .unwrap();
}

store::db_test!(the_programme_in_steps_with_cohorts_never_overfilled, |db| {
    let c = seeded(db).await;
    let organiser = actor(&c.svc, ORGANISER).await;
    let learner = actor(&c.svc, LEARNER).await;
    let (benefiting, leaders) = pldp::counts(&c.svc).await.unwrap();
    pldp::enrol(&c.svc, &learner, &meta()).await.unwrap();
    assert!(matches!(
        pldp::enrol(&c.svc, &learner, &meta()).await,
        Err(ServiceError::Conflict(_))
    ));
    assert_eq!(pldp::mine(&c.svc, &learner).await.unwrap().unwrap().step, 1);
    pass(&c, &learner, pldp::STEP_1).await;
    assert_eq!(pldp::mine(&c.svc, &learner).await.unwrap().unwrap().step, 2);
    // Leaving at step 2, and coming back to it.
    pldp::leave(&c.svc, &learner, &meta(), "Busy at work")
        .await
        .unwrap();
    let left = pldp::mine(&c.svc, &learner).await.unwrap().unwrap();
    assert_eq!(
        (left.step, left.state),
        (2, domain::leadership::EnrolmentState::Left)
    );
    assert!(matches!(
        pldp::leave(&c.svc, &learner, &meta(), "").await,
        Err(ServiceError::Conflict(_))
    ));
    pldp::enrol(&c.svc, &learner, &meta()).await.unwrap();
    // Not yet ready for a cohort.
    let sessions = vec![(
        "Session 1".to_owned(),
        c.svc.now() + Duration::days(7),
        c.svc.now() + Duration::days(7) + Duration::hours(2),
    )];
    let region = org(&c.svc, "Y90").await;
    let small = pldp::open_cohort(
        &c.svc,
        &organiser,
        &meta(),
        region,
        "Small group",
        "Grace Oduya",
        2,
        &sessions,
    )
    .await
    .unwrap();
    assert!(matches!(
        pldp::act(&c.svc, &organiser, &meta(), learner.user_id, Action::Place(small)).await,
        Err(ServiceError::Conflict(m)) if m.contains("steps 1 and 2")
    ));
    pass(&c, &learner, pldp::STEP_2).await;
    assert_eq!(pldp::mine(&c.svc, &learner).await.unwrap().unwrap().step, 3);
    // Five people ready for step 3 placed in a group of two, all at once: two get places.
    let overview = pldp::overview(&c.svc, &organiser, &meta()).await.unwrap();
    let mut ready: Vec<i32> = overview
        .people
        .iter()
        .filter(|p| {
            p.step == 3
                && p.cohort_id.is_none()
                && p.state == domain::leadership::EnrolmentState::Active
        })
        .map(|p| p.user_id)
        .collect();
    assert!(ready.contains(&learner.user_id));
    let others = overview
        .people
        .iter()
        .filter(|p| p.step == 3 && p.cohort_id.is_some())
        .map(|p| p.user_id);
    ready.extend(others.take(5 - ready.len()));
    assert_eq!(ready.len(), 5);
    let m = meta();
    let placed = futures::future::join_all(
        ready
            .iter()
            .map(|u| pldp::act(&c.svc, &organiser, &m, *u, Action::Place(small))),
    )
    .await;
    assert_eq!(placed.iter().filter(|r| r.is_ok()).count(), 2, "{placed:?}");
    let overview = pldp::overview(&c.svc, &organiser, &meta()).await.unwrap();
    let group = overview.cohorts.iter().find(|x| x.id == small).unwrap();
    assert_eq!(group.members.len(), 2);
    // The learner, placed or not, goes through step 3 to graduation.
    if !group.members.iter().any(|p| p.user_id == learner.user_id) {
        let big = overview
            .cohorts
            .iter()
            .find(|x| x.places > x.members.len() as i32 && x.id != small)
            .unwrap()
            .id;
        pldp::act(
            &c.svc,
            &organiser,
            &meta(),
            learner.user_id,
            Action::Place(big),
        )
        .await
        .unwrap();
    }
    assert!(matches!(
        pldp::act(&c.svc, &organiser, &meta(), learner.user_id, Action::Graduate).await,
        Err(ServiceError::Conflict(m)) if m.contains("step 3")
    ));
    pldp::act(
        &c.svc,
        &organiser,
        &meta(),
        learner.user_id,
        Action::StepThreeDone,
    )
    .await
    .unwrap();
    pldp::act(
        &c.svc,
        &organiser,
        &meta(),
        learner.user_id,
        Action::Graduate,
    )
    .await
    .unwrap();
    assert_eq!(pldp::mine(&c.svc, &learner).await.unwrap().unwrap().step, 4);
    assert_eq!(
        pldp::counts(&c.svc).await.unwrap(),
        (benefiting + 1, leaders + 1)
    );
    // Only organisers run the programme.
    let peer = actor(&c.svc, PEER).await;
    assert!(matches!(
        pldp::overview(&c.svc, &peer, &meta()).await,
        Err(ServiceError::Forbidden(_))
    ));
});

store::db_test!(members_respond_to_consultations_until_they_close, |db| {
    let c = seeded(db).await;
    let organiser = actor(&c.svc, ORGANISER).await;
    let peer = actor(&c.svc, PEER).await;
    let learner = actor(&c.svc, LEARNER).await;
    match influence::open(
        &c.svc,
        &organiser,
        &meta(),
        "champions",
        "",
        "",
        " \n ",
        None,
    )
    .await
    {
        Err(ServiceError::Invalid(list)) => {
            let fields: Vec<_> = list.iter().map(|f| f.field.as_str()).collect();
            assert_eq!(fields, influence::FIELDS);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        influence::open(
            &c.svc,
            &peer,
            &meta(),
            "champions",
            "T",
            "D",
            "Q?",
            Some(c.svc.now() + Duration::days(3))
        )
        .await,
        Err(ServiceError::Forbidden(_))
    ));
    let id = influence::open(
        &c.svc,
        &organiser,
        &meta(),
        "champions",
        "Draft guide: co-design",
        "Co-design starts early.",
        "Is it clear?\nWhat is missing?",
        Some(c.svc.now() + Duration::days(3)),
    )
    .await
    .unwrap();
    // Outside the network: not found, as if not there.
    assert!(matches!(
        influence::get(&c.svc, &learner, id).await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(matches!(
        influence::respond(&c.svc, &learner, &meta(), id, &["Yes".into()]).await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(matches!(
        influence::respond(&c.svc, &peer, &meta(), id, &[String::new(), String::new()]).await,
        Err(ServiceError::Invalid(list)) if list[0].field == "answer-1"
    ));
    influence::respond(&c.svc, &peer, &meta(), id, &["Yes".into(), String::new()])
        .await
        .unwrap();
    influence::respond(
        &c.svc,
        &peer,
        &meta(),
        id,
        &["Yes, mostly".into(), "Carers".into()],
    )
    .await
    .unwrap();
    assert_eq!(
        influence::my_answers(&c.svc, &peer, id)
            .await
            .unwrap()
            .unwrap(),
        ["Yes, mostly", "Carers"]
    );
    let (_, list, answered) = influence::responses(&c.svc, &organiser, &meta(), id)
        .await
        .unwrap();
    assert_eq!(
        list.len(),
        1,
        "one response per member, however often changed"
    );
    assert_eq!(answered, [1, 1]);
    let (consultation, ..) = influence::responses(&c.svc, &organiser, &meta(), id)
        .await
        .unwrap();
    let csv = influence::responses_csv(&consultation, &list).unwrap();
    assert!(csv.contains("Maureen Ellis,North East and Yorkshire,"));
    assert!(matches!(
        influence::responses(&c.svc, &peer, &meta(), id).await,
        Err(ServiceError::Forbidden(_))
    ));
    c.clock.advance(Duration::days(4));
    assert!(matches!(
        influence::respond(&c.svc, &peer, &meta(), id, &["Changed".into()]).await,
        Err(ServiceError::Conflict(_))
    ));
    let record = influence::record(&c.svc, &peer).await.unwrap();
    assert!(
        record
            .contributions
            .iter()
            .any(|(t, ..)| t == "Draft guide: co-design")
    );
});
