//! Professionals trained in personalised care, against the national aim of 75,000: counted
//! for the nation, each region and ICB, and each PCN in the viewer's scope. A professional is
//! counted at every organisation they belong to and each one above it, once however many of
//! their memberships fall under it.

use std::collections::{HashMap, HashSet};

use domain::learning::elearning::TRAINED_AIM;
use domain::{OrgKind, Permission};
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, Statement};
use store::entities::organisation;

use crate::{Actor, ServiceError, Services};

/// One organisation's count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub organisation_id: i32,
    pub name: String,
    pub code: Option<String>,
    pub trained: u64,
}

#[derive(Clone, Debug)]
pub struct Trained {
    pub nation: u64,
    pub aim: u64,
    pub regions: Vec<Row>,
    pub icbs: Vec<Row>,
    /// PCNs in the viewer's scope.
    pub pcns: Vec<Row>,
}

/// The job role of a learner who is not a professional.
const PUBLIC: &str = "Member of the public";

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

#[derive(FromQueryResult)]
struct Belongs {
    user_id: i32,
    path: String,
}

/// The counts, for those who may see figures (commissioners, managers, organisers).
pub async fn counts(svc: &Services, actor: &Actor) -> Result<Trained, ServiceError> {
    actor.require(Permission::ViewInsights, "see how many are trained")?;
    let backend = svc.db.get_database_backend();
    // Members of the public who learn are welcome, but are not professionals trained.
    let nation = Count::find_by_statement(Statement::from_sql_and_values(
        backend,
        "SELECT COUNT(*) AS n FROM learning_trained t JOIN users u ON u.id = t.user_id \
         WHERE u.job_role IS NULL OR u.job_role <> $1",
        [PUBLIC.into()],
    ))
    .one(&svc.db)
    .await?
    .map_or(0, |c| u64::try_from(c.n).unwrap_or(0));
    let belongs = Belongs::find_by_statement(Statement::from_sql_and_values(
        backend,
        "SELECT t.user_id AS user_id, o.path AS path FROM learning_trained t \
         JOIN users u ON u.id = t.user_id \
         JOIN memberships m ON m.user_id = t.user_id \
         JOIN organisations o ON o.id = m.organisation_id \
         WHERE u.job_role IS NULL OR u.job_role <> $1",
        [PUBLIC.into()],
    ))
    .all(&svc.db)
    .await?;
    // Each trained professional once per organisation on the way up from where they belong.
    let mut per_path: HashMap<&str, HashSet<i32>> = HashMap::new();
    for b in &belongs {
        for (i, _) in b.path.match_indices('/').skip(1) {
            per_path.entry(&b.path[..=i]).or_default().insert(b.user_id);
        }
    }
    let orgs = organisation::Entity::find()
        .filter(organisation::Column::Kind.is_in([
            OrgKind::Region.as_str(),
            OrgKind::Icb.as_str(),
            OrgKind::Pcn.as_str(),
        ]))
        .order_by_asc(organisation::Column::Name)
        .all(&svc.db)
        .await?;
    let scopes = actor.scopes(Permission::ViewInsights);
    let (mut regions, mut icbs, mut pcns) = (Vec::new(), Vec::new(), Vec::new());
    for o in orgs {
        let row = Row {
            organisation_id: o.id,
            name: o.name.clone(),
            code: o.ods_code.clone(),
            trained: per_path.get(o.path.as_str()).map_or(0, |s| s.len() as u64),
        };
        match o.kind.parse::<OrgKind>() {
            Ok(OrgKind::Region) => regions.push(row),
            Ok(OrgKind::Icb) => icbs.push(row),
            Ok(OrgKind::Pcn) if scopes.iter().any(|s| o.path.starts_with(s.as_str())) => {
                pcns.push(row)
            }
            _ => {}
        }
    }
    Ok(Trained {
        nation,
        aim: TRAINED_AIM,
        regions,
        icbs,
        pcns,
    })
}
