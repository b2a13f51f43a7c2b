//! Networks, lists and leadership over HTTP: each route that names a network's record refuses
//! an organiser of another organisation (and answers a record outside the caller's reach
//! exactly as one that is not there), the one-click unsubscribe mail programs POST, and the
//! pages' forms end to end.

use axum::http::{Method, StatusCode};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use store::entities::{
    membership, network_application, network_community, network_post, opportunity, user,
};

use crate::common::*;

const ORGANISER: &str = "network.organiser@demo.whatmatters.test";
const PEER: &str = "peer.leader@demo.whatmatters.test";

/// Makes the Fellside link worker an organiser of networks at their own organisation (another
/// ICB's PCN): they hold `run_networks`, but not over the region that runs the demo's networks.
async fn other_organiser(app: &App) {
    let u = user::Entity::find()
        .filter(user::Column::Email.eq(OTHER_LINK_WORKER))
        .one(app.svc.db())
        .await
        .unwrap()
        .unwrap();
    let m = membership::Entity::find()
        .filter(membership::Column::UserId.eq(u.id))
        .one(app.svc.db())
        .await
        .unwrap()
        .unwrap();
    membership::ActiveModel {
        user_id: Set(u.id),
        organisation_id: Set(m.organisation_id),
        role: Set("network_organiser".into()),
        created_at: Set(m.created_at),
        ..Default::default()
    }
    .insert(app.svc.db())
    .await
    .unwrap();
}

async fn first<E: EntityTrait>(app: &App) -> E::Model {
    E::find().one(app.svc.db()).await.unwrap().unwrap()
}

