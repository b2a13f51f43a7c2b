//! The demo's community directory: the region's postcodes, its voluntary and community
//! organisations (the six on the platform, whose VCSE workers edit their own listings, and
//! ten more kept by curators) and their services, with weekly and monthly times, needs, costs
//! and places. `seed_services` generates many more across England for load tests.

use chrono::{Duration, NaiveTime};
use domain::Postcode;
use domain::directory::geo::Point;
use domain::directory::listing::{
    Capacity, CostOption, Day, Freq, Listing, Opening, Place, ServiceStatus,
};
use domain::directory::taxonomy::uuid_of;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use store::entities::organisation;

use crate::directory::postcodes;
use crate::directory::write::{OrgListing, save_listing, upsert_organization};
use crate::{ServiceError, Services};

/// Postcode districts of the demo region and where each is.
const DISTRICTS: [(&str, f64, f64); 14] = [
    ("RD1", 54.000, -1.550),
    ("RD2", 54.018, -1.522),
    ("RD3", 53.982, -1.598),
    ("RD4", 54.036, -1.580),
    ("MB1", 54.100, -1.400),
    ("MB2", 54.118, -1.362),
    ("FS1", 54.300, -2.000),
    ("FS2", 54.330, -2.050),
    ("HB1", 54.280, -0.450),
    ("HB2", 54.300, -0.420),
    ("HB3", 54.262, -0.470),
    ("CV7", 54.400, -0.600),
    ("CV8", 54.430, -0.560),
    ("CV9", 54.380, -0.650),
];

/// Units of each sector: every postcode the demo's organisations and people have is among them.
const UNITS: [&str; 15] = [
    "AA", "AB", "BD", "CC", "DA", "DE", "FB", "GG", "HN", "LW", "MS", "PX", "QT", "RE", "WH",
];

/// A number from 0 to 1 that depends only on the text: demo points are the same every time.
fn jitter(s: &str, salt: u32) -> f64 {
    let mut h: u32 = 2_166_136_261 ^ salt;
    for b in s.bytes() {
        h = (h ^ b as u32).wrapping_mul(16_777_619);
    }
    (h % 10_000) as f64 / 10_000.0
}

/// Every demo postcode: nine sectors of fifteen units in each district.
fn demo_postcodes() -> Vec<(Postcode, Point)> {
    let mut out = Vec::new();
    for (d, lat, lon) in DISTRICTS {
        for sector in 1..=9 {
            for unit in UNITS {
                let code = format!("{d} {sector}{unit}");
                let Ok(pc) = Postcode::parse(&code) else {
                    continue;
                };
                let la = lat + (jitter(&code, 1) - 0.5) * 0.03;
                let lo = lon + (jitter(&code, 2) - 0.5) * 0.05;
                if let Ok(pt) = Point::new(la, lo) {
                    out.push((pc, pt));
                }
            }
        }
    }
    out
}

