//! Organisations: regions, ICBs, PCNs, practices, VCSE organisations and teams.

use domain::{Email, OdsCode, OrgKind, Permission, Postcode, Role, text};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Deserialize;
use store::entities::organisation::{self, Model as Organisation};

use crate::audit::{self, Event, Outcome};
use crate::error::Problems;
use crate::paging::Paging;
use crate::{Actor, RequestMeta, ServiceError, Services};

/// What a person may set on an organisation. The same shape serves the form and the API.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct OrgInput {
    #[schema(schema_with = crate::schema::org_kind)]
    pub kind: Option<String>,
    pub ods_code: Option<String>,
    #[schema(required = true)]
    pub name: Option<String>,
    pub parent_id: Option<i32>,
    #[schema(schema_with = crate::schema::org_status)]
    pub status: Option<String>,
    #[schema(minimum = 0)]
    pub list_size: Option<i64>,
    pub pcn_opted_out: Option<bool>,
    pub commissioner_arrangement: Option<String>,
    pub postcode: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub charity_number: Option<String>,
    /// The version the editor read; required when editing.
    pub version: Option<i32>,
}

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

/// Organisations at or under any of these materialised paths, as a condition an index can
/// serve on both databases: PostgreSQL `path LIKE '/1/4/%'` (the `text_pattern_ops` index),
/// SQLite `path GLOB '/1/4/*'` (case-sensitive, so its ordinary index applies; LIKE is not).
/// Paths hold only digits and slashes, so neither pattern needs escaping. No paths: no match.
pub(crate) fn under_paths(backend: sea_orm::DbBackend, paths: &[String]) -> Condition {
    use sea_orm::sea_query::ExprTrait;
    let mut cond = Condition::any();
    if paths.is_empty() {
        return cond.add(organisation::Column::Id.eq(-1));
    }
    for p in paths {
        let path = Expr::col((organisation::Entity, organisation::Column::Path));
        cond = cond.add(match backend {
            sea_orm::DbBackend::Sqlite => path.binary(
                sea_orm::sea_query::BinOper::Custom("GLOB"),
                Expr::value(format!("{p}*")),
            ),
            _ => path.like(format!("{p}%")),
        });
    }
    cond
}

