#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Networks and mailing lists on both databases: applying, deciding and belonging; posting,
//! reporting and moderating in communities; double opt-in, consent records and one-click
//! unsubscribe; and a list message to ten thousand subscribers that survives its worker
//! stopping half-way, sending each of them one copy.

mod common;
use common::*;

use chrono::Duration;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Statement,
};
use services::ServiceError;
use services::jobs::{self, Registry, Worker};
use services::networks::lists::{self, LinkResult};
use services::networks::talk::{self, Moderation};
use services::networks::{self, ApplicationInput, Decision};
use services::paging::Paging;
use store::entities::{email_outbox, list_delivery, network_member};

const ORGANISER: &str = "network.organiser@demo.whatmatters.test";
const LINK_WORKER: &str = "link.worker@demo.whatmatters.test";
const LEARNER: &str = "learner@demo.whatmatters.test";
const PEER: &str = "peer.leader@demo.whatmatters.test";

async fn seeded(db: store::DatabaseConnection) -> Ctx {
    let c = ctx(db).await;
    services::demo::seed_networks(&c.svc).await.unwrap();
    c
}

fn applying() -> ApplicationInput {
    ApplicationInput {
        job_role: "Care coordinator".into(),
        organisation: "Bridge Street Surgery".into(),
        region: "Y63".into(),
        motivation: "To meet others in the role.".into(),
    }
}

async fn newest_mail(c: &Ctx, to: &str) -> email_outbox::Model {
    email_outbox::Entity::find()
        .filter(email_outbox::Column::ToAddress.eq(to))
        .order_by_desc(email_outbox::Column::Id)
        .one(c.svc.db())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no e-mail to {to}"))
}

/// The path segment after `prefix` in a body.
fn after(body: &str, prefix: &str) -> String {
    let at = body
        .find(prefix)
        .unwrap_or_else(|| panic!("{prefix} in {body}"))
        + prefix.len();
    body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect::<String>()
        .trim_end_matches('.')
        .to_owned()
}