/// Directory organisations: name, the platform organisation that edits them (if any), what
/// they do, phone, website.
const ORGS: [(&str, bool, &str, &str, &str); 16] = [
    (
        "Riverdale Carers Centre",
        true,
        "Support, breaks and advice for unpaid carers across Riverdale and Millbrook",
        "01632 960101",
        "https://riverdalecarers.example.org.uk",
    ),
    (
        "Millbrook Community Garden",
        true,
        "A community garden and green gym run by volunteers",
        "01632 960102",
        "https://millbrookgarden.example.org.uk",
    ),
    (
        "Riverdale Food Bank",
        true,
        "Emergency food parcels, community meals and cooking on a budget",
        "01632 960103",
        "https://riverdalefoodbank.example.org.uk",
    ),
    (
        "Fellside Walking for Health",
        true,
        "Free, friendly short walks led by trained volunteers",
        "01632 960104",
        "",
    ),
    (
        "Harbourside Debt Advice",
        true,
        "Free, confidential advice on debt, benefits and budgeting",
        "01632 960105",
        "https://harbourside-debt.example.org.uk",
    ),
    (
        "Coastal Men's Shed",
        true,
        "A workshop where men meet, make and mend together",
        "01632 960106",
        "",
    ),
    (
        "Riverdale Library and Information Service",
        false,
        "Libraries with reading groups, digital help and learning",
        "01632 960107",
        "https://libraries.riverdale.example.gov.uk",
    ),
    (
        "Northern Shires Mind",
        false,
        "Mental health support, peer groups and wellbeing courses",
        "01632 960108",
        "https://northernshiresmind.example.org.uk",
    ),
    (
        "Age Friendly Riverdale",
        false,
        "Befriending, lunch clubs and activities for older people",
        "01632 960109",
        "https://agefriendlyriverdale.example.org.uk",
    ),
    (
        "Harbourside Arts Collective",
        false,
        "Creative workshops, choirs and exhibitions open to all",
        "01632 960110",
        "https://harbourside-arts.example.org.uk",
    ),
    (
        "Fellside Citizens Advice",
        false,
        "Advice on housing, employment, benefits and consumer rights",
        "01632 960111",
        "https://fellside-advice.example.org.uk",
    ),
    (
        "Shires Bereavement Support",
        false,
        "One-to-one and group support after someone has died",
        "01632 960112",
        "https://shiresbereavement.example.org.uk",
    ),
    (
        "Riverdale Leisure Trust",
        false,
        "Leisure centres with exercise on referral and low-cost classes",
        "01632 960113",
        "https://riverdaleleisure.example.org.uk",
    ),
    (
        "Coastal Community Learning",
        false,
        "Adult learning: English, maths, computers and job skills",
        "01632 960114",
        "https://coastallearning.example.org.uk",
    ),
    (
        "Northern Shires Recovery Network",
        false,
        "Peer-led support for people cutting down or stopping drinking or drugs",
        "01632 960115",
        "https://shiresrecovery.example.org.uk",
    ),
    (
        "Shires Families Together",
        false,
        "Parenting groups, family support and stay-and-play sessions",
        "01632 960116",
        "https://shiresfamilies.example.org.uk",
    ),
];

/// Towns and their districts.
const TOWNS: [(&str, &[&str]); 5] = [
    ("Riverdale", &["RD1", "RD2", "RD3", "RD4"]),
    ("Millbrook", &["MB1", "MB2"]),
    ("Fellside", &["FS1", "FS2"]),
    ("Harbourside", &["HB1", "HB2", "HB3"]),
    ("Seacombe", &["CV7", "CV8", "CV9"]),
];

struct Template {
    org: usize,
    name: &'static str,
    needs: &'static [&'static str],
    description: &'static str,
    venue: &'static str,
    byday: &'static str,
    hours: (u32, u32, u32, u32),
    freq: Freq,
    fees: &'static str,
    ages: (Option<i64>, Option<i64>),
    /// Indexes into TOWNS.
    towns: &'static [usize],
    online: bool,
}

const fn t(
    org: usize,
    name: &'static str,
    needs: &'static [&'static str],
    description: &'static str,
    venue: &'static str,
    (byday, hours): (&'static str, (u32, u32, u32, u32)),
    towns: &'static [usize],
) -> Template {
    Template {
        org,
        name,
        needs,
        description,
        venue,
        byday,
        hours,
        freq: Freq::Weekly,
        fees: "Free",
        ages: (Some(18), None),
        towns,
        online: false,
    }
}

