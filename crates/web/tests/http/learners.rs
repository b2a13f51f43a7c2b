//! Learners through the pages: opening an account, a learner's own learning (and nothing
//! else), e-learning from the first lesson to the certificate, certificates printed and
//! checked by their code, organisers moving events and messaging attendees, trained counts
//! and calendar feeds.

use axum::http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use store::entities::email_outbox;

use crate::common::*;

const ORGANISER: &str = "network.organiser@demo.whatmatters.test";
const LEARNER: &str = "learner@demo.whatmatters.test";
const COMMISSIONER: &str = "commissioner@demo.whatmatters.test";

fn event(i: usize) -> String {
    domain::directory::taxonomy::uuid_of(&format!("demo-event/{i}")).to_string()
}

async fn last_mail(app: &App, to: &str) -> String {
    email_outbox::Entity::find()
        .filter(email_outbox::Column::ToAddress.eq(to))
        .order_by_desc(email_outbox::Column::Id)
        .one(app.svc.db())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no e-mail to {to}"))
        .body_text
}

/// The first `/certificates/WMC-…` code on a page.
fn first_code(body: &str) -> String {
    let at = body.find("/certificates/WMC-").expect("a certificate link") + "/certificates/".len();
    body[at..at + 15].to_owned()
}

seeded_db_test!(anyone_opens_a_learner_account_by_the_emailed_link, |db| {
    let app = app(db).await;
    let mut b = Browser::default();
    let form = app.get(&mut b, "/register").await;
    assert_eq!(form.status, StatusCode::OK);
    b.csrf = form.csrf();
    let bad = app
        .post(
            &mut b,
            "/register",
            &[
                ("display_name", ""),
                ("email", "nope"),
                ("job_role", "Wizard"),
                ("organisation_code", "ZZ1"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["display_name", "email", "job_role", "organisation_code"] {
        assert!(bad.body.contains(&format!("href=\"#{f}\"")), "{f}");
    }
    assert!(bad.body.contains("value=\"nope\""), "what was typed stays");
    let sent = app
        .post(
            &mut b,
            "/register",
            &[
                ("display_name", "Sam Student"),
                ("email", "sam.student@example.org"),
                ("job_role", "Student or trainee"),
                ("organisation_code", ""),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("Check your email"));
    let mail = last_mail(&app, "sam.student@example.org").await;
    let at = mail.find("/register/").unwrap() + "/register/".len();
    let token: String = mail[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let path = format!("/register/{token}");
    let choose = app.get(&mut b, &path).await;
    assert_eq!(choose.status, StatusCode::OK);
    assert!(choose.body.contains("Sam Student"));
    let mismatch = app
        .post(
            &mut b,
            &path,
            &[("password", "a long enough phrase"), ("confirm", "another")],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.body.contains("href=\"#confirm\""));
    let done = app
        .post(
            &mut b,
            &path,
            &[
                ("password", "a long enough phrase"),
                ("confirm", "a long enough phrase"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/sign-in?registered=1");
    assert!(
        app.get(&mut b, "/sign-in?registered=1")
            .await
            .body
            .contains("Your account is ready")
    );
    // The link works once.
    assert_eq!(app.get(&mut b, &path).await.status, StatusCode::GONE);
    assert_eq!(
        app.get(&mut b, "/register/not-a-real-link").await.status,
        StatusCode::GONE
    );
    // The new learner signs in with the password they chose.
    let mut s = Browser::default();
    s.csrf = app.get(&mut s, "/sign-in").await.csrf();
    let r = app
        .post(
            &mut s,
            "/sign-in",
            &[
                ("email", "sam.student@example.org"),
                ("password", "a long enough phrase"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let home = app.get(&mut s, "/").await;
    assert!(
        home.body.contains("Signed in as a learner"),
        "{}",
        home.body
    );
    assert!(home.body.contains("You have nothing booked"));
});

seeded_db_test!(a_learner_sees_only_their_own_learning, |db| {
    let app = app(db).await;
    let mut l = app.sign_in(LEARNER).await;
    let home = app.get(&mut l, "/").await;
    assert!(home.body.contains("Coming up"), "{}", home.body);
    assert!(
        home.body.contains("Shared decision making"),
        "their module in progress"
    );
    assert!(home.body.contains("Lesson 3 of 3"));
    // The nav offers learning and their account; nothing of anyone else's.
    for href in [
        "/caseload",
        "/organisations",
        "/admin/users",
        "/inbox",
        "/api/docs",
    ] {
        assert!(
            !home.body.contains(&format!("href=\"{href}\"")),
            "{href} in a learner's nav"
        );
    }
    for path in [
        "/caseload",
        "/organisations",
        "/people",
        "/referrals/new",
        "/admin/users",
        "/admin/audit",
        "/learning/organise",
        "/learning/trained",
        "/inbox",
    ] {
        assert_eq!(
            app.get(&mut l, path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    // Someone else's booking is not there for them.
    let mut lw = app.sign_in("link.worker@demo.whatmatters.test").await;
    let theirs = app.get(&mut lw, "/learning/bookings").await;
    let at = theirs.body.find("/learning/bookings/WM-").unwrap() + "/learning/bookings/".len();
    let code = &theirs.body[at..at + 9];
    assert_eq!(
        app.get(&mut l, &format!("/learning/bookings/{code}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !app.get(&mut l, "/learning/certificates")
            .await
            .body
            .contains("Amira Khan")
    );
    // Naming where they work makes a learner no one's staff.
    let mut admin = app.sign_in("admin@demo.whatmatters.test").await;
    let users = app.get(&mut admin, "/admin/users").await;
    assert_eq!(users.status, StatusCode::OK);
    assert!(users.body.contains("Amira Khan"));
    assert!(!users.body.contains("Chloe Bennett"), "{}", users.body);
});

seeded_db_test!(a_learner_finishes_a_module_and_gets_its_certificate, |db| {
    let app = app(db).await;
    let mut l = app.sign_in(LEARNER).await;
    let list = app.get(&mut l, "/learning/modules").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Lesson 3 of 3"));
    let base = "/learning/modules/shared-decision-making";
    let outline = app.get(&mut l, base).await;
    assert!(outline.body.contains("Carry on where you left off"));
    assert!(outline.body.contains(&format!("{base}/lessons/3")));
    // The check waits until every lesson is read; lessons past the end are not there.
    assert_eq!(
        app.get(&mut l, &format!("{base}/check")).await.location(),
        base
    );
    assert_eq!(
        app.get(&mut l, &format!("{base}/lessons/4")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&mut l, "/learning/modules/no-such/lessons/1")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let lesson = app.get(&mut l, &format!("{base}/lessons/3")).await;
    assert_eq!(lesson.status, StatusCode::OK);
    assert!(lesson.body.contains("Recording the decision"));
    let next = app.post(&mut l, &format!("{base}/lessons/3"), &[]).await;
    assert_eq!(next.location(), format!("{base}/check"));
    let check = app.get(&mut l, &format!("{base}/check")).await;
    assert_eq!(check.status, StatusCode::OK);
    let missing = app
        .post(&mut l, &format!("{base}/check"), &[("q0", "1")])
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("href=\"#q1\""), "{}", missing.body);
    assert!(
        missing
            .body
            .contains("id=\"q0-1\" name=\"q0\" type=\"radio\" value=\"1\" checked")
    );
    let m = domain::learning::elearning::module("shared-decision-making").unwrap();
    let answers: Vec<(String, String)> = m
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| (format!("q{i}"), q.answer.to_string()))
        .collect();
    let form: Vec<(&str, &str)> = answers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let passed = app.post(&mut l, &format!("{base}/check"), &form).await;
    assert_eq!(passed.status, StatusCode::OK);
    assert!(passed.body.contains("You passed"), "{}", passed.body);
    let code = first_code(&passed.body);
    let mine = app.get(&mut l, "/learning/certificates").await;
    assert!(mine.body.contains(&code));
    // Another learner who has not reached the lesson is sent back to the outline.
    let mut lw = app.sign_in("link.worker@demo.whatmatters.test").await;
    assert_eq!(
        app.get(&mut lw, &format!("{base}/lessons/2"))
            .await
            .location(),
        base
    );
});

seeded_db_test!(certificates_print_download_and_check_by_their_code, |db| {
    let app = app(db).await;
    let mut lw = app.sign_in("link.worker@demo.whatmatters.test").await;
    let mine = app.get(&mut lw, "/learning/certificates").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(
        mine.body
            .contains("Shared decision making in practice (autumn)")
    );
    assert!(mine.body.contains("Personalised care core skills online"));
    let code = first_code(&mine.body);
    // Anyone with the code sees it, prints it, downloads it and checks it.
    let mut anyone = Browser::default();
    let page = app.get(&mut anyone, &format!("/certificates/{code}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Amira Khan"));
    let pdf = app
        .get(
            &mut anyone,
            &format!("/certificates/{code}/certificate.pdf"),
        )
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with("%PDF-"));
    assert!(pdf.body.contains(&code));
    let lower = code.to_lowercase();
    let check = app
        .get(&mut anyone, &format!("/certificates/verify?code={lower}"))
        .await;
    assert_eq!(check.status, StatusCode::OK);
    assert!(
        check.body.contains("This certificate is genuine"),
        "{}",
        check.body
    );
    let none = app
        .get(&mut anyone, "/certificates/verify?code=WMC-AAAAA-AAAAA")
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    assert!(none.body.contains("href=\"#code\""));
    assert_eq!(
        app.get(&mut anyone, "/certificates/WMC-AAAAA-AAAAA")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&mut anyone, "/certificates/verify").await.status,
        StatusCode::OK
    );
});

seeded_db_test!(organisers_move_an_event_and_message_those_booked, |db| {
    let app = app(db).await;
    let mut o = app.sign_in(ORGANISER).await;
    let base = format!("/learning/organise/events/{}", event(1));
    let form = app.get(&mut o, &format!("{base}/move")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body
            .contains("name=\"s1_date-day\" type=\"text\" inputmode=\"numeric\" value=\"23\""),
        "{}",
        form.body
    );
    let bad = app
        .post(
            &mut o,
            &format!("{base}/move"),
            &[
                ("s1_date-day", "31"),
                ("s1_date-month", "2"),
                ("s1_date-year", "2027"),
                ("s1_start", "10am"),
                ("s1_end", "9am"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#s1_date\""), "{}", bad.body);
    let moved = app
        .post(
            &mut o,
            &format!("{base}/move"),
            &[
                ("s1_date-day", "30"),
                ("s1_date-month", "11"),
                ("s1_date-year", "2026"),
                ("s1_start", "10am"),
                ("s1_end", "1pm"),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let page = app
        .get(&mut o, &format!("/learning/events/{}", event(1)))
        .await;
    assert!(
        page.body.contains("Monday 30 November 2026"),
        "{}",
        page.body
    );
    assert!(
        last_mail(&app, "link.worker@demo.whatmatters.test")
            .await
            .contains("Monday 30 November 2026")
    );
    let empty = app
        .post(
            &mut o,
            &format!("{base}/message"),
            &[("subject", ""), ("body", "")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("href=\"#subject\"") && empty.body.contains("href=\"#body\""));
    let sent = app
        .post(
            &mut o,
            &format!("{base}/message"),
            &[("subject", "Room change"), ("body", "We are in Room 3.")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert!(
        last_mail(&app, "link.worker@demo.whatmatters.test")
            .await
            .contains("We are in Room 3.")
    );
    // Those who do not organise it are refused.
    let mut lw = app.sign_in("link.worker@demo.whatmatters.test").await;
    for p in [format!("{base}/move"), format!("{base}/message")] {
        assert_eq!(
            app.get(&mut lw, &p).await.status,
            StatusCode::FORBIDDEN,
            "{p}"
        );
        assert_eq!(
            app.post(&mut lw, &p, &[("subject", "x"), ("body", "y")])
                .await
                .status,
            StatusCode::FORBIDDEN,
            "{p}"
        );
    }
});

seeded_db_test!(trained_counts_and_calendar_feeds, |db| {
    let app = app(db).await;
    let mut c = app.sign_in(COMMISSIONER).await;
    let t = app.get(&mut c, "/learning/trained").await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.body);
    // 45 demo learners passed core skills; the link worker attended the accredited course.
    assert!(
        t.body
            .contains(">46</span> trained, against the national aim of 75,000"),
        "{}",
        t.body
    );
    assert!(t.body.contains("Riverdale Central PCN"));
    let region = app.org_id("Y90").await;
    let mut anyone = Browser::default();
    let feed = app
        .get(
            &mut anyone,
            &format!("/learning/organisations/{region}/calendar.ics"),
        )
        .await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.body.starts_with("BEGIN:VCALENDAR"));
    assert!(
        feed.body.contains("STATUS:CANCELLED"),
        "the cancelled clinic says so"
    );
    assert_eq!(
        app.get(&mut anyone, "/learning/organisations/999999/calendar.ics")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let mut lw = app.sign_in("link.worker@demo.whatmatters.test").await;
    let made = app.post(&mut lw, "/learning/bookings/calendar", &[]).await;
    assert_eq!(made.status, StatusCode::OK);
    let at = made.body.find("/learning/calendar/").unwrap();
    let path: String = made.body[at..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '<')
        .collect();
    let mine = app.get(&mut anyone, &path).await;
    assert_eq!(mine.status, StatusCode::OK, "{path}");
    assert!(mine.body.contains("Shared decision making in practice"));
    assert_eq!(
        app.get(&mut anyone, "/learning/calendar/wrong.ics")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

seeded_db_test!(the_learning_api_books_checks_in_and_verifies, |db| {
    use axum::http::Method;
    let app = app(db).await;
    let lw = app.token_for("link.worker@demo.whatmatters.test").await;
    let organiser = app.token_for(ORGANISER).await;
    let commissioner = app.token_for(COMMISSIONER).await;
    // The catalogue is public; filters are checked by name.
    let mut anyone = Browser::default();
    let list = app
        .get(&mut anyone, "/api/v1/learning/events?free=true")
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.json()["total"].as_u64().unwrap() >= 5);
    let bad = app
        .get(&mut anyone, "/api/v1/learning/events?format=telepathy")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["errors"][0]["field"], "format");
    let one = app
        .get(
            &mut anyone,
            &format!("/api/v1/learning/events/{}", event(1)),
        )
        .await;
    assert_eq!(one.json()["format"], "hybrid");
    assert!(
        one.json().get("join_link").is_none(),
        "never in the catalogue"
    );
    assert_eq!(
        app.get(&mut anyone, "/api/v1/learning/events/not-a-uuid")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Booking, then cancelling, once.
    let booked = app
        .api(
            Method::POST,
            "/api/v1/learning/bookings",
            &lw,
            Some(serde_json::json!({"event_id": event(0), "mode": "in_person", "places": 1})),
        )
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    assert_eq!(booked.json()["state"], "confirmed");
    let code = booked.json()["code"].as_str().unwrap().to_owned();
    let too_many = app
        .api(
            Method::POST,
            "/api/v1/learning/bookings",
            &lw,
            Some(serde_json::json!({"event_id": event(4), "mode": "in_person", "places": 1})),
        )
        .await;
    assert_eq!(too_many.status, StatusCode::CONFLICT, "the meeting is full");
    // A paid place needs its purchase order, and nothing is held without one.
    let before = app
        .get(
            &mut anyone,
            &format!("/api/v1/learning/events/{}", event(2)),
        )
        .await
        .json()["places"][0]["taken"]
        .clone();
    let no_po = app
        .api(
            Method::POST,
            "/api/v1/learning/bookings",
            &lw,
            Some(serde_json::json!({"event_id": event(2), "mode": "online", "places": 2})),
        )
        .await;
    assert_eq!(no_po.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_po.json()["errors"][0]["field"], "po_number");
    let after = app
        .get(
            &mut anyone,
            &format!("/api/v1/learning/events/{}", event(2)),
        )
        .await
        .json()["places"][0]["taken"]
        .clone();
    assert_eq!(before, after);
    let none = app
        .api(
            Method::POST,
            "/api/v1/learning/bookings",
            &lw,
            Some(serde_json::json!({"event_id": uuid::Uuid::nil().to_string(), "mode": "online", "places": 1})),
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(none.json()["errors"][0]["field"], "event_id");
    // Someone else's booking is not there for another caller.
    assert_eq!(
        app.api(
            Method::POST,
            &format!("/api/v1/learning/bookings/{code}/cancel"),
            &organiser,
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let cancelled = app
        .api(
            Method::POST,
            &format!("/api/v1/learning/bookings/{code}/cancel"),
            &lw,
            None,
        )
        .await;
    assert_eq!(cancelled.json()["state"], "cancelled");
    assert_eq!(
        app.api(
            Method::POST,
            &format!("/api/v1/learning/bookings/{code}/cancel"),
            &lw,
            None
        )
        .await
        .status,
        StatusCode::CONFLICT
    );
    // Publishing is for organisers; the event's rules are named by field.
    let region = app.org_id("Y90").await;
    let new_event = |ends: &str| {
        serde_json::json!({
            "organisation_id": region,
            "title": "API published",
            "summary": "Made by a client",
            "topic": "care_planning",
            "format": "online",
            "online_places": 40,
            "sessions": [{"starts_at": "2027-01-12T10:00:00Z", "ends_at": ends}]
        })
    };
    assert_eq!(
        app.api(
            Method::POST,
            "/api/v1/learning/events",
            &lw,
            Some(new_event("2027-01-12T12:00:00Z"))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let backwards = app
        .api(
            Method::POST,
            "/api/v1/learning/events",
            &organiser,
            Some(new_event("2027-01-12T09:00:00Z")),
        )
        .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(backwards.json()["errors"][0]["field"], "ends_at");
    let far = app
        .api(
            Method::POST,
            "/api/v1/learning/events",
            &organiser,
            Some(serde_json::json!({
                "organisation_id": region, "title": "Far", "summary": "Far off", "topic": "care_planning",
                "format": "online", "online_places": 5,
                "sessions": [{"starts_at": "9999-01-12T10:00:00Z", "ends_at": "9999-01-12T11:00:00Z"}]
            })),
        )
        .await;
    assert_eq!(far.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", far.body);
    let made = app
        .api(
            Method::POST,
            "/api/v1/learning/events",
            &organiser,
            Some(new_event("2027-01-12T12:00:00Z")),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    // Attendees and check-in, for the organiser only; the certificate is checkable by anyone.
    let attendees_path = format!("/api/v1/learning/events/{}/attendees", event(1));
    assert_eq!(
        app.api(Method::GET, &attendees_path, &lw, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let attendees = app
        .api(Method::GET, &attendees_path, &organiser, None)
        .await;
    assert_eq!(attendees.status, StatusCode::OK);
    let place = attendees.json()[0]["place_id"].as_i64().unwrap();
    let check_in = format!("{attendees_path}/{place}/check-in");
    let checked = app.api(Method::POST, &check_in, &organiser, None).await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    let cert = checked.json()["certificate_code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.api(Method::POST, &check_in, &organiser, None)
            .await
            .status,
        StatusCode::CONFLICT
    );
    let verified = app
        .get(
            &mut anyone,
            &format!("/api/v1/learning/certificates/{cert}"),
        )
        .await;
    assert_eq!(verified.status, StatusCode::OK);
    assert_eq!(verified.json()["current"], true);
    assert_eq!(
        app.get(&mut anyone, "/api/v1/learning/certificates/WMC-AAAAA-AAAAA")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Progress and trained counts.
    let modules = app
        .api(Method::GET, "/api/v1/learning/modules", &lw, None)
        .await;
    assert_eq!(modules.json().as_array().unwrap().len(), 6);
    assert_eq!(
        app.api(Method::GET, "/api/v1/learning/trained", &lw, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let t = app
        .api(Method::GET, "/api/v1/learning/trained", &commissioner, None)
        .await;
    assert_eq!(t.json()["aim"], 75_000);
    assert_eq!(t.json()["nation"], 46);
    let mine = app
        .api(Method::GET, "/api/v1/learning/certificates", &lw, None)
        .await;
    assert_eq!(mine.json().as_array().unwrap().len(), 2);
});

seeded_db_test!(organisers_change_an_events_details, |db| {
    let app = app(db).await;
    let mut o = app.sign_in(ORGANISER).await;
    let path = format!("/learning/organise/events/{}/edit", event(1));
    let form = app.get(&mut o, &path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body
            .contains("value=\"Shared decision making in practice\"")
    );
    assert!(
        !form.body.contains("name=\"organisation\""),
        "who runs it stays"
    );
    let fields = [
        ("title", "Shared decision making: in practice"),
        ("summary", "Helping people weigh their options."),
        ("topic", "shared_decision_making"),
        ("region", "Y63"),
        ("format", "hybrid"),
        ("venue", "Riverdale Civic Hall"),
        ("in_person_places", "25"),
        ("online_places", "60"),
        ("cpd_hours", "3"),
    ];
    let mut priced = fields.to_vec();
    priced.push(("price", "25"));
    let bad = app.post(&mut o, &path, &priced).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#price\""), "{}", bad.body);
    let ok = app.post(&mut o, &path, &fields).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = app
        .get(&mut o, &format!("/learning/events/{}", event(1)))
        .await;
    assert!(page.body.contains("Shared decision making: in practice"));
    assert!(
        page.body.contains("10 of 25 places left in the room"),
        "{}",
        page.body
    );
    let mut lw = app.sign_in("link.worker@demo.whatmatters.test").await;
    assert_eq!(app.get(&mut lw, &path).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.post(&mut lw, &path, &fields).await.status,
        StatusCode::FORBIDDEN
    );
});
