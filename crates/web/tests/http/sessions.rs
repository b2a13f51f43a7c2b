//! Who is asking is cached for a few seconds per process; every change made here that alters
//! it takes effect on the very next request, and timeouts are checked on every request.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::*;

seeded_db_test!(
    a_revoked_token_stops_working_at_once_even_when_just_used,
    |db| {
        let app = app(db).await;
        let token = app.token_for(LINK_WORKER).await;
        let me = app.api(Method::GET, "/api/v1/me", &token, None).await;
        assert_eq!(me.status, StatusCode::OK);
        let mut b = app.sign_in(LINK_WORKER).await;
        use sea_orm::{EntityTrait, QueryOrder};
        let t = store::entities::api_token::Entity::find()
            .order_by_desc(store::entities::api_token::Column::Id)
            .one(app.svc.db())
            .await
            .unwrap()
            .unwrap();
        let r = app
            .post(&mut b, &format!("/account/api-tokens/{}/revoke", t.id), &[])
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let after = app.api(Method::GET, "/api/v1/me", &token, None).await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    }
);

seeded_db_test!(
    renaming_an_organisation_shows_in_its_members_next_request,
    |db| {
        let app = app(db).await;
        let worker = app.token_for(LINK_WORKER).await;
        let admin = app.token_for(ADMIN).await;
        let before = app
            .api(Method::GET, "/api/v1/me", &worker, None)
            .await
            .json();
        let org_id = before["roles"][0]["organisation_id"].as_i64().unwrap();
        let org = app
            .api(
                Method::GET,
                &format!("/api/v1/organisations/{org_id}"),
                &admin,
                None,
            )
            .await
            .json();
        let mut changed = org.clone();
        changed["name"] = json!("Riverdale North PCN");
        let r = app
            .api(
                Method::PUT,
                &format!("/api/v1/organisations/{org_id}"),
                &admin,
                Some(changed),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let after = app
            .api(Method::GET, "/api/v1/me", &worker, None)
            .await
            .json();
        assert_eq!(
            after["roles"][0]["organisation_name"],
            "Riverdale North PCN"
        );
    }
);

seeded_db_test!(
    an_idle_session_ends_on_time_although_it_was_just_cached,
    |db| {
        let app = app(db).await;
        let mut b = app.sign_in(LINK_WORKER).await;
        assert_eq!(app.get(&mut b, "/account").await.status, StatusCode::OK);
        // Just inside the idle limit: still signed in (and the session is touched).
        app.clock.advance(chrono::Duration::minutes(29));
        assert_eq!(app.get(&mut b, "/account").await.status, StatusCode::OK);
        // Thirty minutes and a second after that touch: signed out.
        app.clock
            .advance(chrono::Duration::minutes(30) + chrono::Duration::seconds(1));
        let r = app.get(&mut b, "/account").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location().contains("expired=1"), "{}", r.location());
    }
);
