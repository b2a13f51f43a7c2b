//! The caseload of the actor's teams (filtered, sorted, paged) and the "no one lost" view.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::Permission;
use domain::referral::ReferralState;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, IdenStatic, Iterable,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
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
    /// The referral is in the actor's care scope, so they may see its person's record.
    pub person: crate::care::PersonAccess,
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
    let q = filtered(svc, actor, &f, now)?;
    let paging = Paging::new(f.page, f.per_page)?;
    let (page, per_page) = (paging.page, paging.per_page);
    let order = match f.sort.as_deref().unwrap_or("referred") {
        "review_due" => referral::Column::ReviewDue,
        "last_contact" => referral::Column::LastContactAt,
        _ => referral::Column::ReferredOn,
    };
    let (total, rows) = paged(&svc.db, q, order, &paging).await?;
    list_viewed(
        svc,
        actor,
        meta,
        now,
        "caseload_viewed",
        format!("{} of {total} referral(s) shown", rows.len()),
    )
    .await?;
    Ok(CaseloadPage {
        rows,
        total,
        page,
        per_page,
    })
}

/// The referrals of the actor's teams that the filter keeps (before sorting and paging).
fn filtered(
    svc: &Services,
    actor: &Actor,
    f: &CaseloadFilter,
    now: DateTime<Utc>,
) -> Result<sea_orm::Select<referral::Entity>, ServiceError> {
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
        TRIAGE => {
            q = q
                .filter(referral::Column::State.eq(ReferralState::Received.as_str()))
                .filter(referral::Column::AcceptedAt.is_null())
        }
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
        q = q.filter(not_contacted_since(now - Duration::days(days)));
    }
    Ok(q)
}

/// Referrals with no contact since `cutoff`: last contacted before it, or never contacted and
/// received before it.
fn not_contacted_since(cutoff: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(referral::Column::LastContactAt.lt(cutoff))
        .add(
            Condition::all()
                .add(referral::Column::LastContactAt.is_null())
                .add(referral::Column::CreatedAt.lt(cutoff)),
        )
}

/// The caseload's state filter for referrals received and waiting for triage.
pub const TRIAGE: &str = "triage";
/// Days without contact after which a worker's home page lists someone.
pub const HOME_NO_CONTACT_DAYS: i64 = 14;
/// Days ahead a worker's home page looks for reviews (overdue ones included).
pub const HOME_REVIEW_DAYS: i64 = 7;
/// People each list on a worker's home page shows (each says how many there are in all).
pub const HOME_LIST: u64 = 5;

/// What a worker's day holds: their team's referrals waiting for triage, their own people not
/// contacted lately and reviews due this week, their follow-ups due, and how many people they
/// support. Each list is a first page with its total.
pub struct MyDay {
    pub to_triage: CaseloadPage,
    pub no_contact: CaseloadPage,
    pub reviews_due: CaseloadPage,
    pub follow_ups: Vec<super::FollowUp>,
    pub mine: u64,
}

