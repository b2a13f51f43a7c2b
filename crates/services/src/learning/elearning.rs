//! E-learning: a learner reads a module's lessons in order (they resume where they left off),
//! then takes its knowledge check. Passing issues the module's certificate, once, and passing
//! core skills counts a professional as trained.

use chrono::{DateTime, Utc};
use domain::learning::elearning::{self, Marked, Module};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use store::entities::elearning_progress as progress;

use super::catalogue::problems;
use crate::audit::{self, Event as AuditEvent, Outcome};
use crate::{Actor, RequestMeta, ServiceError, Services};

/// How far a learner has got through a module.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub lessons_done: usize,
    pub attempts: i32,
    pub best_score: Option<i32>,
    pub passed_at: Option<DateTime<Utc>>,
}

impl Progress {
    fn of(r: &progress::Model) -> Self {
        Progress {
            lessons_done: usize::try_from(r.lessons_done).unwrap_or(0),
            attempts: r.attempts,
            best_score: r.best_score,
            passed_at: r.passed_at,
        }
    }

    pub fn started(&self) -> bool {
        self.lessons_done > 0 || self.attempts > 0
    }
}

/// What became of a knowledge check.
#[derive(Clone, Debug)]
pub struct CheckOutcome {
    pub marked: Marked,
    /// The certificate's code, when this attempt passed the module for the first time.
    pub certificate: Option<String>,
}

fn module_of(slug: &str) -> Result<&'static Module, ServiceError> {
    elearning::module(slug).ok_or(ServiceError::NotFound("module"))
}

/// Every module, with the actor's progress through it.
pub async fn modules(
    svc: &Services,
    actor: &Actor,
) -> Result<Vec<(&'static Module, Progress)>, ServiceError> {
    let rows = progress::Entity::find()
        .filter(progress::Column::UserId.eq(actor.user_id))
        .all(&svc.db)
        .await?;
    Ok(elearning::MODULES
        .iter()
        .map(|m| {
            let p = rows
                .iter()
                .find(|r| r.module_slug == m.slug)
                .map(Progress::of)
                .unwrap_or_default();
            (m, p)
        })
        .collect())
}

/// One module and the actor's progress through it.
pub async fn module(
    svc: &Services,
    actor: &Actor,
    slug: &str,
) -> Result<(&'static Module, Progress), ServiceError> {
    let m = module_of(slug)?;
    let p = progress::Entity::find()
        .filter(progress::Column::UserId.eq(actor.user_id))
        .filter(progress::Column::ModuleSlug.eq(m.slug))
        .one(&svc.db)
        .await?
        .as_ref()
        .map(Progress::of)
        .unwrap_or_default();
    Ok((m, p))
}

/// Opens lesson `n` (counted from 0): a learner may open any lesson up to the one after the
/// last they finished, not beyond.
pub async fn lesson(
    svc: &Services,
    actor: &Actor,
    slug: &str,
    n: usize,
) -> Result<(&'static Module, Progress), ServiceError> {
    let (m, p) = module(svc, actor, slug).await?;
    if m.lesson(n).is_none() {
        return Err(ServiceError::NotFound("lesson"));
    }
    if n > p.lessons_done {
        return Err(ServiceError::Conflict(format!(
            "Read lesson {} first: lessons are read in order",
            p.lessons_done + 1
        )));
    }
    Ok((m, p))
}

/// Records lesson `n` as read; the learner's place moves on only from the lesson they are at,
/// so sending it twice (or for an earlier lesson) changes nothing.
pub async fn finish_lesson(
    svc: &Services,
    actor: &Actor,
    slug: &str,
    n: usize,
) -> Result<Progress, ServiceError> {
    let (m, p) = lesson(svc, actor, slug, n).await?;
    let now = svc.now();
    let (Ok(at), Ok(next)) = (i32::try_from(n), i32::try_from(n + 1)) else {
        return Err(ServiceError::NotFound("lesson"));
    };
    let txn = store::begin_write(&svc.db).await?;
    progress::Entity::insert(progress::ActiveModel {
        user_id: Set(actor.user_id),
        module_slug: Set(m.slug.into()),
        lessons_done: Set(0),
        attempts: Set(0),
        best_score: Set(None),
        started_at: Set(now),
        updated_at: Set(now),
        passed_at: Set(None),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([progress::Column::UserId, progress::Column::ModuleSlug])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    progress::Entity::update_many()
        .col_expr(progress::Column::LessonsDone, Expr::value(next))
        .col_expr(progress::Column::UpdatedAt, Expr::value(now))
        .filter(progress::Column::UserId.eq(actor.user_id))
        .filter(progress::Column::ModuleSlug.eq(m.slug))
        .filter(progress::Column::LessonsDone.eq(at))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(Progress {
        lessons_done: p.lessons_done.max(n + 1),
        ..p
    })
}

/// Marks the knowledge check. Every lesson must have been read first. A pass sets the module
/// passed and issues its certificate, once, however many times it is passed or sent.
pub async fn check(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    slug: &str,
    answers: &[Option<usize>],
) -> Result<CheckOutcome, ServiceError> {
    let (m, p) = module(svc, actor, slug).await?;
    if p.lessons_done < m.lessons.len() {
        return Err(ServiceError::Conflict(format!(
            "Read every lesson before the knowledge check: you are at lesson {} of {}",
            p.lessons_done + 1,
            m.lessons.len()
        )));
    }
    let marked = m.mark(answers).map_err(problems)?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let row = progress::Entity::find()
        .filter(progress::Column::UserId.eq(actor.user_id))
        .filter(progress::Column::ModuleSlug.eq(m.slug))
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound("module"))?;
    progress::Entity::update_many()
        .col_expr(
            progress::Column::Attempts,
            Expr::col(progress::Column::Attempts).add(1),
        )
        // Read and raised in one statement: two checks at once keep the better.
        .col_expr(
            progress::Column::BestScore,
            Expr::cust(format!(
                "CASE WHEN best_score IS NULL OR best_score < {p} THEN {p} ELSE best_score END",
                p = marked.percent
            )),
        )
        .col_expr(progress::Column::UpdatedAt, Expr::value(now))
        .filter(progress::Column::Id.eq(row.id))
        .exec(&txn)
        .await?;
    let mut certificate = None;
    if marked.passed {
        // Of two passes at once, one sets the date and issues the certificate.
        let first = progress::Entity::update_many()
            .col_expr(progress::Column::PassedAt, Expr::value(Some(now)))
            .filter(progress::Column::Id.eq(row.id))
            .filter(progress::Column::PassedAt.is_null())
            .exec(&txn)
            .await?
            .rows_affected
            == 1;
        if first {
            certificate = super::certificates::for_module(&txn, now, actor, m).await?;
        }
    }
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("elearning_checked", Outcome::Success)
            .by(actor)
            .detail(format!(
                "{}: {}% ({})",
                m.slug,
                marked.percent,
                if marked.passed {
                    "passed"
                } else {
                    "not passed"
                }
            )),
    )
    .await?;
    txn.commit().await?;
    Ok(CheckOutcome {
        marked,
        certificate,
    })
}
