//! Taxonomies and their terms, read as Open Referral UK publishes them, and the needs taxonomy
//! kept up to date from `domain::directory::taxonomy` (every installation has it, with the same
//! UUIDs).

use domain::directory::taxonomy::{NEEDS, TAXONOMY, VERSION, uuid_of};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use store::entities::{taxonomy, taxonomy_term};

use crate::paging::Paging;
use crate::{ServiceError, Services};

/// Writes the needs taxonomy and its terms, or brings their wording up to date: run at
/// start-up and by the demo. Idempotent, and safe for several instances starting at once.
pub async fn ensure(svc: &Services) -> Result<(), ServiceError> {
    let (code, name, description) = TAXONOMY;
    let taxonomy_id = uuid_of(code).to_string();
    let txn = store::begin_write(&svc.db).await?;
    taxonomy::Entity::insert(taxonomy::ActiveModel {
        id: Set(taxonomy_id.clone()),
        code: Set(code.into()),
        name: Set(name.into()),
        description: Set(description.into()),
        uri: Set(None),
        version: Set(Some(VERSION.into())),
    })
    .on_conflict(
        OnConflict::column(taxonomy::Column::Id)
            .update_columns([
                taxonomy::Column::Name,
                taxonomy::Column::Description,
                taxonomy::Column::Version,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    taxonomy_term::Entity::insert_many(NEEDS.iter().map(|(code, name, description)| {
        taxonomy_term::ActiveModel {
            id: Set(uuid_of(code).to_string()),
            taxonomy_id: Set(taxonomy_id.clone()),
            parent_id: Set(None),
            code: Set((*code).into()),
            name: Set((*name).into()),
            description: Set((*description).into()),
            term_uri: Set(None),
        }
    }))
    .on_conflict(
        OnConflict::column(taxonomy_term::Column::Id)
            .update_columns([
                taxonomy_term::Column::Name,
                taxonomy_term::Column::Description,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A taxonomy, as published.
#[derive(Clone, Debug)]
pub struct Taxonomy {
    pub id: String,
    pub name: String,
    pub description: String,
    pub uri: Option<String>,
    pub version: Option<String>,
}

/// A term of a taxonomy, as published, with its taxonomy's name.
#[derive(Clone, Debug)]
pub struct Term {
    pub id: String,
    pub taxonomy_id: String,
    pub taxonomy: String,
    pub parent_id: Option<String>,
    pub name: String,
    pub description: String,
    pub term_uri: Option<String>,
}

impl From<taxonomy::Model> for Taxonomy {
    fn from(t: taxonomy::Model) -> Self {
        Taxonomy {
            id: t.id,
            name: t.name,
            description: t.description,
            uri: t.uri,
            version: t.version,
        }
    }
}

fn term_of(t: taxonomy_term::Model, taxonomy: String) -> Term {
    Term {
        id: t.id,
        taxonomy_id: t.taxonomy_id,
        taxonomy,
        parent_id: t.parent_id,
        name: t.name,
        description: t.description,
        term_uri: t.term_uri,
    }
}

/// A page of a list, and how many there are in all.
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub paging: Paging,
}

/// Taxonomies by name.
pub async fn taxonomies(svc: &Services, paging: Paging) -> Result<Page<Taxonomy>, ServiceError> {
    let q = taxonomy::Entity::find().order_by_asc(taxonomy::Column::Name);
    let total = q.clone().count(&svc.db).await?;
    let items = q
        .offset(paging.offset())
        .limit(paging.per_page)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(Taxonomy::from)
        .collect();
    Ok(Page {
        items,
        total,
        paging,
    })
}

/// A taxonomy by its UUID, with its terms by name.
pub async fn taxonomy(svc: &Services, id: &str) -> Result<(Taxonomy, Vec<Term>), ServiceError> {
    let t = taxonomy::Entity::find_by_id(id.to_owned())
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("taxonomy"))?;
    let terms = taxonomy_term::Entity::find()
        .filter(taxonomy_term::Column::TaxonomyId.eq(id))
        .order_by_asc(taxonomy_term::Column::Name)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|x| term_of(x, t.name.clone()))
        .collect();
    Ok((t.into(), terms))
}

/// Terms by name, of one taxonomy or all, with the name of the taxonomy each belongs to.
pub async fn terms(
    svc: &Services,
    taxonomy_id: Option<&str>,
    paging: Paging,
) -> Result<Page<Term>, ServiceError> {
    let mut q = taxonomy_term::Entity::find();
    if let Some(t) = taxonomy_id {
        q = q.filter(taxonomy_term::Column::TaxonomyId.eq(t));
    }
    let total = q.clone().count(&svc.db).await?;
    let rows = q
        .order_by_asc(taxonomy_term::Column::Name)
        .order_by_asc(taxonomy_term::Column::Id)
        .offset(paging.offset())
        .limit(paging.per_page)
        .all(&svc.db)
        .await?;
    let names = taxonomy_names(svc).await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|t| {
                let name = names
                    .iter()
                    .find(|(id, _)| *id == t.taxonomy_id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default();
                term_of(t, name)
            })
            .collect(),
        total,
        paging,
    })
}

/// A term by its UUID, with the name of its taxonomy.
pub async fn term(svc: &Services, id: &str) -> Result<Term, ServiceError> {
    let t = taxonomy_term::Entity::find_by_id(id.to_owned())
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("taxonomy term"))?;
    let name = taxonomy::Entity::find_by_id(t.taxonomy_id.clone())
        .one(&svc.db)
        .await?
        .map(|x| x.name)
        .unwrap_or_default();
    Ok(term_of(t, name))
}

async fn taxonomy_names(svc: &Services) -> Result<Vec<(String, String)>, ServiceError> {
    Ok(taxonomy::Entity::find()
        .select_only()
        .column(taxonomy::Column::Id)
        .column(taxonomy::Column::Name)
        .into_tuple()
        .all(&svc.db)
        .await?)
}
