use axum::http::StatusCode;
use chrono::Duration;

use crate::common::*;

store::db_test!(signing_in_shows_the_home_page_with_the_roles_data, |db| {
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

store::db_test!(
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

store::db_test!(empty_sign_in_form_names_each_missing_field, |db| {
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

store::db_test!(an_account_locks_after_five_failed_sign_ins, |db| {
    let app = app(db).await;
    let mut b = Browser::default();
    b.csrf = app.get(&mut b, "/sign-in").await.csrf();
    for _ in 0..4 {
        let r = app
            .post(
                &mut b,
                "/sign-in",
                &[("email", LINK_WORKER), ("password", "guess guess guess")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let fifth = app
        .post(
            &mut b,
            "/sign-in",
            &[("email", LINK_WORKER), ("password", "guess guess guess")],
        )
        .await;
    assert_eq!(fifth.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(fifth.body.contains("This account is locked"));
    // Even the right password is refused while locked.
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
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
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

store::db_test!(
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

store::db_test!(an_idle_session_expires_and_says_so, |db| {
    let app = app(db).await;
    let mut b = app.sign_in(LINK_WORKER).await;
    app.clock.advance(Duration::minutes(20));
    assert_eq!(
        app.get(&mut b, "/organisations").await.status,
        StatusCode::OK,
        "20 minutes idle is within the limit"
    );
    app.clock.advance(Duration::minutes(31));
    let r = app.get(&mut b, "/organisations").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
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

store::db_test!(a_busy_session_still_ends_at_the_absolute_timeout, |db| {
    let app = app(db).await;
    let mut b = app.sign_in(LINK_WORKER).await;
    for _ in 0..25 {
        app.clock.advance(Duration::minutes(29));
        let r = app.get(&mut b, "/").await;
        if r.body.contains("Sign in") && !r.body.contains("Hello,") {
            // 25 × 29 min = 12h05m: the session must have ended by now.
            return;
        }
    }
    let r = app.get(&mut b, "/organisations").await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "session outlived the 12 hour limit"
    );
});

store::db_test!(signing_out_ends_the_session, |db| {
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

store::db_test!(
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

store::db_test!(sign_in_itself_needs_the_pre_session_csrf_cookie, |db| {
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

store::db_test!(password_reset_by_emailed_link_works_once, |db| {
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
        .all(&app.svc.db)
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
    assert_eq!(services::email::deliver_pending(&app.svc).await.unwrap(), 1);
});

store::db_test!(
    a_reset_link_used_twice_at_once_changes_the_password_once,
    |db| {
        let app = app(db).await;
        let meta = services::RequestMeta::default();
        services::identity::reset::request(&app.svc, LINK_WORKER, &meta)
            .await
            .unwrap();
        use sea_orm::EntityTrait;
        let mail = store::entities::email_outbox::Entity::find()
            .one(&app.svc.db)
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
