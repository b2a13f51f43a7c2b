//! The demo region: deterministic, realistic organisations and a user for every role.
//! Later contexts extend the same seed. Names and codes are fictional but shaped like the real ones.

use chrono::{DateTime, TimeZone, Utc};
use domain::{OrgKind, Role};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, PaginatorTrait, Set};
use store::entities::{membership, organisation, user};

use crate::{ServiceError, Services, identity::password};

/// The password every demo account shares (printed by `whatmatters demo`, listed in the README).
pub const DEMO_PASSWORD: &str = "whatmatters-demo";

pub struct DemoUser {
    pub email: &'static str,
    pub name: &'static str,
    pub role: Role,
    /// ODS code (or name, for organisations without one) of the organisation the role is held at.
    pub at: &'static str,
}

/// Every role, and a second link worker in another ICB to show that records stay apart.
pub const USERS: &[DemoUser] = &[
    DemoUser {
        email: "admin@demo.whatmatters.test",
        name: "Sam Adeyemi",
        role: Role::Admin,
        at: "Y90",
    },
    DemoUser {
        email: "commissioner@demo.whatmatters.test",
        name: "Helen Marsh",
        role: Role::Commissioner,
        at: "QZ1",
    },
    DemoUser {
        email: "pcn.manager@demo.whatmatters.test",
        name: "Tom Whitfield",
        role: Role::PcnManager,
        at: "U90001",
    },
    DemoUser {
        email: "link.worker@demo.whatmatters.test",
        name: "Amira Khan",
        role: Role::LinkWorker,
        at: "U90001",
    },
    DemoUser {
        email: "care.coordinator@demo.whatmatters.test",
        name: "Grace Okafor",
        role: Role::CareCoordinator,
        at: "U90001",
    },
    DemoUser {
        email: "coach@demo.whatmatters.test",
        name: "Daniel Price",
        role: Role::HealthAndWellbeingCoach,
        at: "U90001",
    },
    DemoUser {
        email: "gp@demo.whatmatters.test",
        name: "Dr Priya Shah",
        role: Role::Clinician,
        at: "B90001",
    },
    DemoUser {
        email: "vcse@demo.whatmatters.test",
        name: "Lucy Barker",
        role: Role::VcseWorker,
        at: "Riverdale Carers Centre",
    },
    DemoUser {
        email: "network.organiser@demo.whatmatters.test",
        name: "Owen Hughes",
        role: Role::NetworkOrganiser,
        at: "Y90",
    },
    DemoUser {
        email: "peer.leader@demo.whatmatters.test",
        name: "Maureen Ellis",
        role: Role::PeerLeader,
        at: "Y90",
    },
    DemoUser {
        email: "person@demo.whatmatters.test",
        name: "Jack Turner",
        role: Role::Person,
        at: "B90001",
    },
    DemoUser {
        email: "link.worker.fellside@demo.whatmatters.test",
        name: "Nadia Rahman",
        role: Role::LinkWorker,
        at: "U90004",
    },
];

struct Seeder<'a, C> {
    c: &'a C,
    now: DateTime<Utc>,
}

impl<C: ConnectionTrait> Seeder<'_, C> {
    #[allow(clippy::too_many_arguments)]
    async fn org(
        &self,
        kind: OrgKind,
        code: Option<&str>,
        name: &str,
        parent: Option<&organisation::Model>,
        list_size: Option<i32>,
        postcode: Option<&str>,
        opted_out: Option<&str>,
    ) -> Result<organisation::Model, ServiceError> {
        let parent_path = parent.map(|p| p.path.clone()).unwrap_or_else(|| "/".into());
        let saved = organisation::ActiveModel {
            kind: Set(kind.as_str().into()),
            ods_code: Set(code.map(str::to_owned)),
            name: Set(name.into()),
            parent_id: Set(parent.map(|p| p.id)),
            path: Set(parent_path.clone()),
            status: Set("active".into()),
            list_size: Set(list_size),
            pcn_opted_out: Set(opted_out.is_some()),
            commissioner_arrangement: Set(opted_out.map(str::to_owned)),
            postcode: Set(postcode.map(str::to_owned)),
            created_at: Set(self.now),
            updated_at: Set(self.now),
            version: Set(1),
            ..Default::default()
        }
        .insert(self.c)
        .await?;
        let mut am: organisation::ActiveModel = saved.clone().into();
        am.path = Set(format!("{parent_path}{}/", saved.id));
        Ok(am.update(self.c).await?)
    }
}

