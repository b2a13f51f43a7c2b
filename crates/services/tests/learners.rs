#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Learners on both databases: opening an account by an e-mailed link, certificates issued on
//! check-in and checked by their code, re-certification reminders, e-learning that resumes
//! and certifies once, who counts as trained, organisers moving events and messaging
//! attendees, and calendar feeds.

mod common;
use common::*;

use chrono::{Duration, TimeZone, Utc};
use domain::learning::elearning::{self, CORE_SKILLS};
use domain::learning::{EventInput, Format, Kind, Mode, Pence, Session};
use domain::{Permission, Role};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use services::ServiceError;
use services::identity::sign_up::{self, SignUpInput};
use services::learning::booking::{self, Checkout};
use services::learning::{
    calendar, catalogue, certificates, elearning as learn, organise, trained,
};
use store::entities::{email_outbox, membership, sign_up as sign_up_row, user};

const ORGANISER: &str = "network.organiser@demo.whatmatters.test";
const LINK_WORKER: &str = "link.worker@demo.whatmatters.test";
const ADMIN: &str = "admin@demo.whatmatters.test";

fn event(title: &str, certificate_months: Option<i32>, accredited: bool) -> EventInput {
    // The test clock is 2026-11-02; a month after it.
    let start = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
    EventInput {
        kind: Kind::Event,
        title: title.into(),
        summary: "What it covers".into(),
        description: String::new(),
        topic: "core_skills".into(),
        region: "Y63".into(),
        format: Format::Online,
        venue: String::new(),
        join_link: String::new(),
        in_person_places: 0,
        online_places: 10,
        price: Pence(0),
        cpd_minutes: 90,
        audience: String::new(),
        sessions: vec![Session {
            title: String::new(),
            starts_at: start,
            ends_at: start + Duration::hours(2),
        }],
        certificate_months,
        accredited,
    }
}

async fn publish(c: &Ctx, e: &EventInput) -> String {
    let organiser = actor(&c.svc, ORGANISER).await;
    let region = org(&c.svc, "Y90").await;
    catalogue::create(&c.svc, &organiser, &meta(), region, e)
        .await
        .unwrap()
}

/// The newest e-mail to an address: (subject, body).
async fn last_mail(c: &Ctx, to: &str) -> (String, String) {
    let m = email_outbox::Entity::find()
        .filter(email_outbox::Column::ToAddress.eq(to))
        .order_by_desc(email_outbox::Column::Id)
        .one(c.svc.db())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no e-mail to {to}"));
    (m.subject, m.body_text)
}