fn scope_condition(backend: sea_orm::DbBackend, actor: &Actor, p: Permission) -> Condition {
    under_paths(backend, &actor.scopes(p))
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

async fn find<C: ConnectionTrait>(c: &C, id: i32) -> Result<Organisation, ServiceError> {
    organisation::Entity::find_by_id(id)
        .one(c)
        .await?
        .ok_or(ServiceError::NotFound("organisation"))
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

/// The validated, normalised values of an input.
struct Valid {
    kind: OrgKind,
    ods_code: Option<String>,
    name: String,
    parent: Option<Organisation>,
    status: String,
    list_size: Option<i32>,
    pcn_opted_out: bool,
    commissioner_arrangement: Option<String>,
    postcode: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    website: Option<String>,
    charity_number: Option<String>,
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

async fn validate(
    svc: &Services,
    actor: &Actor,
    input: &OrgInput,
    existing: Option<&Organisation>,
) -> Result<Valid, ServiceError> {
    let mut p = Problems::default();
    let kind = match existing {
        Some(o) => o.kind.parse().ok(),
        None => match text(&input.kind) {
            None => {
                p.add("kind", "Select the kind of organisation");
                None
            }
            Some(k) => p.take(
                "kind",
                k.parse::<OrgKind>()
                    .map_err(|_| "Select a kind of organisation from the list"),
            ),
        },
    };
    let name = p
        .required(
            "name",
            &input.name,
            text::ORG_NAME,
            "Enter the organisation's name",
        )
        .unwrap_or_default();
    let mut ods_code = None;
    if let Some(kind) = kind {
        match text(&input.ods_code) {
            Some(c) => {
                ods_code = p
                    .take("ods_code", OdsCode::parse_for(kind, &c))
                    .map(|c| c.as_str().to_owned())
            }
            None if kind.requires_ods_code() => p.add(
                "ods_code",
                format!("Enter the ODS code of the {}", kind.label()),
            ),
            None => {}
        }
    }
    if let Some(code) = &ods_code {
        let clash = organisation::Entity::find()
            .filter(organisation::Column::OdsCode.eq(code.clone()))
            .one(&svc.db)
            .await?
            .filter(|o| existing.is_none_or(|e| e.id != o.id));
        if let Some(other) = clash {
            p.add(
                "ods_code",
                format!("ODS code {code} is already used by {}", other.name),
            );
        }
    }
    let mut parent = None;
    if let Some(kind) = kind {
        let allowed = kind.allowed_parents();
        match input.parent_id {
            None if !allowed.is_empty() => p.add(
                "parent_id",
                format!("Select the organisation this {} belongs to", kind.label()),
            ),
            None => {}
            Some(_) if allowed.is_empty() => {
                p.add("parent_id", "A region sits at the top and has no parent")
            }
            // An organisation the actor cannot see is answered as one that is not there.
            Some(pid) => match organisation::Entity::find_by_id(pid)
                .one(&svc.db)
                .await?
                .filter(|o| actor.can_see_org(&o.path))
            {
                None => p.add(
                    "parent_id",
                    format!("There is no organisation with id {pid}"),
                ),
                Some(par) => {
                    let pk: Option<OrgKind> = par.kind.parse().ok();
                    if !pk.is_some_and(|k| allowed.contains(&k)) {
                        let names: Vec<&str> = allowed.iter().map(|k| k.label()).collect();
                        p.add(
                            "parent_id",
                            format!(
                                "A {} must belong to one of: {}",
                                kind.label(),
                                names.join(", ")
                            ),
                        );
                    } else if existing.is_some_and(|e| par.path.starts_with(&e.path)) {
                        p.add("parent_id", "An organisation cannot belong to itself or to one of its own teams or members");
                    } else {
                        parent = Some(par);
                    }
                }
            },
        }
    }
    let opted_out = input.pcn_opted_out.unwrap_or(false);
    let arrangement = p.text(
        "commissioner_arrangement",
        &input.commissioner_arrangement,
        text::COMMISSIONER_ARRANGEMENT,
    );
    if kind == Some(OrgKind::Practice) {
        let under_icb = parent
            .as_ref()
            .is_some_and(|par| par.kind == OrgKind::Icb.as_str());
        if opted_out && !under_icb && parent.is_some() {
            p.add(
                "parent_id",
                "A practice that opted out of its PCN belongs directly to its ICB: select the ICB",
            );
        }
        if under_icb && !opted_out {
            p.add(
                "pcn_opted_out",
                "A practice directly under an ICB must be recorded as opted out of the PCN",
            );
        }
        if opted_out && arrangement.is_none() {
            p.add("commissioner_arrangement", "Describe how the commissioner makes sure this practice's patients can use network services");
        }
    } else if opted_out {
        p.add("pcn_opted_out", "Only a GP practice can opt out of a PCN");
    }
    let list_size = match input.list_size {
        None => None,
        Some(n) if !(0..=1_000_000).contains(&n) => {
            p.add(
                "list_size",
                "List size must be between 0 and 1,000,000 registered patients",
            );
            None
        }
        Some(n) => i32::try_from(n).ok(),
    };
    let status = text(&input.status).unwrap_or_else(|| "active".into());
    if !["active", "closed"].contains(&status.as_str()) {
        p.add("status", "Status must be active or closed");
    }
    let postcode = match text(&input.postcode) {
        Some(pc) => p
            .take("postcode", Postcode::parse(&pc))
            .map(|v| v.as_str().to_owned()),
        None => None,
    };
    let email = match p.text("email", &input.email, text::EMAIL) {
        Some(e) => p
            .take("email", Email::parse(&e))
            .map(|v| v.as_str().to_owned()),
        None => None,
    };
    let website = p.text("website", &input.website, text::WEBSITE);
    if let Some(w) = &website
        && !(w.starts_with("https://") || w.starts_with("http://"))
    {
        p.add("website", "Enter a website address starting with https://");
    }
    let phone = p.text("phone", &input.phone, text::PHONE);
    if let Some(ph) = &phone
        && ph.chars().filter(char::is_ascii_digit).count() < 10
    {
        p.add(
            "phone",
            "Enter a phone number with at least 10 digits, like 0113 496 0000",
        );
    }
    let charity_number = p.text(
        "charity_number",
        &input.charity_number,
        text::CHARITY_NUMBER,
    );
    p.finish()?;
    let kind =
        kind.ok_or_else(|| ServiceError::invalid("kind", "Select the kind of organisation"))?;
    Ok(Valid {
        kind,
        ods_code,
        name,
        parent,
        status,
        list_size,
        pcn_opted_out: opted_out,
        commissioner_arrangement: if opted_out { arrangement } else { None },
        postcode,
        email,
        phone,
        website,
        charity_number,
    })
}

fn can_create_under(actor: &Actor, parent: Option<&Organisation>) -> bool {
    match parent {
        Some(par) => actor.can_at(Permission::ManageOrganisations, &par.path),
        None => actor.has_role(Role::Admin),
    }
}

pub async fn create(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    input: OrgInput,
) -> Result<Organisation, ServiceError> {
    actor.require(Permission::ManageOrganisations, "add organisations")?;
    let v = validate(svc, actor, &input, None).await?;
    if !can_create_under(actor, v.parent.as_ref()) {
        return Err(ServiceError::Forbidden("add an organisation there".into()));
    }
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let parent_path = v
        .parent
        .as_ref()
        .map(|p| p.path.clone())
        .unwrap_or_else(|| "/".into());
    let saved = organisation::ActiveModel {
        kind: Set(v.kind.as_str().to_owned()),
        ods_code: Set(v.ods_code),
        name: Set(v.name),
        parent_id: Set(v.parent.as_ref().map(|p| p.id)),
        path: Set(parent_path.clone()),
        status: Set(v.status),
        list_size: Set(v.list_size),
        pcn_opted_out: Set(v.pcn_opted_out),
        commissioner_arrangement: Set(v.commissioner_arrangement),
        postcode: Set(v.postcode),
        email: Set(v.email),
        phone: Set(v.phone),
        website: Set(v.website),
        charity_number: Set(v.charity_number),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(unique_to_invalid)?;
    let mut am: organisation::ActiveModel = saved.clone().into();
    am.path = Set(format!("{parent_path}{}/", saved.id));
    let saved = am.update(&txn).await?;
    audit::record(
        &txn,
        now,
        meta,
        Event::new("organisation_created", Outcome::Success)
            .by(actor)
            .entity("organisation", saved.id)
            .organisation(saved.id)
            .detail(saved.name.clone()),
    )
    .await?;
    txn.commit().await?;
    // Actors carry organisation names and paths.
    svc.actors.clear();
    Ok(saved)
}

fn unique_to_invalid(e: sea_orm::DbErr) -> ServiceError {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ServiceError::invalid(
            "ods_code",
            "This ODS code is already used by another organisation",
        ),
        _ => ServiceError::Db(e),
    }
}

/// Edits an organisation. Fails with a conflict, saving nothing, when someone else saved a
/// change since `input.version` was read.
pub async fn update(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    input: OrgInput,
) -> Result<Organisation, ServiceError> {
    let existing = find(&svc.db, id).await?;
    actor.require_at(
        Permission::ManageOrganisations,
        &existing.path,
        "edit this organisation",
    )?;
    let Some(expected) = input.version else {
        return Err(ServiceError::invalid(
            "version",
            "The version of the record you edited is missing; reload the page",
        ));
    };
    let v = validate(svc, actor, &input, Some(&existing)).await?;
    if v.parent.as_ref().map(|p| p.id) != existing.parent_id
        && !can_create_under(actor, v.parent.as_ref())
    {
        return Err(ServiceError::Forbidden(
            "move this organisation there".into(),
        ));
    }
    let stale = || {
        ServiceError::Conflict(
            "Someone else changed this organisation while you were editing it. Your changes have not been saved: review the current details and make your changes again".into(),
        )
    };
    let next = expected.checked_add(1).ok_or_else(stale)?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let new_path = match &v.parent {
        Some(p) => format!("{}{}/", p.path, id),
        None => format!("/{id}/"),
    };
    // Only the version that was read may be replaced: a concurrent edit leaves 0 rows.
    let changed = organisation::Entity::update_many()
        .col_expr(organisation::Column::OdsCode, Expr::value(v.ods_code))
        .col_expr(organisation::Column::Name, Expr::value(v.name))
        .col_expr(
            organisation::Column::ParentId,
            Expr::value(v.parent.as_ref().map(|p| p.id)),
        )
        .col_expr(organisation::Column::Status, Expr::value(v.status))
        .col_expr(organisation::Column::ListSize, Expr::value(v.list_size))
        .col_expr(
            organisation::Column::PcnOptedOut,
            Expr::value(v.pcn_opted_out),
        )
        .col_expr(
            organisation::Column::CommissionerArrangement,
            Expr::value(v.commissioner_arrangement),
        )
        .col_expr(organisation::Column::Postcode, Expr::value(v.postcode))
        .col_expr(organisation::Column::Email, Expr::value(v.email))
        .col_expr(organisation::Column::Phone, Expr::value(v.phone))
        .col_expr(organisation::Column::Website, Expr::value(v.website))
        .col_expr(
            organisation::Column::CharityNumber,
            Expr::value(v.charity_number),
        )
        .col_expr(organisation::Column::UpdatedAt, Expr::value(now))
        .col_expr(organisation::Column::Version, Expr::value(next))
        .filter(organisation::Column::Id.eq(id))
        .filter(organisation::Column::Version.eq(expected))
        .exec(&txn)
        .await
        .map_err(unique_to_invalid)?
        .rows_affected;
    if changed == 0 {
        return Err(stale());
    }
    if new_path != existing.path {
        move_subtree(&txn, &existing.path, &new_path).await?;
    }
    audit::record(
        &txn,
        now,
        meta,
        Event::new("organisation_updated", Outcome::Success)
            .by(actor)
            .entity("organisation", id)
            .organisation(id),
    )
    .await?;
    txn.commit().await?;
    // Actors carry organisation names and paths.
    svc.actors.clear();
    find(&svc.db, id).await
}

/// Rewrites the paths of an organisation and everything below it after a move.
pub(crate) async fn move_subtree<C: ConnectionTrait>(
    c: &C,
    old: &str,
    new: &str,
) -> Result<(), ServiceError> {
    let below = organisation::Entity::find()
        .filter(organisation::Column::Path.starts_with(old))
        .all(c)
        .await?;
    for o in below {
        let path = format!("{new}{}", &o.path[old.len()..]);
        organisation::Entity::update_many()
            .col_expr(organisation::Column::Path, Expr::value(path))
            .filter(organisation::Column::Id.eq(o.id))
            .exec(c)
            .await?;
    }
    Ok(())
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
