#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Learning and events on both databases: publishing and finding events, baskets that hold
//! places for a while, checkout, cancellation and payment, and capacity that is never oversold
//! under many buyers at once.

mod common;
use common::*;

use chrono::{Duration, TimeZone, Utc};
use domain::learning::{EventInput, Format, Kind, Mode, OrderState, Pence, Session};
use services::ServiceError;
use services::learning::booking::{self, Checkout, Holder};
use services::learning::catalogue::{self, Filter};
use services::paging::Paging;

const ORGANISER: &str = "network.organiser@demo.whatmatters.test";
const LINK_WORKER: &str = "link.worker@demo.whatmatters.test";
const COACH: &str = "coach@demo.whatmatters.test";

fn input(title: &str, format: Format, places: i32, price: i64) -> EventInput {
    let start = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
    EventInput {
        kind: Kind::Event,
        title: title.into(),
        summary: "Practical skills for everyday conversations".into(),
        description: String::new(),
        topic: "shared_decision_making".into(),
        region: "Y63".into(),
        format,
        venue: if format == Format::Online {
            String::new()
        } else {
            "Riverdale Civic Hall".into()
        },
        join_link: "https://meet.example.org/sdm".into(),
        in_person_places: places,
        online_places: places,
        price: Pence(price),
        cpd_minutes: 180,
        audience: "Link workers".into(),
        sessions: vec![Session {
            title: String::new(),
            starts_at: start,
            ends_at: start + Duration::hours(3),
        }],
        certificate_months: None,
        accredited: false,
    }
}

async fn publish(c: &Ctx, e: &EventInput) -> String {
    let organiser = actor(&c.svc, ORGANISER).await;
    let region = org(&c.svc, "Y90").await;
    catalogue::create(&c.svc, &organiser, &meta(), region, e)
        .await
        .unwrap()
}

fn page() -> Paging {
    Paging::new(1, 50).unwrap()
}

store::db_test!(organisers_publish_events_and_anyone_finds_them, |db| {
    let c = ctx(db).await;
    let sdm = publish(&c, &input("Shared decision making", Format::Hybrid, 20, 0)).await;
    let mut paid = input("Care planning masterclass", Format::Online, 50, 4_500);
    paid.topic = "care_planning".into();
    publish(&c, &paid).await;
    let all = catalogue::find(&c.svc, &Filter::default(), page())
        .await
        .unwrap();
    assert_eq!(all.total, 2);
    let online = catalogue::find(
        &c.svc,
        &Filter {
            format: Some(Format::Online),
            ..Filter::default()
        },
        page(),
    )
    .await
    .unwrap();
    assert_eq!(online.events.len(), 1);
    assert_eq!(online.events[0].price, Pence(4_500));
    let free = catalogue::find(
        &c.svc,
        &Filter {
            free: Some(true),
            text: "DECISION".into(),
            ..Filter::default()
        },
        page(),
    )
    .await
    .unwrap();
    assert_eq!(free.events.len(), 1);
    assert_eq!(free.events[0].uuid, sdm);
    let e = catalogue::get(&c.svc, &sdm).await.unwrap();
    assert_eq!(e.pools.len(), 2, "hybrid: places in the room and online");
    assert_eq!(e.left(), 40);
    assert_eq!(e.organiser, "Northern Shires");
    // Someone who does not run events cannot publish one.
    let lw = actor(&c.svc, LINK_WORKER).await;
    let region = org(&c.svc, "Y90").await;
    assert!(matches!(
        catalogue::create(
            &c.svc,
            &lw,
            &meta(),
            region,
            &input("X", Format::Online, 5, 0)
        )
        .await,
        Err(ServiceError::Forbidden(_))
    ));
    // Bad input is named, and nothing is saved.
    let mut bad = input("", Format::Hybrid, 0, -1);
    bad.sessions[0].ends_at = bad.sessions[0].starts_at - Duration::hours(1);
    match catalogue::create(
        &c.svc,
        &actor(&c.svc, ORGANISER).await,
        &meta(),
        region,
        &bad,
    )
    .await
    {
        Err(ServiceError::Invalid(list)) => {
            let fields: Vec<&str> = list.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(
                fields,
                [
                    "title",
                    "in_person_places",
                    "online_places",
                    "price",
                    "ends_at"
                ]
            );
        }
        other => panic!("{:?}", other.err()),
    }
    let mut past = input("Yesterday", Format::Online, 5, 0);
    past.sessions[0].starts_at = Utc.with_ymd_and_hms(2026, 11, 1, 10, 0, 0).unwrap();
    past.sessions[0].ends_at = Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap();
    assert!(matches!(
        catalogue::create(
            &c.svc,
            &actor(&c.svc, ORGANISER).await,
            &meta(),
            region,
            &past
        )
        .await,
        Err(ServiceError::Invalid(_))
    ));
    assert_eq!(
        catalogue::find(&c.svc, &Filter::default(), page())
            .await
            .unwrap()
            .total,
        2
    );
});

