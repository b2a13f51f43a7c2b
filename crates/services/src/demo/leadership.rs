//! The demo's leadership: payment rates (one changed three months ago), the pool of patient and
//! peer leaders with their accreditations (the demo's peer leader is an accredited Mentor), the
//! Peer Leadership Development Programme with people at every step, a cohort meeting in
//! sessions and graduates, opportunities posted by the region and a PCN (the peer leader was
//! selected for a co-design workshop and paid for it, and invited to a committee seat), and a
//! consultation in the champions' network.

use chrono::{Duration, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use store::entities::{
    consultation, consultation_question, consultation_response, elearning_progress, involvement,
    leader_accreditation, leader_profile, network, network_member, opportunity,
    opportunity_application, organisation, payment_rate, pldp_cohort, pldp_enrolment, pldp_session,
    user,
};

use crate::{ServiceError, Services};

const ISSUER: &str = "Northern Shires Centre for Patient Leadership";

pub async fn seed_leadership(svc: &Services) -> Result<(), ServiceError> {
    let Some(region) = organisation::Entity::find()
        .filter(organisation::Column::OdsCode.eq("Y90"))
        .one(&svc.db)
        .await?
    else {
        return Ok(());
    };
    let pcn = organisation::Entity::find()
        .filter(organisation::Column::OdsCode.eq("U90001"))
        .one(&svc.db)
        .await?;
    let by_email = |e: &'static str| {
        user::Entity::find()
            .filter(user::Column::Email.eq(e))
            .one(&svc.db)
    };
    let organiser = by_email("network.organiser@demo.whatmatters.test").await?;
    let admin = by_email("admin@demo.whatmatters.test").await?;
    let manager = by_email("pcn.manager@demo.whatmatters.test").await?;
    let peer = by_email("peer.leader@demo.whatmatters.test").await?;
    let learners = user::Entity::find()
        .filter(user::Column::Email.like("learner.%@example.nhs.uk"))
        .all(&svc.db)
        .await?;
    let now = svc.now();
    let today = svc.today();
    let txn = store::begin_write(&svc.db).await?;
    let by = |u: &Option<user::Model>| u.as_ref().map(|u| u.id);

    // Payment rates: policy kept as data.
    let two_years = today - Duration::days(730);
    let mut rates = Vec::new();
    for (level, label, pence, from) in [
        ("expenses", "Expenses only", 0, two_years),
        ("involvement", "Involvement", 2_000, two_years),
        (
            "involvement",
            "Involvement",
            2_250,
            today - Duration::days(90),
        ),
        ("strategic", "Strategic involvement", 3_000, two_years),
    ] {
        let r = payment_rate::ActiveModel {
            level: Set(level.into()),
            label: Set(label.into()),
            pence_per_hour: Set(pence),
            effective_from: Set(from),
            created_by: Set(by(&admin)),
            created_at: Set(now - Duration::days((today - from).num_days())),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        rates.push(r);
    }

    // The pool.
    let mut leaders: Vec<user::Model> = Vec::new();
    if let Some(p) = &peer {
        profile(
            &txn,
            now,
            p.id,
            "Living with type 1 diabetes for thirty years, and caring for my late husband through dementia.",
            "lived_experience,co_design,chairing,governance,speaking",
            "Dementia care, carers' support, and making appointments easier to get",
            "Y63",
            "weekdays",
            "Step-free access, and papers a week ahead in large print",
        )
        .await?;
        accreditation(
            &txn,
            now,
            p.id,
            "mentor",
            today - Duration::days(400),
            Some(today + Duration::days(695)),
            "WMA-7KQ4X-MENTR",
            by(&organiser),
        )
        .await?;
        leaders.push(p.clone());
    }
    const SKILL_SETS: [&str; 6] = [
        "lived_experience,co_design",
        "interviewing,reviewing",
        "facilitating,coaching",
        "mentoring,lived_experience,speaking",
        "governance,chairing,reviewing",
        "co_design,facilitating",
    ];
    const WHEN: [&str; 4] = ["weekdays", "evenings", "weekends", "flexible"];
    for (i, u) in learners.iter().enumerate().skip(40).take(12) {
        let region = domain::learning::REGIONS[i % domain::learning::REGIONS.len()].0;
        profile(
            &txn,
            now,
            u.id,
            "Experience of mental health services as a young adult, and of supporting a parent after a stroke.",
            SKILL_SETS[i % SKILL_SETS.len()],
            "Mental health, young people, stroke recovery",
            region,
            WHEN[i % WHEN.len()],
            "",
        )
        .await?;
        if i % 3 == 0 {
            let kind = ["coach", "facilitator", "mentor"][i % 3];
            let code = format!("WMA-DEMO{:01}-{:05}", i % 10, 10_000 + i);
            accreditation(
                &txn,
                now,
                u.id,
                kind,
                today - Duration::days(200),
                None,
                &code,
                by(&organiser),
            )
            .await?;
        }
        leaders.push(u.clone());
    }

    // The Peer Leadership Development Programme.
    let cohort = pldp_cohort::ActiveModel {
        name: Set("Northern Shires cohort, winter".into()),
        organisation_id: Set(region.id),
        facilitator: Set("Grace Oduya".into()),
        places: Set(8),
        created_at: Set(now - Duration::days(30)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for w in 0..4i64 {
        let start = domain::dates::uk_instant(
            today + Duration::weeks(w) + Duration::days(5),
            chrono::NaiveTime::from_hms_opt(14, 0, 0).unwrap_or_default(),
        )
        .unwrap_or(now);
        pldp_session::ActiveModel {
            cohort_id: Set(cohort.id),
            title: Set(format!("Session {}", w + 1)),
            starts_at: Set(start),
            ends_at: Set(start + Duration::minutes(90)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    if let Some(p) = &peer {
        enrol(&txn, now, p.id, 4, "graduated", None, 700).await?;
        passed(&txn, now, p.id, domain::learning::elearning::PLDP_STEP_1).await?;
        passed(&txn, now, p.id, domain::learning::elearning::PLDP_STEP_2).await?;
    }
    for (i, u) in learners.iter().enumerate().take(30) {
        // 8 graduates, 6 in the cohort, 6 on step 2, 6 on step 1, 4 who left.
        let (step, state, cohort_id) = match i {
            0..=7 => (4, "graduated", None),
            8..=13 => (3, "active", Some(cohort.id)),
            14..=19 => (2, "active", None),
            20..=25 => (1, "active", None),
            _ => (2, "left", None),
        };
        enrol(&txn, now, u.id, step, state, cohort_id, 400 - i as i64 * 9).await?;
        if step >= 2 {
            passed(&txn, now, u.id, domain::learning::elearning::PLDP_STEP_1).await?;
        }
        if step >= 3 {
            passed(&txn, now, u.id, domain::learning::elearning::PLDP_STEP_2).await?;
        }
    }

    // Opportunities.
    let champions = network::Entity::find()
        .filter(network::Column::Slug.eq("champions"))
        .one(&txn)
        .await?;
    let regional_event = store::entities::learning_event::Entity::find()
        .filter(store::entities::learning_event::Column::OrganisationId.eq(region.id))
        .filter(store::entities::learning_event::Column::StartsAt.gt(now))
        .filter(store::entities::learning_event::Column::State.ne("cancelled"))
        .one(&txn)
        .await?;
    let post = |org: i32,
                title: &str,
                kind: &str,
                desc: &str,
                skills: &str,
                region_code: Option<&str>,
                when: &str,
                minutes: i32,
                level: &str,
                days: i64,
                event: Option<i32>,
                author: Option<i32>| {
        opportunity::ActiveModel {
            organisation_id: Set(org),
            title: Set(title.into()),
            kind: Set(kind.into()),
            description: Set(desc.into()),
            skills: Set(skills.into()),
            region: Set(region_code.map(str::to_owned)),
            availability: Set(when.into()),
            minutes: Set(minutes),
            payment_level: Set(level.into()),
            closes_on: Set(today + Duration::days(days)),
            state: Set("open".into()),
            event_id: Set(event),
            created_by: Set(author),
            created_at: Set(now - Duration::days(10)),
            ..Default::default()
        }
    };
    let lay = post(region.id, "Lay member, primary care commissioning committee", "board_seat", "A lay member's seat on the committee that decides how primary care is commissioned across the region. Six meetings a year, with papers to read beforehand.", "governance,chairing,lived_experience", Some("Y63"), "weekdays", 240, "strategic", 28, None, by(&organiser)).insert(&txn).await?;
    let workshop = post(region.id, "Co-design workshop: the social prescribing referral letter", "co_design", "Help us rewrite the letter people get when they are referred to a link worker, so that it is clear, kind and says what will happen next.", "co_design,lived_experience", Some("Y63"), "weekdays", 180, "involvement", 14, None, by(&organiser)).insert(&txn).await?;
    if let Some(p) = &pcn {
        post(p.id, "Interview panel: two link worker posts", "interview_panel", "Join the panel interviewing for two social prescribing link workers. Training in fair recruitment is given beforehand.", "interviewing", Some("Y63"), "weekdays", 300, "involvement", 21, None, by(&manager)).insert(&txn).await?;
    }
    if let Some(e) = &regional_event {
        post(region.id, "Speak at our regional event", "speaking", "Ten minutes on what personalised care has meant to you, with time for questions. We will help you prepare.", "speaking,lived_experience", Some("Y63"), "weekdays", 60, "involvement", 10, Some(e.id), by(&organiser)).insert(&txn).await?;
    }
    if let Some(p) = &peer {
        let a = opportunity_application::ActiveModel {
            opportunity_id: Set(workshop.id),
            user_id: Set(p.id),
            origin: Set("applied".into()),
            state: Set("selected".into()),
            note: Set(Some(
                "I have been referred to a link worker twice and remember both letters.".into(),
            )),
            created_at: Set(now - Duration::days(9)),
            decided_at: Set(Some(now - Duration::days(7))),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let rate = &rates[2];
        let worked = today - Duration::days(3);
        involvement::ActiveModel {
            application_id: Set(a.id),
            opportunity_id: Set(workshop.id),
            user_id: Set(p.id),
            worked_on: Set(worked),
            minutes: Set(180),
            rate_id: Set(Some(rate.id)),
            pence_per_hour: Set(rate.pence_per_hour),
            payment_pence: Set(domain::leadership::payment_pence(180, rate.pence_per_hour)),
            recorded_by: Set(by(&organiser)),
            recorded_at: Set(now - Duration::days(2)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        opportunity_application::ActiveModel {
            opportunity_id: Set(lay.id),
            user_id: Set(p.id),
            origin: Set("invited".into()),
            state: Set("invited".into()),
            note: Set(Some(
                "Your experience of chairing the patient group would be a real asset.".into(),
            )),
            created_at: Set(now - Duration::days(1)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }

    // A consultation in the champions' network.
    if let Some(n) = champions {
        let c = consultation::ActiveModel {
            network_id: Set(n.id),
            title: Set("Draft standard: personalised care in general practice".into()),
            draft: Set("1. Every person with a long-term condition is asked what matters to them, and it is recorded in their words.\n\n2. Everyone offered a care and support plan gets a copy they can read and change.\n\n3. Practices know the community services their link workers connect people to, and hear back what happened.".into()),
            closes_at: Set(now + Duration::days(21)),
            created_by: Set(by(&organiser)),
            created_at: Set(now - Duration::days(5)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        for (i, q) in [
            "Is anything missing from the draft standard?",
            "Which part would make the most difference where you work, and why?",
            "What would get in the way of practices meeting it?",
        ]
        .iter()
        .enumerate()
        {
            consultation_question::ActiveModel {
                consultation_id: Set(c.id),
                position: Set(i32::try_from(i).unwrap_or(0)),
                prompt: Set((*q).into()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        let members = network_member::Entity::find()
            .filter(network_member::Column::NetworkId.eq(n.id))
            .all(&txn)
            .await?;
        for (i, m) in members.iter().enumerate().take(6) {
            let answers = serde_json::json!([
                if i % 2 == 0 {
                    "Carers: the standard should say carers are asked what matters to them too."
                } else {
                    ""
                },
                "Part 2: people rarely get a copy of their plan today.",
                "Time in appointments, and systems that cannot hold a plan the person can see."
            ]);
            consultation_response::ActiveModel {
                consultation_id: Set(c.id),
                user_id: Set(m.user_id),
                answers: Set(answers.to_string()),
                created_at: Set(now - Duration::days(4 - i as i64 % 4)),
                updated_at: Set(now - Duration::days(4 - i as i64 % 4)),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn profile(
    txn: &DatabaseTransaction,
    now: chrono::DateTime<Utc>,
    user_id: i32,
    lived: &str,
    skills: &str,
    interests: &str,
    region: &str,
    availability: &str,
    needs: &str,
) -> Result<(), ServiceError> {
    leader_profile::ActiveModel {
        user_id: Set(user_id),
        lived_experience: Set(lived.into()),
        skills: Set(skills.into()),
        interests: Set(interests.into()),
        region: Set(region.into()),
        availability: Set(availability.into()),
        access_needs: Set(needs.into()),
        contact_consent: Set(true),
        updated_at: Set(now - Duration::days(30)),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn accreditation(
    txn: &DatabaseTransaction,
    now: chrono::DateTime<Utc>,
    user_id: i32,
    kind: &str,
    issued: NaiveDate,
    expires: Option<NaiveDate>,
    code: &str,
    by: Option<i32>,
) -> Result<(), ServiceError> {
    leader_accreditation::ActiveModel {
        user_id: Set(user_id),
        kind: Set(kind.into()),
        issuer: Set(ISSUER.into()),
        issued_on: Set(issued),
        expires_on: Set(expires),
        code: Set(code.into()),
        created_by: Set(by),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

async fn enrol(
    txn: &DatabaseTransaction,
    now: chrono::DateTime<Utc>,
    user_id: i32,
    step: i32,
    state: &str,
    cohort_id: Option<i32>,
    days_ago: i64,
) -> Result<(), ServiceError> {
    let enrolled = now - Duration::days(days_ago.max(1));
    pldp_enrolment::ActiveModel {
        user_id: Set(user_id),
        step: Set(step),
        state: Set(state.into()),
        enrolled_at: Set(enrolled),
        cohort_id: Set(cohort_id),
        step3_done_at: Set((state == "graduated").then_some(now - Duration::days(20))),
        graduated_at: Set((state == "graduated").then_some(now - Duration::days(14))),
        left_at: Set((state == "left").then_some(now - Duration::days(40))),
        left_reason: Set(
            (state == "left").then(|| "Caring responsibilities; hope to come back".into())
        ),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

async fn passed(
    txn: &DatabaseTransaction,
    now: chrono::DateTime<Utc>,
    user_id: i32,
    slug: &str,
) -> Result<(), ServiceError> {
    let Some(m) = domain::learning::elearning::module(slug) else {
        return Ok(());
    };
    elearning_progress::ActiveModel {
        user_id: Set(user_id),
        module_slug: Set(slug.into()),
        lessons_done: Set(i32::try_from(m.lessons.len()).unwrap_or(0)),
        attempts: Set(1),
        best_score: Set(Some(100)),
        started_at: Set(now - Duration::days(60)),
        updated_at: Set(now - Duration::days(50)),
        passed_at: Set(Some(now - Duration::days(50))),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}