const PCNS: [(&str, &str, usize); 6] = [
    ("U90001", "Riverdale Central PCN", 0),
    ("U90002", "Riverdale North PCN", 0),
    ("U90003", "Millbrook and Weir PCN", 0),
    ("U90004", "Fellside PCN", 1),
    ("U90005", "Coastal Villages PCN", 1),
    ("U90006", "Harbourside PCN", 1),
];

const PRACTICES: [&str; 24] = [
    "Riverside Medical Centre",
    "Bridge Street Surgery",
    "Castle View Practice",
    "Market Square Health Centre",
    "Northgate Surgery",
    "Hollins Lane Medical Practice",
    "Oakwood Family Practice",
    "Beckside Surgery",
    "Millbrook Health Centre",
    "Weir Valley Practice",
    "Mill Lane Surgery",
    "Station Road Medical Centre",
    "Fellside Group Practice",
    "High Fell Surgery",
    "Tarn Road Medical Centre",
    "Pike View Practice",
    "Saltwick Surgery",
    "Coastal Villages Medical Practice",
    "Robin Bay Surgery",
    "Cliff Top Health Centre",
    "Harbour Medical Practice",
    "Quayside Surgery",
    "Lighthouse Family Practice",
    "Seaview Surgery",
];

const POSTCODES: [&str; 6] = [
    "RD1 2AB", "RD4 7QT", "MB2 5LW", "FS1 3PX", "CV7 1HN", "HB3 9RE",
];

/// Seeds the demo region and its people unless the database already has organisations.
/// Returns false when it was already seeded.
pub async fn seed(svc: &Services) -> Result<bool, ServiceError> {
    if !seed_base(svc).await? {
        return Ok(false);
    }
    seed_care(svc).await?;
    Ok(true)
}