pub async fn my_day(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<MyDay, ServiceError> {
    actor.require(Permission::ProvideCare, "see the caseload")?;
    let now = svc.now();
    let today = svc.today();
    let first = Paging::new(1, HOME_LIST)?;
    let mine = |f: CaseloadFilter| CaseloadFilter {
        assigned_to: Some(actor.user_id),
        ..f
    };
    let page = |f: CaseloadFilter, order| {
        let q = filtered(svc, actor, &f, now);
        async move {
            let (total, rows) = paged(&svc.db, q?, order, &first).await?;
            Ok::<_, ServiceError>(CaseloadPage {
                rows,
                total,
                page: 1,
                per_page: HOME_LIST,
            })
        }
    };
    let count = |f: CaseloadFilter| {
        let q = filtered(svc, actor, &f, now);
        async move { Ok::<_, ServiceError>(q?.count(&svc.db).await?) }
    };
    let (to_triage, no_contact, reviews_due, mine_total, follow_ups) = tokio::try_join!(
        page(
            CaseloadFilter {
                state: Some(TRIAGE.into()),
                ..Default::default()
            },
            referral::Column::ReferredOn,
        ),
        page(
            mine(CaseloadFilter {
                no_contact_days: Some(HOME_NO_CONTACT_DAYS),
                ..Default::default()
            }),
            referral::Column::LastContactAt,
        ),
        page(
            mine(CaseloadFilter {
                review_due_by: Some(today + Duration::days(HOME_REVIEW_DAYS)),
                ..Default::default()
            }),
            referral::Column::ReviewDue,
        ),
        count(mine(CaseloadFilter::default())),
        super::follow_ups::due(svc, actor, today),
    )?;
    let shown =
        to_triage.rows.len() + no_contact.rows.len() + reviews_due.rows.len() + follow_ups.len();
    if shown > 0 {
        list_viewed(
            svc,
            actor,
            meta,
            now,
            "caseload_viewed",
            format!("home page: {shown} referral(s) and follow-up(s) shown"),
        )
        .await?;
    }
    Ok(MyDay {
        to_triage,
        no_contact,
        reviews_due,
        follow_ups,
        mine: mine_total,
    })
}

/// The open referrals of the patients registered at the practices where the actor is a GP or
/// clinician, waiting longest first: what a GP's home page shows, read-only.
pub async fn practice_referrals(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    page: u64,
) -> Result<CaseloadPage, ServiceError> {
    let paths: Vec<String> = actor
        .grants
        .iter()
        .filter(|g| g.role == domain::Role::Clinician)
        .map(|g| g.path.clone())
        .collect();
    let paging = Paging::new(page, PRACTICE_PAGE)?;
    if paths.is_empty() {
        return Ok(CaseloadPage {
            rows: vec![],
            total: 0,
            page: paging.page,
            per_page: paging.per_page,
        });
    }
    let backend = svc.db.get_database_backend();
    let practices = Query::select()
        .column(store::entities::organisation::Column::Id)
        .from(store::entities::organisation::Entity)
        .cond_where(crate::org::under_paths(backend, &paths))
        .to_owned();
    // Patients of the practice, but not those whose latest word is that their information is not
    // shared with their GP practice.
    let patients = Query::select()
        .column(person::Column::Id)
        .from(person::Entity)
        .and_where(Expr::col(person::Column::PracticeId).in_subquery(practices))
        .and_where(Expr::cust(
            "NOT EXISTS (SELECT 1 FROM consents c WHERE c.person_id = people.id \
             AND LOWER(c.share_with) = 'gp practice' AND c.given = FALSE \
             AND NOT EXISTS (SELECT 1 FROM consents n WHERE n.person_id = c.person_id \
             AND LOWER(n.share_with) = 'gp practice' AND (n.recorded_at > c.recorded_at \
             OR (n.recorded_at = c.recorded_at AND n.id > c.id))))",
        ))
        .to_owned();
    let q = referral::Entity::find()
        .filter(referral::Column::State.is_in(open_states()))
        .filter(referral::Column::PersonId.in_subquery(patients));
    let (total, rows) = paged(&svc.db, q, referral::Column::ReferredOn, &paging).await?;
    if !rows.is_empty() {
        list_viewed(
            svc,
            actor,
            meta,
            svc.now(),
            "practice_referrals_viewed",
            format!("{} of {total} referral(s) shown", rows.len()),
        )
        .await?;
    }
    Ok(CaseloadPage {
        rows,
        total,
        page: paging.page,
        per_page: paging.per_page,
    })
}

/// Referrals a page of a GP's home page lists.
pub const PRACTICE_PAGE: u64 = 25;

/// Worker id, name, open referrals, and of those waiting for triage and not contacted lately.
type WorkloadRow = (Option<i32>, Option<String>, i64, Option<i64>, Option<i64>);

/// One worker's share of the team's open referrals.
pub struct Workload {
    /// `None` for referrals no one is assigned yet.
    pub worker: Option<(i32, String)>,
    pub open: u64,
    pub to_triage: u64,
    pub no_contact: u64,
}

/// The open referrals of the teams within the actor's insight scope, by worker: figures, no
/// person's data, for a PCN manager's home page.
pub async fn team_workload(svc: &Services, actor: &Actor) -> Result<Vec<Workload>, ServiceError> {
    actor.require(Permission::ViewInsights, "see the team's workload")?;
    let now = svc.now();
    let backend = svc.db.get_database_backend();
    let teams = Query::select()
        .column(store::entities::organisation::Column::Id)
        .from(store::entities::organisation::Entity)
        .cond_where(crate::org::under_paths(
            backend,
            &actor.scopes(Permission::ViewInsights),
        ))
        .to_owned();
    let stale = not_contacted_since(now - Duration::days(HOME_NO_CONTACT_DAYS));
    let waiting = Condition::all()
        .add(referral::Column::State.eq(ReferralState::Received.as_str()))
        .add(referral::Column::AcceptedAt.is_null());
    let flag = |c: Condition| -> Expr {
        sea_orm::sea_query::CaseStatement::new()
            .case(c, Expr::val(1))
            .finally(Expr::val(0))
            .into()
    };
    let rows: Vec<WorkloadRow> = referral::Entity::find()
        .select_only()
        .column(referral::Column::AssignedUserId)
        .expr_as(
            Expr::col((user::Entity, user::Column::DisplayName)).max(),
            "name",
        )
        .expr_as(referral::Column::Id.count(), "open")
        .expr_as(flag(waiting).sum(), "to_triage")
        .expr_as(flag(stale).sum(), "no_contact")
        .join(
            sea_orm::JoinType::LeftJoin,
            referral::Entity::belongs_to(user::Entity)
                .from(referral::Column::AssignedUserId)
                .to(user::Column::Id)
                .into(),
        )
        .filter(referral::Column::TeamOrgId.in_subquery(teams))
        .filter(referral::Column::State.is_in(open_states()))
        .group_by(referral::Column::AssignedUserId)
        .into_tuple()
        .all(&svc.db)
        .await?;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    let mut out: Vec<Workload> = rows
        .into_iter()
        .map(|(id, name, open, waiting, stale)| Workload {
            worker: id.map(|id| (id, name.unwrap_or_default())),
            open: n(open),
            to_triage: n(waiting.unwrap_or(0)),
            no_contact: n(stale.unwrap_or(0)),
        })
        .collect();
    out.sort_by(|a, b| match (&a.worker, &b.worker) {
        (None, _) => std::cmp::Ordering::Less,
        (_, None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => x.1.cmp(&y.1),
    });
    Ok(out)
}

/// Audits a list of people's referrals shown to the actor (for direct care).
async fn list_viewed(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    at: DateTime<Utc>,
    action: &'static str,
    detail: String,
) -> Result<(), ServiceError> {
    audit::log(
        svc,
        at,
        meta,
        Event::new(action, Outcome::Success)
            .by(actor)
            .purpose(crate::care::PURPOSE)
            .detail(detail),
    )
    .await
}

/// How many referrals `q` finds, and the page of them in `order` (then id) with their people and
/// workers: counted by id alone, so the count comes from the covering index (a count of the
/// ordered rows would read and sort every matching row first), while the page's ids come from
/// the covering indexes and then just those rows are read, in one statement.
async fn paged<C: ConnectionTrait>(
    c: &C,
    q: sea_orm::Select<referral::Entity>,
    order: referral::Column,
    paging: &Paging,
) -> Result<(u64, Vec<CaseloadRow>), ServiceError> {
    let counted = q.clone();
    let count = async {
        let n: Option<i64> = counted
            .select_only()
            .column_as(referral::Column::Id.count(), "n")
            .into_tuple()
            .one(c)
            .await?;
        Ok::<_, ServiceError>(u64::try_from(n.unwrap_or(0)).unwrap_or(0))
    };
    let page_ids = q
        .select_only()
        .column(referral::Column::Id)
        .order_by_asc(order)
        .order_by_asc(referral::Column::Id)
        .offset(paging.offset())
        .limit(paging.per_page)
        .into_query();
    tokio::try_join!(count, page_rows(c, page_ids, order))
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
                person: crate::care::PersonAccess::granted(person::Model::from_query_result(
                    row, "p_",
                )?)?,
                assigned: row.try_get::<Option<String>>("", "assigned")?,
            })
        })
        .collect()
}

