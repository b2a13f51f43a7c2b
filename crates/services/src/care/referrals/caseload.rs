//! The caseload of the actor's teams (filtered, sorted, paged) and the "no one lost" view.

use chrono::{Duration, NaiveDate};
use domain::Permission;
use domain::referral::ReferralState;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, IdenStatic, Iterable,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use store::entities::{person, referral, user};

use super::{FIRST_CONTACT_DAYS, STALE_CONTACT_DAYS, URGENT_FIRST_CONTACT_DAYS, open_states};
use crate::audit::{self, Event, Outcome};
use crate::care::care_orgs;
use crate::paging::Paging;
use crate::{Actor, RequestMeta, ServiceError, Services};

/// The longest "no contact for N days" filter accepted (ten years).
pub const MAX_NO_CONTACT_DAYS: i64 = 3_650;

#[derive(Clone, Debug, Default)]
pub struct CaseloadFilter {
    /// A state, or "open" for every state not closed (the default).
    pub state: Option<String>,
    pub assigned_to: Option<i32>,
    pub practice_id: Option<i32>,
    /// Review due on or before this date.
    pub review_due_by: Option<NaiveDate>,
    /// No contact for at least this many days.
    pub no_contact_days: Option<i64>,
    /// referred | review_due | last_contact
    pub sort: Option<String>,
    pub page: u64,
    pub per_page: u64,
}

pub struct CaseloadRow {
    pub referral: crate::care::Referral,
    pub person: crate::care::Person,
    pub assigned: Option<String>,
}

pub struct CaseloadPage {
    pub rows: Vec<CaseloadRow>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl CaseloadPage {
    pub fn total_pages(&self) -> u64 {
        Ord::max(self.total.div_ceil(Ord::max(self.per_page, 1)), 1)
    }
}

/// The caseload of the actor's teams, filtered, sorted and paged.
pub async fn caseload(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    f: CaseloadFilter,
) -> Result<CaseloadPage, ServiceError> {
    actor.require(Permission::ProvideCare, "see the caseload")?;
    let now = svc.now();
    let backend = svc.db.get_database_backend();
    let mut q = referral::Entity::find()
        .filter(referral::Column::TeamOrgId.in_subquery(care_orgs(backend, actor)));
    match f
        .state
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or("open")
    {
        "open" => q = q.filter(referral::Column::State.is_in(open_states())),
        "all" => {}
        s => {
            let st = ReferralState::parse(s)
                .ok_or_else(|| ServiceError::invalid("state", "Choose a state from the list"))?;
            q = q.filter(referral::Column::State.eq(st.as_str()));
        }
    }
    if let Some(u) = f.assigned_to {
        q = q.filter(referral::Column::AssignedUserId.eq(u));
    }
    if let Some(pid) = f.practice_id {
        q = q.filter(
            referral::Column::PersonId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(person::Column::Id)
                    .from(person::Entity)
                    .and_where(sea_orm::sea_query::ExprTrait::eq(
                        Expr::col(person::Column::PracticeId),
                        pid,
                    ))
                    .to_owned(),
            ),
        );
    }
    if let Some(d) = f.review_due_by {
        q = q.filter(referral::Column::ReviewDue.lte(d));
    }
    if let Some(days) = f.no_contact_days {
        if !(1..=MAX_NO_CONTACT_DAYS).contains(&days) {
            return Err(ServiceError::invalid(
                "no_contact_days",
                format!(
                    "Days without contact must be a whole number from 1 to {MAX_NO_CONTACT_DAYS}"
                ),
            ));
        }
        let cutoff = now - Duration::days(days);
        q = q.filter(
            Condition::any()
                .add(referral::Column::LastContactAt.lt(cutoff))
                .add(
                    Condition::all()
                        .add(referral::Column::LastContactAt.is_null())
                        .add(referral::Column::CreatedAt.lt(cutoff)),
                ),
        );
    }
    let paging = Paging::new(f.page, f.per_page)?;
    let (page, per_page) = (paging.page, paging.per_page);
    // Counted before ordering, by id alone, so the count comes from the covering index (a
    // count of the ordered rows would read and sort every matching row first).
    let counted = q.clone();
    let count = async {
        let n: Option<i64> = counted
            .select_only()
            .column_as(referral::Column::Id.count(), "n")
            .into_tuple()
            .one(&svc.db)
            .await?;
        Ok::<_, ServiceError>(u64::try_from(n.unwrap_or(0)).unwrap_or(0))
    };
    let order = match f.sort.as_deref().unwrap_or("referred") {
        "review_due" => referral::Column::ReviewDue,
        "last_contact" => referral::Column::LastContactAt,
        _ => referral::Column::ReferredOn,
    };
    // The page's ids from the covering indexes, then just those rows with their people and
    // workers, in one statement.
    let page_ids = q
        .select_only()
        .column(referral::Column::Id)
        .order_by_asc(order)
        .order_by_asc(referral::Column::Id)
        .offset(paging.offset())
        .limit(per_page)
        .into_query();
    let (total, rows) = tokio::try_join!(count, page_rows(&svc.db, page_ids, order))?;
    audit::log(
        svc,
        now,
        meta,
        Event::new("caseload_viewed", Outcome::Success)
            .by(actor)
            .purpose(crate::care::PURPOSE)
            .detail(format!("{} of {total} referral(s) shown", rows.len())),
    )
    .await?;
    Ok(CaseloadPage {
        rows,
        total,
        page,
        per_page,
    })
}