/// The secret in a link `…/prefix/<secret>` in a body.
fn secret_after(body: &str, prefix: &str) -> String {
    let at = body
        .find(prefix)
        .unwrap_or_else(|| panic!("{prefix} in {body}"))
        + prefix.len();
    body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

fn signing_up(email: &str) -> SignUpInput {
    SignUpInput {
        display_name: "Chloe Nurse".into(),
        email: email.into(),
        job_role: "Nurse".into(),
        organisation_code: "b90002".into(),
    }
}

store::db_test!(learners_open_accounts_by_a_link_that_works_once, |db| {
    let c = ctx(db).await;
    // Every problem at once, each named.
    let bad = SignUpInput {
        display_name: " ".into(),
        email: "not an address".into(),
        job_role: "Astronaut".into(),
        organisation_code: "ZZ999".into(),
    };
    match sign_up::request(&c.svc, &bad, &meta()).await {
        Err(ServiceError::Invalid(list)) => {
            let fields: Vec<_> = list.iter().map(|f| f.field.as_str()).collect();
            assert_eq!(
                fields,
                ["display_name", "email", "job_role", "organisation_code"]
            );
        }
        other => panic!("{other:?}"),
    }
    let email = "chloe@example.nhs.uk";
    sign_up::request(&c.svc, &signing_up(email), &meta())
        .await
        .unwrap();
    let (subject, body) = last_mail(&c, email).await;
    assert_eq!(subject, "Finish opening your whatmatters account");
    let token = secret_after(&body, "/register/");
    // No account until the link is used.
    assert!(
        services::identity::users::find_by_email(&c.svc, email)
            .await
            .unwrap()
            .is_none()
    );
    let pending = sign_up::check(&c.svc, &token).await.unwrap().unwrap();
    assert_eq!(
        pending.organisation.as_deref(),
        Some("Bridge Street Surgery")
    );
    assert!(matches!(
        sign_up::complete(&c.svc, &token, "short", "short", &meta()).await,
        Err(ServiceError::Invalid(_))
    ));
    assert!(matches!(
        sign_up::complete(
            &c.svc,
            &token,
            "correct horse battery",
            "different words here",
            &meta()
        )
        .await,
        Err(ServiceError::Invalid(_))
    ));
    // Two submissions at once: one account.
    let m = meta();
    let (a, b) = tokio::join!(
        sign_up::complete(
            &c.svc,
            &token,
            "correct horse battery",
            "correct horse battery",
            &m
        ),
        sign_up::complete(
            &c.svc,
            &token,
            "correct horse battery",
            "correct horse battery",
            &m
        )
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|x| **x).count(),
        1,
        "{a:?} {b:?}"
    );
    let u = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(c.svc.db())
        .await
        .unwrap()
        .unwrap();
    assert!(u.active && u.password_hash.is_some());
    assert_eq!(u.job_role.as_deref(), Some("Nurse"));
    let roles: Vec<String> = membership::Entity::find()
        .filter(membership::Column::UserId.eq(u.id))
        .all(c.svc.db())
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.role)
        .collect();
    assert_eq!(roles, ["learner"]);
    let learner = actor(&c.svc, email).await;
    assert!(learner.has_role(Role::Learner));
    for p in [
        Permission::ViewOrganisations,
        Permission::ProvideCare,
        Permission::ViewInsights,
        Permission::UseApi,
        Permission::Refer,
        Permission::OrganiseEvents,
    ] {
        assert!(!learner.can(p), "{p:?}");
    }
    // The link is used up.
    assert!(sign_up::check(&c.svc, &token).await.unwrap().is_none());
    assert!(matches!(
        sign_up::complete(
            &c.svc,
            &token,
            "correct horse battery",
            "correct horse battery",
            &meta()
        )
        .await,
        Err(ServiceError::Conflict(_))
    ));
    // Asking again for a taken address looks the same, and tells the holder instead.
    let before = sign_up_row::Entity::find()
        .all(c.svc.db())
        .await
        .unwrap()
        .len();
    sign_up::request(&c.svc, &signing_up(email), &meta())
        .await
        .unwrap();
    assert_eq!(
        last_mail(&c, email).await.0,
        "You already have a whatmatters account"
    );
    assert_eq!(
        sign_up_row::Entity::find()
            .all(c.svc.db())
            .await
            .unwrap()
            .len(),
        before
    );
    // A link runs out after a day.
    let late = "late@example.org";
    let mut no_org = signing_up(late);
    no_org.organisation_code = String::new();
    sign_up::request(&c.svc, &no_org, &meta()).await.unwrap();
    let token = secret_after(&last_mail(&c, late).await.1, "/register/");
    c.clock.advance(Duration::hours(25));
    assert!(sign_up::check(&c.svc, &token).await.unwrap().is_none());
    assert!(matches!(
        sign_up::complete(
            &c.svc,
            &token,
            "correct horse battery",
            "correct horse battery",
            &meta()
        )
        .await,
        Err(ServiceError::Conflict(_))
    ));
    // And is forgotten a day after that.
    c.clock.advance(Duration::hours(24));
    assert!(sign_up::purge_expired(&c.svc).await.unwrap() >= 1);
});