/// Why a referral is in the "no one lost" view.
pub enum LostReason {
    WaitingForFirstContact { days: i64 },
    NoRecentContact { days: i64 },
}

/// One group of the "no one lost" view: how many there are, and a page of them, oldest first.
pub struct LostGroup {
    pub rows: Vec<(CaseloadRow, LostReason)>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl LostGroup {
    pub fn total_pages(&self) -> u64 {
        Ord::max(self.total.div_ceil(Ord::max(self.per_page, 1)), 1)
    }
}

/// The "no one lost" view: open referrals waiting too long for first contact, and those with
/// no recent contact; each counted in full and paged on its own, oldest first.
pub struct NoOneLost {
    pub waiting: LostGroup,
    pub stale: LostGroup,
}

/// The page of each group to show.
#[derive(Clone, Copy, Debug)]
pub struct LostPages {
    pub waiting: u64,
    pub stale: u64,
    pub per_page: u64,
}

/// Open referrals waiting too long for first contact, or with no recent contact, oldest first.
pub async fn no_one_lost(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    pages: LostPages,
) -> Result<NoOneLost, ServiceError> {
    actor.require(Permission::ProvideCare, "see the caseload")?;
    let waiting_paging = Paging::new(pages.waiting, pages.per_page)?;
    let stale_paging = Paging::new(pages.stale, pages.per_page)?;
    let now = svc.now();
    let backend = svc.db.get_database_backend();
    let in_scope = || {
        referral::Entity::find()
            .filter(referral::Column::TeamOrgId.in_subquery(care_orgs(backend, actor)))
    };
    let waiting = in_scope()
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
        );
    let stale = in_scope()
        .filter(referral::Column::State.is_in([
            ReferralState::Contacted.as_str(),
            ReferralState::Active.as_str(),
        ]))
        .filter(referral::Column::LastContactAt.lt(now - Duration::days(STALE_CONTACT_DAYS)));
    let (waiting, stale) = tokio::try_join!(
        paged(
            &svc.db,
            waiting,
            referral::Column::CreatedAt,
            &waiting_paging
        ),
        paged(
            &svc.db,
            stale,
            referral::Column::LastContactAt,
            &stale_paging
        ),
    )?;
    let group = |(total, rows): (u64, Vec<CaseloadRow>),
                 paging: &Paging,
                 why: &dyn Fn(&CaseloadRow) -> LostReason| LostGroup {
        rows: rows
            .into_iter()
            .map(|r| {
                let reason = why(&r);
                (r, reason)
            })
            .collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    };
    let view = NoOneLost {
        waiting: group(waiting, &waiting_paging, &|r| {
            LostReason::WaitingForFirstContact {
                days: (now - r.referral.created_at).num_days(),
            }
        }),
        stale: group(stale, &stale_paging, &|r| LostReason::NoRecentContact {
            days: r
                .referral
                .last_contact_at
                .map(|l| (now - l).num_days())
                .unwrap_or(0),
        }),
    };
    list_viewed(
        svc,
        actor,
        meta,
        now,
        "caseload_viewed",
        format!(
            "no one lost: {} of {} waiting and {} of {} without recent contact shown",
            view.waiting.rows.len(),
            view.waiting.total,
            view.stale.rows.len(),
            view.stale.total
        ),
    )
    .await?;
    Ok(view)
}
