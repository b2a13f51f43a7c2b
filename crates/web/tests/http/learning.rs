//! Learning and events: the public catalogue and event pages, a guest's booking of a free
//! place, the basket and checkout for those signed in, invoices marked paid by organisers, and
//! bookings that only their holder can see or cancel.

use axum::http::StatusCode;

use crate::common::*;

const ORGANISER: &str = "network.organiser@demo.whatmatters.test";
const COACH: &str = "coach@demo.whatmatters.test";

fn event(i: usize) -> String {
    domain::directory::taxonomy::uuid_of(&format!("demo-event/{i}")).to_string()
}

async fn get(app: &App, path: &str) -> Resp {
    let mut b = Browser::default();
    app.get(&mut b, path).await
}

/// The path a redirect leads to, and its query.
fn booking_link(r: &Resp) -> String {
    r.location().to_owned()
}

seeded_db_test!(anyone_finds_events_by_topic_format_date_and_price, |db| {
    let app = app(db).await;
    let all = get(&app, "/learning").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert!(all.body.contains("Shared decision making in practice"));
    assert!(all.body.contains("Link worker network meeting"));
    assert!(all.body.contains(">Full<"), "the full meeting says so");
    assert!(all.body.contains("2 places left"), "{}", all.body);
    assert!(!all.body.contains("(autumn)"), "past events are not listed");
    let past = get(&app, "/learning?past=yes").await;
    assert!(
        past.body
            .contains("Shared decision making in practice (autumn)")
    );
    let online_paid = get(&app, "/learning?format=online&price=paid").await;
    assert!(
        online_paid.body.contains("masterclass"),
        "{}",
        online_paid.body
    );
    assert!(
        !online_paid
            .body
            .contains("Personal health budgets: an introduction")
    );
    let topic = get(&app, "/learning?topic=health_coaching").await;
    assert!(topic.body.contains("four-week course"));
    assert!(topic.body.contains("4 sessions, starting"));
    // After a date: the meeting in 10 days is before 2026-11-20.
    let later = get(&app, "/learning?from-day=20&from-month=11&from-year=2026").await;
    assert_eq!(later.status, StatusCode::OK);
    assert!(!later.body.contains("Link worker network meeting"));
    assert!(later.body.contains("Personal health budgets"));
    // Bad filters are named in the error summary.
    let bad = get(
        &app,
        "/learning?format=telepathy&from-day=31&from-month=2&from-year=2027&price=cheap",
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["#format", "#from", "#price"] {
        assert!(bad.body.contains(&format!("href=\"{field}\"")), "{field}");
    }
    assert!(bad.body.contains("<title>Error: "));
    // An event's page: when, where, places of each kind, price.
    let sdm = get(&app, &format!("/learning/events/{}", event(1))).await;
    assert_eq!(sdm.status, StatusCode::OK);
    assert!(
        sdm.body.contains("5 of 20 places left in the room"),
        "{}",
        sdm.body
    );
    assert!(sdm.body.contains("places left online"));
    assert!(sdm.body.contains("Book a place"));
    assert!(
        !sdm.body.contains("meet.example.org"),
        "no joining link until booked"
    );
    // Its sessions as a calendar file: a course has one entry a week.
    let ics = get(&app, &format!("/learning/events/{}/calendar.ics", event(3))).await;
    assert_eq!(ics.status, StatusCode::OK);
    assert!(ics.body.starts_with("BEGIN:VCALENDAR"), "{}", ics.body);
    assert_eq!(ics.body.matches("BEGIN:VEVENT").count(), 4, "{}", ics.body);
    assert!(
        ics.body
            .contains("SUMMARY:Health coaching skills: a four-week course: Week 1")
    );
    assert!(
        ics.body.contains("DTSTART:20261207T090000Z"),
        "{}",
        ics.body
    );
    assert_eq!(
        get(&app, "/learning/events/not-a-uuid/calendar.ics")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let full = get(&app, &format!("/learning/events/{}", event(4))).await;
    assert!(full.body.contains("is full"));
    assert!(!full.body.contains("Book a place"));
    let cancelled = get(&app, &format!("/learning/events/{}", event(8))).await;
    assert!(cancelled.body.contains("facilitator is unwell"));
    assert!(!cancelled.body.contains("Book a place"));
    for path in [
        "/learning/events/not-a-uuid".to_owned(),
        format!("/learning/events/{}", uuid::Uuid::new_v4()),
    ] {
        assert_eq!(
            get(&app, &path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
});

seeded_db_test!(
    a_guest_books_a_free_place_and_manages_it_by_the_link,
    |db| {
        let app = app(db).await;
        let mut guest = Browser::default();
        let path = format!("/learning/events/{}", event(1));
        guest.csrf = app.get(&mut guest, &path).await.csrf();
        // Missing name, a bad address and no choice of room or online: each named, typed kept.
        let bad = app
            .post(
                &mut guest,
                &format!("{path}/book"),
                &[("name", ""), ("email", "not-an-address")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains("href=\"#mode\""), "{}", bad.body);
        let bad = app
            .post(
                &mut guest,
                &format!("{path}/book"),
                &[
                    ("mode", "online"),
                    ("name", ""),
                    ("email", "not-an-address"),
                ],
            )
            .await;
        assert!(bad.body.contains("href=\"#name\""));
        assert!(bad.body.contains("href=\"#email\""));
        assert!(bad.body.contains("value=\"not-an-address\""));
        let ok = app
            .post(
                &mut guest,
                &format!("{path}/book"),
                &[
                    ("mode", "online"),
                    ("name", "Pat Guest"),
                    ("email", "pat.guest@example.org"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let link = booking_link(&ok);
        assert!(link.contains("token="), "{link}");
        let page = app.get(&mut guest, &link).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Your places are booked"));
        assert!(
            page.body.contains("meet.example.org"),
            "booked: the joining link shows"
        );
        let code = link
            .trim_start_matches("/learning/bookings/")
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        // Without the link's secret it is not there, as a booking that does not exist is not.
        for p in [
            format!("/learning/bookings/{code}"),
            format!("/learning/bookings/{code}?token=wrong"),
            "/learning/bookings/WM-NOSUCH?token=wrong".to_owned(),
        ] {
            assert_eq!(get(&app, &p).await.status, StatusCode::NOT_FOUND, "{p}");
        }
        let mut lw = app.sign_in(LINK_WORKER).await;
        assert_eq!(
            app.get(&mut lw, &format!("/learning/bookings/{code}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.post(&mut lw, &format!("/learning/bookings/{code}/cancel"), &[])
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        // The e-mail is queued with the link.
        let token = link
            .split("token=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap();
        let cancel = app
            .post(
                &mut guest,
                &format!("/learning/bookings/{code}/cancel"),
                &[("token", token)],
            )
            .await;
        assert_eq!(cancel.status, StatusCode::SEE_OTHER);
        let again = app
            .post(
                &mut guest,
                &format!("/learning/bookings/{code}/cancel"),
                &[("token", token)],
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(again.body.contains("already cancelled"), "{}", again.body);
        // A paid event cannot be booked as a guest.
        let paid = app
            .post(
                &mut guest,
                &format!("/learning/events/{}/book", event(2)),
                &[
                    ("mode", "online"),
                    ("name", "Pat"),
                    ("email", "pat@example.org"),
                ],
            )
            .await;
        assert_eq!(paid.status, StatusCode::CONFLICT);
        assert!(paid.body.contains("sign in"), "{}", paid.body);
    }
);

seeded_db_test!(
    a_basket_checks_out_and_the_organiser_marks_the_invoice_paid,
    |db| {
        let app = app(db).await;
        let mut coach = app.sign_in(COACH).await;
        let paid = format!("/learning/events/{}", event(2));
        let page = app.get(&mut coach, &paid).await;
        assert!(page.body.contains("Add to basket"));
        // Too many places, and nonsense, are named.
        for places in ["21", "two", "0"] {
            let r = app
                .post(
                    &mut coach,
                    &format!("{paid}/basket"),
                    &[("mode", "online"), ("places", places)],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{places}");
            assert!(r.body.contains("href=\"#places\""), "{places}");
        }
        let added = app
            .post(
                &mut coach,
                &format!("{paid}/basket"),
                &[("mode", "online"), ("places", "2")],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        let basket = app.get(&mut coach, "/learning/basket").await;
        assert!(basket.body.contains("£90"), "{}", basket.body);
        assert!(basket.body.contains("kept for you until"));
        // An invoice needs the purchase order number.
        let no_po = app
            .post(
                &mut coach,
                "/learning/basket/checkout",
                &[("po_number", "")],
            )
            .await;
        assert_eq!(no_po.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(no_po.body.contains("href=\"#po_number\""));
        let done = app
            .post(
                &mut coach,
                "/learning/basket/checkout",
                &[("po_number", "PO-778")],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let booking = app.get(&mut coach, done.location()).await;
        assert!(
            booking.body.contains("Booked, waiting for payment"),
            "{}",
            booking.body
        );
        let code = done
            .location()
            .trim_start_matches("/learning/bookings/")
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        let mine = app.get(&mut coach, "/learning/bookings").await;
        assert!(mine.body.contains(&code));
        // Only organisers take payment; the organiser sees it waiting and marks it paid, once.
        let mut lw = app.sign_in(LINK_WORKER).await;
        assert_eq!(
            app.post(
                &mut lw,
                &format!("/learning/organise/orders/{code}/paid"),
                &[]
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let mut organiser = app.sign_in(ORGANISER).await;
        let desk = app.get(&mut organiser, "/learning/organise").await;
        assert_eq!(desk.status, StatusCode::OK);
        assert!(desk.body.contains(&code), "{}", desk.body);
        assert!(desk.body.contains("PO-778"));
        let ok = app
            .post(
                &mut organiser,
                &format!("/learning/organise/orders/{code}/paid"),
                &[],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let twice = app
            .post(
                &mut organiser,
                &format!("/learning/organise/orders/{code}/paid"),
                &[],
            )
            .await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
        assert!(
            app.get(&mut coach, &format!("/learning/bookings/{code}"))
                .await
                .body
                .contains("Booked and paid")
        );
        // An empty basket says so.
        let empty = app
            .post(
                &mut coach,
                "/learning/basket/checkout",
                &[("po_number", "")],
            )
            .await;
        assert_eq!(empty.status, StatusCode::CONFLICT);
        assert!(empty.body.contains("Your basket is empty"));
    }
);

seeded_db_test!(organisers_publish_events_from_the_form, |db| {
    let app = app(db).await;
    let mut organiser = app.sign_in(ORGANISER).await;
    let form = app.get(&mut organiser, "/learning/organise/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let region = app.org_id("Y90").await.to_string();
    // Everything wrong at once: each named, in the form's order.
    let bad = app
        .post(
            &mut organiser,
            "/learning/organise/new",
            &[
                ("organisation", region.as_str()),
                ("title", ""),
                ("summary", "A summary"),
                ("topic", "astrology"),
                ("format", "hybrid"),
                ("venue", ""),
                ("in_person_places", "-3"),
                ("online_places", "lots"),
                ("price", "-5"),
                ("cpd_hours", "many"),
                ("date-day", "31"),
                ("date-month", "2"),
                ("date-year", "2027"),
                ("start", "10am"),
                ("end", "9am"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    for f in [
        "title",
        "topic",
        "venue",
        "in_person_places",
        "online_places",
        "price",
        "cpd_hours",
        "date",
    ] {
        assert!(
            bad.body.contains(&format!("href=\"#{f}\"")),
            "{f}: {}",
            bad.body
        );
    }
    let ok = app
        .post(
            &mut organiser,
            "/learning/organise/new",
            &[
                ("organisation", region.as_str()),
                ("title", "Coaching conversations refresher"),
                ("summary", "An afternoon practising coaching conversations."),
                ("topic", "health_coaching"),
                ("region", "Y63"),
                ("format", "online"),
                ("join_link", "https://meet.example.org/refresher"),
                ("online_places", "30"),
                ("price", ""),
                ("cpd_hours", "2.5"),
                ("date-day", "15"),
                ("date-month", "1"),
                ("date-year", "2027"),
                ("start", "1pm"),
                ("end", "3:30pm"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = app.get(&mut organiser, ok.location()).await;
    assert!(page.body.contains("It is published"), "{}", page.body);
    assert!(
        page.body.contains("Friday 15 January 2027, 1pm to 3:30pm"),
        "{}",
        page.body
    );
    assert!(page.body.contains("2.5 hours CPD"));
    assert!(page.body.contains("30 of 30 places left online"));
    // Someone who does not organise events cannot reach the form.
    let mut lw = app.sign_in(LINK_WORKER).await;
    assert_eq!(
        app.get(&mut lw, "/learning/organise/new").await.status,
        StatusCode::FORBIDDEN
    );
});

seeded_db_test!(
    a_cancelled_place_is_offered_to_the_waiting_list_and_taken,
    |db| {
        let app = app(db).await;
        let mut organiser = app.sign_in(ORGANISER).await;
        let region = app.org_id("Y90").await.to_string();
        let made = app
            .post(
                &mut organiser,
                "/learning/organise/new",
                &[
                    ("organisation", region.as_str()),
                    ("title", "One place only"),
                    ("summary", "A one-to-one coaching demonstration."),
                    ("topic", "health_coaching"),
                    ("format", "online"),
                    ("join_link", "https://meet.example.org/one"),
                    ("online_places", "1"),
                    ("date-day", "20"),
                    ("date-month", "1"),
                    ("date-year", "2027"),
                    ("start", "10am"),
                    ("end", "11am"),
                ],
            )
            .await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
        let event = made.location().split('?').next().unwrap().to_owned();
        let mut coach = app.sign_in(COACH).await;
        app.post(
            &mut coach,
            &format!("{event}/basket"),
            &[("mode", "online")],
        )
        .await;
        let done = app
            .post(
                &mut coach,
                "/learning/basket/checkout",
                &[("po_number", "")],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let booking = done.location().split('?').next().unwrap().to_owned();
        // Full now: a guest joins the waiting list.
        let mut guest = Browser::default();
        let page = app.get(&mut guest, &event).await;
        guest.csrf = page.csrf();
        assert!(page.body.contains("Join the waiting list"), "{}", page.body);
        let no_name = app
            .post(
                &mut guest,
                &format!("{event}/waitlist"),
                &[("mode", "online")],
            )
            .await;
        assert_eq!(no_name.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(no_name.body.contains("href=\"#name\""));
        let joined = app
            .post(
                &mut guest,
                &format!("{event}/waitlist"),
                &[
                    ("mode", "online"),
                    ("name", "Wendy Wait"),
                    ("email", "wendy@example.org"),
                ],
            )
            .await;
        assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
        let standing = joined.location().split('?').next().unwrap().to_owned();
        let page = app.get(&mut guest, joined.location()).await;
        assert!(page.body.contains("next in line"), "{}", page.body);
        let again = app
            .post(
                &mut guest,
                &format!("{event}/waitlist"),
                &[
                    ("mode", "online"),
                    ("name", "Wendy Wait"),
                    ("email", "wendy@example.org"),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert_eq!(
            get(&app, "/learning/waitlist/not-a-token").await.status,
            StatusCode::NOT_FOUND
        );
        // Taking a place before one is offered says so.
        let early = app
            .post(&mut guest, &format!("{standing}/accept"), &[])
            .await;
        assert_eq!(early.status, StatusCode::CONFLICT);
        // The coach cancels: the place is offered to Wendy, and no one else can book it.
        let cancel = app
            .post(&mut coach, &format!("{booking}/cancel"), &[])
            .await;
        assert_eq!(cancel.status, StatusCode::SEE_OTHER);
        let offered = app.get(&mut guest, &standing).await;
        assert!(
            offered.body.contains("A place has come free for you"),
            "{}",
            offered.body
        );
        assert!(!get(&app, &event).await.body.contains("Book a place"));
        let took = app
            .post(&mut guest, &format!("{standing}/accept"), &[])
            .await;
        assert_eq!(took.status, StatusCode::SEE_OTHER, "{}", took.body);
        let mine = app.get(&mut guest, took.location()).await;
        assert!(mine.body.contains("meet.example.org/one"), "{}", mine.body);
        let twice = app
            .post(&mut guest, &format!("{standing}/accept"), &[])
            .await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
        assert!(
            app.audit_count("learning_waitlist_offer_taken", "success")
                .await
                >= 1
        );
    }
);

seeded_db_test!(organisers_see_who_booked_check_in_export_and_cancel, |db| {
    let app = app(db).await;
    let mut organiser = app.sign_in(ORGANISER).await;
    // The hybrid shared decision making event has people booked in the room and online.
    let page = format!("/learning/organise/events/{}", event(1));
    let r = app.get(&mut organiser, &page).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Check in"));
    assert!(r.body.contains("38 booked"), "{}", r.body);
    let csv = app
        .get(&mut organiser, &format!("{page}/attendees.csv"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.starts_with("Name,Email,Taking part"),
        "{}",
        csv.body
    );
    assert_eq!(csv.body.lines().count(), 39);
    let at = r.body.find("/check-in/").unwrap();
    let place: String = r.body[at + 10..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let ok = app
        .post(&mut organiser, &format!("{page}/check-in/{place}"), &[])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let again = app
        .post(&mut organiser, &format!("{page}/check-in/{place}"), &[])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    // Not for anyone else: who booked is the organisers' to see.
    let mut lw = app.sign_in(LINK_WORKER).await;
    for p in [page.clone(), format!("{page}/attendees.csv")] {
        assert_eq!(
            app.get(&mut lw, &p).await.status,
            StatusCode::FORBIDDEN,
            "{p}"
        );
    }
    let no_reason = app
        .post(&mut organiser, &format!("{page}/cancel"), &[("reason", "")])
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("href=\"#reason\""));
    let cancelled = app
        .post(
            &mut organiser,
            &format!("{page}/cancel"),
            &[("reason", "The venue has flooded.")],
        )
        .await;
    assert_eq!(
        cancelled.status,
        StatusCode::SEE_OTHER,
        "{}",
        cancelled.body
    );
    let public = get(&app, &format!("/learning/events/{}", event(1))).await;
    assert!(public.body.contains("The venue has flooded."));
    assert!(!public.body.contains("Book a place"));
});