store::db_test!(baskets_hold_places_for_a_while_then_let_them_go, |db| {
    let c = ctx(db).await;
    let uuid = publish(&c, &input("Small group", Format::InPerson, 3, 0)).await;
    let lw = actor(&c.svc, LINK_WORKER).await;
    let coach = actor(&c.svc, COACH).await;
    booking::hold(&c.svc, &lw, &meta(), &uuid, Mode::InPerson, 2)
        .await
        .unwrap();
    let b = booking::basket(&c.svc, &lw).await.unwrap();
    assert_eq!((b.places(), b.total()), (2, Pence::FREE));
    assert_eq!(catalogue::get(&c.svc, &uuid).await.unwrap().left(), 1);
    // Only one is left for anyone else; asking for two says so.
    match booking::hold(&c.svc, &coach, &meta(), &uuid, Mode::InPerson, 2).await {
        Err(ServiceError::Conflict(m)) => assert!(m.contains("Only 1 place is left"), "{m}"),
        other => panic!("{other:?}"),
    }
    // No online places at a face-to-face event.
    assert!(matches!(
        booking::hold(&c.svc, &coach, &meta(), &uuid, Mode::Online, 1).await,
        Err(ServiceError::Invalid(_))
    ));
    // The hold runs out: the places go back on sale, and checkout says why there is nothing.
    c.clock.advance(Duration::minutes(31));
    booking::hold(&c.svc, &coach, &meta(), &uuid, Mode::InPerson, 3)
        .await
        .unwrap();
    match booking::checkout(&c.svc, &lw, &meta(), &Checkout::default()).await {
        Err(ServiceError::Conflict(m)) => assert!(m.contains("gone back on sale"), "{m}"),
        other => panic!("{other:?}"),
    }
    let code = booking::checkout(&c.svc, &coach, &meta(), &Checkout::default())
        .await
        .unwrap();
    let o = booking::order(&c.svc, &code, Holder::Account(&coach))
        .await
        .unwrap();
    assert_eq!((o.state, o.lines[0].places), (OrderState::Confirmed, 3));
    assert!(o.join_links.is_empty(), "no joining link for a room");
    assert!(
        booking::basket(&c.svc, &coach)
            .await
            .unwrap()
            .lines
            .is_empty()
    );
    // Someone else's order is not there, as one that does not exist is not.
    assert!(matches!(
        booking::order(&c.svc, &code, Holder::Account(&lw)).await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(matches!(
        booking::order(&c.svc, "WM-NOSUCH", Holder::Account(&lw)).await,
        Err(ServiceError::NotFound(_))
    ));
    // The chore lets go of what ran out, whoever held it.
    let uuid2 = publish(&c, &input("Another", Format::Online, 5, 0)).await;
    booking::hold(&c.svc, &lw, &meta(), &uuid2, Mode::Online, 4)
        .await
        .unwrap();
    c.clock.advance(Duration::minutes(31));
    assert_eq!(booking::release_expired(&c.svc).await.unwrap(), 4);
    assert_eq!(catalogue::get(&c.svc, &uuid2).await.unwrap().left(), 5);
});

store::db_test!(
    paid_orders_wait_for_payment_and_each_step_happens_once,
    |db| {
        let c = ctx(db).await;
        let uuid = publish(&c, &input("Masterclass", Format::Online, 10, 4_500)).await;
        let lw = actor(&c.svc, LINK_WORKER).await;
        booking::hold(&c.svc, &lw, &meta(), &uuid, Mode::Online, 2)
            .await
            .unwrap();
        // A paid basket needs a purchase order number to invoice.
        match booking::checkout(&c.svc, &lw, &meta(), &Checkout::default()).await {
            Err(ServiceError::Invalid(e)) => assert_eq!(e[0].field, "po_number"),
            other => panic!("{other:?}"),
        }
        let code = booking::checkout(
            &c.svc,
            &lw,
            &meta(),
            &Checkout {
                po_number: "PO-1234".into(),
            },
        )
        .await
        .unwrap();
        let o = booking::order(&c.svc, &code, Holder::Account(&lw))
            .await
            .unwrap();
        assert_eq!((o.state, o.total), (OrderState::Pending, Pence(9_000)));
        assert_eq!(o.join_links.len(), 1, "those booked see the joining link");
        let organiser = actor(&c.svc, ORGANISER).await;
        // Only an organiser of its events may mark it paid; to anyone else it is not there.
        let coach = actor(&c.svc, COACH).await;
        assert!(matches!(
            booking::mark_paid(&c.svc, &coach, &meta(), &code).await,
            Err(ServiceError::Forbidden(_))
        ));
        booking::mark_paid(&c.svc, &organiser, &meta(), &code)
            .await
            .unwrap();
        assert!(matches!(
            booking::mark_paid(&c.svc, &organiser, &meta(), &code).await,
            Err(ServiceError::Conflict(_))
        ));
        // Paid orders are refunded by the organiser, not cancelled by the buyer.
        assert!(matches!(
            booking::cancel(&c.svc, &meta(), &code, Holder::Account(&lw)).await,
            Err(ServiceError::Conflict(_))
        ));
        // A free booking by a guest, managed by the link in its e-mail.
        let free = publish(&c, &input("Open evening", Format::Online, 10, 0)).await;
        let (gcode, token) = booking::book_as_guest(
            &c.svc,
            &meta(),
            &free,
            Mode::Online,
            "Pat Guest",
            "pat@example.org",
        )
        .await
        .unwrap();
        assert!(matches!(
            booking::order(&c.svc, &gcode, Holder::Link("not-the-token")).await,
            Err(ServiceError::NotFound(_))
        ));
        booking::cancel(&c.svc, &meta(), &gcode, Holder::Link(&token))
            .await
            .unwrap();
        assert!(matches!(
            booking::cancel(&c.svc, &meta(), &gcode, Holder::Link(&token)).await,
            Err(ServiceError::Conflict(_))
        ));
        assert_eq!(catalogue::get(&c.svc, &free).await.unwrap().left(), 10);
        // Guests cannot book what costs money.
        assert!(matches!(
            booking::book_as_guest(
                &c.svc,
                &meta(),
                &uuid,
                Mode::Online,
                "Pat",
                "pat@example.org"
            )
            .await,
            Err(ServiceError::Conflict(_))
        ));
    }
);

store::db_test!(
    two_hundred_buyers_at_once_take_exactly_the_last_ten_places,
    |db| {
        let c = ctx(db).await;
        let uuid = publish(&c, &input("Popular", Format::Online, 60, 0)).await;
        // Fifty places go first, so ten are left.
        for i in 0..50 {
            booking::book_as_guest(
                &c.svc,
                &meta(),
                &uuid,
                Mode::Online,
                "Early",
                &format!("early{i}@example.org"),
            )
            .await
            .unwrap();
        }
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                let svc = c.svc.clone();
                let uuid = uuid.clone();
                tokio::spawn(async move {
                    booking::book_as_guest(
                        &svc,
                        &meta(),
                        &uuid,
                        Mode::Online,
                        "Racer",
                        &format!("racer{i}@example.org"),
                    )
                    .await
                })
            })
            .collect();
        let (mut sold, mut full) = (0, 0);
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => sold += 1,
                Err(ServiceError::Conflict(m)) if m.contains("is full") || m.contains("left") => {
                    full += 1
                }
                Err(e) => panic!("{e:?}"),
            }
        }
        assert_eq!((sold, full), (10, 190));
        let e = catalogue::get(&c.svc, &uuid).await.unwrap();
        assert_eq!(e.left(), 0);
        let booked = services::learning::booking::booked_count(&c.svc, &uuid)
            .await
            .unwrap();
        assert_eq!(booked, 60, "the count and the places agree");
    }
);

