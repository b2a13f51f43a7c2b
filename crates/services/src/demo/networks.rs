//! The demo's networks, run by the region's network organiser: a Person Centred Care Network
//! of Champions with a community in each NHS England region, and a local Personalised Care
//! Role Society with its "Keep in the loop" mailing list. The demo's peer leader is a
//! champion; the link worker belongs to the role society; the learner's application to the
//! society waits for a decision. Communities have announcements, threads and replies, and one
//! post has been reported.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use store::entities::{
    learning_event, list_consent, list_delivery, list_message, list_subscription, mailing_list,
    network, network_application, network_community, network_event, network_member, network_post,
    network_report, organisation, user,
};

use crate::{ServiceError, Services};

/// Shown on the network's page and the application form.
const CHAMPIONS_GUIDELINE: &str = "Champions are health and care professionals, and people with lived experience, who want to make care more person centred where they work.\n\nAs a champion you will:\n- share what works in your region's community and at our events\n- bring what you hear from colleagues and the people you support to our work on national standards\n- treat other members with respect: no selling, no personal details of patients, and disagree kindly\n\nAnyone working or volunteering in health and care in England may apply. The organisers read every application and reply within two weeks.";
const SOCIETY_GUIDELINE: &str = "The society is for care coordinators, social prescribing link workers and health and wellbeing coaches working in the region's primary care networks. We meet every couple of months, face to face and online in turn, to learn from each other and look after each other.\n\nMembers agree to keep what is shared about people in meetings and threads anonymous, and to treat each other kindly.";
const LIST_WORDING: &str = "I agree to receive email from the Personalised Care Role Society about its meetings, news and opportunities, about once a month. I can leave at any time by the link in every email.";