store::db_test!(check_in_certifies_once_and_anyone_can_check_it, |db| {
    let c = ctx(db).await;
    let uuid = publish(&c, &event("Core skills, accredited", Some(12), true)).await;
    let lw = actor(&c.svc, LINK_WORKER).await;
    let organiser = actor(&c.svc, ORGANISER).await;
    booking::hold(&c.svc, &lw, &meta(), &uuid, Mode::Online, 1)
        .await
        .unwrap();
    booking::checkout(&c.svc, &lw, &meta(), &Checkout::default())
        .await
        .unwrap();
    booking::book_as_guest(
        &c.svc,
        &meta(),
        &uuid,
        Mode::Online,
        "Gus Guest",
        "gus@example.org",
    )
    .await
    .unwrap();
    let (_, list, _) = organise::attendees(&c.svc, &organiser, &meta(), &uuid)
        .await
        .unwrap();
    let mut codes = Vec::new();
    for a in &list {
        codes.push(
            organise::check_in(&c.svc, &organiser, &meta(), &uuid, a.place_id)
                .await
                .unwrap(),
        );
    }
    // The attendee is e-mailed it.
    let (subject, body) = last_mail(&c, LINK_WORKER).await;
    assert_eq!(subject, "Your certificate: Core skills, accredited");
    assert!(body.contains(&codes[0]), "{body}");
    // Anyone with the code can check it, typed loosely.
    let loose = codes[0].to_lowercase().replace('-', " ");
    let cert = certificates::by_code(&c.svc, &loose).await.unwrap();
    assert_eq!(cert.name, "Amira Khan");
    assert_eq!(cert.cpd_minutes, 90);
    assert_eq!(cert.issuer, "Northern Shires");
    let now = c.svc.now();
    assert!(cert.current(now));
    let expires = cert.expires_at.unwrap();
    assert!(expires > now + Duration::days(360) && expires < now + Duration::days(370));
    assert!(matches!(
        certificates::by_code(&c.svc, "WMC-AAAAA-AAAAA").await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(matches!(
        certificates::by_code(&c.svc, &"W".repeat(5000)).await,
        Err(ServiceError::NotFound(_))
    ));
    let mine = certificates::mine(&c.svc, &lw).await.unwrap();
    assert_eq!(mine.len(), 1);
    // The accredited course counts the link worker as trained, at their PCN and above; the
    // guest, with no account, is not counted.
    let admin = actor(&c.svc, ADMIN).await;
    let t = trained::counts(&c.svc, &admin).await.unwrap();
    assert_eq!(t.nation, 1);
    assert_eq!(t.aim, 75_000);
    let pcn = t
        .pcns
        .iter()
        .find(|r| r.code.as_deref() == Some("U90001"))
        .unwrap();
    assert_eq!(pcn.trained, 1);
    assert_eq!(t.regions.iter().map(|r| r.trained).sum::<u64>(), 1);
    assert!(matches!(
        trained::counts(&c.svc, &lw).await,
        Err(ServiceError::Forbidden(_))
    ));
    // Two months before it runs out, the holders are reminded to re-certify, once.
    c.clock.advance(Duration::days(300));
    assert_eq!(certificates::remind_expiring(&c.svc).await.unwrap(), 0);
    c.clock.advance(Duration::days(10));
    assert_eq!(certificates::remind_expiring(&c.svc).await.unwrap(), 2);
    assert_eq!(certificates::remind_expiring(&c.svc).await.unwrap(), 0);
    assert!(
        last_mail(&c, "gus@example.org")
            .await
            .0
            .starts_with("Time to re-certify")
    );
    c.clock.advance(Duration::days(60));
    assert!(
        !certificates::by_code(&c.svc, &codes[0])
            .await
            .unwrap()
            .current(c.svc.now())
    );
});

store::db_test!(elearning_resumes_in_order_and_a_pass_certifies_once, |db| {
    let c = ctx(db).await;
    let lw = actor(&c.svc, LINK_WORKER).await;
    let m = elearning::module(CORE_SKILLS).unwrap();
    assert!(matches!(
        learn::module(&c.svc, &lw, "no-such-module").await,
        Err(ServiceError::NotFound(_))
    ));
    // Lessons are read in order: not the second before the first.
    assert!(matches!(
        learn::lesson(&c.svc, &lw, CORE_SKILLS, 1).await,
        Err(ServiceError::Conflict(_))
    ));
    assert!(matches!(
        learn::lesson(&c.svc, &lw, CORE_SKILLS, 99).await,
        Err(ServiceError::NotFound(_))
    ));
    assert_eq!(
        learn::finish_lesson(&c.svc, &lw, CORE_SKILLS, 0)
            .await
            .unwrap()
            .lessons_done,
        1
    );
    // Sending it again changes nothing; the learner resumes at the second.
    learn::finish_lesson(&c.svc, &lw, CORE_SKILLS, 0)
        .await
        .unwrap();
    let (_, p) = learn::module(&c.svc, &lw, CORE_SKILLS).await.unwrap();
    assert_eq!(p.lessons_done, 1);
    let right: Vec<Option<usize>> = m.questions.iter().map(|q| Some(q.answer)).collect();
    assert!(matches!(
        learn::check(&c.svc, &lw, &meta(), CORE_SKILLS, &right).await,
        Err(ServiceError::Conflict(_))
    ));
    for n in 1..m.lessons.len() {
        learn::finish_lesson(&c.svc, &lw, CORE_SKILLS, n)
            .await
            .unwrap();
    }
    // Unanswered questions are named; a fail certifies nothing.
    match learn::check(&c.svc, &lw, &meta(), CORE_SKILLS, &[Some(0)]).await {
        Err(ServiceError::Invalid(list)) => assert_eq!(list[0].field, "q1"),
        other => panic!("{other:?}"),
    }
    let wrong: Vec<Option<usize>> = m
        .questions
        .iter()
        .map(|q| Some((q.answer + 1) % q.options.len()))
        .collect();
    let out = learn::check(&c.svc, &lw, &meta(), CORE_SKILLS, &wrong)
        .await
        .unwrap();
    assert!(!out.marked.passed && out.certificate.is_none());
    // Passes sent at once: one certificate.
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (svc, lw, right) = (c.svc.clone(), lw.clone(), right.clone());
        tasks.push(tokio::spawn(async move {
            learn::check(&svc, &lw, &meta(), CORE_SKILLS, &right).await
        }));
    }
    let mut issued = 0;
    for t in tasks {
        let out = t.await.unwrap().unwrap();
        assert!(out.marked.passed);
        issued += usize::from(out.certificate.is_some());
    }
    assert_eq!(issued, 1);
    let (_, p) = learn::module(&c.svc, &lw, CORE_SKILLS).await.unwrap();
    assert_eq!((p.attempts, p.best_score), (7, Some(100)));
    assert!(p.passed_at.is_some());
    let mine = certificates::mine(&c.svc, &lw).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].kind, "module");
    assert_eq!(mine[0].issuer, "whatmatters e-learning");
    let admin = actor(&c.svc, ADMIN).await;
    assert_eq!(trained::counts(&c.svc, &admin).await.unwrap().nation, 1);
});

