//! The demo's platform: the region, its ICBs, PCNs, practices, teams and VCSE organisations,
//! and a user with a membership for every role.

use chrono::{DateTime, TimeZone, Utc};
use domain::{OrgKind, Role};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, PaginatorTrait, Set};
use store::entities::{membership, organisation, user};

use super::DEMO_PASSWORD;
use crate::{ServiceError, Services, identity::password};

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
        email: "learner@demo.whatmatters.test",
        name: "Chloe Bennett",
        role: Role::Learner,
        at: "B90002",
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
        // How people reach the PCN's personalised care team (Ofcom's numbers for drama).
        am.phone = Set(Some(format!("0113 496 0{:03}", i * 10)));
        am.email = Set(Some(format!(
            "personalised.care.{}@nhs.example",
            code.to_lowercase()
        )));
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
