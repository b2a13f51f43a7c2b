//! People management in the browser: invitations, roles, closing accounts; each refused to
//! those who do not manage the organisation, and audited.

use axum::http::{Method, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use store::entities::{email_outbox, user};

use crate::common::*;

async fn user_by_email(app: &App, email: &str) -> user::Model {
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(app.svc.db())
        .await
        .unwrap()
        .unwrap()
}

seeded_db_test!(
    an_invited_member_of_staff_sets_a_password_and_signs_in,
    |db| {
        let app = app(db).await;
        let mut b = app.sign_in(PCN_MANAGER).await;
        let form = app.get(&mut b, "/admin/users/invite").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            !form.body.contains("value=\"person\""),
            "no person accounts"
        );
        assert!(
            !form.body.contains("value=\"admin\""),
            "only an admin makes admins"
        );
        assert!(
            !form.body.contains("Fellside PCN"),
            "only where they manage users"
        );
        let pcn = app.org_id("U90001").await.to_string();
        let fellside = app.org_id("U90004").await.to_string();
        // Bad answers, each against its field; another PCN is not theirs to give.
        let bad = app
            .post(
                &mut b,
                "/admin/users/invite",
                &[
                    ("display_name", ""),
                    ("email", "not an address"),
                    ("role", "admin"),
                    ("organisation_id", fellside.as_str()),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        for field in ["display_name", "email", "role", "organisation_id"] {
            assert!(bad.body.contains(&format!("href=\"#{field}\"")), "{field}");
        }
        let ok = app
            .post(
                &mut b,
                "/admin/users/invite",
                &[
                    ("display_name", "Grace Okafor"),
                    ("email", "grace.okafor@demo.whatmatters.test"),
                    ("role", "link_worker"),
                    ("organisation_id", pcn.as_str()),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let page = app.get(&mut b, ok.location()).await;
        assert!(page.body.contains("The invitation has been sent"));
        assert!(page.body.contains("Invited"));
        let again = app
            .post(
                &mut b,
                "/admin/users/invite",
                &[
                    ("display_name", "Grace Okafor"),
                    ("email", "GRACE.OKAFOR@demo.whatmatters.test"),
                    ("role", "link_worker"),
                    ("organisation_id", pcn.as_str()),
                ],
            )
            .await;
        assert!(
            again
                .body
                .contains("Someone you manage already has an account")
        );
        // An address whose account the manager cannot see is not revealed: the answer is as for
        // an invitation, no account is made, and the account's holder is told.
        let hidden = app
            .post(
                &mut b,
                "/admin/users/invite",
                &[
                    ("display_name", "Someone Else"),
                    ("email", OTHER_LINK_WORKER),
                    ("role", "link_worker"),
                    ("organisation_id", pcn.as_str()),
                ],
            )
            .await;
        assert_eq!(hidden.status, StatusCode::SEE_OTHER);
        assert_eq!(hidden.location(), "/admin/users?saved=invited");
        let told = email_outbox::Entity::find()
            .filter(email_outbox::Column::ToAddress.eq(OTHER_LINK_WORKER))
            .one(app.svc.db())
            .await
            .unwrap()
            .unwrap();
        assert!(told.body_text.contains("you already have an account"));
        // The e-mailed link sets her password once; then she signs in as a link worker.
        let mail = email_outbox::Entity::find()
            .filter(email_outbox::Column::ToAddress.eq("grace.okafor@demo.whatmatters.test"))
            .one(app.svc.db())
            .await
            .unwrap()
            .unwrap();
        assert!(mail.body_text.contains("within 7 days"));
        let link = mail
            .body_text
            .lines()
            .find(|l| l.contains("/password-reset/"))
            .unwrap()
            .trim()
            .to_owned();
        let path = &link[link.find("/password-reset/").unwrap()..];
        let mut grace = Browser::default();
        grace.csrf = app.get(&mut grace, path).await.csrf();
        let set = app
            .post(
                &mut grace,
                path,
                &[
                    ("password", "allotments and choir practice"),
                    ("confirm", "allotments and choir practice"),
                ],
            )
            .await;
        assert_eq!(set.status, StatusCode::SEE_OTHER);
        let signed = services::identity::sign_in::sign_in(
            &app.svc,
            "grace.okafor@demo.whatmatters.test",
            "allotments and choir practice",
            &services::RequestMeta::default(),
        )
        .await;
        assert!(signed.is_ok(), "{signed:?}");
        assert_eq!(app.audit_count("user_invited", "success").await, 1);
    }
);

seeded_db_test!(
    roles_are_given_and_taken_away_and_a_closed_account_ends_at_once,
    |db| {
        let app = app(db).await;
        let worker = user_by_email(&app, LINK_WORKER).await;
        // The link worker is signed in, with an API token.
        let mut lw = app.sign_in(LINK_WORKER).await;
        let token = app.token_for(LINK_WORKER).await;
        assert_eq!(app.get(&mut lw, "/caseload").await.status, StatusCode::OK);
        let mut b = app.sign_in(PCN_MANAGER).await;
        let path = format!("/admin/users/{}", worker.id);
        let page = app.get(&mut b, &path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body
                .contains("Social prescribing link worker at Riverdale Central PCN")
        );
        // Another role, once.
        let practice = app.org_id("B90001").await.to_string();
        let give = [
            ("role", "clinician"),
            ("organisation_id", practice.as_str()),
        ];
        let r = app.post(&mut b, &format!("{path}/roles"), &give).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let twice = app.post(&mut b, &format!("{path}/roles"), &give).await;
        assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(twice.body.contains("They are already"));
        // Taken away again; the last role stays (close the account instead).
        let memberships = store::entities::membership::Entity::find()
            .filter(store::entities::membership::Column::UserId.eq(worker.id))
            .order_by_asc(store::entities::membership::Column::Id)
            .all(app.svc.db())
            .await
            .unwrap();
        let newest = memberships.last().unwrap().id;
        let r = app
            .post(&mut b, &format!("{path}/roles/{newest}/remove"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let only = memberships.first().unwrap().id;
        let r = app
            .post(&mut b, &format!("{path}/roles/{only}/remove"), &[])
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("close the account instead"));
        // Closed: her session and her token end at once.
        let r = app.post(&mut b, &format!("{path}/close"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let after = app.get(&mut lw, "/caseload").await;
        assert_eq!(after.status, StatusCode::SEE_OTHER, "signed out");
        assert!(after.location().starts_with("/sign-in"));
        let api = app.api(Method::GET, "/api/v1/me", &token, None).await;
        assert_eq!(api.status, StatusCode::UNAUTHORIZED);
        let twice = app.post(&mut b, &format!("{path}/close"), &[]).await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
        // Reopened.
        let r = app.post(&mut b, &format!("{path}/reopen"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        for action in ["role_given", "role_removed", "user_closed", "user_reopened"] {
            assert_eq!(app.audit_count(action, "success").await, 1, "{action}");
        }
    }
);

seeded_db_test!(
    staff_outside_ones_scope_are_not_found_and_oneself_is_not_changed,
    |db| {
        let app = app(db).await;
        let fellside = user_by_email(&app, OTHER_LINK_WORKER).await;
        let manager = user_by_email(&app, PCN_MANAGER).await;
        let mut b = app.sign_in(PCN_MANAGER).await;
        for (method, path) in [
            (Method::GET, format!("/admin/users/{}", fellside.id)),
            (Method::POST, format!("/admin/users/{}/close", fellside.id)),
            (Method::POST, format!("/admin/users/{}/roles", fellside.id)),
            (Method::GET, "/admin/users/999999".to_owned()),
        ] {
            let r = if method == Method::GET {
                app.get(&mut b, &path).await
            } else {
                app.post(&mut b, &path, &[]).await
            };
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}");
        }
        let own = app
            .post(&mut b, &format!("/admin/users/{}/close", manager.id), &[])
            .await;
        assert_eq!(own.status, StatusCode::CONFLICT);
        assert!(own.body.contains("You cannot close your own account"));
        // A link worker manages no one.
        let mut lw = app.sign_in(LINK_WORKER).await;
        assert_eq!(
            app.get(&mut lw, "/admin/users/invite").await.status,
            StatusCode::FORBIDDEN
        );
    }
);

seeded_db_test!(
    an_account_with_roles_beyond_ones_scope_is_not_closed_and_ranks_hold,
    |db| {
        let app = app(db).await;
        // The Fellside link worker is also given a role at Riverdale Central by the administrator.
        let fellside = user_by_email(&app, OTHER_LINK_WORKER).await;
        let admin =
            services::identity::users::actor_of(&app.svc, &user_by_email(&app, ADMIN).await)
                .await
                .unwrap();
        let riverdale = app.org_id("U90001").await;
        services::identity::staff::add_role(
            &app.svc,
            &admin,
            &services::RequestMeta::default(),
            fellside.id,
            "care_coordinator",
            Some(riverdale),
        )
        .await
        .unwrap();
        // The Riverdale manager sees them, but may not close an account that is also Fellside's.
        let mut b = app.sign_in(PCN_MANAGER).await;
        let path = format!("/admin/users/{}", fellside.id);
        assert_eq!(app.get(&mut b, &path).await.status, StatusCode::OK);
        let close = app.post(&mut b, &format!("{path}/close"), &[]).await;
        assert_eq!(close.status, StatusCode::FORBIDDEN);
        assert!(user_by_email(&app, OTHER_LINK_WORKER).await.active);
        // An administrator's role is not the manager's to take away.
        let worker = user_by_email(&app, LINK_WORKER).await;
        services::identity::staff::add_role(
            &app.svc,
            &admin,
            &services::RequestMeta::default(),
            worker.id,
            "admin",
            Some(riverdale),
        )
        .await
        .unwrap();
        let admin_role = store::entities::membership::Entity::find()
            .filter(store::entities::membership::Column::UserId.eq(worker.id))
            .filter(store::entities::membership::Column::Role.eq("admin"))
            .one(app.svc.db())
            .await
            .unwrap()
            .unwrap();
        let r = app
            .post(
                &mut b,
                &format!("/admin/users/{}/roles/{}/remove", worker.id, admin_role.id),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);