store::db_test!(organisers_move_events_and_message_attendees, |db| {
    let c = ctx(db).await;
    let uuid = publish(&c, &event("Moving day", None, false)).await;
    let organiser = actor(&c.svc, ORGANISER).await;
    let lw = actor(&c.svc, LINK_WORKER).await;
    for (name, email) in [("Ann", "ann@example.org"), ("Bob", "bob@example.org")] {
        booking::book_as_guest(&c.svc, &meta(), &uuid, Mode::Online, name, email)
            .await
            .unwrap();
    }
    let e = catalogue::get(&c.svc, &uuid).await.unwrap();
    let later = |days: i64, hours: i64| Session {
        title: String::new(),
        starts_at: e.starts_at + Duration::days(days),
        ends_at: e.starts_at + Duration::days(days) + Duration::hours(hours),
    };
    assert!(matches!(
        organise::move_event(&c.svc, &lw, &meta(), &uuid, vec![later(7, 2)]).await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        organise::move_event(&c.svc, &organiser, &meta(), &uuid, vec![later(7, -1)]).await,
        Err(ServiceError::Invalid(_))
    ));
    assert!(matches!(
        organise::move_event(&c.svc, &organiser, &meta(), &uuid, e.sessions.clone()).await,
        Err(ServiceError::Invalid(_))
    ));
    assert!(matches!(
        organise::move_event(&c.svc, &organiser, &meta(), &uuid, vec![later(-60, 2)]).await,
        Err(ServiceError::Invalid(_))
    ));
    assert_eq!(
        organise::move_event(&c.svc, &organiser, &meta(), &uuid, vec![later(7, 3)])
            .await
            .unwrap(),
        2
    );
    let moved = catalogue::get(&c.svc, &uuid).await.unwrap();
    assert_eq!(moved.starts_at, e.starts_at + Duration::days(7));
    assert_eq!(moved.ends_at - moved.starts_at, Duration::hours(3));
    let (subject, body) = last_mail(&c, "ann@example.org").await;
    assert_eq!(subject, "New date: Moving day");
    assert!(body.contains("carries over"), "{body}");
    // Messages need a subject and a body, and go to each booked address once.
    match organise::message(&c.svc, &organiser, &meta(), &uuid, "", "").await {
        Err(ServiceError::Invalid(list)) => assert_eq!(list.len(), 2),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        organise::message(&c.svc, &lw, &meta(), &uuid, "Hi", "Bring a pen").await,
        Err(ServiceError::Forbidden(_))
    ));
    assert_eq!(
        organise::message(
            &c.svc,
            &organiser,
            &meta(),
            &uuid,
            "What to bring",
            "A pen."
        )
        .await
        .unwrap(),
        2
    );
    let (subject, body) = last_mail(&c, "bob@example.org").await;
    assert_eq!(subject, "Moving day: What to bring");
    assert!(
        body.contains("A pen.") && body.contains("Owen Hughes"),
        "{body}"
    );
    // A cancelled event cannot be moved.
    organise::cancel_event(&c.svc, &organiser, &meta(), &uuid, "Snow")
        .await
        .unwrap();
    assert!(matches!(
        organise::move_event(&c.svc, &organiser, &meta(), &uuid, vec![later(14, 2)]).await,
        Err(ServiceError::Conflict(_))
    ));
});

