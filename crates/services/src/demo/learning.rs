//! The demo's learning: events and courses run by the region's personalised care network,
//! past and coming up, free and paid, face to face, online and both; one full, one nearly
//! full, one cancelled; and bookings by the demo's link worker (one free, one waiting for
//! payment by invoice). Past events have their attendees checked in and certificates issued;
//! sixty learners across the PCNs have opened accounts, most of whom have passed core skills.

use chrono::{Duration, NaiveTime, Utc};
use domain::learning::{Format, Kind, Mode, OrderState, Session};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use store::entities::{
    elearning_progress as progress, learning_event as event, learning_order as order,
    learning_place as place, membership, organisation, user,
};

use crate::identity::{hash_token, random_token};
use crate::learning::certificates::{Issue, Of};
use crate::{ServiceError, Services};

struct Spec {
    title: &'static str,
    summary: &'static str,
    topic: &'static str,
    format: Format,
    /// Days from today of the first session.
    day: i64,
    /// Start hour and length in hours of each session.
    hour: u32,
    hours: i64,
    /// Weekly sessions (1 for an event).
    sessions: i64,
    in_person: i32,
    online: i32,
    pence: i64,
    cpd_minutes: i32,
    /// Places already booked by others, of each kind.
    booked: (i32, i32),
    cancelled: Option<&'static str>,
}

const VENUE: &str = "Riverdale Civic Hall, Committee Room 2\nMarket Street\nRiverdale\nRD1 2AB";
const JOIN: &str = "https://meet.example.org/northern-shires-pcn";

const EVENTS: [Spec; 11] = [
    Spec {
        title: "Personalised care core skills: a day's introduction",
        summary: "The six components of personalised care and the conversation skills behind them, with practice in small groups.",
        topic: "core_skills",
        format: Format::InPerson,
        day: 14,
        hour: 9,
        hours: 7,
        sessions: 1,
        in_person: 30,
        online: 0,
        pence: 0,
        cpd_minutes: 360,
        booked: (12, 0),
        cancelled: None,
    },
    Spec {
        title: "Shared decision making in practice",
        summary: "Helping people weigh their options with what matters to them: decision aids, risk talk and the three-talk model.",
        topic: "shared_decision_making",
        format: Format::Hybrid,
        day: 21,
        hour: 10,
        hours: 3,
        sessions: 1,
        in_person: 20,
        online: 60,
        pence: 0,
        cpd_minutes: 180,
        booked: (15, 22),
        cancelled: None,
    },
    Spec {
        title: "Personalised care and support planning masterclass",
        summary: "Writing plans with people, not for them: strengths, goals in their words, and reviewing what changed.",
        topic: "care_planning",
        format: Format::Online,
        day: 28,
        hour: 13,
        hours: 3,
        sessions: 1,
        in_person: 0,
        online: 40,
        pence: 4_500,
        cpd_minutes: 180,
        booked: (0, 9),
        cancelled: None,
    },
    Spec {
        title: "Health coaching skills: a four-week course",
        summary: "Four practical mornings on coaching conversations, motivation and supporting behaviour change.",
        topic: "health_coaching",
        format: Format::InPerson,
        day: 35,
        hour: 9,
        hours: 3,
        sessions: 4,
        in_person: 16,
        online: 0,
        pence: 12_000,
        cpd_minutes: 720,
        booked: (6, 0),
        cancelled: None,
    },
    Spec {
        title: "Link worker network meeting: winter pressures",
        summary: "Link workers from across the region share what is working with loneliness and cost of living this winter.",
        topic: "social_prescribing",
        format: Format::InPerson,
        day: 10,
        hour: 14,
        hours: 2,
        sessions: 1,
        in_person: 25,
        online: 0,
        pence: 0,
        cpd_minutes: 120,
        booked: (25, 0),
        cancelled: None,
    },
    Spec {
        title: "Supported self-management for long-term conditions",
        summary: "Patient activation, self-management education and peer support: what helps people live well with a condition.",
        topic: "supported_self_management",
        format: Format::Online,
        day: 45,
        hour: 10,
        hours: 2,
        sessions: 1,
        in_person: 0,
        online: 100,
        pence: 0,
        cpd_minutes: 120,
        booked: (0, 98),
        cancelled: None,
    },
    Spec {
        title: "Personal health budgets: an introduction",
        summary: "Who can have a personal health budget, how a support plan sets it, and the three ways it can be held.",
        topic: "personal_health_budgets",
        format: Format::Online,
        day: 60,
        hour: 10,
        hours: 2,
        sessions: 1,
        in_person: 0,
        online: 80,
        pence: 0,
        cpd_minutes: 120,
        booked: (0, 11),
        cancelled: None,
    },
    Spec {
        title: "Working alongside peer leaders",
        summary: "How services involve people with lived experience as equal partners, with peer leaders from the region.",
        topic: "peer_leadership",
        format: Format::Hybrid,
        day: 50,
        hour: 13,
        hours: 3,
        sessions: 1,
        in_person: 15,
        online: 40,
        pence: 0,
        cpd_minutes: 180,
        booked: (4, 7),
        cancelled: None,
    },
    Spec {
        title: "Care planning clinic for care coordinators",
        summary: "Bring a plan you are working on and improve it with colleagues.",
        topic: "care_planning",
        format: Format::InPerson,
        day: 18,
        hour: 10,
        hours: 2,
        sessions: 1,
        in_person: 12,
        online: 0,
        pence: 0,
        cpd_minutes: 120,
        booked: (0, 0),
        cancelled: Some("The facilitator is unwell. We will publish a new date soon."),
    },
    Spec {
        title: "Shared decision making in practice (autumn)",
        summary: "Helping people weigh their options with what matters to them.",
        topic: "shared_decision_making",
        format: Format::InPerson,
        day: -30,
        hour: 10,
        hours: 3,
        sessions: 1,
        in_person: 25,
        online: 0,
        pence: 0,
        cpd_minutes: 180,
        booked: (21, 0),
        cancelled: None,
    },
    Spec {
        title: "Personalised care core skills online",
        summary: "The six components of personalised care, online in two hours.",
        topic: "core_skills",
        format: Format::Online,
        day: -60,
        hour: 10,
        hours: 2,
        sessions: 1,
        in_person: 0,
        online: 60,
        pence: 0,
        cpd_minutes: 120,
        booked: (0, 44),
        cancelled: None,
    },
];

