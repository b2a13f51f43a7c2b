//! Bulk demo data for load tests: many people, each with a referral, written directly.

use sea_orm::{EntityTrait, Set};
use store::entities::organisation;

use super::test_nhs_number;
use crate::{ServiceError, Services};

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
                accepted_at: Set(contacted.then_some(created + chrono::Duration::days(1))),
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