store::db_test!(calendar_feeds_per_organisation_and_per_learner, |db| {
    let c = ctx(db).await;
    let uuid = publish(&c, &event("In the calendar", None, false)).await;
    let lw = actor(&c.svc, LINK_WORKER).await;
    let region = org(&c.svc, "Y90").await;
    let (name, events) = calendar::organisation_events(&c.svc, region).await.unwrap();
    assert_eq!(name, "Northern Shires");
    assert!(events.iter().any(|e| e.uuid == uuid));
    assert!(matches!(
        calendar::organisation_events(&c.svc, 999_999).await,
        Err(ServiceError::NotFound(_))
    ));
    booking::hold(&c.svc, &lw, &meta(), &uuid, Mode::Online, 1)
        .await
        .unwrap();
    booking::checkout(&c.svc, &lw, &meta(), &Checkout::default())
        .await
        .unwrap();
    assert!(!calendar::has_feed(&c.svc, &lw).await.unwrap());
    let token = calendar::new_feed(&c.svc, &lw).await.unwrap();
    let (_, mine) = calendar::booked_events(&c.svc, &token).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].uuid, uuid);
    // A new address ends the old one.
    let again = calendar::new_feed(&c.svc, &lw).await.unwrap();
    assert!(matches!(
        calendar::booked_events(&c.svc, &token).await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(calendar::booked_events(&c.svc, &again).await.is_ok());
});