const TEMPLATES: [Template; 24] = [
    t(
        0,
        "Carers' cuppa",
        &["carers", "loneliness"],
        "A relaxed drop-in for unpaid carers: a cup of tea, a chat with others who understand, and advice from our carers' support workers.",
        "Carers Centre",
        ("WE", (10, 0, 12, 0)),
        &[0, 1, 3, 4],
    ),
    t(
        0,
        "Carers' assessment and breaks advice",
        &["carers", "advice-advocacy"],
        "One-to-one help to get a carer's assessment, plan breaks and find out what support you are entitled to. Phone to book.",
        "Carers Centre",
        ("MO,TH", (9, 30, 16, 30)),
        &[0],
    ),
    t(
        1,
        "Green gym",
        &["nature", "physical-activity", "loneliness"],
        "Get active outdoors: planting, digging and looking after the garden with a friendly team. Gloves and tools provided; no experience needed.",
        "Community Garden",
        ("TU,SA", (10, 0, 13, 0)),
        &[1, 0],
    ),
    t(
        1,
        "Grow your own veg",
        &["nature", "food", "learning"],
        "A six-week course for beginners on growing vegetables in a small space, with seeds to take home.",
        "Community Garden",
        ("TH", (14, 0, 16, 0)),
        &[1],
    ),
    t(
        2,
        "Food bank",
        &["food", "money-debt"],
        "Emergency food parcels for three days. Bring a food bank voucher from your link worker, GP or Citizens Advice.",
        "Food Bank",
        ("MO,WE,FR", (11, 0, 14, 0)),
        &[0, 3, 4],
    ),
    t(
        2,
        "Community lunch",
        &["food", "loneliness"],
        "A hot two-course lunch and good company every week. Pay what you can.",
        "Methodist Hall",
        ("TH", (12, 0, 14, 0)),
        &[0, 1, 2, 3, 4],
    ),
    t(
        3,
        "Walk and talk",
        &["physical-activity", "loneliness", "mental-wellbeing"],
        "A gentle hour's walk on flat paths led by a trained walk leader, with a cuppa afterwards. Just turn up.",
        "Market Cross",
        ("TU", (10, 0, 11, 30)),
        &[0, 1, 2, 3, 4],
    ),
    t(
        3,
        "Nordic walking",
        &["physical-activity", "nature"],
        "Walking with poles for a full-body workout. Poles can be borrowed; the first session teaches the technique.",
        "Visitor Centre",
        ("SA", (9, 30, 11, 0)),
        &[2],
    ),
    t(
        4,
        "Debt and money advice",
        &["money-debt", "advice-advocacy"],
        "Free, confidential advice on debts, bills, budgeting and benefits. We can deal with creditors for you.",
        "Advice Centre",
        ("MO,TU,WE,TH,FR", (9, 0, 17, 0)),
        &[3, 4, 0],
    ),
    t(
        5,
        "Men's Shed",
        &["loneliness", "mental-wellbeing", "learning"],
        "A workshop where men of all ages meet, make and mend: woodwork, repairs and projects for the community. Tea always on.",
        "The Shed",
        ("TU,TH", (10, 0, 15, 0)),
        &[4, 3, 2],
    ),
    t(
        6,
        "Digital help drop-in",
        &["digital-skills", "learning"],
        "Help with phones, tablets and computers: getting online, video calls, NHS App and online forms. Bring your device.",
        "Library",
        ("WE", (14, 0, 16, 0)),
        &[0, 1, 2, 3, 4],
    ),
    t(
        6,
        "Reading group",
        &["arts-culture", "loneliness"],
        "A friendly monthly book group. Books are provided in standard and large print and as audiobooks.",
        "Library",
        ("1TU", (18, 30, 20, 0)),
        &[0, 2],
    ),
    t(
        7,
        "Mental wellbeing peer support group",
        &["mental-wellbeing", "loneliness"],
        "A safe, confidential group for adults living with low mood, anxiety or stress, facilitated by trained peers.",
        "Wellbeing Hub",
        ("MO", (18, 0, 19, 30)),
        &[0, 3, 2],
    ),
    t(
        7,
        "Wellbeing course online",
        &["mental-wellbeing", "learning"],
        "A six-week course on managing stress and low mood, on video call. Join from anywhere in the region.",
        "",
        ("WE", (19, 0, 20, 30)),
        &[],
    ),
    t(
        8,
        "Telephone befriending",
        &["loneliness"],
        "A weekly friendly phone call from a trained volunteer for people who feel lonely or isolated.",
        "",
        ("MO,TU,WE,TH,FR", (10, 0, 16, 0)),
        &[],
    ),
    t(
        8,
        "Lunch club for older people",
        &["loneliness", "food"],
        "A two-course lunch, quiz and chat for people over 60. Transport can be arranged.",
        "Community Centre",
        ("FR", (12, 0, 14, 30)),
        &[0, 1, 4],
    ),
    t(
        9,
        "Community choir",
        &["arts-culture", "loneliness", "mental-wellbeing"],
        "Sing for fun: no auditions and no need to read music. Songs from musicals, pop and folk.",
        "Arts Centre",
        ("TH", (19, 0, 20, 30)),
        &[3, 0, 2],
    ),
    t(
        9,
        "Creative crafts for wellbeing",
        &["arts-culture", "mental-wellbeing"],
        "Painting, collage and textiles in a calm studio. All materials provided.",
        "Arts Centre",
        ("TU", (13, 30, 15, 30)),
        &[3],
    ),
    t(
        10,
        "Housing and benefits advice",
        &["housing", "money-debt", "advice-advocacy"],
        "Advice on tenancies, repairs, homelessness, Universal Credit and PIP, by appointment or drop-in.",
        "Advice Office",
        ("MO,WE,FR", (9, 30, 16, 0)),
        &[2, 0],
    ),
    t(
        11,
        "Bereavement support group",
        &["bereavement", "mental-wellbeing"],
        "A monthly group for adults after the death of someone close, with trained volunteers. Talk or just listen.",
        "Quaker Meeting House",
        ("2WE", (14, 0, 16, 0)),
        &[0, 3, 4],
    ),
    t(
        12,
        "Exercise on referral",
        &["physical-activity", "long-term-conditions"],
        "A 12-week supervised programme for people with long-term conditions, tailored by qualified instructors.",
        "Leisure Centre",
        ("MO,WE,FR", (10, 0, 12, 0)),
        &[0, 2],
    ),
    t(
        13,
        "Job club",
        &["employment", "digital-skills", "learning"],
        "Help with CVs, job searches and applications, and interview practice with volunteers from local employers.",
        "Learning Centre",
        ("TU", (10, 0, 12, 0)),
        &[4, 3, 0],
    ),
    t(
        14,
        "Recovery cafe",
        &["substance-use", "loneliness"],
        "A welcoming peer-led cafe for people in or seeking recovery from alcohol or drugs, and their families.",
        "Recovery Hub",
        ("SA", (11, 0, 14, 0)),
        &[0, 3, 4],
    ),
    t(
        15,
        "Stay and play",
        &["families", "loneliness"],
        "Play sessions for under-fives with their parents and carers, with health visitors on hand monthly.",
        "Family Hub",
        ("TU,TH", (9, 30, 11, 30)),
        &[0, 1, 2],
    ),
];