seeded_db_test!(
    another_organisations_organiser_is_refused_every_network_record,
    |db| {
        let app = app(db).await;
        other_organiser(&app).await;
        let mut b = app.sign_in(OTHER_LINK_WORKER).await;
        let application = first::<network_application::Entity>(&app).await.id;
        let community = first::<network_community::Entity>(&app).await.id;
        let post = first::<network_post::Entity>(&app).await.id;
        // Organisers' pages of a network they do not run: refused.
        for path in [
            "/networks/champions/applications".to_owned(),
            format!("/networks/champions/applications/{application}"),
            "/networks/champions/reports".to_owned(),
            "/networks/champions/members".to_owned(),
            "/lists/keep-in-the-loop/send".to_owned(),
            "/networks/champions/consultations/new".to_owned(),
        ] {
            let r = app.get(&mut b, &path).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "GET {path}");
        }
        for (path, form) in [
            (
                format!("/networks/champions/applications/{application}"),
                vec![("decision", "approve")],
            ),
            (
                "/networks/champions/events".to_owned(),
                vec![("event", "00000000-0000-0000-0000-000000000000")],
            ),
            (
                "/lists/keep-in-the-loop/send".to_owned(),
                vec![("subject", "Hi"), ("body", "Hello")],
            ),
            (
                "/networks/champions/consultations/new".to_owned(),
                vec![("title", "T")],
            ),
        ] {
            let r = app.post(&mut b, &path, &form).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "POST {path}");
        }
        // Communities, threads, posts and consultations outside one's networks answer as if they
        // were not there.
        let consultation = first::<store::entities::consultation::Entity>(&app)
            .await
            .id;
        for (real, none) in [
            (
                format!("/networks/communities/{community}"),
                "/networks/communities/999999".to_owned(),
            ),
            (
                format!("/networks/threads/{post}"),
                "/networks/threads/999999".to_owned(),
            ),
            (
                format!("/networks/posts/{post}/report"),
                "/networks/posts/999999/report".to_owned(),
            ),
            (
                format!("/networks/posts/{post}/edit"),
                "/networks/posts/999999/edit".to_owned(),
            ),
            (
                format!("/consultations/{consultation}"),
                "/consultations/999999".to_owned(),
            ),
            (
                format!("/consultations/{consultation}/responses"),
                "/consultations/999999/responses".to_owned(),
            ),
            (
                format!("/consultations/{consultation}/responses.csv"),
                "/consultations/999999/responses.csv".to_owned(),
            ),
        ] {
            let (a, z) = (app.get(&mut b, &real).await, app.get(&mut b, &none).await);
            assert_eq!(a.status, StatusCode::NOT_FOUND, "GET {real}");
            assert_eq!(
                (a.status, a.body.len()),
                (z.status, z.body.len()),
                "{real} answers like {none}"
            );
        }
        for path in [
            format!("/networks/communities/{community}"),
            format!("/networks/threads/{post}"),
            format!("/networks/posts/{post}/moderate"),
            format!("/consultations/{consultation}"),
        ] {
            let r = app
                .post(
                    &mut b,
                    &path,
                    &[
                        ("title", "T"),
                        ("body", "B"),
                        ("action", "hide"),
                        ("reason", "R"),
                        ("answer-1", "A"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "POST {path}");
        }
        // And through the API.
        let token = app.token_for(OTHER_LINK_WORKER).await;
        let r = app
            .api(
                Method::GET,
                "/api/v1/networks/champions/applications",
                &token,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/networks/champions/applications/{application}/decision"),
                &token,
                Some(json!({"decision": "approve"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .api(
                Method::POST,
                "/api/v1/lists/keep-in-the-loop/messages",
                &token,
                Some(json!({"subject": "Hi", "body": "Hello"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .api(
                Method::PUT,
                &format!("/api/v1/consultations/{consultation}/response"),
                &token,
                Some(json!({"answers": ["x"]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(app.audit_count("access_refused", "refused").await > 0);
    }
);

seeded_db_test!(
    another_organisations_opportunity_answers_as_not_there,
    |db| {
        let app = app(db).await;
        let region = app.org_id("Y90").await;
        let theirs = opportunity::Entity::find()
            .filter(opportunity::Column::OrganisationId.eq(region))
            .one(app.svc.db())
            .await
            .unwrap()
            .unwrap()
            .id;
        let mut b = app.sign_in(PCN_MANAGER).await;
        let (a, z) = (
            app.get(&mut b, &format!("/leaders/manage/{theirs}")).await,
            app.get(&mut b, "/leaders/manage/999999").await,
        );
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        assert_eq!((a.status, a.body.len()), (z.status, z.body.len()));
        for path in [
            format!("/leaders/manage/{theirs}/invite"),
            format!("/leaders/manage/{theirs}/applicants/1/select"),
            format!("/leaders/manage/{theirs}/applicants/1/hours"),
        ] {
            let r = app
                .post(
                    &mut b,
                    &path,
                    &[("user", "1"), ("decision", "select"), ("hours-1", "1")],
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "POST {path}");
        }
        // Their own export holds none of the region's payments.
        let csv = app.get(&mut b, "/leaders/manage/payments.csv").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(!csv.body.contains("Maureen Ellis"), "{}", csv.body);
        // The region's organiser's export does.
        let mut o = app.sign_in(ORGANISER).await;
        let csv = app.get(&mut o, "/leaders/manage/payments.csv").await;
        assert!(
            csv.body
                .contains("Maureen Ellis,peer.leader@demo.whatmatters.test"),
            "{}",
            csv.body
        );
        // Payment rates are for administrators only.
        let r = app.get(&mut o, "/admin/payment-rates").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);

seeded_db_test!(one_click_unsubscribe_needs_nothing_but_the_post, |db| {
    let app = app(db).await;
    let email = "reader@example.org";
    services::networks::lists::subscribe(
        &app.svc,
        &services::RequestMeta::default(),
        "keep-in-the-loop",
        "",
        email,
        "test",
    )
    .await
    .unwrap();
    // The RFC 8058 POST: no session, no CSRF token, a form body.
    let bad = axum::http::Request::post("/api/v1/lists/keep-in-the-loop/unsubscribe/1.0.AAAA")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from("List-Unsubscribe=One-Click"))
        .unwrap();
    let r = app.send(bad).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["errors"][0]["field"], "token");
    // A real token, as a message carries it, unsubscribes.
    let org = app.org_id("Y90").await;
    let _ = org;
    let sub = store::entities::list_subscription::Entity::find()
        .filter(store::entities::list_subscription::Column::Email.eq(email))
        .one(app.svc.db())
        .await
        .unwrap()
        .unwrap();
    let organiser = services::identity::users::load_actor(
        app.svc.db(),
        &services::identity::users::find_by_email(&app.svc, ORGANISER)
            .await
            .unwrap()
            .unwrap(),
    )
    .await
    .unwrap();
    // Confirm, send, and read the leave address from the outbox as a mail program would.
    let mail = store::entities::email_outbox::Entity::find()
        .filter(store::entities::email_outbox::Column::ToAddress.eq(email))
        .one(app.svc.db())
        .await
        .unwrap()
        .unwrap();
    let at = mail.body_text.find("/lists/confirm/").unwrap() + "/lists/confirm/".len();
    let token: String = mail.body_text[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    services::networks::lists::confirm(&app.svc, &services::RequestMeta::default(), &token)
        .await
        .unwrap();
    services::networks::lists::send(
        &app.svc,
        &organiser,
        &services::RequestMeta::default(),
        "keep-in-the-loop",
        "News",
        "Hello",
    )
    .await
    .unwrap();
    services::jobs::Worker::new(
        app.svc.clone(),
        services::jobs::Registry::new().on(
            services::networks::lists::DELIVER,
            services::networks::lists::deliver,
        ),
    )
    .run_due()
    .await
    .unwrap();
    let copy = store::entities::email_outbox::Entity::find()
        .filter(store::entities::email_outbox::Column::ToAddress.eq(email))
        .filter(store::entities::email_outbox::Column::Subject.eq("News"))
        .one(app.svc.db())
        .await
        .unwrap()
        .unwrap();
    let url = copy.list_unsubscribe.unwrap();
    let path = &url[url.find("/api/").unwrap()..];
    for _ in 0..2 {
        let req = axum::http::Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from("List-Unsubscribe=One-Click"))
            .unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["unsubscribed"], true);
    }
    let after = store::entities::list_subscription::Entity::find_by_id(sub.id)
        .one(app.svc.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.state, "unsubscribed");
});

seeded_db_test!(
    a_leader_applies_is_selected_and_paid_through_the_pages,
    |db| {
        let app = app(db).await;
        let mut o = app.sign_in(ORGANISER).await;
        // Posting: every problem named, then posted.
        let r = app
            .post(&mut o, "/leaders/manage/new", &[("title", "")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("nhsuk-error-summary"));
        let region = app.org_id("Y90").await.to_string();
        let r = app
            .post(
                &mut o,
                "/leaders/manage/new",
                &[
                    ("organisation_id", region.as_str()),
                    ("title", "Reading panel: patient leaflets"),
                    ("kind", "reading_group"),
                    (
                        "description",
                        "Read three leaflets and tell us what is unclear.",
                    ),
                    ("skills", "reviewing"),
                    ("skills", "lived_experience"),
                    ("region", "Y63"),
                    ("availability", "flexible"),
                    ("hours", "2"),
                    ("payment_level", "involvement"),
                    ("closes_on-day", "1"),
                    ("closes_on-month", "12"),
                    ("closes_on-year", "2026"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let manage = r.location().split('?').next().unwrap().to_owned();
        let id = manage.rsplit('/').next().unwrap().to_owned();
        // The peer leader applies.
        let mut p = app.sign_in(PEER).await;
        let page = app
            .get(&mut p, &format!("/leaders/opportunities/{id}"))
            .await;
        assert!(page.body.contains("Reading panel: patient leaflets"));
        let r = app
            .post(
                &mut p,
                &format!("/leaders/opportunities/{id}"),
                &[("note", "Happy to help")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = app
            .post(
                &mut p,
                &format!("/leaders/opportunities/{id}"),
                &[("note", "Again")],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        // Selected, hours recorded, in the export.
        let page = app.get(&mut o, &manage).await;
        let at = page.body.find("/applicants/").unwrap() + "/applicants/".len();
        let app_id: String = page.body[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let r = app
            .post(
                &mut o,
                &format!("{manage}/applicants/{app_id}/select"),
                &[("decision", "select")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let (d, m, y, h) = (
            format!("worked_on-{app_id}-day"),
            format!("worked_on-{app_id}-month"),
            format!("worked_on-{app_id}-year"),
            format!("hours-{app_id}"),
        );
        let r = app
            .post(
                &mut o,
                &format!("{manage}/applicants/{app_id}/hours"),
                &[
                    (d.as_str(), "1"),
                    (m.as_str(), "11"),
                    (y.as_str(), "2026"),
                    (h.as_str(), ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains(&format!("href=\"#{h}\"")),
            "the summary links to the field"
        );
        let r = app
            .post(
                &mut o,
                &format!("{manage}/applicants/{app_id}/hours"),
                &[
                    (d.as_str(), "1"),
                    (m.as_str(), "11"),
                    (y.as_str(), "2026"),
                    (h.as_str(), "2"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let csv = app.get(&mut o, "/leaders/manage/payments.csv").await;
        assert!(
            csv.body
                .contains("Reading panel: patient leaflets,2026-11-01,2.00,22.50,45.00"),
            "{}",
            csv.body
        );
    }
);

seeded_db_test!(
    the_api_posts_in_communities_and_runs_an_opportunity_to_payment,
    |db| {
        let app = app(db).await;
        let token = app.token_for(ORGANISER).await;
        let community = first::<network_community::Entity>(&app).await.id;
        let r = app
            .api(
                Method::GET,
                &format!("/api/v1/networks/communities/{community}/threads"),
                &token,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/networks/communities/{community}/threads"),
                &token,
                Some(json!({"title": "", "body": ""})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "title");
        let r = app
        .api(
            Method::POST,
            &format!("/api/v1/networks/communities/{community}/threads"),
            &token,
            Some(json!({"title": "Dates for the new year", "body": "Meetings are on the network's page.", "announcement": true})),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let thread = r.json()["id"].as_i64().unwrap();
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/networks/threads/{thread}/replies"),
                &token,
                Some(json!({"body": "Thank you"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["body"], "Thank you");
        // A profile, an opportunity, applying, selection and hours, paid at the day's rate.
        let r = app
        .api(
            Method::PUT,
            "/api/v1/leaders/profile",
            &token,
            Some(json!({"lived_experience": "Carer", "skills": ["co_design"], "region": "Y63", "availability": "weekdays"})),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let region = app.org_id("Y90").await;
        let r = app
        .api(
            Method::POST,
            "/api/v1/leaders/opportunities",
            &token,
            Some(json!({"organisation_id": region, "title": "Co-design: the waiting room", "kind": "co_design",
                "description": "Redesign the waiting room with us.", "skills": ["co_design"], "region": "Y63",
                "availability": "weekdays", "hours": "2", "payment_level": "strategic", "closes_on": "2026-11-30"})),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/leaders/opportunities/{id}/applications"),
                &token,
                Some(json!({})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/leaders/opportunities/{id}/applications"),
                &token,
                Some(json!({})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let application = store::entities::opportunity_application::Entity::find()
            .filter(
                store::entities::opportunity_application::Column::OpportunityId
                    .eq(i32::try_from(id).unwrap()),
            )
            .one(app.svc.db())
            .await
            .unwrap()
            .unwrap()
            .id;
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/leaders/opportunities/{id}/applications/{application}/decision"),
                &token,
                Some(json!({"decision": "select"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/leaders/opportunities/{id}/applications/{application}/hours"),
                &token,
                Some(json!({"worked_on": "2026-11-01", "hours": "2"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["payment_pence"], 6_000);
        // Another organisation's manager cannot decide on it: not found.
        let theirs = app.token_for(PCN_MANAGER).await;
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/leaders/opportunities/{id}/applications/{application}/hours"),
                &theirs,
                Some(json!({"worked_on": "2026-11-01", "hours": "2"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
);
