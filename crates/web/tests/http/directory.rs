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

const VCSE: &str = "vcse@demo.whatmatters.test";
const OTHER_VCSE: &str = "vcse.harbourside@demo.whatmatters.test";

/// A VCSE worker at another organisation (Harbourside Debt Advice), with the demo password.
async fn other_vcse(db: &sea_orm::DatabaseConnection) {
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
    use store::entities::{membership, organisation, user};
    let demo = user::Entity::find()
        .filter(user::Column::Email.eq(VCSE))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let org = organisation::Entity::find()
        .filter(organisation::Column::Name.eq("Harbourside Debt Advice"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let u = user::ActiveModel {
        email: Set(OTHER_VCSE.into()),
        display_name: Set("Harbourside worker".into()),
        password_hash: Set(demo.password_hash.clone()),
        active: Set(true),
        failed_sign_ins: Set(0),
        created_at: Set(demo.created_at),
        updated_at: Set(demo.created_at),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    membership::ActiveModel {
        user_id: Set(u.id),
        organisation_id: Set(org.id),
        role: Set("vcse_worker".into()),
        created_at: Set(demo.created_at),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
}

/// Jack Turner's cell in a caseload table.
fn turner_row(body: &str) -> String {
    let at = body
        .find("Jack Turner</a>")
        .expect("Jack Turner in the caseload");
    body[at..]
        .split("</td>")
        .next()
        .unwrap_or_default()
        .to_owned()
}

seeded_db_test!(
    a_link_worker_connects_a_person_and_the_service_answers,
    |db| {
        let conn = db.clone();
        let app = app(db).await;
        other_vcse(&conn).await;
        let r = referral_of(&app, "Turner").await;
        let pid = r.person_id;
        let service = domain::directory::taxonomy::uuid_of("demo-service/0").to_string();
        let mut lw = app.sign_in(LINK_WORKER).await;
        let found = app
            .get(&mut lw, &format!("/people/{pid}/connect?q=carers"))
            .await;
        assert_eq!(found.status, StatusCode::OK, "{}", found.body);
        assert!(
            found
                .body
                .contains(&format!("/people/{pid}/connect/{service}")),
            "{}",
            found.body
        );
        assert!(
            found.body.contains("in the last year"),
            "each service's record of answering"
        );
        let form = app
            .get(&mut lw, &format!("/people/{pid}/connect/{service}"))
            .await;
        assert!(
            form.body
                .contains("agrees to share these details with Riverdale Carers Centre")
        );
        // Without consent: refused, naming it, and what was typed is kept.
        let refused = app
            .post(
                &mut lw,
                &format!("/people/{pid}/connect/{service}"),
                &[("reason", "Lonely, likes company")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.body.contains("href=\"#consent\""),
            "{}",
            refused.body
        );
        assert!(refused.body.contains("Lonely, likes company"));
        let sent = app
            .post(
                &mut lw,
                &format!("/people/{pid}/connect/{service}"),
                &[
                    ("reason", "Lonely, likes company"),
                    ("consent_now", "yes"),
                    ("what_matters", "Getting out of the house"),
                ],
            )
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let record = app.get(&mut lw, &format!("/people/{pid}")).await;
        assert!(
            record.body.contains("cuppa (Riverdale)</a>"),
            "{}",
            record.body
        );
        assert!(record.body.contains("Sent, waiting for a reply"));
        // And in the caseload, beside the person's name.
        let caseload = format!("/caseload?worker=anyone&state={}", r.state);
        let row = turner_row(&app.get(&mut lw, &caseload).await.body);
        assert!(
            row.contains("cuppa (Riverdale) (Riverdale Carers Centre), sent, waiting for a reply")
                && row.contains("Community service: Carers"),
            "{row}"
        );
        // The organisation's worker: in the inbox, with what the service needs.
        let mut vcse = app.sign_in(VCSE).await;
        let inbox = app.get(&mut vcse, "/inbox").await;
        assert_eq!(inbox.status, StatusCode::OK);
        let at = inbox.body.find("/inbox/").unwrap();
        let link: String = inbox.body[at..].chars().take_while(|c| *c != '"').collect();
        let item = app.get(&mut vcse, &link).await;
        assert!(
            item.body.contains("Getting out of the house"),
            "{}",
            item.body
        );
        // No other access to the person.
        assert_eq!(
            app.get(&mut vcse, &format!("/people/{pid}")).await.status,
            StatusCode::NOT_FOUND
        );
        // Another organisation's worker is told it is not there, as for one that is not.
        let mut other = app.sign_in(OTHER_VCSE).await;
        for path in [link.clone(), "/inbox/999999".into()] {
            assert_eq!(
                app.get(&mut other, &path).await.status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
            let r = app
                .post(
                    &mut other,
                    &format!("{path}/reply"),
                    &[("decision", "accept")],
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
            let r = app
                .post(
                    &mut other,
                    &format!("{path}/outcome"),
                    &[("attended", "yes")],
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        }
        assert!(
            !app.get(&mut other, "/inbox")
                .await
                .body
                .contains("Jack Turner")
        );
        // Care staff do not answer referrals.
        assert_eq!(
            app.get(&mut lw, "/inbox").await.status,
            StatusCode::FORBIDDEN
        );
        // A decline needs a reason; then accept, then attended.
        let no_reason = app
            .post(
                &mut vcse,
                &format!("{link}/reply"),
                &[("decision", "decline")],
            )
            .await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(no_reason.body.contains("href=\"#decline_reason\""));
        let ok = app
            .post(
                &mut vcse,
                &format!("{link}/reply"),
                &[("decision", "accept")],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let again = app
            .post(
                &mut vcse,
                &format!("{link}/reply"),
                &[("decision", "decline"), ("decline_reason", "Full")],
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        let came = app
            .post(
                &mut vcse,
                &format!("{link}/outcome"),
                &[("attended", "yes")],
            )
            .await;
        assert_eq!(came.status, StatusCode::SEE_OTHER);
        let record = app.get(&mut lw, &format!("/people/{pid}")).await;
        assert!(
            record.body.contains("Attended"),
            "the link worker sees each step"
        );
        let row = turner_row(&app.get(&mut lw, &caseload).await.body);
        assert!(row.contains("(Riverdale Carers Centre), attended"), "{row}");
        assert!(app.audit_count("service_referral_viewed", "success").await >= 1);
        assert!(app.audit_count("service_referral_viewed", "refused").await >= 2);
    }
);

seeded_db_test!(
    an_organisation_keeps_its_listing_and_a_curator_publishes_it,
    |db| {
        let conn = db.clone();
        let app = app(db).await;
        other_vcse(&conn).await;
        let cuppa = domain::directory::taxonomy::uuid_of("demo-service/0").to_string();
        let edit = format!("/directory/listings/{cuppa}/edit");
        let mut vcse = app.sign_in(VCSE).await;
        let list = app.get(&mut vcse, "/directory/listings").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains(&edit));
        assert!(
            list.body.contains("May be out of date"),
            "the overdue listing is flagged"
        );
        let form = app.get(&mut vcse, &edit).await;
        assert_eq!(form.status, StatusCode::OK);
        // The form as it stands, with the name changed.
        let mut fields: Vec<(String, String)> = form_values(&form.body);
        fields.retain(|(k, _)| k != "name" && k != "csrf_token");
        fields.push(("name".into(), "Carers' cuppa and chat (Riverdale)".into()));
        let as_pairs = |f: &[(String, String)]| {
            f.iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Vec<_>>()
        };
        // Wrong input is named, and what was typed is kept.
        let mut wrong = as_pairs(&fields);
        wrong.retain(|(k, _)| k != "postcode" && k != "opening0_opens");
        wrong.push(("postcode".into(), "nowhere".into()));
        wrong.push(("opening0_opens".into(), "teatime".into()));
        let refs: Vec<(&str, &str)> = wrong
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = app.post(&mut vcse, &edit, &refs).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("href=\"#postcode\""), "{}", r.body);
        assert!(r.body.contains("href=\"#opening0_opens\""), "{}", r.body);
        assert!(r.body.contains("teatime"));
        let good = as_pairs(&fields);
        let refs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = app.post(&mut vcse, &edit, &refs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(r.location().contains("listing-proposed"));
        // Not theirs: another organisation's worker and care staff are told it is not there.
        let mut other = app.sign_in(OTHER_VCSE).await;
        let mut lw = app.sign_in(LINK_WORKER).await;
        for b in [&mut other, &mut lw] {
            assert_eq!(app.get(b, &edit).await.status, StatusCode::NOT_FOUND);
            assert_eq!(
                app.post(b, &edit, &refs).await.status,
                StatusCode::NOT_FOUND
            );
            assert_eq!(
                app.post(
                    b,
                    &format!("/directory/listings/{cuppa}/capacity"),
                    &[("capacity", "full")]
                )
                .await
                .status,
                StatusCode::NOT_FOUND
            );
        }
        assert_eq!(
            app.get(&mut lw, "/directory/changes").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get(&mut vcse, "/directory/changes").await.status,
            StatusCode::FORBIDDEN
        );
        // The curator sees what changes and publishes it.
        let mut curator = app.sign_in("commissioner@demo.whatmatters.test").await;
        let changes = app.get(&mut curator, "/directory/changes").await;
        let at = changes
            .body
            .find("/directory/changes/")
            .expect("a change waiting");
        let link: String = changes.body[at..]
            .chars()
            .take_while(|c| *c != '"')
            .collect();
        let change = app.get(&mut curator, &link).await;
        assert!(
            change
                .body
                .contains("Carers&#39; cuppa and chat (Riverdale)"),
            "{}",
            change.body
        );
        let done = app
            .post(&mut curator, &format!("{link}/publish"), &[])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        let again = app
            .post(&mut curator, &format!("{link}/publish"), &[])
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        let public = app
            .get(
                &mut Browser::default(),
                &format!("/find-support/services/{cuppa}"),
            )
            .await;
        assert!(
            public
                .body
                .contains("Carers&#39; cuppa and chat (Riverdale)")
        );
        assert!(!public.body.contains("This may be out of date"));
        // Places, at once.
        let r = app
            .post(
                &mut vcse,
                &format!("/directory/listings/{cuppa}/capacity"),
                &[("capacity", "waiting_list")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let public = app
            .get(
                &mut Browser::default(),
                &format!("/find-support/services/{cuppa}"),
            )
            .await;
        assert!(public.body.contains("Waiting list"));
    }
);

/// The values a page's form would send as it stands: text inputs, checked boxes and radios,
/// and text areas.
fn form_values(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!("{name}=\"");
        let at = tag.find(&key)? + key.len();
        Some(tag[at..].split('"').next()?.to_owned())
    };
    let unescape = |s: &str| {
        s.replace("&#39;", "'")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    let form = &html[html.find("/edit\" method=\"post\"").unwrap_or(0)..];
    for part in form.split("<input").skip(1) {
        let tag = part.split('>').next().unwrap_or("");
        let (Some(name), kind) = (attr(tag, "name"), attr(tag, "type").unwrap_or_default()) else {
            continue;
        };
        if (kind == "checkbox" || kind == "radio") && !tag.contains(" checked") {
            continue;
        }
        out.push((name, unescape(&attr(tag, "value").unwrap_or_default())));
    }
    for part in form.split("<textarea").skip(1) {
        let tag = part.split('>').next().unwrap_or("");
        let Some(name) = attr(tag, "name") else {
            continue;
        };
        let body = part
            .split_once('>')
            .map(|x| x.1)
            .unwrap_or("")
            .split("</textarea>")
            .next()
            .unwrap_or("");
        out.push((name, unescape(body)));
    }
    out
}