/// The listing of a template in a town (None for an online or phone service).
fn listing(tp: &Template, town: Option<usize>, n: usize) -> Listing {
    let (oh, om, ch, cm) = tp.hours;
    let days = domain::directory::listing::Opening::parse_byday(tp.byday).unwrap_or_default();
    let freq = if days.iter().any(|(k, _)| k.is_some()) {
        Freq::Monthly
    } else {
        tp.freq
    };
    let places = match town {
        Some(ti) => {
            let (tname, districts) = TOWNS[ti];
            let d = districts[n % districts.len()];
            let pc = format!("{d} {}{}", 1 + n % 9, UNITS[n % UNITS.len()]);
            vec![Place {
                id: None,
                name: format!("{tname} {}", tp.venue),
                address_1: format!(
                    "{} {} Street",
                    1 + (n * 7) % 90,
                    ["High", "Church", "Station", "Market", "Mill", "Bridge"][n % 6]
                ),
                city: tname.into(),
                postcode: pc,
                point: None,
            }]
        }
        None => Vec::new(),
    };
    let name = match town {
        Some(ti) if tp.towns.len() > 1 => format!("{} ({})", tp.name, TOWNS[ti].0),
        _ => tp.name.to_owned(),
    };
    Listing {
        name,
        description: tp.description.into(),
        phone: ORGS[tp.org].3.into(),
        url: ORGS[tp.org].4.into(),
        email: format!(
            "hello@{}.example.org.uk",
            ORGS[tp.org].0.to_lowercase().replace(['\'', ' '], "")
        ),
        contact_name: String::new(),
        status: ServiceStatus::Active,
        eligibility: match tp.ages {
            (Some(18), None) => "Adults".into(),
            _ => String::new(),
        },
        minimum_age: tp.ages.0,
        maximum_age: tp.ages.1,
        fees: tp.fees.into(),
        application_process: "Just turn up, or ask your link worker to refer you".into(),
        wait_time: String::new(),
        terms: tp.needs.iter().map(|c| uuid_of(c).to_string()).collect(),
        places,
        online: town.is_none() || tp.online,
        openings: vec![Opening {
            id: None,
            freq,
            days,
            opens_at: NaiveTime::from_hms_opt(oh, om, 0).unwrap_or_default(),
            closes_at: NaiveTime::from_hms_opt(ch, cm, 0).unwrap_or_default(),
            description: String::new(),
        }],
        costs: if tp.fees == "Free" {
            Vec::new()
        } else {
            vec![CostOption {
                id: None,
                option: "Everyone".into(),
                amount: Some(3.0),
                amount_description: "per session".into(),
            }]
        },
        capacity: Some(
            [
                Capacity::Places,
                Capacity::Places,
                Capacity::WaitingList,
                Capacity::Full,
            ][n % 4],
        ),
    }
}