store::db_test!(applying_then_approval_makes_a_member_who_can_post, |db| {
    let c = seeded(db).await;
    let organiser = actor(&c.svc, ORGANISER).await;
    let learner = actor(&c.svc, LEARNER).await;
    let link_worker = actor(&c.svc, LINK_WORKER).await;
    // Every problem at once, in the form's order.
    let bad = ApplicationInput {
        job_role: "Astronaut".into(),
        organisation: " ".into(),
        region: "Y99".into(),
        motivation: "x".repeat(2_001),
    };
    match networks::apply(&c.svc, &learner, &meta(), "champions", &bad).await {
        Err(ServiceError::Invalid(list)) => {
            let fields: Vec<_> = list.iter().map(|f| f.field.as_str()).collect();
            assert_eq!(fields, networks::APPLICATION_FIELDS);
        }
        other => panic!("{other:?}"),
    }
    let id = networks::apply(&c.svc, &learner, &meta(), "champions", &applying())
        .await
        .unwrap();
    // Applying twice changes nothing.
    assert!(matches!(
        networks::apply(&c.svc, &learner, &meta(), "champions", &applying()).await,
        Err(ServiceError::Conflict(m)) if m.contains("already applied")
    ));
    // Not a member yet: communities and the directory are closed.
    let n = networks::get(&c.svc, "champions").await.unwrap();
    let room = n.community_for("Y63").unwrap().id;
    assert!(matches!(
        talk::start_thread(&c.svc, &learner, &meta(), room, "Hello", "Hi all", false).await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(matches!(
        networks::directory(&c.svc, &learner, &meta(), "champions").await,
        Err(ServiceError::Forbidden(_))
    ));
    // Only the network's organisers decide.
    assert!(matches!(
        networks::decide(
            &c.svc,
            &link_worker,
            &meta(),
            "champions",
            id,
            Decision::Approve,
            ""
        )
        .await,
        Err(ServiceError::Forbidden(_))
    ));
    // Declining needs a reason for the applicant.
    assert!(matches!(
        networks::decide(&c.svc, &organiser, &meta(), "champions", id, Decision::Decline, " ").await,
        Err(ServiceError::Invalid(list)) if list[0].field == "message"
    ));
    // An application of another network is not found through this one.
    assert!(matches!(
        networks::decide(
            &c.svc,
            &organiser,
            &meta(),
            "role-society",
            id,
            Decision::Approve,
            ""
        )
        .await,
        Err(ServiceError::NotFound(_))
    ));
    networks::decide(
        &c.svc,
        &organiser,
        &meta(),
        "champions",
        id,
        Decision::Approve,
        "Welcome: do say hello in your region's community.",
    )
    .await
    .unwrap();
    let mail = newest_mail(&c, LEARNER).await;
    assert_eq!(
        mail.subject,
        "Welcome to Person Centred Care Network of Champions"
    );
    assert!(mail.body_text.contains("do say hello"));
    // Deciding again is refused; applying again too.
    assert!(matches!(
        networks::decide(&c.svc, &organiser, &meta(), "champions", id, Decision::Decline, "No").await,
        Err(ServiceError::Conflict(m)) if m.contains("already been decided")
    ));
    assert!(matches!(
        networks::apply(&c.svc, &learner, &meta(), "champions", &applying()).await,
        Err(ServiceError::Conflict(m)) if m.contains("already a member")
    ));
    let m = network_member::Entity::find()
        .filter(network_member::Column::UserId.eq(learner.user_id))
        .filter(network_member::Column::NetworkId.eq(n.id))
        .one(c.svc.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.community_id, Some(room));
    assert!(!m.listed, "nobody is listed until they choose to be");
    // Now a member: posts, and is listed only by choice.
    let thread = talk::start_thread(
        &c.svc,
        &learner,
        &meta(),
        room,
        "Hello",
        "New care coordinator here.",
        false,
    )
    .await
    .unwrap();
    assert!(matches!(
        talk::start_thread(&c.svc, &learner, &meta(), room, "News", "Announcing", true).await,
        Err(ServiceError::Forbidden(_))
    ));
    let peer = actor(&c.svc, PEER).await;
    talk::reply(&c.svc, &peer, &meta(), thread, "Welcome!")
        .await
        .unwrap();
    let t = talk::thread(&c.svc, &learner, thread).await.unwrap();
    assert_eq!(t.opening.replies, 1);
    assert_eq!(t.replies[0].body, "Welcome!");
    let (_, listed) = networks::directory(&c.svc, &peer, &meta(), "champions")
        .await
        .unwrap();
    assert!(!listed.iter().any(|x| x.user_id == learner.user_id));
    networks::set_listed(&c.svc, &learner, &meta(), "champions", true)
        .await
        .unwrap();
    let (_, listed) = networks::directory(&c.svc, &peer, &meta(), "champions")
        .await
        .unwrap();
    assert!(listed.iter().any(|x| x.user_id == learner.user_id));
    // A member of one network is not one of another's.
    let other = networks::get(&c.svc, "role-society").await.unwrap();
    assert!(matches!(
        talk::community(
            &c.svc,
            &learner,
            other.communities[0].id,
            Paging::new(1, 20).unwrap()
        )
        .await,
        Err(ServiceError::NotFound(_))
    ));
});

store::db_test!(withdrawn_and_declined_applications, |db| {
    let c = seeded(db).await;
    let organiser = actor(&c.svc, ORGANISER).await;
    // The learner's application to the society waits in the demo.
    let learner = actor(&c.svc, LEARNER).await;
    let (_, waiting) = networks::applications(
        &c.svc,
        &organiser,
        &meta(),
        "role-society",
        domain::networks::ApplicationState::Pending,
    )
    .await
    .unwrap();
    let id = waiting.iter().find(|a| a.email == LEARNER).unwrap().id;
    networks::withdraw(&c.svc, &learner, &meta(), "role-society")
        .await
        .unwrap();
    assert!(matches!(
        networks::decide(&c.svc, &organiser, &meta(), "role-society", id, Decision::Approve, "").await,
        Err(ServiceError::Conflict(m)) if m.contains("withdrew")
    ));
    // Applying again reopens it; a decline says why, and they may try once more.
    assert_eq!(
        networks::apply(&c.svc, &learner, &meta(), "role-society", &applying())
            .await
            .unwrap(),
        id
    );
    networks::decide(
        &c.svc,
        &organiser,
        &meta(),
        "role-society",
        id,
        Decision::Decline,
        "The society is for staff in post: do apply once you start.",
    )
    .await
    .unwrap();
    assert!(
        newest_mail(&c, LEARNER)
            .await
            .body_text
            .contains("staff in post")
    );
    assert_eq!(
        networks::apply(&c.svc, &learner, &meta(), "role-society", &applying())
            .await
            .unwrap(),
        id
    );
});

store::db_test!(many_approvals_at_once_make_one_member, |db| {
    let c = seeded(db).await;
    let organiser = actor(&c.svc, ORGANISER).await;
    let learner = actor(&c.svc, LEARNER).await;
    // Eight applications at once from one person: one is kept.
    let (m, input) = (meta(), applying());
    let applied = futures::future::join_all(
        (0..8).map(|_| networks::apply(&c.svc, &learner, &m, "champions", &input)),
    )
    .await;
    assert_eq!(
        applied.iter().filter(|r| r.is_ok()).count(),
        1,
        "{applied:?}"
    );
    let id = applied.into_iter().find_map(Result::ok).unwrap();
    let before = email_outbox::Entity::find()
        .count(c.svc.db())
        .await
        .unwrap();
    let decided = futures::future::join_all((0..8).map(|_| {
        networks::decide(
            &c.svc,
            &organiser,
            &m,
            "champions",
            id,
            Decision::Approve,
            "",
        )
    }))
    .await;
    assert_eq!(
        decided.iter().filter(|r| r.is_ok()).count(),
        1,
        "{decided:?}"
    );
    let n = networks::get(&c.svc, "champions").await.unwrap();
    assert_eq!(
        network_member::Entity::find()
            .filter(network_member::Column::UserId.eq(learner.user_id))
            .filter(network_member::Column::NetworkId.eq(n.id))
            .count(c.svc.db())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        email_outbox::Entity::find()
            .count(c.svc.db())
            .await
            .unwrap(),
        before + 1
    );
});

store::db_test!(
    members_edit_and_report_posts_and_organisers_moderate,
    |db| {
        let c = seeded(db).await;
        let organiser = actor(&c.svc, ORGANISER).await;
        let peer = actor(&c.svc, PEER).await;
        let link_worker = actor(&c.svc, LINK_WORKER).await;
        let n = networks::get(&c.svc, "champions").await.unwrap();
        let room = n.community_for("Y63").unwrap().id;
        let thread = talk::start_thread(
            &c.svc,
            &peer,
            &meta(),
            room,
            "Co-design",
            "First draft",
            false,
        )
        .await
        .unwrap();
        // Only the author edits.
        assert!(matches!(
            talk::edit(&c.svc, &link_worker, &meta(), thread, "Mine now", "Changed").await,
            Err(ServiceError::Forbidden(_))
        ));
        talk::edit(
            &c.svc,
            &peer,
            &meta(),
            thread,
            "Co-design workshops",
            "Second draft",
        )
        .await
        .unwrap();
        let t = talk::thread(&c.svc, &peer, thread).await.unwrap();
        assert_eq!(t.opening.title.as_deref(), Some("Co-design workshops"));
        assert!(t.opening.edited_at.is_some());
        // A report, once per member.
        talk::report(&c.svc, &link_worker, &meta(), thread, "Off topic")
            .await
            .unwrap();
        assert!(matches!(
            talk::report(&c.svc, &link_worker, &meta(), thread, "Again").await,
            Err(ServiceError::Conflict(_))
        ));
        assert!(matches!(
            talk::moderate(&c.svc, &peer, &meta(), thread, Moderation::Hide, "No").await,
            Err(ServiceError::Forbidden(_))
        ));
        let (_, reported) = talk::reports(&c.svc, &organiser, "champions")
            .await
            .unwrap();
        assert!(reported.iter().any(|r| r.post.id == thread));
        talk::moderate(
            &c.svc,
            &organiser,
            &meta(),
            thread,
            Moderation::Hide,
            "Off topic for this community",
        )
        .await
        .unwrap();
        let t = talk::thread(&c.svc, &link_worker, thread).await.unwrap();
        assert_eq!(
            t.opening.hidden.as_deref(),
            Some("Off topic for this community")
        );
        assert_eq!(t.opening.body, "", "what a hidden post said is not shown");
        assert!(matches!(
            talk::edit(&c.svc, &peer, &meta(), thread, "Back", "Again").await,
            Err(ServiceError::Conflict(_))
        ));
        let (_, reported) = talk::reports(&c.svc, &organiser, "champions")
            .await
            .unwrap();
        assert!(!reported.iter().any(|r| r.post.id == thread));
    }
);

store::db_test!(
    lists_need_confirming_keep_consent_and_let_go_in_one_click,
    |db| {
        let c = seeded(db).await;
        let who = "sam.taylor@example.org";
        match lists::subscribe(
            &c.svc,
            &meta(),
            "keep-in-the-loop",
            "",
            "not an address",
            "test",
        )
        .await
        {
            Err(ServiceError::Invalid(list)) => assert_eq!(list[0].field, "email"),
            other => panic!("{other:?}"),
        }
        lists::subscribe(
            &c.svc,
            &meta(),
            "keep-in-the-loop",
            "Sam Taylor",
            who,
            "/lists/keep-in-the-loop",
        )
        .await
        .unwrap();
        let mail = newest_mail(&c, who).await;
        assert_eq!(mail.subject, "Confirm you want to join Keep in the loop");
        let token = after(&mail.body_text, "/lists/confirm/");
        // A tampered link is refused; the real one works, and works again harmlessly.
        let mut tampered = token.clone();
        tampered.replace_range(0..1, if tampered.starts_with('9') { "8" } else { "9" });
        assert_eq!(
            lists::confirm(&c.svc, &meta(), &tampered).await.unwrap(),
            LinkResult::Invalid
        );
        assert_eq!(
            lists::confirm(&c.svc, &meta(), "nonsense").await.unwrap(),
            LinkResult::Invalid
        );
        let done = LinkResult::Done {
            list: "Keep in the loop".into(),
            slug: "keep-in-the-loop".into(),
        };
        assert_eq!(lists::confirm(&c.svc, &meta(), &token).await.unwrap(), done);
        assert_eq!(lists::confirm(&c.svc, &meta(), &token).await.unwrap(), done);
        // Consent: given with the wording shown, then confirmed.
        let organiser = actor(&c.svc, ORGANISER).await;
        let consents = lists::consents(&c.svc, &organiser, &meta(), "keep-in-the-loop", who)
            .await
            .unwrap();
        assert_eq!(
            consents
                .iter()
                .map(|x| x.action.as_str())
                .collect::<Vec<_>>(),
            ["given", "confirmed"]
        );
        assert_eq!(consents[0].wording_version, Some(1));
        assert!(
            consents[0]
                .wording
                .as_deref()
                .unwrap()
                .starts_with("I agree")
        );
        assert_eq!(consents[0].source, "/lists/keep-in-the-loop");
        // Asking again once subscribed: the same answer, and an e-mail saying so.
        lists::subscribe(&c.svc, &meta(), "keep-in-the-loop", "", who, "test")
            .await
            .unwrap();
        assert_eq!(
            newest_mail(&c, who).await.subject,
            "You are already on Keep in the loop"
        );
        // Only organisers send.
        let peer = actor(&c.svc, PEER).await;
        assert!(matches!(
            lists::send(&c.svc, &peer, &meta(), "keep-in-the-loop", "Hi", "Hello").await,
            Err(ServiceError::Forbidden(_))
        ));
        let subscribed = lists::overview(&c.svc, &organiser, "keep-in-the-loop")
            .await
            .unwrap()
            .subscribed;
        let (_, recipients) = lists::send(
            &c.svc,
            &organiser,
            &meta(),
            "keep-in-the-loop",
            "December meeting",
            "We meet on the 9th.",
        )
        .await
        .unwrap();
        assert_eq!(
            recipients as u64, subscribed,
            "everyone confirmed, Sam included"
        );
        Worker::new(
            c.svc.clone(),
            Registry::new().on(lists::DELIVER, lists::deliver),
        )
        .run_due()
        .await
        .unwrap();
        let got = newest_mail(&c, who).await;
        assert_eq!(got.subject, "December meeting");
        let one_click = got.list_unsubscribe.clone().unwrap();
        assert!(one_click.contains("/api/v1/lists/keep-in-the-loop/unsubscribe/"));
        let leave_token = after(&one_click, "/unsubscribe/");
        assert!(
            got.body_text
                .contains(&format!("/lists/keep-in-the-loop/leave/{leave_token}")),
            "a link to leave in the text too"
        );
        // One click: done, and done again harmlessly; the wrong list's address refuses it.
        assert_eq!(
            lists::unsubscribe(&c.svc, &meta(), "other-list", &leave_token, "one-click")
                .await
                .unwrap(),
            LinkResult::Invalid
        );
        assert_eq!(
            lists::unsubscribe(
                &c.svc,
                &meta(),
                "keep-in-the-loop",
                &leave_token,
                "one-click"
            )
            .await
            .unwrap(),
            done
        );
        assert_eq!(
            lists::unsubscribe(
                &c.svc,
                &meta(),
                "keep-in-the-loop",
                &leave_token,
                "one-click"
            )
            .await
            .unwrap(),
            done
        );
        let consents = lists::consents(&c.svc, &organiser, &meta(), "keep-in-the-loop", who)
            .await
            .unwrap();
        assert_eq!(
            consents
                .iter()
                .map(|x| x.action.as_str())
                .collect::<Vec<_>>(),
            ["given", "confirmed", "withdrawn"]
        );
        // The old confirmation link does not bring them back.
        assert!(matches!(
            lists::confirm(&c.svc, &meta(), &token).await.unwrap(),
            LinkResult::Expired { .. }
        ));
        // Leaving by typing an address answers the same whether or not it was on the list.
        lists::unsubscribe_address(&c.svc, &meta(), "keep-in-the-loop", "nobody@example.org")
            .await
            .unwrap();
        lists::unsubscribe_address(&c.svc, &meta(), "keep-in-the-loop", "late@example.org")
            .await
            .unwrap();
        // A confirmation link runs out after a week.
        lists::subscribe(
            &c.svc,
            &meta(),
            "keep-in-the-loop",
            "",
            "late@example.org",
            "test",
        )
        .await
        .unwrap();
        let late = after(
            &newest_mail(&c, "late@example.org").await.body_text,
            "/lists/confirm/",
        );
        c.clock
            .advance(Duration::days(lists::CONFIRM_DAYS) + Duration::minutes(1));
        assert_eq!(
            lists::confirm(&c.svc, &meta(), &late).await.unwrap(),
            LinkResult::Expired {
                slug: "keep-in-the-loop".into()
            }
        );
    }
);

/// Subscribers in one statement: `n` confirmed addresses on the list.
async fn many_subscribers(c: &Ctx, list_id: i32, n: usize) {
    let db = c.svc.db();
    let backend = db.get_database_backend();
    let now = c.svc.now();
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let mut sql = String::from(
            "INSERT INTO list_subscriptions (list_id, email, name, state, created_at, confirmed_at) VALUES ",
        );
        let mut values: Vec<sea_orm::Value> = Vec::new();
        for (k, i) in chunk.iter().enumerate() {
            if k > 0 {
                sql.push_str(", ");
            }
            let b = values.len();
            sql.push_str(&format!(
                "(${}, ${}, '', 'subscribed', ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4
            ));
            values.extend([
                list_id.into(),
                format!("reader.{i}@example.org").into(),
                now.into(),
                now.into(),
            ]);
        }
        db.execute_raw(Statement::from_sql_and_values(backend, &sql, values))
            .await
            .unwrap();
    }
}

store::db_test!(
    a_send_to_ten_thousand_stopped_half_way_resumes_and_sends_each_once,
    |db| {
        const READERS: usize = 10_000;
        let c = seeded(db).await;
        let organiser = actor(&c.svc, ORGANISER).await;
        let list = lists::get(&c.svc, "keep-in-the-loop").await.unwrap();
        many_subscribers(&c, list.id, READERS).await;
        let (message_id, recipients) = lists::send(
            &c.svc,
            &organiser,
            &meta(),
            "keep-in-the-loop",
            "Spring dates",
            "The dates are out.",
        )
        .await
        .unwrap();
        let expected = READERS;
        assert_eq!(recipients as usize, expected);
        // A first worker claims half the jobs and does the work of most, then stops before it can
        // record any of them as done: some sent but not marked, some never started.
        let claimed = jobs::claim(
            &c.svc,
            "first",
            &[lists::DELIVER],
            (expected / 2) as u64,
            Duration::minutes(5),
        )
        .await
        .unwrap();
        assert_eq!(claimed.len(), expected / 2);
        for j in claimed.iter().take(expected * 2 / 5) {
            lists::deliver(c.svc.clone(), j.clone()).await.unwrap();
        }
        // Its claims run out; a second worker takes everything up, the first's jobs included.
        c.clock.advance(Duration::minutes(6));
        let ran = Worker::new(
            c.svc.clone(),
            Registry::new().on(lists::DELIVER, lists::deliver),
        )
        .batch(20)
        .run_due()
        .await
        .unwrap();
        assert_eq!(ran.failed, 0);
        assert_eq!(ran.succeeded, expected);
        // Each recipient has one copy; every delivery is done; no job is left.
        let copies = email_outbox::Entity::find()
            .filter(email_outbox::Column::Subject.eq("Spring dates"))
            .count(c.svc.db())
            .await
            .unwrap();
        assert_eq!(copies as usize, expected);
        let distinct: Option<i64> = c
            .svc
            .db()
            .query_one_raw(Statement::from_sql_and_values(
                c.svc.db().get_database_backend(),
                "SELECT COUNT(DISTINCT to_address) AS n FROM email_outbox WHERE subject = $1",
                ["Spring dates".into()],
            ))
            .await
            .unwrap()
            .and_then(|r| r.try_get("", "n").ok());
        assert_eq!(distinct, Some(expected as i64));
        let waiting = list_delivery::Entity::find()
            .filter(list_delivery::Column::MessageId.eq(message_id))
            .filter(list_delivery::Column::SentAt.is_null())
            .count(c.svc.db())
            .await
            .unwrap();
        assert_eq!(waiting, 0);
        assert_eq!(
            jobs::claim(&c.svc, "third", &[lists::DELIVER], 10, Duration::minutes(5))
                .await
                .unwrap()
                .len(),
            0
        );
    }
);