store::db_test!(a_freed_place_is_offered_down_the_waiting_list, |db| {
    use services::learning::waitlist::{self, Joiner, Standing};
    let c = ctx(db).await;
    let uuid = publish(&c, &input("Tiny", Format::Online, 2, 0)).await;
    let book = |i: usize| {
        let svc = c.svc.clone();
        let uuid = uuid.clone();
        async move {
            booking::book_as_guest(
                &svc,
                &meta(),
                &uuid,
                Mode::Online,
                "Booker",
                &format!("b{i}@example.org"),
            )
            .await
            .unwrap()
        }
    };
    let (first, first_token) = book(1).await;
    let (second, second_token) = book(2).await;
    let join = |who: &'static str| {
        let svc = c.svc.clone();
        let uuid = uuid.clone();
        async move {
            waitlist::join(
                &svc,
                &meta(),
                &uuid,
                Mode::Online,
                Joiner::Guest {
                    name: who,
                    email: &format!("{}@example.org", who.to_lowercase()),
                },
            )
            .await
        }
    };
    let a = join("Ann").await.unwrap();
    let b = join("Bob").await.unwrap();
    let cc = join("Cat").await.unwrap();
    assert!(
        matches!(join("Ann").await, Err(ServiceError::Conflict(_))),
        "once"
    );
    assert_eq!(
        waitlist::standing(&c.svc, &cc).await.unwrap().standing,
        Standing::Waiting { ahead: 2 }
    );
    // A cancellation keeps the place for the first person waiting; no one else can book it.
    booking::cancel(&c.svc, &meta(), &first, Holder::Link(&first_token))
        .await
        .unwrap();
    assert!(matches!(
        waitlist::standing(&c.svc, &a).await.unwrap().standing,
        Standing::Offered { .. }
    ));
    assert_eq!(catalogue::get(&c.svc, &uuid).await.unwrap().left(), 0);
    assert!(matches!(
        booking::book_as_guest(
            &c.svc,
            &meta(),
            &uuid,
            Mode::Online,
            "Zed",
            "zed@example.org"
        )
        .await,
        Err(ServiceError::Conflict(_))
    ));
    let (code, _) = waitlist::accept(&c.svc, &meta(), &a, "").await.unwrap();
    assert!(code.starts_with("WM-"));
    assert_eq!(
        waitlist::standing(&c.svc, &a).await.unwrap().standing,
        Standing::Booked
    );
    assert!(
        matches!(
            waitlist::accept(&c.svc, &meta(), &a, "").await,
            Err(ServiceError::Conflict(_))
        ),
        "an offer is taken once"
    );
    // Bob is offered the next place but lets it run out: it passes to Cat.
    booking::cancel(&c.svc, &meta(), &second, Holder::Link(&second_token))
        .await
        .unwrap();
    c.clock.advance(Duration::hours(49));
    assert_eq!(waitlist::expire_offers(&c.svc).await.unwrap(), 1);
    match waitlist::accept(&c.svc, &meta(), &b, "").await {
        Err(ServiceError::Conflict(m)) => assert!(m.contains("ran out"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        waitlist::standing(&c.svc, &cc).await.unwrap().standing,
        Standing::Offered { .. }
    ));
    // Cat leaves instead: no one is waiting, so the place goes back on sale.
    waitlist::leave(&c.svc, &meta(), &cc).await.unwrap();
    assert!(matches!(
        waitlist::leave(&c.svc, &meta(), &cc).await,
        Err(ServiceError::Conflict(_))
    ));
    assert_eq!(catalogue::get(&c.svc, &uuid).await.unwrap().left(), 1);
    // With a place free, joining the list says to book it instead.
    assert!(matches!(join("Dan").await, Err(ServiceError::Conflict(_))));
    assert!(matches!(
        waitlist::standing(&c.svc, "not-a-token").await,
        Err(ServiceError::NotFound(_))
    ));
});