/// Seeds only the organisations and a user for every role (no people).
pub async fn seed_base(svc: &Services) -> Result<bool, ServiceError> {
    if organisation::Entity::find().count(&svc.db).await? > 0 {
        return Ok(false);
    }
    // A fixed date makes the seed the same on every run.
    let now = Utc
        .with_ymd_and_hms(2026, 4, 1, 9, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    let hash = password::hash(svc, DEMO_PASSWORD.to_owned()).await?;
    let txn = store::begin_write(&svc.db).await?;
    let s = Seeder { c: &txn, now };
    let region = s
        .org(
            OrgKind::Region,
            Some("Y90"),
            "Northern Shires",
            None,
            None,
            None,
            None,
        )
        .await?;
    let icbs = [
        s.org(
            OrgKind::Icb,
            Some("QZ1"),
            "NHS Riverdale Integrated Care Board",
            Some(&region),
            None,
            Some("RD1 1AA"),
            None,
        )
        .await?,
        s.org(
            OrgKind::Icb,
            Some("QZ2"),
            "NHS Fellside and Coast Integrated Care Board",
            Some(&region),
            None,
            Some("FS1 1AA"),
            None,
        )
        .await?,
    ];
    let mut by_code: Vec<(String, organisation::Model)> = vec![
        ("Y90".into(), region.clone()),
        ("QZ1".into(), icbs[0].clone()),
        ("QZ2".into(), icbs[1].clone()),
    ];
    for (i, (code, name, icb)) in PCNS.iter().enumerate() {
        let pcn = s
            .org(
                OrgKind::Pcn,
                Some(code),
                name,
                Some(&icbs[*icb]),
                None,
                Some(POSTCODES[i]),
                None,
            )
            .await?;
        let mut pcn_total = 0;
        // The sixth PCN has three members; its fourth neighbour opted out of the PCN.
        for j in 0..4 {
            let n = i * 4 + j;
            let size = 4_200 + ((n * 2_731) % 9_800) as i32;
            let code = format!("B9{:04}", n + 1);
            let opted_out = n == 23;
            let parent = if opted_out { &icbs[*icb] } else { &pcn };
            let arrangement = opted_out.then_some("Patients are covered by Harbourside PCN under a commissioner-led arrangement agreed by the ICB (PCN DES opt-out, April 2026)");
            let practice = s
                .org(
                    OrgKind::Practice,
                    Some(&code),
                    PRACTICES[n],
                    Some(parent),
                    Some(size),
                    Some(POSTCODES[i]),
                    arrangement,
                )
                .await?;
            if !opted_out {
                pcn_total += size;
            }
            by_code.push((code, practice));
        }
        let mut am: organisation::ActiveModel = pcn.clone().into();
        am.list_size = Set(Some(pcn_total));
        let pcn = am.update(&txn).await?;
        s.org(
            OrgKind::Team,
            None,
            &format!("{} personalised care team", name.trim_end_matches(" PCN")),
            Some(&pcn),
            None,
            None,
            None,
        )
        .await?;
        by_code.push((code.to_string(), pcn));
    }
    let vcse = [
        ("Riverdale Carers Centre", 0, "RD1 4CC"),
        ("Millbrook Community Garden", 0, "MB2 6GG"),
        ("Riverdale Food Bank", 0, "RD2 3FB"),
        ("Fellside Walking for Health", 1, "FS1 8WH"),
        ("Harbourside Debt Advice", 1, "HB3 2DA"),
        ("Coastal Men's Shed", 1, "CV7 4MS"),
    ];
    for (name, icb, pc) in vcse {
        let o = s
            .org(
                OrgKind::Vcse,
                None,
                name,
                Some(&icbs[icb]),
                None,
                Some(pc),
                None,
            )
            .await?;
        by_code.push((name.to_string(), o));
    }
    for u in USERS {
        let saved = user::ActiveModel {
            email: Set(u.email.into()),
            display_name: Set(u.name.into()),
            password_hash: Set(Some(hash.clone())),
            active: Set(true),
            failed_sign_ins: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let org = by_code
            .iter()
            .find(|(k, _)| k == u.at)
            .map(|(_, o)| o.id)
            .ok_or_else(|| {
                ServiceError::Internal(format!("demo seed: no organisation {}", u.at))
            })?;
        membership::ActiveModel {
            user_id: Set(saved.id),
            organisation_id: Set(org),
            role: Set(u.role.as_str().into()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(true)
}

/// A valid NHS number in the 999 range, which is never issued to real people.
pub fn test_nhs_number(n: u32) -> String {
    let mut base = 999_000_000 + n * 7;
    loop {
        let nine = format!("{base:09}");
        let sum: u32 = nine
            .chars()
            .zip((2..=10).rev())
            .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
            .sum();
        match 11 - (sum % 11) {
            10 => base += 1,
            11 => return format!("{nine}0"),
            d => return format!("{nine}{d}"),
        }
    }
}

struct DemoPerson {
    given: &'static str,
    family: &'static str,
    born: &'static str,
    practice: &'static str,
    pcn: &'static str,
    reason: &'static str,
    /// received | waiting | contacted | active | discharged | declined | unreached
    stage: &'static str,
    days_ago: i64,
}

const PEOPLE: &[DemoPerson] = &[
    DemoPerson {
        given: "Jack",
        family: "Turner",
        born: "1948-05-12",
        practice: "B90001",
        pcn: "U90001",
        reason: "Lonely since his wife died last year; used to love gardening",
        stage: "active",
        days_ago: 40,
    },
    DemoPerson {
        given: "Margaret",
        family: "Oyelaran",
        born: "1953-11-02",
        practice: "B90002",
        pcn: "U90001",
        reason: "Worried about money and heating this winter",
        stage: "active",
        days_ago: 30,
    },
    DemoPerson {
        given: "Callum",
        family: "Reid",
        born: "1989-01-23",
        practice: "B90001",
        pcn: "U90001",
        reason: "Low mood after losing his job; wants to get active again",
        stage: "contacted",
        days_ago: 10,
    },
    DemoPerson {
        given: "Aisha",
        family: "Begum",
        born: "1975-07-30",
        practice: "B90003",
        pcn: "U90001",
        reason: "Carer for her mother; exhausted and would like a break",
        stage: "received",
        days_ago: 1,
    },
    DemoPerson {
        given: "Peter",
        family: "Lowe",
        born: "1961-03-08",
        practice: "B90004",
        pcn: "U90001",
        reason: "Type 2 diabetes; wants help to manage it himself",
        stage: "waiting",
        days_ago: 9,
    },
    DemoPerson {
        given: "Sofia",
        family: "Nowak",
        born: "1992-09-17",
        practice: "B90002",
        pcn: "U90001",
        reason: "New to the area with a baby; knows nobody",
        stage: "discharged",
        days_ago: 70,
    },
    DemoPerson {
        given: "Derek",
        family: "Hall",
        born: "1944-12-01",
        practice: "B90003",
        pcn: "U90001",
        reason: "Several falls; family worried he is isolated",
        stage: "declined",
        days_ago: 20,
    },
    DemoPerson {
        given: "Kelly",
        family: "Marsden",
        born: "1983-04-04",
        practice: "B90004",
        pcn: "U90001",
        reason: "Housing problems affecting her asthma",
        stage: "unreached",
        days_ago: 25,
    },
    DemoPerson {
        given: "Ruth",
        family: "Armstrong",
        born: "1950-08-19",
        practice: "B90013",
        pcn: "U90004",
        reason: "Recently bereaved; would like to join a walking group",
        stage: "active",
        days_ago: 35,
    },
    DemoPerson {
        given: "Imran",
        family: "Qureshi",
        born: "1970-02-26",
        practice: "B90014",
        pcn: "U90004",
        reason: "Chronic back pain; stopped going out",
        stage: "received",
        days_ago: 2,
    },
];

/// People at every stage of the journey, for the demo's caseloads.
async fn seed_care(svc: &Services) -> Result<(), ServiceError> {
    use crate::care::{about_me, discharge, measures, plans, referrals};
    use domain::plan::{Action, Contingency, Goal, Need, PlanContent};
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, QueryFilter};
    use store::entities::{person, referral};

    let meta = crate::RequestMeta {
        request_id: Some("demo-seed".into()),
        ..Default::default()
    };
    let by_email = |email: &'static str| async move {
        let u = crate::identity::users::find_by_email(svc, email)
            .await?
            .ok_or(ServiceError::NotFound("demo user"))?;
        crate::identity::users::load_actor(&svc.db, &u).await
    };
    let amira = by_email("link.worker@demo.whatmatters.test").await?;
    let nadia = by_email("link.worker.fellside@demo.whatmatters.test").await?;
    let org = |code: &'static str| async move {
        organisation::Entity::find()
            .filter(organisation::Column::OdsCode.eq(code))
            .one(&svc.db)
            .await?
            .map(|o| o.id)
            .ok_or(ServiceError::NotFound("demo organisation"))
    };
    let now = svc.now();
    for (i, d) in PEOPLE.iter().enumerate() {
        let worker = if d.pcn == "U90004" { &nadia } else { &amira };
        let r = referrals::create(
            svc,
            worker,
            &meta,
            referrals::ReferralInput {
                person: Some(crate::care::people::PersonInput {
                    nhs_number: Some(test_nhs_number(i as u32 + 1)),
                    given_name: Some(d.given.into()),
                    family_name: Some(d.family.into()),
                    date_of_birth: Some(d.born.into()),
                    phone: Some(format!("07700 900{:03}", 100 + i)),
                    preferred_contact: Some("phone".into()),
                    practice_id: Some(org(d.practice).await?),
                    ..Default::default()
                }),
                service: Some(
                    if i == 2 {
                        "health_and_wellbeing_coaching"
                    } else {
                        "social_prescribing"
                    }
                    .into(),
                ),
                team_org_id: Some(org(d.pcn).await?),
                referrer_name: Some(
                    if i % 3 == 0 {
                        "Dr Priya Shah"
                    } else {
                        "Practice nurse"
                    }
                    .into(),
                ),
                referrer_organisation: Some("Riverside Medical Centre".into()),
                method: Some(
                    if i % 2 == 0 {
                        "secure_messaging"
                    } else {
                        "phone"
                    }
                    .into(),
                ),
                reason: Some(d.reason.into()),
                urgency: Some(
                    if d.stage == "received" && i == 3 {
                        "urgent"
                    } else {
                        "routine"
                    }
                    .into(),
                ),
                ..Default::default()
            },
        )
        .await?;
        // Date the referral back to when it arrived.
        let when = now - chrono::Duration::days(d.days_ago);
        referral::Entity::update_many()
            .col_expr(referral::Column::CreatedAt, Expr::value(when))
            .col_expr(referral::Column::ReferredOn, Expr::value(when.date_naive()))
            .filter(referral::Column::Id.eq(r.id))
            .exec(&svc.db)
            .await?;
        let contact = |kind: &str, notes: &str| referrals::ContactInput {
            kind: Some(kind.into()),
            duration_minutes: Some(45),
            notes: Some(notes.into()),
            ..Default::default()
        };
        let current = |id: i32| async move {
            referral::Entity::find_by_id(id)
                .one(&svc.db)
                .await?
                .ok_or(ServiceError::NotFound("referral"))
        };
        match d.stage {
            "contacted" | "active" | "discharged" => {
                referrals::record_contact(
                    svc,
                    worker,
                    &meta,
                    r.id,
                    contact(
                        "phone",
                        "First call: talked about what matters to them and agreed to meet",
                    ),
                )
                .await?;
            }
            "declined" => {
                let cur = current(r.id).await?;
                referrals::change_state(
                    svc,
                    worker,
                    &meta,
                    r.id,
                    cur.version,
                    referrals::StateChange {
                        to: domain::referral::ReferralState::Declined,
                        reason: Some("Feels his family support is enough for now".into()),
                        review_due: None,
                    },
                )
                .await?;
            }
            "unreached" => {
                for _ in 0..3 {
                    referrals::record_contact(
                        svc,
                        worker,
                        &meta,
                        r.id,
                        referrals::ContactInput {
                            kind: Some("phone".into()),
                            attempt_only: true,
                            ..Default::default()
                        },
                    )
                    .await?;
                }
            }
            _ => {}
        }
        if matches!(d.stage, "active" | "discharged") {
            referrals::record_contact(
                svc,
                worker,
                &meta,
                r.id,
                contact(
                    "face_to_face",
                    "What matters to me conversation at the practice",
                ),
            )
            .await?;
            let cur = current(r.id).await?;
            referrals::change_state(
                svc,
                worker,
                &meta,
                r.id,
                cur.version,
                referrals::StateChange {
                    to: domain::referral::ReferralState::Active,
                    reason: None,
                    review_due: Some(now.date_naive() + chrono::Duration::days(42)),
                },
            )
            .await?;
            let mut sections = about_me::Sections::new();
            sections.insert(
                "most_important".into(),
                format!("{}: family, and getting out of the house again", d.given),
            );
            sections.insert(
                "communication".into(),
                "Phone in the morning; hard of hearing on the left".into(),
            );
            sections.insert(
                "support".into(),
                "Give me time to think before deciding".into(),
            );
            about_me::save(
                svc,
                worker,
                &meta,
                r.person_id,
                0,
                sections,
                Some(format!("{} with their link worker", d.given)),
            )
            .await?;
            let plan = PlanContent {
                strengths: "Warm, sociable, knows the area well".into(),
                needs: vec![Need {
                    description: "Feels isolated and low".into(),
                    goals: vec![Goal {
                        description: "Meet people with the same interests every week".into(),
                        importance: 9,
                        status: "in_progress".into(),
                        stage_goals: vec![
                            "Visit the community garden once".into(),
                            "Go on their own".into(),
                        ],
                        actions: vec![Action {
                            what: "Go to the Saturday session at Millbrook Community Garden".into(),
                            who: d.given.into(),
                            when: (now.date_naive() + chrono::Duration::days(5)).to_string(),
                            status: "in_progress".into(),
                            confidence: 6,
                        }],
                    }],
                }],
                contingencies: vec![Contingency {
                    trigger: "Feeling very low for more than a few days".into(),
                    action: "Call the link worker or the GP practice".into(),
                    contact: "Riverdale Central PCN, 0113 496 0000".into(),
                }],
            };
            plans::save(
                svc,
                worker,
                &meta,
                r.person_id,
                plans::PlanInput {
                    based_on: 0,
                    content: plan,
                    agreed_with: Some(d.given.into()),
                    review_date: Some((now.date_naive() + chrono::Duration::days(42)).to_string()),
                    ..Default::default()
                },
            )
            .await?;
            let start = (now - chrono::Duration::days(d.days_ago - 7))
                .date_naive()
                .to_string();
            for (tp, on, items) in [
                ("start", Some(start.clone()), [3i64, 3, 2, 3, 3, 2, 3]),
                ("review", None, [4, 3, 3, 3, 4, 3, 4]),
            ] {
                measures::record(
                    svc,
                    worker,
                    &meta,
                    r.person_id,
                    measures::MeasureInput {
                        instrument: "swemwbs".into(),
                        timepoint: Some(tp.into()),
                        taken_on: on,
                        answers: items.map(Some).to_vec(),
                        ..Default::default()
                    },
                )
                .await?;
            }
            measures::record(
                svc,
                worker,
                &meta,
                r.person_id,
                measures::MeasureInput {
                    instrument: "ons4".into(),
                    timepoint: Some("start".into()),
                    taken_on: Some(start),
                    answers: vec![Some(4), Some(5), Some(4), Some(7)],
                    ..Default::default()
                },
            )
            .await?;
        }
        if d.stage == "discharged" {
            let cur = current(r.id).await?;
            discharge::discharge(
                svc,
                worker,
                &meta,
                r.id,
                cur.version,
                "connected_to_support",
                "Now goes to a weekly parent and baby group and has made friends there",
            )
            .await?;
        }
        // The demo person account is Jack Turner's own.
        if i == 0 {
            let jack = crate::identity::users::find_by_email(svc, "person@demo.whatmatters.test")
                .await?
                .ok_or(ServiceError::NotFound("demo person"))?;
            person::Entity::update_many()
                .col_expr(person::Column::UserId, Expr::value(Some(jack.id)))
                .filter(person::Column::Id.eq(r.person_id))
                .exec(&svc.db)
                .await?;
        }
    }
    Ok(())
}

const GIVEN: [&str; 20] = [
    "Olivia", "George", "Amelia", "Harry", "Isla", "Noah", "Ava", "Jack", "Mia", "Leo", "Grace",
    "Oscar", "Freya", "Arthur", "Lily", "Muhammad", "Evie", "Jacob", "Ella", "Thomas",
];
const FAMILY: [&str; 20] = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Khan", "Lewis",
];

/// Adds `n` more people, each with a referral, spread over the demo's practices and PCNs: for
/// load tests at the scale of a busy ICB. Deterministic for a given `n`.
pub async fn seed_bulk(svc: &Services, n: usize) -> Result<usize, ServiceError> {
    use sea_orm::{ColumnTrait, QueryFilter};
    use store::entities::{person, referral};
    let practices = organisation::Entity::find()
        .filter(organisation::Column::Kind.eq("practice"))
        .all(&svc.db)
        .await?;
    let mut homes = Vec::new();
    for p in &practices {
        if let Some(team) = crate::care::referrals::team_for_practice(&svc.db, p.id).await? {
            homes.push((p.id, team.id));
        }
    }
    if homes.is_empty() {
        return Err(ServiceError::Internal("seed the demo region first".into()));
    }
    let now = svc.now();
    let states = [
        "received",
        "contacted",
        "active",
        "active",
        "active",
        "discharged",
        "declined",
        "unable_to_contact",
    ];
    let mut done = 0;
    while done < n {
        let chunk = (n - done).min(500);
        let txn = store::begin_write(&svc.db).await?;
        let mut people = Vec::with_capacity(chunk);
        for k in done..done + chunk {
            let (given, family) = (GIVEN[k % 20], FAMILY[(k / 20) % 20]);
            let (practice, _) = homes[k % homes.len()];
            let born = chrono::NaiveDate::from_ymd_opt(
                1930 + (k % 75) as i32,
                1 + (k % 12) as u32,
                1 + (k % 28) as u32,
            );
            people.push(person::ActiveModel {
                nhs_number: Set(Some(test_nhs_number(1000 + k as u32))),
                given_name: Set(given.into()),
                family_name: Set(family.into()),
                search_name: Set(crate::care::people::search_name(given, family)),
                date_of_birth: Set(born),
                phone: Set(Some(format!("07700 9{:05}", k % 100_000))),
                preferred_contact: Set("phone".into()),
                practice_id: Set(Some(practice)),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
                ..Default::default()
            });
        }
        person::Entity::insert_many(people).exec(&txn).await?;
        // The people just added, in order, by their NHS numbers.
        let numbers: Vec<String> = (done..done + chunk)
            .map(|k| test_nhs_number(1000 + k as u32))
            .collect();
        let added = person::Entity::find()
            .filter(person::Column::NhsNumber.is_in(numbers))
            .all(&txn)
            .await?;
        let mut refs = Vec::with_capacity(chunk);
        for (k, p) in (done..done + chunk).zip(added.iter()) {
            let team = homes
                .iter()
                .find(|(pr, _)| Some(*pr) == p.practice_id)
                .map(|(_, t)| *t)
                .unwrap_or(homes[0].1);
            let state = states[k % states.len()];
            let days = (k % 120) as i64;
            let created = now - chrono::Duration::days(days);
            let contacted = state != "received";
            refs.push(referral::ActiveModel {
                person_id: Set(p.id),
                team_org_id: Set(team),
                service: Set([
                    "social_prescribing",
                    "health_and_wellbeing_coaching",
                    "care_coordination",
                ][k % 3]
                    .into()),
                referred_on: Set(created.date_naive()),
                source: Set(if k % 7 == 0 { "self" } else { "staff" }.into()),
                referrer_name: Set("Practice team".into()),
                method: Set(if k % 7 == 0 {
                    "self_referral"
                } else {
                    "secure_messaging"
                }
                .into()),
                reason: Set("Would like support with what matters to them".into()),
                urgency: Set(if k % 15 == 0 { "urgent" } else { "routine" }.into()),
                state: Set(state.into()),
                contact_attempts: Set(if state == "unable_to_contact" { 3 } else { 0 }),
                first_contact_at: Set(contacted.then_some(created + chrono::Duration::days(2))),
                last_contact_at: Set(
                    contacted.then_some(created + chrono::Duration::days(2 + (k % 20) as i64))
                ),
                review_due: Set((state == "active")
                    .then(|| (created + chrono::Duration::days(42)).date_naive())),
                created_at: Set(created),
                updated_at: Set(created),
                version: Set(1),
                ..Default::default()
            });
        }
        referral::Entity::insert_many(refs).exec(&txn).await?;
        txn.commit().await?;
        done += chunk;
    }
    Ok(done)
}