pub async fn seed_networks(svc: &Services) -> Result<(), ServiceError> {
    let Some(region) = organisation::Entity::find()
        .filter(organisation::Column::OdsCode.eq("Y90"))
        .one(&svc.db)
        .await?
    else {
        return Ok(());
    };
    let by_email = |e: &'static str| {
        user::Entity::find()
            .filter(user::Column::Email.eq(e))
            .one(&svc.db)
    };
    let organiser = by_email("network.organiser@demo.whatmatters.test").await?;
    let peer = by_email("peer.leader@demo.whatmatters.test").await?;
    let link_worker = by_email("link.worker@demo.whatmatters.test").await?;
    let learner = by_email("learner@demo.whatmatters.test").await?;
    let learners = user::Entity::find()
        .filter(user::Column::Email.like("learner.%@example.nhs.uk"))
        .all(&svc.db)
        .await?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let champions = network::ActiveModel {
        slug: Set("champions".into()),
        name: Set("Person Centred Care Network of Champions".into()),
        summary: Set("Professionals and people with lived experience making care more person centred, with a community in every region and a voice in national standards.".into()),
        guideline: Set(CHAMPIONS_GUIDELINE.into()),
        organisation_id: Set(region.id),
        created_at: Set(now - Duration::days(400)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut communities = Vec::new();
    for (code, name) in domain::learning::REGIONS {
        let c = network_community::ActiveModel {
            network_id: Set(champions.id),
            region: Set(code.into()),
            name: Set(format!("{name} champions")),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        communities.push(c);
    }
    let society = network::ActiveModel {
        slug: Set("role-society".into()),
        name: Set("Northern Shires Personalised Care Role Society".into()),
        summary: Set("Care coordinators, link workers and health and wellbeing coaches meeting every couple of months, face to face and online in turn.".into()),
        guideline: Set(SOCIETY_GUIDELINE.into()),
        organisation_id: Set(region.id),
        created_at: Set(now - Duration::days(300)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let society_room = network_community::ActiveModel {
        network_id: Set(society.id),
        region: Set("Y63".into()),
        name: Set("Northern Shires members".into()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let north_east = communities
        .iter()
        .find(|c| c.region == "Y63")
        .cloned()
        .ok_or_else(|| ServiceError::Internal("the demo's region".into()))?;
    if let Some(p) = &peer {
        member_with_application(
            &txn,
            now,
            champions.id,
            &north_east,
            p,
            "Peer leader",
            "Riverdale Patient Participation Group",
            true,
            380,
        )
        .await?;
    }
    if let Some(l) = &link_worker {
        member_with_application(
            &txn,
            now,
            society.id,
            &society_room,
            l,
            "Social prescribing link worker",
            "Riverdale Primary Care Network",
            true,
            250,
        )
        .await?;
        member_with_application(
            &txn,
            now,
            champions.id,
            &north_east,
            l,
            "Social prescribing link worker",
            "Riverdale Primary Care Network",
            false,
            120,
        )
        .await?;
    }
    for (i, u) in learners.iter().take(24).enumerate() {
        let c = &communities[i % communities.len()];
        let role = u.job_role.clone().unwrap_or_else(|| "Other".into());
        member_with_application(
            &txn,
            now,
            champions.id,
            c,
            u,
            &role,
            "A general practice",
            i % 3 != 0,
            360 - i as i64 * 11,
        )
        .await?;
    }
    if let Some(l) = &learner {
        network_application::ActiveModel {
            network_id: Set(society.id),
            user_id: Set(l.id),
            job_role: Set("Care coordinator".into()),
            organisation: Set("Bridge Street Surgery".into()),
            region: Set("Y63".into()),
            motivation: Set("I started as a care coordinator this autumn and would value meeting others in the role, especially to share how we run our review clinics.".into()),
            state: Set("pending".into()),
            created_at: Set(now - Duration::days(2)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    // Talk in the North East and Yorkshire champions' community.
    if let (Some(o), Some(p), Some(l)) = (&organiser, &peer, &link_worker) {
        post(&txn, north_east.id, None, o, Some("Regional meeting: bring one story of what mattered"), "Our next regional get-together is online in three weeks. Please bring one short story (anonymised) of a conversation where asking what mattered changed the plan. Details are on the network's events.", true, now - Duration::days(6)).await?;
        let t = post(&txn, north_east.id, None, p, Some("Making room for lived experience on practice committees"), "Our patient participation group now has two seats on the practice's quality committee. It took a year. Happy to share the terms of reference we agreed if anyone is trying the same.", false, now - Duration::days(9)).await?;
        let r1 = post(
            &txn,
            north_east.id,
            Some(t),
            l,
            None,
            "Yes please: our PCN is talking about exactly this. Did you pay people for their time?",
            false,
            now - Duration::days(8),
        )
        .await?;
        post(
            &txn,
            north_east.id,
            Some(t),
            p,
            None,
            "We did, at the ICB's involvement rate, and it made a difference to who came forward.",
            false,
            now - Duration::days(7),
        )
        .await?;
        let t2 = post(&txn, north_east.id, None, l, Some("What matters conversations over the phone"), "Since the winter rush most of my first contacts are by phone. How do others open a what matters conversation without it feeling like a form?", false, now - Duration::days(3)).await?;
        if let Some(first) = learners.first() {
            let spam = post(
                &txn,
                north_east.id,
                Some(t2),
                first,
                None,
                "Buy our wellbeing app: 50% off this week only, link in my profile.",
                false,
                now - Duration::days(2),
            )
            .await?;
            network_report::ActiveModel {
                post_id: Set(spam),
                reporter_id: Set(l.id),
                reason: Set("This is advertising, not a reply.".into()),
                created_at: Set(now - Duration::days(1)),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        bump(&txn, t, 2, now - Duration::days(7)).await?;
        bump(
            &txn,
            t2,
            i32::from(!learners.is_empty()),
            now - Duration::days(2),
        )
        .await?;
        let _ = r1;
        post(&txn, society_room.id, None, o, Some("Next meeting: face to face at Riverdale Civic Hall"), "Our next meeting is face to face. Tea from half past nine; we start at ten. Bring a colleague who is new to the role.", true, now - Duration::days(4)).await?;
    }
    // The region's events shown on the champions' page.
    let events = learning_event::Entity::find()
        .filter(learning_event::Column::OrganisationId.eq(region.id))
        .filter(learning_event::Column::EndsAt.gt(now))
        .filter(learning_event::Column::State.ne("cancelled"))
        .all(&txn)
        .await?;
    for (i, e) in events.iter().enumerate() {
        network_event::ActiveModel {
            network_id: Set(if i % 3 == 2 { society.id } else { champions.id }),
            event_id: Set(e.id),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    seed_list(
        &txn,
        now,
        region.id,
        society.id,
        organiser.as_ref(),
        &learners,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn member_with_application(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    network_id: i32,
    c: &network_community::Model,
    u: &user::Model,
    role: &str,
    org: &str,
    listed: bool,
    days_ago: i64,
) -> Result<(), ServiceError> {
    let applied = now - Duration::days(days_ago + 5);
    let joined = now - Duration::days(days_ago);
    network_application::ActiveModel {
        network_id: Set(network_id),
        user_id: Set(u.id),
        job_role: Set(role.into()),
        organisation: Set(org.into()),
        region: Set(c.region.clone()),
        motivation: Set("To learn from others doing the same work and to help shape how personalised care is done.".into()),
        state: Set("approved".into()),
        decided_at: Set(Some(joined)),
        created_at: Set(applied),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    network_member::ActiveModel {
        network_id: Set(network_id),
        user_id: Set(u.id),
        community_id: Set(Some(c.id)),
        job_role: Set(role.into()),
        organisation: Set(org.into()),
        region: Set(c.region.clone()),
        listed: Set(listed),
        joined_at: Set(joined),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn post(
    txn: &DatabaseTransaction,
    community_id: i32,
    thread_id: Option<i32>,
    author: &user::Model,
    title: Option<&str>,
    body: &str,
    announcement: bool,
    at: DateTime<Utc>,
) -> Result<i32, ServiceError> {
    let p = network_post::ActiveModel {
        community_id: Set(community_id),
        thread_id: Set(thread_id),
        author_id: Set(Some(author.id)),
        author_name: Set(author.display_name.clone()),
        title: Set(title.map(str::to_owned)),
        body: Set(body.into()),
        announcement: Set(announcement),
        created_at: Set(at),
        last_activity_at: Set(at),
        replies: Set(0),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(p.id)
}

async fn bump(
    txn: &DatabaseTransaction,
    thread_id: i32,
    replies: i32,
    at: DateTime<Utc>,
) -> Result<(), ServiceError> {
    if let Some(t) = network_post::Entity::find_by_id(thread_id).one(txn).await? {
        let mut am: network_post::ActiveModel = t.into();
        am.replies = Set(replies);
        am.last_activity_at = Set(at);
        am.update(txn).await?;
    }
    Ok(())
}

async fn seed_list(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    organisation_id: i32,
    network_id: i32,
    organiser: Option<&user::Model>,
    learners: &[user::Model],
) -> Result<(), ServiceError> {
    let list = mailing_list::ActiveModel {
        slug: Set("keep-in-the-loop".into()),
        name: Set("Keep in the loop".into()),
        description: Set("News of the Personalised Care Role Society's meetings, about once a month, for care coordinators, link workers and health and wellbeing coaches.".into()),
        organisation_id: Set(organisation_id),
        network_id: Set(Some(network_id)),
        wording_version: Set(1),
        wording: Set(LIST_WORDING.into()),
        created_at: Set(now - Duration::days(300)),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let sent_at = now - Duration::days(20);
    let message = list_message::ActiveModel {
        list_id: Set(list.id),
        subject: Set("Role society: dates for the spring".into()),
        body: Set("Hello everyone,\n\nOur spring meetings are set: one face to face at Riverdale Civic Hall, one online. The dates are on the society's page.\n\nOwen".into()),
        sent_by: Set(organiser.map(|o| o.id)),
        recipients: Set(0),
        created_at: Set(sent_at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mut recipients = 0;
    for (i, u) in learners.iter().enumerate().skip(24).take(30) {
        let joined = now - Duration::days(200 - i as i64 * 3);
        let confirmed = i % 10 != 9;
        let s = list_subscription::ActiveModel {
            list_id: Set(list.id),
            email: Set(u.email.clone()),
            name: Set(u.display_name.clone()),
            state: Set(if confirmed { "subscribed" } else { "pending" }.into()),
            created_at: Set(joined),
            confirmed_at: Set(confirmed.then_some(joined + Duration::hours(1))),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        for (action, at) in [
            ("given", joined),
            ("confirmed", joined + Duration::hours(1)),
        ] {
            if action == "confirmed" && !confirmed {
                continue;
            }
            list_consent::ActiveModel {
                subscription_id: Set(s.id),
                list_id: Set(list.id),
                action: Set(action.into()),
                wording_version: Set(Some(1)),
                wording: Set(Some(LIST_WORDING.into())),
                source: Set(if action == "given" {
                    "/lists/keep-in-the-loop".into()
                } else {
                    "confirmation link".into()
                }),
                at: Set(at),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
        if confirmed && joined < sent_at {
            list_delivery::ActiveModel {
                message_id: Set(message.id),
                subscription_id: Set(s.id),
                sent_at: Set(Some(sent_at)),
                outcome: Set(Some("queued".into())),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            recipients += 1;
        }
    }
    let mut am: list_message::ActiveModel = message.into();
    am.recipients = Set(recipients);
    am.update(txn).await?;
    Ok(())
}
