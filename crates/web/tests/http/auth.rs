use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use chrono::Duration;
use std::net::SocketAddr;

use crate::common::*;

seeded_db_test!(signing_in_shows_the_home_page_with_the_roles_data, |db| {
    let app = app(db).await;
    let mut b = app.sign_in(PCN_MANAGER).await;
    let home = app.get(&mut b, "/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Hello, Tom Whitfield"), "{}", home.body);
    // A PCN manager sees their PCN's member practices with list sizes.
    assert!(home.body.contains("Within Riverdale Central PCN"));
    assert!(home.body.contains("Riverside Medical Centre"));
    assert_eq!(app.audit_count("sign_in", "success").await, 1);
});

seeded_db_test!(
    wrong_password_and_unknown_account_get_the_same_message,
    |db| {
        let app = app(db).await;
        for email in [LINK_WORKER, "nobody@demo.whatmatters.test"] {
            let mut b = Browser::default();
            b.csrf = app.get(&mut b, "/sign-in").await.csrf();
            let r = app
                .post(
                    &mut b,
                    "/sign-in",
                    &[("email", email), ("password", "not the password")],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
            assert!(r.body.contains("There is a problem"));
            assert!(
                r.body
                    .contains("The email address or password is incorrect")
            );
            assert!(
                r.body.contains("<title>Error: Sign in"),
                "title marks the error"
            );
            assert!(r.cookie("wm_session").is_none());
        }
        assert_eq!(app.audit_count("sign_in", "failure").await, 2);
    }
);

seeded_db_test!(empty_sign_in_form_names_each_missing_field, |db| {
    let app = app(db).await;
    let mut b = Browser::default();
    b.csrf = app.get(&mut b, "/sign-in").await.csrf();
    let r = app
        .post(&mut b, "/sign-in", &[("email", ""), ("password", "")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#email\">Enter your email address"));
    assert!(r.body.contains("href=\"#password\">Enter your password"));
});

seeded_db_test!(an_account_locks_after_five_failed_sign_ins, |db| {
    let app = app(db).await;
    let mut b = Browser::default();
    b.csrf = app.get(&mut b, "/sign-in").await.csrf();
    for _ in 0..5 {
        let r = app
            .post(
                &mut b,
                "/sign-in",
                &[("email", LINK_WORKER), ("password", "guess guess guess")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(!r.body.contains("locked"), "the lock is not revealed");
    }
    let u = services::identity::users::find_by_email(&app.svc, LINK_WORKER)
        .await
        .unwrap()
        .unwrap();
    assert!(u.locked_until.is_some(), "five failures lock the account");
    // Even the right password is refused while locked, as if it were wrong.
    let right = app
        .post(
            &mut b,
            "/sign-in",
            &[
                ("email", LINK_WORKER),
                ("password", services::demo::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(right.status, StatusCode::UNAUTHORIZED);
    assert!(
        right
            .body
            .contains("The email address or password is incorrect")
    );
    assert!(right.cookie("wm_session").is_none());
    // After the lock ends, the right password works again.
    app.clock.advance(Duration::minutes(16));
    let later = app
        .post(
            &mut b,
            "/sign-in",
            &[
                ("email", LINK_WORKER),
                ("password", services::demo::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(later.status, StatusCode::SEE_OTHER);
});

seeded_db_test!(
    simultaneous_failed_sign_ins_all_count_towards_the_lock,
    |db| {
        let app = app(db).await;
        let meta = services::RequestMeta::default();
        let attempts = (0..8).map(|_| {
            services::identity::sign_in::sign_in(
                &app.svc,
                LINK_WORKER,
                "wrong password here",
                &meta,
            )
        });
        let results = futures::future::join_all(attempts).await;
        assert!(results.iter().all(|r| r.is_err()));
        let u = services::identity::users::find_by_email(&app.svc, LINK_WORKER)
            .await
            .unwrap()
            .unwrap();
        assert!(
            u.locked_until.is_some(),
            "8 simultaneous failures must lock the account"
        );
    }
);

seeded_db_test!(an_idle_session_expires_and_says_so, |db| {
    let app = app(db).await;
    let mut b = app.sign_in(LINK_WORKER).await;
    app.clock.advance(Duration::minutes(30));
    assert_eq!(
        app.get(&mut b, "/organisations").await.status,
        StatusCode::OK,
        "30 minutes idle is within the limit"
    );
    app.clock
        .advance(Duration::minutes(30) + Duration::seconds(1));
    let r = app.get(&mut b, "/organisations").await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "30 minutes and a second idle is past the limit"
    );
    assert!(
        r.location().starts_with("/sign-in?expired=1"),
        "{}",
        r.location()
    );
    let page = app.get(&mut b, r.location()).await;
    assert!(
        page.body
            .contains("You were signed out because you had not used whatmatters for a while")
    );
    assert_eq!(app.audit_count("session_expired", "success").await, 1);
});

seeded_db_test!(a_busy_session_still_ends_at_the_absolute_timeout, |db| {
    let app = app(db).await;
    let mut b = app.sign_in(LINK_WORKER).await;
    // Busy all day: a request at least every 29 minutes, never idle for the 30 that would end
    // the session, up to exactly 12 hours after signing in, which is still within the limit.
    let limit = Duration::hours(12);
    let mut elapsed = Duration::zero();
    while elapsed < limit {
        let step = Duration::minutes(29).min(limit - elapsed);
        app.clock.advance(step);
        elapsed += step;
        assert_eq!(
            app.get(&mut b, "/organisations").await.status,
            StatusCode::OK,
            "still signed in {} minutes after signing in",
            elapsed.num_minutes()
        );
    }
    assert_eq!(app.audit_count("session_expired", "success").await, 0);
    // One second past 12 hours, however busy, the session has ended.
    app.clock.advance(Duration::seconds(1));
    let r = app.get(&mut b, "/organisations").await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "session outlived the 12 hour limit"
    );
    assert!(
        r.location().starts_with("/sign-in?expired=1"),
        "{}",
        r.location()
    );
    assert_eq!(app.audit_count("session_expired", "success").await, 1);
    assert_eq!(
        app.get(&mut b, "/organisations").await.status,
        StatusCode::SEE_OTHER,
        "the ended session stays ended"
    );
});

seeded_db_test!(signing_out_ends_the_session, |db| {
    let app = app(db).await;
    let mut b = app.sign_in(LINK_WORKER).await;
    let stale = b.clone();
    let r = app.post(&mut b, "/sign-out", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let mut old = stale;
    let again = app.get(&mut old, "/organisations").await;
    assert_eq!(
        again.status,
        StatusCode::SEE_OTHER,
        "the old cookie no longer works"
    );
});

seeded_db_test!(
    forms_without_the_csrf_token_are_refused_and_change_nothing,
    |db| {
        let app = app(db).await;
        let mut b = app.sign_in(ADMIN).await;
        let before = app.get(&mut b, "/organisations?q=Forged").await;
        assert!(before.body.contains("No organisations match"));
        let region = app.org_id("QZ1").await.to_string();
        let form = [
            ("kind", "vcse"),
            ("name", "Forged Charity"),
            ("parent_id", region.as_str()),
        ];
        // Missing token.
        let mut no_token: Vec<(&str, &str)> = form.to_vec();
        no_token.push(("csrf_token", ""));
        let r = app.post(&mut b, "/organisations/new", &no_token).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("This form has expired"));
        // Another session's token.
        let other = app.sign_in(PCN_MANAGER).await;
        let mut forged: Vec<(&str, &str)> = form.to_vec();
        forged.push(("csrf_token", other.csrf.as_str()));
        let r = app.post(&mut b, "/organisations/new", &forged).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let after = app.get(&mut b, "/organisations?q=Forged").await;
        assert!(
            after.body.contains("No organisations match"),
            "nothing was saved"
        );
        assert_eq!(app.audit_count("csrf_rejected", "refused").await, 2);
        // The real token works.
        let ok = app.post(&mut b, "/organisations/new", &form).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    }
);

seeded_db_test!(sign_in_itself_needs_the_pre_session_csrf_cookie, |db| {
    let app = app(db).await;
    let mut b = Browser::default();
    let r = app
        .post(
            &mut b,
            "/sign-in",
            &[
                ("email", LINK_WORKER),
                ("password", services::demo::DEMO_PASSWORD),
                ("csrf_token", "made-up"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.cookie("wm_session").is_none());
});

seeded_db_test!(password_reset_by_emailed_link_works_once, |db| {
    let app = app(db).await;
    let mut b = Browser::default();
    b.csrf = app.get(&mut b, "/password-reset").await.csrf();
    let r = app
        .post(&mut b, "/password-reset", &[("email", LINK_WORKER)])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Check your email"));
    // Unknown addresses get the same answer and no e-mail.
    let r2 = app
        .post(
            &mut b,
            "/password-reset",
            &[("email", "nobody@demo.whatmatters.test")],
        )
        .await;
    assert!(r2.body.contains("Check your email"));
    use sea_orm::EntityTrait;
    let mails = store::entities::email_outbox::Entity::find()
        .all(app.svc.db())
        .await
        .unwrap();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to_address, LINK_WORKER);
    let link = mails[0]
        .body_text
        .lines()
        .find(|l| l.contains("/password-reset/"))
        .unwrap()
        .trim()
        .to_owned();
    let path = &link[link.find("/password-reset/").unwrap()..];
    let form = app.get(&mut b, path).await;
    assert!(form.body.contains("Choose a new password"));
    b.csrf = form.csrf();
    let short = app
        .post(&mut b, path, &[("password", "short"), ("confirm", "short")])
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        short
            .body
            .contains("Password must be 12 characters or more")
    );
    let ok = app
        .post(
            &mut b,
            path,
            &[
                ("password", "a brand new passphrase"),
                ("confirm", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let again = app.get(&mut b, path).await;
    assert_eq!(
        again.status,
        StatusCode::GONE,
        "a used link does not work twice"
    );
    let signed = services::identity::sign_in::sign_in(
        &app.svc,
        LINK_WORKER,
        "a brand new passphrase",
        &services::RequestMeta::default(),
    )
    .await;
    assert!(signed.is_ok());
    // The e-mail is delivered as an .eml file when no SMTP server is configured.
    let worker = services::jobs::Worker::new(app.svc.clone(), services::jobs::registry());
    assert_eq!(worker.run_due().await.unwrap().succeeded, 1);
});

seeded_db_test!(
    a_reset_link_used_twice_at_once_changes_the_password_once,
    |db| {
        let app = app(db).await;
        let meta = services::RequestMeta::default();
        services::identity::reset::request(&app.svc, LINK_WORKER, &meta)
            .await
            .unwrap();
        use sea_orm::EntityTrait;
        let mail = store::entities::email_outbox::Entity::find()
            .one(app.svc.db())
            .await
            .unwrap()
            .unwrap();
        let token = mail
            .body_text
            .split("/password-reset/")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned();
        let tries = (0..4).map(|i| {
            let svc = app.svc.clone();
            let token = token.clone();
            let meta = meta.clone();
            async move {
                let pw = format!("new passphrase number {i}");
                services::identity::reset::complete(&svc, &token, &pw, &pw, &meta).await
            }
        });
        let results = futures::future::join_all(tries).await;
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "{results:?}"
        );
    }
);

/// Sends a request as if from the client address `ip` (as the server's connect info gives it).
async fn send_from(app: &App, ip: &str, mut req: Request<Body>) -> Resp {
    let addr: std::net::IpAddr = ip.parse().unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::new(addr, 40_000)));
    app.send(req).await
}

/// Posts a form from a client address, with the browser's cookies and CSRF token.
async fn post_from(app: &App, b: &Browser, ip: &str, path: &str, form: &[(&str, &str)]) -> Resp {
    let mut fields = form.to_vec();
    fields.push(("csrf_token", b.csrf.as_str()));
    let cookies = b
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let req = Request::post(path)
        .header(header::COOKIE, cookies)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(serde_urlencoded::to_string(&fields).unwrap()))
        .unwrap();
    send_from(app, ip, req).await
}

async fn anonymous(app: &App, path: &str) -> Browser {
    let mut b = Browser::default();
    b.csrf = app.get(&mut b, path).await.csrf();
    b
}

fn retry_after(r: &Resp) -> u64 {
    r.headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Retry-After on {}", r.status))
}

seeded_db_test!(
    a_locked_account_gets_the_same_page_as_a_wrong_password,
    |db| {
        let app = app(db).await;
        let b = anonymous(&app, "/sign-in").await;
        let wrong = [("email", LINK_WORKER), ("password", "not the password")];
        let first = post_from(&app, &b, "192.0.2.1", "/sign-in", &wrong).await;
        for _ in 0..4 {
            post_from(&app, &b, "192.0.2.1", "/sign-in", &wrong).await;
        }
        let locked_wrong = post_from(&app, &b, "192.0.2.1", "/sign-in", &wrong).await;
        let locked_right = post_from(
            &app,
            &b,
            "192.0.2.1",
            "/sign-in",
            &[
                ("email", LINK_WORKER),
                ("password", services::demo::DEMO_PASSWORD),
            ],
        )
        .await;
        assert_eq!(first.status, StatusCode::UNAUTHORIZED);
        for r in [&locked_wrong, &locked_right] {
            assert_eq!(r.status, first.status);
            assert_eq!(r.body, first.body, "byte-identical pages");
            assert!(r.cookie("wm_session").is_none());
        }
        // An unknown account's page differs only in the address echoed back.
        let unknown = post_from(
            &app,
            &b,
            "192.0.2.1",
            "/sign-in",
            &[("email", "nobody@demo.whatmatters.test"), ("password", "x")],
        )
        .await;
        assert_eq!(unknown.status, first.status);
        assert_eq!(
            unknown
                .body
                .replace("nobody@demo.whatmatters.test", LINK_WORKER),
            first.body
        );
        assert_eq!(
            app.audit_count("sign_in", "refused").await,
            2,
            "locked, twice"
        );
    }
);

seeded_db_test!(
    too_many_sign_ins_from_one_address_get_429_with_retry_after,
    |db| {
        let app = app(db).await;
        let b = anonymous(&app, "/sign-in").await;
        let cap = services::limits::SIGN_IN_PER_ADDRESS.capacity;
        for i in 0..cap {
            let email = format!("someone{i}@demo.whatmatters.test");
            let r = post_from(
                &app,
                &b,
                "192.0.2.50",
                "/sign-in",
                &[("email", &email), ("password", "x")],
            )
            .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        let form = [
            ("email", LINK_WORKER),
            ("password", services::demo::DEMO_PASSWORD),
        ];
        let r = post_from(&app, &b, "192.0.2.50", "/sign-in", &form).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            retry_after(&r),
            services::limits::SIGN_IN_PER_ADDRESS.refill_secs
        );
        assert!(r.body.contains("Too many attempts"), "{}", r.body);
        assert!(r.body.contains("Try again in 6 seconds"), "{}", r.body);
        assert!(r.cookie("wm_session").is_none());
        // Someone at another address signs in as usual.
        let other = post_from(&app, &b, "192.0.2.51", "/sign-in", &form).await;
        assert_eq!(other.status, StatusCode::SEE_OTHER);
        // The limited address may try again once a token is earned.
        app.clock.advance(Duration::seconds(6));
        let again = post_from(&app, &b, "192.0.2.50", "/sign-in", &form).await;
        assert_eq!(again.status, StatusCode::SEE_OTHER);
    }
);

seeded_db_test!(hostile_sign_in_input_answers_as_incorrect, |db| {
    let app = app(db).await;
    let b = anonymous(&app, "/sign-in").await;
    let long = format!("{}@demo.whatmatters.test", "a".repeat(300));
    for (email, password) in [
        ("link.worker\0@demo.whatmatters.test", "whatmatters-demo"),
        ("link.worker@demo.whatmatters.test", "whatmatters-demo\0"),
        ("\u{1}\u{2}\u{3}", "x"),
        (long.as_str(), "x"),
    ] {
        let r = post_from(
            &app,
            &b,
            "192.0.2.2",
            "/sign-in",
            &[("email", email), ("password", password)],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{email:?}");
        assert!(
            r.body
                .contains("The email address or password is incorrect")
        );
    }
});

seeded_db_test!(
    password_reset_requests_send_at_most_three_emails_an_hour,
    |db| {
        let app = app(db).await;
        let b = anonymous(&app, "/password-reset").await;
        let mut statuses = Vec::new();
        for email in [LINK_WORKER, "nobody@demo.whatmatters.test"] {
            let mut these = Vec::new();
            for i in 0..25 {
                // From 25 addresses, so the per-account limit is what holds.
                let ip = format!("198.51.100.{i}");
                let r = post_from(&app, &b, &ip, "/password-reset", &[("email", email)]).await;
                if r.status == StatusCode::TOO_MANY_REQUESTS {
                    assert!(r.body.contains("Too many attempts"));
                    assert!(r.body.contains("Try again in 20 minutes"), "{}", r.body);
                    assert_eq!(retry_after(&r), 1200);
                } else {
                    assert!(r.body.contains("Check your email"));
                }
                these.push(r.status);
            }
            statuses.push(these);
        }
        assert_eq!(
            statuses[0], statuses[1],
            "the same answers whether or not the account exists"
        );
        let ok = statuses[0].iter().filter(|s| **s == StatusCode::OK).count();
        assert_eq!(ok, 3);
        let worker = services::jobs::Worker::new(app.svc.clone(), services::jobs::registry());
        assert_eq!(worker.run_due().await.unwrap().succeeded, 3);
        let eml = std::fs::read_dir(&app.svc.settings.outbox_dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .count();
        assert_eq!(eml, 3, "25 requests, 3 e-mails");
        let _ = std::fs::remove_dir_all(&app.svc.settings.outbox_dir);
    }
);

seeded_db_test!(failed_bearer_tokens_from_one_address_get_429, |db| {
    let app = app(db).await;
    let good = app.token_for(LINK_WORKER).await;
    let call = |ip: &'static str, token: String| {
        let req = Request::get("/api/v1/me")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        send_from(&app, ip, req)
    };
    let cap = services::limits::BEARER_FAILURES_PER_ADDRESS.capacity;
    for i in 0..cap {
        let r = call("192.0.2.70", format!("wm_guess{i}")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = call("192.0.2.70", "wm_guess_again".into()).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&r), 30);
    let body = r.json();
    assert_eq!(body["errors"][0]["code"], "rate_limited");
    assert!(
        body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("Try again in 30 seconds")
    );
    // Other addresses are unaffected.
    assert_eq!(
        call("192.0.2.71", "wm_guess".into()).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(call("192.0.2.71", good).await.status, StatusCode::OK);
});

seeded_db_test!(
    a_self_referral_flood_gets_the_too_many_attempts_page,
    |db| {
        let app = app(db).await;
        let b = anonymous(&app, "/self-referral").await;
        let practice = app.org_id("B90002").await.to_string();
        let form = [
            ("given_name", "Elsie"),
            ("family_name", "Brennan"),
            ("date_of_birth", "1946-10-03"),
            ("practice_id", practice.as_str()),
            ("preferred_contact", "phone"),
            ("phone", "07700 900555"),
            ("service", "social_prescribing"),
            ("reason", "Lonely since my sister moved away"),
            ("consent_to_contact", "yes"),
            ("website", ""),
            ("confirm", "yes"),
        ];
        let limit = services::care::referrals::SELF_REFERRALS_PER_ADDRESS_PER_HOUR;
        for _ in 0..limit {
            let r = post_from(&app, &b, "192.0.2.80", "/self-referral", &form).await;
            assert_eq!(r.status, StatusCode::CREATED);
        }
        let r = post_from(&app, &b, "192.0.2.80", "/self-referral", &form).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.body.contains("Too many attempts"));
        assert!(r.body.contains("Try again in 12 minutes"), "{}", r.body);
        assert_eq!(retry_after(&r), 720);
        let other = post_from(&app, &b, "192.0.2.81", "/self-referral", &form).await;
        assert_eq!(other.status, StatusCode::CREATED);
    }
);