/// The referrals whose ids `ids` selects, in `order` (then id), each with its person and the
/// name of the worker it is assigned to: one statement, its columns prefixed `r_` and `p_`.
async fn page_rows<C: ConnectionTrait>(
    c: &C,
    ids: SelectStatement,
    order: referral::Column,
) -> Result<Vec<CaseloadRow>, ServiceError> {
    let mut q = Query::select();
    for col in referral::Column::iter() {
        q.expr_as(
            Expr::col((referral::Entity, col)),
            format!("r_{}", col.as_str()),
        );
    }
    for col in person::Column::iter() {
        q.expr_as(
            Expr::col((person::Entity, col)),
            format!("p_{}", col.as_str()),
        );
    }
    q.expr_as(
        Expr::col((user::Entity, user::Column::DisplayName)),
        "assigned",
    )
    .from(referral::Entity)
    .inner_join(
        person::Entity,
        Expr::col((person::Entity, person::Column::Id))
            .equals((referral::Entity, referral::Column::PersonId)),
    )
    .left_join(
        user::Entity,
        Expr::col((user::Entity, user::Column::Id))
            .equals((referral::Entity, referral::Column::AssignedUserId)),
    )
    .and_where(Expr::col((referral::Entity, referral::Column::Id)).in_subquery(ids))
    .order_by((referral::Entity, order), Order::Asc)
    .order_by((referral::Entity, referral::Column::Id), Order::Asc);
    let backend = c.get_database_backend();
    c.query_all_raw(backend.build(&q))
        .await?
        .iter()
        .map(|row| {
            Ok(CaseloadRow {
                referral: referral::Model::from_query_result(row, "r_")?.try_into()?,
                person: person::Model::from_query_result(row, "p_")?.try_into()?,
                assigned: row.try_get::<Option<String>>("", "assigned")?,
            })
        })
        .collect()
}

async fn attach<C: ConnectionTrait>(
    c: &C,
    refs: Vec<referral::Model>,
) -> Result<Vec<CaseloadRow>, ServiceError> {
    let person_ids: Vec<i32> = refs.iter().map(|r| r.person_id).collect();
    let user_ids: Vec<i32> = refs.iter().filter_map(|r| r.assigned_user_id).collect();
    let people = person::Entity::find()
        .filter(person::Column::Id.is_in(person_ids))
        .all(c)
        .await?;
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids))
        .all(c)
        .await?;
    let mut rows = Vec::with_capacity(refs.len());
    for r in refs {
        let Some(p) = people.iter().find(|p| p.id == r.person_id) else {
            continue;
        };
        let person = crate::care::Person::try_from(p.clone())?;
        let assigned = r
            .assigned_user_id
            .and_then(|u| users.iter().find(|x| x.id == u))
            .map(|u| u.display_name.clone());
        rows.push(CaseloadRow {
            referral: r.try_into()?,
            person,
            assigned,
        });
    }
    Ok(rows)
}

/// Why a referral is in the "no one lost" view.
pub enum LostReason {
    WaitingForFirstContact { days: i64 },
    NoRecentContact { days: i64 },
}

/// Open referrals waiting too long for first contact, or with no recent contact, oldest first.
pub async fn no_one_lost(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<(CaseloadRow, LostReason)>, ServiceError> {
    actor.require(Permission::ProvideCare, "see the caseload")?;
    let now = svc.now();
    let backend = svc.db.get_database_backend();
    let waiting = referral::Entity::find()
        .filter(referral::Column::TeamOrgId.in_subquery(care_orgs(backend, actor)))
        .filter(referral::Column::State.eq(ReferralState::Received.as_str()))
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(referral::Column::Urgency.eq("urgent"))
                        .add(
                            referral::Column::CreatedAt
                                .lt(now - Duration::days(URGENT_FIRST_CONTACT_DAYS)),
                        ),
                )
                .add(referral::Column::CreatedAt.lt(now - Duration::days(FIRST_CONTACT_DAYS))),
        )
        .order_by_asc(referral::Column::CreatedAt)
        .limit(500)
        .all(&svc.db)
        .await?;
    let stale = referral::Entity::find()
        .filter(referral::Column::TeamOrgId.in_subquery(care_orgs(backend, actor)))
        .filter(referral::Column::State.is_in([
            ReferralState::Contacted.as_str(),
            ReferralState::Active.as_str(),
        ]))
        .filter(referral::Column::LastContactAt.lt(now - Duration::days(STALE_CONTACT_DAYS)))
        .order_by_asc(referral::Column::LastContactAt)
        .limit(500)
        .all(&svc.db)
        .await?;
    let mut out = Vec::new();
    for row in attach(&svc.db, waiting).await? {
        let days = (now - row.referral.created_at).num_days();
        out.push((row, LostReason::WaitingForFirstContact { days }));
    }
    for row in attach(&svc.db, stale).await? {
        let days = row
            .referral
            .last_contact_at
            .map(|l| (now - l).num_days())
            .unwrap_or(0);
        out.push((row, LostReason::NoRecentContact { days }));
    }
    audit::log(
        svc,
        now,
        meta,
        Event::new("caseload_viewed", Outcome::Success)
            .by(actor)
            .purpose(crate::care::PURPOSE)
            .detail(format!("no one lost: {} referral(s)", out.len())),
    )
    .await?;
    Ok(out)
}