/// Seeds the demo directory (the needs taxonomy must already be there).
pub async fn seed_directory(svc: &Services) -> Result<(), ServiceError> {
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    postcodes::upsert(&txn, &demo_postcodes()).await?;
    let mut orgs = Vec::new();
    for (name, on_platform, description, phone, website) in ORGS {
        let owner = if on_platform {
            organisation::Entity::find()
                .filter(organisation::Column::Name.eq(name))
                .filter(organisation::Column::Kind.eq("vcse"))
                .one(&txn)
                .await?
                .map(|o| o.id)
        } else {
            None
        };
        orgs.push(
            upsert_organization(
                &txn,
                &OrgListing {
                    uuid: Some(
                        domain::directory::taxonomy::uuid_of(&format!("demo-org/{name}"))
                            .to_string(),
                    ),
                    name: name.into(),
                    description: description.into(),
                    email: None,
                    website: (!website.is_empty()).then(|| website.to_owned()),
                    phone: Some(phone.into()),
                    owner_id: owner,
                },
                now,
            )
            .await?,
        );
    }
    let mut n = 0;
    for tp in &TEMPLATES {
        let towns: Vec<Option<usize>> = if tp.towns.is_empty() {
            vec![None]
        } else {
            tp.towns.iter().copied().map(Some).collect()
        };
        for town in towns {
            let l = listing(tp, town, n);
            // Most listings were checked recently; a few are overdue for their three-monthly check.
            let assured =
                (now - Duration::days(if n % 9 == 4 { 130 } else { (n % 60) as i64 })).date_naive();
            let uuid = uuid_of(&format!("demo-service/{n}")).to_string();
            save_listing(
                &txn,
                &orgs[tp.org],
                Some(&uuid),
                &l,
                now,
                Some((assured, Some("directory@demo.whatmatters.test".into()))),
                true,
            )
            .await?;
            n += 1;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Days of the week, for generated listings.
const WEEK: [Day; 7] = [
    Day::Mo,
    Day::Tu,
    Day::We,
    Day::Th,
    Day::Fr,
    Day::Sa,
    Day::Su,
];

/// Adds `n` generated services across England (at real-looking postcodes' points, but not
/// real postcodes) for load tests. Deterministic for a given `n`.
pub async fn seed_services(svc: &Services, n: usize) -> Result<usize, ServiceError> {
    let now = svc.now();
    // Postcodes to search from, spread as the services are: ZZ1 0AA to ZZ20 9JJ.
    let letters = ["A", "B", "C", "D", "E", "F", "G", "H", "J", "L"];
    let mut codes = Vec::new();
    for k in 0..2_000usize {
        let code = format!(
            "ZZ{} {}{}{}",
            1 + k / 100,
            k % 10,
            letters[(k / 10) % 10],
            letters[(k / 10) % 10]
        );
        let key = format!("bench-postcode/{k}");
        if let (Ok(pc), Ok(pt)) = (
            Postcode::parse(&code),
            Point::new(50.6 + jitter(&key, 3) * 4.8, -3.4 + jitter(&key, 4) * 4.8),
        ) {
            codes.push((pc, pt));
        }
    }
    let txn = store::begin_write(&svc.db).await?;
    postcodes::upsert(&txn, &codes).await?;
    txn.commit().await?;
    let mut done = 0;
    let mut org = None;
    while done < n {
        let chunk = (n - done).min(500);
        let txn = store::begin_write(&svc.db).await?;
        for k in done..done + chunk {
            if k % 20 == 0 || org.is_none() {
                org = Some(
                    upsert_organization(
                        &txn,
                        &OrgListing {
                            uuid: Some(uuid_of(&format!("bench-org/{}", k / 20)).to_string()),
                            name: format!(
                                "{} Community Trust {}",
                                [
                                    "Northfield",
                                    "Southbank",
                                    "Eastgate",
                                    "Westmoor",
                                    "Hillside",
                                    "Brookvale"
                                ][k % 6],
                                k / 20
                            ),
                            description: "Community services for the neighbourhood".into(),
                            phone: Some("01632 960000".into()),
                            ..OrgListing::default()
                        },
                        now,
                    )
                    .await?,
                );
            }
            let tp = &TEMPLATES[k % TEMPLATES.len()];
            let mut l = listing(tp, None, k);
            // Spread over England: latitude 50.6 to 55.4, longitude -3.4 to 1.4.
            let key = format!("bench/{k}");
            let point = Point::new(50.6 + jitter(&key, 3) * 4.8, -3.4 + jitter(&key, 4) * 4.8)
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            l.name = format!("{} {}", tp.name, k);
            l.online = k % 10 == 0;
            l.places = vec![Place {
                id: None,
                name: tp.venue.into(),
                address_1: format!("{} High Street", 1 + k % 200),
                city: "Town".into(),
                postcode: "ZZ1 1ZZ".into(),
                point: Some(point),
            }];
            if let Some(o) = l.openings.first_mut() {
                o.days = vec![(None, WEEK[k % 7]), (None, WEEK[(k + 3) % 7])];
            }
            let Some(o) = &org else { continue };
            save_listing(
                &txn,
                o,
                Some(&uuid_of(&key).to_string()),
                &l,
                now,
                Some((now.date_naive(), None)),
                true,
            )
            .await?;
        }
        txn.commit().await?;
        done += chunk;
    }
    Ok(done)
}

/// Some of the demo's people already connected to community services: one waiting in Riverdale
/// Carers Centre's inbox, one accepted, one who went. Runs after the people are seeded.
pub(super) async fn seed_connections(svc: &Services) -> Result<(), ServiceError> {
    use sea_orm::{ActiveModelTrait, Set};
    use store::entities::{
        consent, directory_organization as dorg, directory_service as dservice, person,
        service_referral as sr, user,
    };
    let now = svc.now();
    let sender = user::Entity::find()
        .filter(user::Column::Email.eq("link.worker@demo.whatmatters.test"))
        .one(&svc.db)
        .await?
        .map(|u| u.id);
    let links: [(&str, &str, &str, &str, i64, &str); 3] = [
        (
            "Aisha",
            "Begum",
            "Carers' cuppa (Riverdale)",
            "sent",
            1,
            "Aisha cares for her mother full time and would like to meet other carers.",
        ),
        (
            "Margaret",
            "Oyelaran",
            "Debt and money advice (Riverdale)",
            "accepted",
            6,
            "Worried about energy bills and a council tax letter; would like help with a budget.",
        ),
        (
            "Jack",
            "Turner",
            "Green gym (Riverdale)",
            "attended",
            20,
            "Used to love gardening; lonely since his wife died.",
        ),
    ];
    let txn = store::begin_write(&svc.db).await?;
    for (given, family, service_name, state, days, reason) in links {
        let (Some(p), Some(s)) = (
            person::Entity::find()
                .filter(person::Column::GivenName.eq(given))
                .filter(person::Column::FamilyName.eq(family))
                .one(&txn)
                .await?,
            dservice::Entity::find()
                .filter(dservice::Column::Name.eq(service_name))
                .one(&txn)
                .await?,
        ) else {
            continue;
        };
        let Some(o) = dorg::Entity::find_by_id(s.organization_id)
            .one(&txn)
            .await?
        else {
            continue;
        };
        let sent = now - Duration::days(days);
        let c = consent::ActiveModel {
            person_id: Set(p.id),
            share_with: Set(o.name.clone()),
            given: Set(true),
            note: Set(Some(format!("Agreed when referred to {}", s.name))),
            recorded_by_user_id: Set(sender),
            recorded_at: Set(sent),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let replied = (state != "sent").then(|| sent + Duration::hours(26));
        sr::ActiveModel {
            person_id: Set(p.id),
            service_id: Set(s.id),
            organization_id: Set(o.id),
            referral_id: Set(None),
            consent_id: Set(Some(c.id)),
            reason: Set(reason.into()),
            what_matters: Set(None),
            state: Set(state.into()),
            decline_reason: Set(None),
            sent_by: Set(sender),
            sent_at: Set(sent),
            replied_by: Set(None),
            replied_at: Set(replied),
            outcome_by: Set(None),
            outcome_at: Set((state == "attended").then(|| sent + Duration::days(8))),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
