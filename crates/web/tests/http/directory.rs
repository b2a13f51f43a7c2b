//! "Find support near you": anyone can search the directory by words, need, postcode and
//! distance, age, day and time; bad input is named in the NHS error summary.

use axum::http::StatusCode;

use crate::common::*;

async fn get(app: &App, path: &str) -> Resp {
    let mut b = Browser::default();
    app.get(&mut b, path).await
}

seeded_db_test!(anyone_finds_support_by_need_near_a_postcode, |db| {
    let app = app(db).await;
    let empty = get(&app, "/find-support").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("Find support near you"));
    let food = domain::directory::taxonomy::uuid_of("physical-activity");
    let r = get(
        &app,
        &format!("/find-support?postcode=rd1+4cc&miles=5&need={food}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("miles away"), "{}", r.body);
    assert!(r.body.contains("Walk and talk (Riverdale)"), "{}", r.body);
    assert!(!r.body.contains("Walk and talk (Seacombe)"), "too far away");
    assert!(!r.body.contains("Food bank"), "not physical activity");
    // Words, with a typing slip corrected and said so.
    let typo = get(&app, "/find-support?q=walkng").await;
    assert!(typo.body.contains("Showing results for"), "{}", typo.body);
    assert!(typo.body.contains("Walk and talk"));
    // Online or by phone only.
    let online = get(&app, "/find-support?online=yes").await;
    assert!(online.body.contains("Telephone befriending"));
    assert!(!online.body.contains("Food bank"));
    // A day and time.
    let evening = get(&app, "/find-support?day=MO&time=6.30pm").await;
    assert!(
        evening.body.contains("Mental wellbeing peer support group"),
        "{}",
        evening.body
    );
    assert!(
        !evening.body.contains("Carers&#x27; assessment"),
        "closes at 4:30pm"
    );
    // A service's own page, with how to get in touch.
    let id = services_page_link(&r.body);
    let page = get(&app, &id).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("tel:"), "{}", page.body);
    assert!(page.body.contains("Helps with"));
    assert_eq!(
        get(&app, "/find-support/services/not-a-uuid").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(
            &app,
            "/find-support/services/00000000-0000-4000-8000-000000000000"
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
});

fn services_page_link(body: &str) -> String {
    let at = body.find("/find-support/services/").expect("a result");
    body[at..at + "/find-support/services/".len() + 36].to_owned()
}

seeded_db_test!(listings_not_checked_for_three_months_say_so, |db| {
    let app = app(db).await;
    let all = get(&app, "/find-support?q=&need=&online=&sort=name&age=30").await;
    assert_eq!(all.status, StatusCode::OK);
    let pages: Vec<String> = (1..=4)
        .map(|p| format!("/find-support?age=30&sort=name&page={p}"))
        .collect();
    let mut stale = 0;
    for p in pages {
        stale += get(&app, &p)
            .await
            .body
            .matches("may be out of date")
            .count();
    }
    assert!(
        stale >= 5,
        "the demo has listings overdue for their check: {stale}"
    );
});

seeded_db_test!(bad_searches_are_named_in_the_error_summary, |db| {
    let app = app(db).await;
    for (q, field, words) in [
        ("postcode=nowhere", "postcode", "Enter a full UK postcode"),
        (
            "postcode=ZZ9+9ZZ",
            "postcode",
            "We cannot find the postcode ZZ9 9ZZ",
        ),
        ("age=old", "age", "Enter an age in whole years"),
        ("age=-5", "age", "Enter an age in whole years"),
        ("day=Funday", "day", "Choose a day of the week"),
        ("time=25pm", "time", "Enter a time like 10am"),
    ] {
        let r = get(&app, &format!("/find-support?{q}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(r.body.contains("nhsuk-error-summary"), "{q}");
        assert!(
            r.body.contains(&format!("href=\"#{field}\"")),
            "{q}: {}",
            r.body
        );
        assert!(r.body.contains(words), "{q}: {}", r.body);
        assert!(r.body.contains("<title>Error: "), "{q}");
    }
    let long = "a".repeat(101);
    let r = get(&app, &format!("/find-support?q={long}")).await;
    assert!(r.body.contains("href=\"#q\""));
    // Whatever is typed as words is searched for, never an error of ours.
    for s in ["%22", "*", "NEAR", "%27%3B--", "a+OR+b", "%E2%80%AE"] {
        let r = get(&app, &format!("/find-support?q={s}")).await;
        assert!(
            r.status == StatusCode::OK || r.status == StatusCode::BAD_REQUEST,
            "{s}: {}",
            r.status
        );
    }
    let deep = get(&app, "/find-support?q=walk&page=999999999999").await;
    assert_eq!(deep.status, StatusCode::OK);
});