const NAMES: [&str; 12] = [
    "Ruth Ainsworth",
    "Kwame Boateng",
    "Siobhan Carey",
    "Imran Chaudhry",
    "Megan Davies",
    "Tomasz Nowak",
    "Fiona Grant",
    "Lewis Holt",
    "Ayesha Patel",
    "Joe Whittaker",
    "Chloe Ng",
    "Gareth Price",
];

/// Seeds the learning catalogue, run by the region.
pub async fn seed_learning(svc: &Services) -> Result<(), ServiceError> {
    let Some(region) = organisation::Entity::find()
        .filter(organisation::Column::OdsCode.eq("Y90"))
        .one(&svc.db)
        .await?
    else {
        return Ok(());
    };
    let organiser = user::Entity::find()
        .filter(user::Column::Email.eq("network.organiser@demo.whatmatters.test"))
        .one(&svc.db)
        .await?;
    let link_worker = user::Entity::find()
        .filter(user::Column::Email.eq("link.worker@demo.whatmatters.test"))
        .one(&svc.db)
        .await?;
    let now = svc.now();
    let today = domain::dates::uk_date(now);
    let txn = store::begin_write(&svc.db).await?;
    let mut ids = Vec::new();
    for (i, s) in EVENTS.iter().enumerate() {
        let day = today + Duration::days(s.day);
        let at = |d: chrono::NaiveDate| {
            domain::dates::uk_instant(d, NaiveTime::from_hms_opt(s.hour, 0, 0).unwrap_or_default())
                .unwrap_or_else(|| d.and_time(NaiveTime::MIN).and_utc())
        };
        let sessions: Vec<Session> = (0..s.sessions)
            .map(|w| {
                let start = at(day + Duration::weeks(w));
                Session {
                    title: if s.sessions > 1 {
                        format!("Week {}", w + 1)
                    } else {
                        String::new()
                    },
                    starts_at: start,
                    ends_at: start + Duration::hours(s.hours),
                }
            })
            .collect();
        let (Some(first), Some(last)) = (sessions.first(), sessions.last()) else {
            continue;
        };
        let in_person = s.format.modes().contains(&Mode::InPerson);
        let online = s.format.modes().contains(&Mode::Online);
        let saved = event::ActiveModel {
            uuid: Set(domain::directory::taxonomy::uuid_of(&format!("demo-event/{i}")).to_string()),
            organisation_id: Set(region.id),
            kind: Set(if s.sessions > 1 {
                Kind::Course
            } else {
                Kind::Event
            }
            .as_str()
            .into()),
            title: Set(s.title.into()),
            summary: Set(s.summary.into()),
            description: Set(String::new()),
            topic: Set(s.topic.into()),
            region: Set(Some("Y63".into())),
            format: Set(s.format.as_str().into()),
            venue: Set(in_person.then(|| VENUE.to_owned())),
            join_link: Set(online.then(|| JOIN.to_owned())),
            price_pence: Set(s.pence),
            cpd_minutes: Set(s.cpd_minutes),
            audience: Set(
                "Link workers, health and wellbeing coaches and care coordinators".into(),
            ),
            in_person_places: Set(s.in_person),
            online_places: Set(s.online),
            in_person_taken: Set(0),
            online_taken: Set(0),
            state: Set(if s.cancelled.is_some() {
                "cancelled"
            } else {
                "scheduled"
            }
            .into()),
            cancel_reason: Set(s.cancelled.map(str::to_owned)),
            starts_at: Set(first.starts_at),
            ends_at: Set(last.ends_at),
            created_by: Set(organiser.as_ref().map(|u| u.id)),
            created_at: Set(now - Duration::days(90)),
            updated_at: Set(now - Duration::days(90)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        crate::learning::catalogue::save_sessions(&txn, saved.id, &sessions).await?;
        let mut n = 0;
        for (mode, count) in [(Mode::InPerson, s.booked.0), (Mode::Online, s.booked.1)] {
            for _ in 0..count {
                let name = NAMES[n % NAMES.len()];
                let email = format!(
                    "{}.{n}@example.nhs.uk",
                    name.to_lowercase().replace(' ', ".")
                );
                book(
                    &txn,
                    &saved,
                    mode,
                    None,
                    name,
                    &email,
                    OrderState::Confirmed,
                    None,
                    now,
                )
                .await?;
                n += 1;
            }
        }
        ids.push(saved);
    }
    // The link worker's own bookings: a free place online, and two invoiced places.
    if let Some(lw) = &link_worker {
        if let Some(e) = ids.get(1) {
            book(
                &txn,
                e,
                Mode::Online,
                Some(lw.id),
                &lw.display_name,
                &lw.email,
                OrderState::Confirmed,
                None,
                now,
            )
            .await?;
        }
        if let Some(e) = ids.get(2) {
            let o = book(
                &txn,
                e,
                Mode::Online,
                Some(lw.id),
                &lw.display_name,
                &lw.email,
                OrderState::Pending,
                Some("PO-RN-20417"),
                now,
            )
            .await?;
            book_more(
                &txn,
                e,
                Mode::Online,
                &o,
                "Grace Okafor",
                "care.coordinator@demo.whatmatters.test",
                now,
            )
            .await?;
        }
    }
    // Past events: accredited core skills (everyone attended), and shared decision making
    // with a certificate current for two years (most attended). The link worker attended
    // both.
    if let (Some(sdm), Some(core)) = (ids.get(9).cloned(), ids.get(10).cloned()) {
        for (e, months, accredited) in [(&sdm, Some(24), false), (&core, None, true)] {
            let mut am: event::ActiveModel = e.clone().into();
            am.certificate_months = Set(months);
            am.accredited = Set(accredited);
            am.update(&txn).await?;
        }
        let mut sdm = sdm.clone();
        sdm.certificate_months = Some(24);
        let mut core = core.clone();
        core.accredited = true;
        if let Some(lw) = &link_worker {
            for (e, mode) in [(&sdm, Mode::InPerson), (&core, Mode::Online)] {
                book(
                    &txn,
                    e,
                    mode,
                    Some(lw.id),
                    &lw.display_name,
                    &lw.email,
                    OrderState::Confirmed,
                    None,
                    now,
                )
                .await?;
            }
        }
        for e in [&sdm, &core] {
            let places = place::Entity::find()
                .filter(place::Column::EventId.eq(e.id))
                .filter(place::Column::State.eq("booked"))
                .all(&txn)
                .await?;
            let absent = if e.id == sdm.id { 3 } else { 0 };
            for p in places.into_iter().skip(absent) {
                attended(&txn, e, &p).await?;
            }
        }
    }
    seed_learners(&txn, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Checks a place in at its event's start and issues its certificate (without e-mail: the
/// demo's attendees were told long ago).
async fn attended(
    txn: &DatabaseTransaction,
    e: &event::Model,
    p: &place::Model,
) -> Result<(), ServiceError> {
    let at = e.starts_at + Duration::minutes(5);
    let mut am: place::ActiveModel = p.clone().into();
    am.checked_in_at = Set(Some(at));
    am.update(txn).await?;
    let o = order::Entity::find_by_id(p.order_id.unwrap_or_default())
        .one(txn)
        .await?;
    let user_id = o.as_ref().and_then(|o| o.user_id);
    let (name, email) = (
        p.attendee_name.clone().unwrap_or_default(),
        p.attendee_email.clone().unwrap_or_default(),
    );
    crate::learning::certificates::issue(
        txn,
        Issue {
            user_id,
            name: &name,
            email: &email,
            title: &e.title,
            cpd_minutes: e.cpd_minutes,
            at,
            of: Of::Place {
                event_id: e.id,
                place_id: p.id,
                months: e.certificate_months,
            },
        },
    )
    .await?;
    if let (true, Some(u)) = (e.accredited, user_id) {
        crate::learning::certificates::mark_trained(txn, at, u, format!("event:{}", e.uuid))
            .await?;
    }
    Ok(())
}

/// Learners across the demo's PCNs who opened their own accounts: most have passed core
/// skills (so count as trained), some are part way through; and the demo learner, who is
/// part way through shared decision making.
async fn seed_learners(
    txn: &DatabaseTransaction,
    now: chrono::DateTime<Utc>,
) -> Result<(), ServiceError> {
    use domain::learning::elearning::{self, CORE_SKILLS};
    let practices = organisation::Entity::find()
        .filter(organisation::Column::Kind.eq("practice"))
        .all(txn)
        .await?;
    let Some(core) = elearning::module(CORE_SKILLS) else {
        return Ok(());
    };
    for i in 0..60usize {
        let Some(org) = practices.get((i * 7) % practices.len().max(1)) else {
            break;
        };
        let name = format!(
            "{} {}",
            NAMES[i % NAMES.len()].split(' ').next().unwrap_or("Alex"),
            NAMES[(i * 5 + 3) % NAMES.len()]
                .split(' ')
                .nth(1)
                .unwrap_or("Smith")
        );
        let joined = now - Duration::days(200 - i as i64 * 3);
        let u = user::ActiveModel {
            email: Set(format!("learner.{i}@example.nhs.uk")),
            display_name: Set(name.clone()),
            password_hash: Set(None),
            active: Set(true),
            failed_sign_ins: Set(0),
            job_role: Set(Some(domain::learning::JOB_ROLES[i % 9].to_owned())),
            created_at: Set(joined),
            updated_at: Set(joined),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        membership::ActiveModel {
            user_id: Set(u.id),
            organisation_id: Set(org.id),
            role: Set(domain::Role::Learner.as_str().into()),
            created_at: Set(joined),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        let passed = i % 4 != 3;
        let done = if passed {
            core.lessons.len()
        } else {
            i % core.lessons.len() + 1
        };
        progress::ActiveModel {
            user_id: Set(u.id),
            module_slug: Set(core.slug.into()),
            lessons_done: Set(done as i32),
            attempts: Set(if passed { 1 + (i % 2) as i32 } else { 0 }),
            best_score: Set(passed.then_some(if i % 2 == 0 { 100 } else { 75 })),
            started_at: Set(joined),
            updated_at: Set(joined + Duration::days(2)),
            passed_at: Set(passed.then(|| joined + Duration::days(2))),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        if passed {
            let at = joined + Duration::days(2);
            crate::learning::certificates::issue(
                txn,
                Issue {
                    user_id: Some(u.id),
                    name: &name,
                    email: &u.email,
                    title: core.title,
                    cpd_minutes: core.minutes,
                    at,
                    of: Of::Module(core.slug),
                },
            )
            .await?;
            crate::learning::certificates::mark_trained(
                txn,
                at,
                u.id,
                format!("module:{}", core.slug),
            )
            .await?;
        }
    }
    // The demo learner: two lessons into shared decision making.
    if let Some(chloe) = user::Entity::find()
        .filter(user::Column::Email.eq("learner@demo.whatmatters.test"))
        .one(txn)
        .await?
    {
        let mut am: user::ActiveModel = chloe.clone().into();
        am.job_role = Set(Some("Nurse".into()));
        am.update(txn).await?;
        progress::ActiveModel {
            user_id: Set(chloe.id),
            module_slug: Set("shared-decision-making".into()),
            lessons_done: Set(2),
            attempts: Set(0),
            best_score: Set(None),
            started_at: Set(now - Duration::days(3)),
            updated_at: Set(now - Duration::days(1)),
            passed_at: Set(None),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// A place booked by its own order, counted on the event.
#[expect(clippy::too_many_arguments, reason = "an order's fields, each needed")]
async fn book(
    txn: &DatabaseTransaction,
    e: &event::Model,
    mode: Mode,
    user_id: Option<i32>,
    name: &str,
    email: &str,
    state: OrderState,
    po: Option<&str>,
    now: chrono::DateTime<Utc>,
) -> Result<order::Model, ServiceError> {
    let o = order::ActiveModel {
        code: Set(format!("WM-D{:05}", next_code(txn).await?)),
        user_id: Set(user_id),
        name: Set(name.into()),
        email: Set(email.into()),
        state: Set(state.as_str().into()),
        total_pence: Set(e.price_pence),
        po_number: Set(po.map(str::to_owned)),
        manage_token_hash: Set(hash_token(&random_token())),
        created_at: Set(now - Duration::days(7)),
        paid_at: Set(None),
        cancelled_at: Set(None),
        cancel_reason: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    book_more(txn, e, mode, &o, name, email, now).await?;
    Ok(o)
}

/// One more place on an order (its total grows by the price).
async fn book_more(
    txn: &DatabaseTransaction,
    e: &event::Model,
    mode: Mode,
    o: &order::Model,
    name: &str,
    email: &str,
    now: chrono::DateTime<Utc>,
) -> Result<(), ServiceError> {
    let existing = place::Entity::find()
        .filter(place::Column::OrderId.eq(o.id))
        .all(txn)
        .await?
        .len() as i64;
    if existing > 0 {
        let mut am: order::ActiveModel = o.clone().into();
        am.total_pence = Set(e.price_pence * (existing + 1));
        am.update(txn).await?;
    }
    place::ActiveModel {
        event_id: Set(e.id),
        mode: Set(mode.as_str().into()),
        state: Set("booked".into()),
        holder_id: Set(None),
        hold_expires_at: Set(None),
        order_id: Set(Some(o.id)),
        price_pence: Set(e.price_pence),
        attendee_name: Set(Some(name.into())),
        attendee_email: Set(Some(email.into())),
        checked_in_at: Set(None),
        created_at: Set(now - Duration::days(7)),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let taken = match mode {
        Mode::InPerson => event::Column::InPersonTaken,
        Mode::Online => event::Column::OnlineTaken,
    };
    event::Entity::update_many()
        .col_expr(taken, sea_orm::sea_query::Expr::col(taken).add(1))
        .filter(event::Column::Id.eq(e.id))
        .exec(txn)
        .await?;
    Ok(())
}

async fn next_code(txn: &DatabaseTransaction) -> Result<u64, ServiceError> {
    use sea_orm::PaginatorTrait;
    Ok(order::Entity::find().count(txn).await? + 1)
}