store::db_test!(
    organisers_change_details_and_places_added_go_to_those_waiting,
    |db| {
        use services::learning::waitlist::{self, Joiner};
        let c = ctx(db).await;
        let mut e = event("Small room", None, false);
        e.online_places = 1;
        let uuid = publish(&c, &e).await;
        let organiser = actor(&c.svc, ORGANISER).await;
        let lw = actor(&c.svc, LINK_WORKER).await;
        booking::book_as_guest(
            &c.svc,
            &meta(),
            &uuid,
            Mode::Online,
            "Ann",
            "ann@example.org",
        )
        .await
        .unwrap();
        waitlist::join(
            &c.svc,
            &meta(),
            &uuid,
            Mode::Online,
            Joiner::Guest {
                name: "Wes",
                email: "wes@example.org",
            },
        )
        .await
        .unwrap();
        let mut changed = e.clone();
        changed.title = "Bigger room".into();
        changed.online_places = 3;
        assert!(matches!(
            organise::edit_event(&c.svc, &lw, &meta(), &uuid, &changed).await,
            Err(ServiceError::Forbidden(_))
        ));
        // Once booked, the price and format stay, and places never go below those taken.
        let mut bad = changed.clone();
        bad.price = Pence(1_000);
        bad.format = Format::InPerson;
        bad.venue = "Hall".into();
        bad.in_person_places = 5;
        match organise::edit_event(&c.svc, &organiser, &meta(), &uuid, &bad).await {
            Err(ServiceError::Invalid(list)) => {
                let fields: Vec<_> = list.iter().map(|f| f.field.as_str()).collect();
                assert_eq!(fields, ["format", "price", "online_places"], "{list:?}");
            }
            other => panic!("{other:?}"),
        }
        let mut fewer = changed.clone();
        fewer.online_places = 1;
        organise::edit_event(&c.svc, &organiser, &meta(), &uuid, &fewer)
            .await
            .unwrap();
        // Two more places: the one waiting is offered one at once; the other is on sale.
        organise::edit_event(&c.svc, &organiser, &meta(), &uuid, &changed)
            .await
            .unwrap();
        let now = catalogue::get(&c.svc, &uuid).await.unwrap();
        assert_eq!(now.title, "Bigger room");
        let pool = now.pool(Mode::Online).unwrap();
        assert_eq!(
            (pool.places, pool.taken),
            (3, 2),
            "one booked, one kept for the offer"
        );
        assert!(
            last_mail(&c, "wes@example.org")
                .await
                .0
                .starts_with("A place has come free")
        );
    }
);

store::db_test!(
    a_hold_that_ran_out_is_freed_once_however_many_let_it_go,
    |db| {
        let c = ctx(db).await;
        let mut e = event("Five places", None, false);
        e.online_places = 5;
        let uuid = publish(&c, &e).await;
        for i in 0..4 {
            booking::book_as_guest(
                &c.svc,
                &meta(),
                &uuid,
                Mode::Online,
                "Guest",
                &format!("g{i}@example.org"),
            )
            .await
            .unwrap();
        }
        let lw = actor(&c.svc, LINK_WORKER).await;
        booking::hold(&c.svc, &lw, &meta(), &uuid, Mode::Online, 1)
            .await
            .unwrap();
        assert_eq!(catalogue::get(&c.svc, &uuid).await.unwrap().left(), 0);
        c.clock.advance(Duration::minutes(31));
        // Many let it go at once (the chore in several instances, and a buyer's basket).
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let svc = c.svc.clone();
            tasks.push(tokio::spawn(
                async move { booking::release_expired(&svc).await },
            ));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let pool = catalogue::get(&c.svc, &uuid)
            .await
            .unwrap()
            .pool(Mode::Online)
            .unwrap();
        assert_eq!(pool.taken, 4, "the four booked, and the hold freed once");
    }
);
