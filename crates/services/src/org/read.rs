//! Reading organisations within the actor's view: the filtered list, one organisation, the
//! chain above it and its children, pickers and counts for home pages.

use domain::{OrgKind, Permission, text};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use store::entities::organisation::{self, Model as Organisation};

use super::{find, scope_condition};
use crate::audit::{self, Event, Outcome};
use crate::error::Problems;
use crate::paging::Paging;
use crate::{Actor, RequestMeta, ServiceError, Services};

#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub kind: Option<OrgKind>,
    /// Matches name or ODS code, case-insensitively.
    pub q: Option<String>,
    pub parent_id: Option<i32>,
    pub page: u64,
    pub per_page: u64,
}

pub struct OrgPage {
    pub items: Vec<Organisation>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl OrgPage {
    pub fn total_pages(&self) -> u64 {
        Ord::max(self.total.div_ceil(Ord::max(self.per_page, 1)), 1)
    }
}

/// Organisations the actor may see, filtered and paged.
pub async fn list(svc: &Services, actor: &Actor, f: ListFilter) -> Result<OrgPage, ServiceError> {
    actor.require(Permission::ViewOrganisations, "view organisations")?;
    let mut q = organisation::Entity::find().filter(scope_condition(
        svc.db.get_database_backend(),
        actor,
        Permission::ViewOrganisations,
    ));
    if let Some(k) = f.kind {
        q = q.filter(organisation::Column::Kind.eq(k.as_str()));
    }
    if let Some(p) = f.parent_id {
        q = q.filter(organisation::Column::ParentId.eq(p));
    }
    use sea_orm::sea_query::ExprTrait;
    let mut p = Problems::default();
    let typed = p.text("q", &f.q, text::SEARCH);
    p.finish()?;
    if let Some(text) = typed {
        let like = format!("%{}%", text.to_lowercase().replace(['%', '_'], ""));
        q = q.filter(
            Condition::any()
                .add(
                    Expr::expr(Func::lower(Expr::col(organisation::Column::Name)))
                        .like(like.clone()),
                )
                .add(Expr::expr(Func::lower(Expr::col(organisation::Column::OdsCode))).like(like)),
        );
    }
    let paging = Paging::new(f.page, f.per_page)?;
    let (page, per_page) = (paging.page, paging.per_page);
    let total = q.clone().count(&svc.db).await?;
    let items = q
        .order_by_asc(organisation::Column::Name)
        .order_by_asc(organisation::Column::Id)
        .offset(paging.offset())
        .limit(per_page)
        .all(&svc.db)
        .await?;
    Ok(OrgPage {
        items,
        total,
        page,
        per_page,
    })
}

/// One organisation, if the actor may see it.
pub async fn get(svc: &Services, actor: &Actor, id: i32) -> Result<Organisation, ServiceError> {
    let o = find(&svc.db, id).await?;
    if !actor.can_see_org(&o.path) {
        return Err(ServiceError::Forbidden("view this organisation".into()));
    }
    Ok(o)
}

/// The chain of organisations above one, top first (for breadcrumbs).
pub async fn ancestors(
    svc: &Services,
    o: &Organisation,
) -> Result<Vec<Organisation>, ServiceError> {
    let ids: Vec<i32> = o
        .path
        .split('/')
        .filter_map(|s| s.parse().ok())
        .filter(|id| *id != o.id)
        .collect();
    let mut found = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(ids.clone()))
        .all(&svc.db)
        .await?;
    found.sort_by_key(|a| ids.iter().position(|i| *i == a.id));
    Ok(found)
}

/// Direct children of an organisation, visible to the actor.
pub async fn children(
    svc: &Services,
    actor: &Actor,
    o: &Organisation,
) -> Result<Vec<Organisation>, ServiceError> {
    let items = organisation::Entity::find()
        .filter(organisation::Column::ParentId.eq(o.id))
        .order_by_asc(organisation::Column::Kind)
        .order_by_asc(organisation::Column::Name)
        .all(&svc.db)
        .await?;
    Ok(items
        .into_iter()
        .filter(|c| actor.can_see_org(&c.path))
        .collect())
}

/// Records that the actor looked at an organisation (not personal data, but useful to admins).
pub async fn audit_view(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
) -> Result<(), ServiceError> {
    audit::log(
        svc,
        svc.now(),
        meta,
        Event::new("organisation_viewed", Outcome::Success)
            .by(actor)
            .entity("organisation", id)
            .organisation(id),
    )
    .await
}

/// Every organisation the actor can manage, as (id, label) pairs for "belongs to" pickers.
pub async fn parent_choices(
    svc: &Services,
    actor: &Actor,
) -> Result<Vec<Organisation>, ServiceError> {
    let kinds = [
        OrgKind::Region,
        OrgKind::Icb,
        OrgKind::Pcn,
        OrgKind::Practice,
        OrgKind::Vcse,
    ];
    Ok(organisation::Entity::find()
        .filter(scope_condition(
            svc.db.get_database_backend(),
            actor,
            Permission::ManageOrganisations,
        ))
        .filter(organisation::Column::Kind.is_in(kinds.map(|k| k.as_str())))
        .order_by_asc(organisation::Column::Kind)
        .order_by_asc(organisation::Column::Name)
        .all(&svc.db)
        .await?)
}

/// Counts and registered patients by kind within the actor's view, for home pages: one
/// grouped query, every kind listed (zero when none).
pub async fn counts(
    svc: &Services,
    actor: &Actor,
) -> Result<Vec<(OrgKind, u64, i64)>, ServiceError> {
    use sea_orm::sea_query::ExprTrait;
    let rows: Vec<(String, i64, Option<i64>)> = organisation::Entity::find()
        .filter(scope_condition(
            svc.db.get_database_backend(),
            actor,
            Permission::ViewOrganisations,
        ))
        .select_only()
        .column(organisation::Column::Kind)
        .column_as(Expr::col(organisation::Column::Id).count(), "n")
        .column_as(Expr::col(organisation::Column::ListSize).sum(), "patients")
        .group_by(organisation::Column::Kind)
        .into_tuple()
        .all(&svc.db)
        .await?;
    Ok(OrgKind::ALL
        .into_iter()
        .map(
            |k| match rows.iter().find(|(kind, ..)| kind == k.as_str()) {
                Some((_, n, patients)) => {
                    (k, u64::try_from(*n).unwrap_or(0), patients.unwrap_or(0))
                }
                None => (k, 0, 0),
            },
        )
        .collect())
}

/// The id of the organisation with this id or ODS code, for the command line.
pub async fn id_by_key(svc: &Services, key: &str) -> Result<Option<i32>, ServiceError> {
    let found = match key.trim().parse::<i32>() {
        Ok(id) => organisation::Entity::find_by_id(id).one(&svc.db).await?,
        Err(_) => {
            organisation::Entity::find()
                .filter(organisation::Column::OdsCode.eq(key.trim().to_uppercase()))
                .one(&svc.db)
                .await?
        }
    };
    Ok(found.map(|o| o.id))
}