store::db_test!(
    organisers_see_who_booked_check_them_in_remind_and_cancel,
    |db| {
        use services::learning::organise;
        let c = ctx(db).await;
        let uuid = publish(&c, &input("Check-in day", Format::Online, 5, 0)).await;
        let organiser = actor(&c.svc, ORGANISER).await;
        let lw = actor(&c.svc, LINK_WORKER).await;
        booking::book_as_guest(
            &c.svc,
            &meta(),
            &uuid,
            Mode::Online,
            "=HYPERLINK(\"x\")",
            "a@example.org",
        )
        .await
        .unwrap();
        booking::book_as_guest(
            &c.svc,
            &meta(),
            &uuid,
            Mode::Online,
            "Bea Booked",
            "b@example.org",
        )
        .await
        .unwrap();
        let (_, list, waiting) = organise::attendees(&c.svc, &organiser, &meta(), &uuid)
            .await
            .unwrap();
        assert_eq!((list.len(), waiting), (2, 0));
        assert!(matches!(
            organise::attendees(&c.svc, &lw, &meta(), &uuid).await,
            Err(ServiceError::Forbidden(_))
        ));
        // A spreadsheet does not run a name as a formula.
        let csv = organise::to_csv(&list).unwrap();
        assert!(csv.starts_with("Name,Email,"), "{csv}");
        assert!(csv.contains("'=HYPERLINK"), "{csv}");
        organise::check_in(&c.svc, &organiser, &meta(), &uuid, list[1].place_id)
            .await
            .unwrap();
        assert!(matches!(
            organise::check_in(&c.svc, &organiser, &meta(), &uuid, list[1].place_id).await,
            Err(ServiceError::Conflict(_))
        ));
        assert!(matches!(
            organise::check_in(&c.svc, &organiser, &meta(), &uuid, 999_999).await,
            Err(ServiceError::NotFound(_))
        ));
        // A week before, and a day before, each attendee is reminded once.
        c.clock.advance(Duration::days(24));
        assert_eq!(organise::remind(&c.svc).await.unwrap(), 2);
        assert_eq!(organise::remind(&c.svc).await.unwrap(), 0);
        c.clock.advance(Duration::days(4) + Duration::hours(1));
        assert_eq!(organise::remind(&c.svc).await.unwrap(), 2);
        assert_eq!(organise::remind(&c.svc).await.unwrap(), 0);
        // Cancelling needs a reason, tells everyone, and happens once.
        assert!(matches!(
            organise::cancel_event(&c.svc, &organiser, &meta(), &uuid, " ").await,
            Err(ServiceError::Invalid(_))
        ));
        assert_eq!(
            organise::cancel_event(&c.svc, &organiser, &meta(), &uuid, "The trainer is unwell.")
                .await
                .unwrap(),
            2
        );
        assert!(matches!(
            organise::cancel_event(&c.svc, &organiser, &meta(), &uuid, "Again").await,
            Err(ServiceError::Conflict(_))
        ));
        let e = catalogue::get(&c.svc, &uuid).await.unwrap();
        assert!(e.cancelled);
        assert_eq!(booking::booked_count(&c.svc, &uuid).await.unwrap(), 0);
        assert!(matches!(
            booking::book_as_guest(
                &c.svc,
                &meta(),
                &uuid,
                Mode::Online,
                "Late",
                "late@example.org"
            )
            .await,
            Err(ServiceError::Conflict(_))
        ));
    }
);
