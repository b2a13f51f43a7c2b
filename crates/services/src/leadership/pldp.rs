//! The Peer Leadership Development Programme, in four steps: steps 1 and 2 are self-paced
//! e-learning modules (passing each moves a person on), step 3 is a facilitated small group
//! (a cohort, meeting in sessions; its organisers mark it done), and step 4 is for graduates,
//! who are Peer Leaders. Anyone may leave at any step and come back to it later.
//!
//! Everyone who enrols counts towards the 4,000 people the programme aims to benefit; each
//! graduate towards its 500 Peer Leaders.

use chrono::{DateTime, Utc};
use domain::Permission;
use domain::leadership::EnrolmentState;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use store::entities::{
    elearning_progress as progress, organisation, pldp_cohort as cohort,
    pldp_enrolment as enrolment, pldp_session as session, user,
};

use crate::audit::{self, Event as AuditEvent, Outcome};
use crate::error::Problems;
use crate::{Actor, RequestMeta, ServiceError, Services, email};

/// The e-learning module of step 1, and of step 2.
pub const STEP_1: &str = domain::learning::elearning::PLDP_STEP_1;
pub const STEP_2: &str = domain::learning::elearning::PLDP_STEP_2;

/// Someone's place on the programme.
#[derive(Clone, Debug)]
pub struct Progress {
    pub user_id: i32,
    pub name: String,
    pub email: String,
    /// The step they are on (or left at): 1 to 4.
    pub step: i32,
    pub state: EnrolmentState,
    pub enrolled_at: DateTime<Utc>,
    pub step_1_passed: bool,
    pub step_2_passed: bool,
    pub cohort_id: Option<i32>,
    pub cohort: Option<String>,
    pub step_3_done: bool,
    pub graduated_at: Option<DateTime<Utc>>,
    pub left_at: Option<DateTime<Utc>>,
}

async fn passed(svc: &Services, user_id: i32, slug: &str) -> Result<bool, ServiceError> {
    Ok(progress::Entity::find()
        .filter(progress::Column::UserId.eq(user_id))
        .filter(progress::Column::ModuleSlug.eq(slug))
        .filter(progress::Column::PassedAt.is_not_null())
        .one(&svc.db)
        .await?
        .is_some())
}

async fn progress_of(svc: &Services, e: enrolment::Model) -> Result<Progress, ServiceError> {
    let u = user::Entity::find_by_id(e.user_id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("enrolment"))?;
    let one = passed(svc, e.user_id, STEP_1).await?;
    let two = passed(svc, e.user_id, STEP_2).await?;
    let state = EnrolmentState::parse(&e.state).unwrap_or(EnrolmentState::Active);
    let step = match state {
        EnrolmentState::Graduated => 4,
        EnrolmentState::Left => e.step,
        EnrolmentState::Active if !one => 1,
        EnrolmentState::Active if !two => 2,
        EnrolmentState::Active => 3,
    };
    let cohort_name = match e.cohort_id {
        Some(id) => cohort::Entity::find_by_id(id)
            .one(&svc.db)
            .await?
            .map(|c| c.name),
        None => None,
    };
    Ok(Progress {
        user_id: e.user_id,
        name: u.display_name,
        email: u.email,
        step,
        state,
        enrolled_at: e.enrolled_at,
        step_1_passed: one,
        step_2_passed: two,
        cohort_id: e.cohort_id,
        cohort: cohort_name,
        step_3_done: e.step3_done_at.is_some(),
        graduated_at: e.graduated_at,
        left_at: e.left_at,
    })
}

/// The actor's place on the programme, if they have enrolled.
pub async fn mine(svc: &Services, actor: &Actor) -> Result<Option<Progress>, ServiceError> {
    match enrolment::Entity::find()
        .filter(enrolment::Column::UserId.eq(actor.user_id))
        .one(&svc.db)
        .await?
    {
        Some(e) => Ok(Some(progress_of(svc, e).await?)),
        None => Ok(None),
    }
}

/// Enrols the actor (free, for anyone with an account), or brings back someone who left, at the
/// step they left.
pub async fn enrol(svc: &Services, actor: &Actor, meta: &RequestMeta) -> Result<(), ServiceError> {
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let back = enrolment::Entity::update_many()
        .col_expr(enrolment::Column::State, Expr::value("active"))
        .col_expr(
            enrolment::Column::LeftAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(enrolment::Column::UserId.eq(actor.user_id))
        .filter(enrolment::Column::State.eq("left"))
        .exec(&txn)
        .await?;
    if back.rows_affected == 0 {
        let saved = enrolment::ActiveModel {
            user_id: Set(actor.user_id),
            step: Set(1),
            state: Set("active".into()),
            enrolled_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await;
        match saved {
            Ok(_) => {}
            Err(e) if crate::error::is_unique_violation(&e) => {
                return Err(ServiceError::Conflict(
                    "You are already on the programme".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new(
            if back.rows_affected > 0 {
                "pldp_rejoined"
            } else {
                "pldp_enrolled"
            },
            Outcome::Success,
        )
        .by(actor),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Leaves the programme at the step the actor is on, saying why if they wish.
pub async fn leave(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    reason: &str,
) -> Result<(), ServiceError> {
    let Some(p) = mine(svc, actor).await? else {
        return Err(ServiceError::Conflict(
            "You are not on the programme".into(),
        ));
    };
    let mut problems = Problems::default();
    let reason = problems.text(
        "reason",
        &Some(reason.to_owned()),
        domain::TextField::lines("Reason", 500),
    );
    problems.finish()?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let done = enrolment::Entity::update_many()
        .col_expr(enrolment::Column::State, Expr::value("left"))
        .col_expr(enrolment::Column::Step, Expr::value(p.step))
        .col_expr(enrolment::Column::LeftAt, Expr::value(Some(now)))
        .col_expr(
            enrolment::Column::LeftReason,
            Expr::value(reason.filter(|r| !r.is_empty())),
        )
        .filter(enrolment::Column::UserId.eq(actor.user_id))
        .filter(enrolment::Column::State.eq("active"))
        .exec(&txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(ServiceError::Conflict(
            "You are not taking part in the programme now".into(),
        ));
    }
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("pldp_left", Outcome::Success)
            .by(actor)
            .detail(format!("at step {}", p.step)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A cohort as its organisers see it.
#[derive(Clone, Debug)]
pub struct Cohort {
    pub id: i32,
    pub name: String,
    pub organisation_id: i32,
    pub facilitator: String,
    pub places: i32,
    pub members: Vec<Progress>,
    pub sessions: Vec<(String, DateTime<Utc>, DateTime<Utc>)>,
}

fn organiser(actor: &Actor) -> Result<(), ServiceError> {
    actor.require(
        Permission::RunNetworks,
        "run the programme: only network organisers can",
    )
}

/// Everyone on the programme and its cohorts, with the counts against its aims.
pub struct Overview {
    pub people: Vec<Progress>,
    pub cohorts: Vec<Cohort>,
    pub benefiting: i64,
    pub leaders: i64,
}

pub async fn overview(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Overview, ServiceError> {
    organiser(actor)?;
    let rows = enrolment::Entity::find()
        .order_by_asc(enrolment::Column::EnrolledAt)
        .all(&svc.db)
        .await?;
    let mut people = Vec::with_capacity(rows.len());
    for e in rows {
        people.push(progress_of(svc, e).await?);
    }
    let mut cohorts = Vec::new();
    for c in cohort::Entity::find()
        .order_by_asc(cohort::Column::Id)
        .all(&svc.db)
        .await?
    {
        let sessions = session::Entity::find()
            .filter(session::Column::CohortId.eq(c.id))
            .order_by_asc(session::Column::StartsAt)
            .all(&svc.db)
            .await?
            .into_iter()
            .map(|s| (s.title, s.starts_at, s.ends_at))
            .collect();
        cohorts.push(Cohort {
            members: people
                .iter()
                .filter(|p| p.cohort_id == Some(c.id))
                .cloned()
                .collect(),
            id: c.id,
            name: c.name,
            organisation_id: c.organisation_id,
            facilitator: c.facilitator,
            places: c.places,
            sessions,
        });
    }
    let (benefiting, leaders) = counts(svc).await?;
    audit::log(
        svc,
        svc.now(),
        meta,
        AuditEvent::new("pldp_overview_viewed", Outcome::Success)
            .by(actor)
            .detail(format!("{} people", people.len())),
    )
    .await?;
    Ok(Overview {
        people,
        cohorts,
        benefiting,
        leaders,
    })
}

/// People who have taken part (everyone who enrolled), and Peer Leaders (graduates).
pub async fn counts(svc: &Services) -> Result<(i64, i64), ServiceError> {
    let all = enrolment::Entity::find().count(&svc.db).await?;
    let graduates = enrolment::Entity::find()
        .filter(enrolment::Column::State.eq("graduated"))
        .count(&svc.db)
        .await?;
    Ok((
        i64::try_from(all).unwrap_or(i64::MAX),
        i64::try_from(graduates).unwrap_or(i64::MAX),
    ))
}

/// Opens a cohort for step 3 with its sessions (title, start, end). Returns its id.
#[allow(clippy::too_many_arguments)]
pub async fn open_cohort(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    organisation_id: i32,
    name: &str,
    facilitator: &str,
    places: i32,
    sessions: &[(String, DateTime<Utc>, DateTime<Utc>)],
) -> Result<i32, ServiceError> {
    organiser(actor)?;
    let org = organisation::Entity::find_by_id(organisation_id)
        .one(&svc.db)
        .await?;
    let mut p = Problems::default();
    if !org
        .as_ref()
        .is_some_and(|o| actor.can_at(Permission::RunNetworks, &o.path))
    {
        p.add(
            "organisation_id",
            "Choose an organisation you run networks for",
        );
    }
    let name = p.required(
        "name",
        &Some(name.to_owned()),
        domain::TextField::line("Name", 200),
        "Enter the cohort's name",
    );
    let facilitator = p.required(
        "facilitator",
        &Some(facilitator.to_owned()),
        domain::TextField::line("Facilitator", 200),
        "Enter who facilitates it",
    );
    if !(2..=30).contains(&places) {
        p.add("places", "A small group has from 2 to 30 places");
    }
    if sessions.is_empty() || sessions.len() > 20 {
        p.add("sessions", "Give the cohort from 1 to 20 sessions");
    }
    if sessions
        .iter()
        .any(|(t, s, e)| t.trim().is_empty() || t.chars().count() > 200 || e <= s)
    {
        p.add(
            "sessions",
            "Each session needs a title and must end after it starts",
        );
    }
    p.finish()?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let c = cohort::ActiveModel {
        name: Set(name.unwrap_or_default()),
        organisation_id: Set(organisation_id),
        facilitator: Set(facilitator.unwrap_or_default()),
        places: Set(places),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for (title, starts, ends) in sessions {
        session::ActiveModel {
            cohort_id: Set(c.id),
            title: Set(title.trim().to_owned()),
            starts_at: Set(*starts),
            ends_at: Set(*ends),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("pldp_cohort_opened", Outcome::Success)
            .by(actor)
            .entity("pldp_cohort", c.id)
            .organisation(organisation_id),
    )
    .await?;
    txn.commit().await?;
    Ok(c.id)
}

/// What an organiser does for someone at step 3 or 4.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Places them in a cohort (they must have passed steps 1 and 2; the cohort must have room).
    Place(i32),
    /// Marks their cohort's work done.
    StepThreeDone,
    /// Graduates them: they are a Peer Leader.
    Graduate,
}

/// Moves someone on: into a cohort, through step 3, or to graduation.
pub async fn act(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    user_id: i32,
    action: Action,
) -> Result<(), ServiceError> {
    organiser(actor)?;
    let e = enrolment::Entity::find()
        .filter(enrolment::Column::UserId.eq(user_id))
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("enrolment"))?;
    let p = progress_of(svc, e.clone()).await?;
    if p.state != EnrolmentState::Active {
        return Err(ServiceError::Conflict(format!(
            "{} is not taking part in the programme now",
            p.name
        )));
    }
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    store::lock_for_update::<enrolment::Entity>(&txn, &[e.id]).await?;
    let (what, subject, body) = match action {
        Action::Place(cohort_id) => {
            if p.step < 3 {
                return Err(ServiceError::Conflict(format!(
                    "{} has not finished steps 1 and 2 yet",
                    p.name
                )));
            }
            store::lock_for_update::<cohort::Entity>(&txn, &[cohort_id]).await?;
            let c = cohort::Entity::find_by_id(cohort_id)
                .one(&txn)
                .await?
                .ok_or(ServiceError::NotFound("cohort"))?;
            // Counted with the cohort locked, so places are never overfilled.
            let taken = enrolment::Entity::find()
                .filter(enrolment::Column::CohortId.eq(c.id))
                .filter(enrolment::Column::UserId.ne(user_id))
                .count(&txn)
                .await?;
            if taken >= u64::try_from(c.places).unwrap_or(0) {
                return Err(ServiceError::Conflict(format!("{} is full", c.name)));
            }
            enrolment::Entity::update_many()
                .col_expr(enrolment::Column::CohortId, Expr::value(Some(c.id)))
                .col_expr(enrolment::Column::Step, Expr::value(3))
                .filter(enrolment::Column::Id.eq(e.id))
                .exec(&txn)
                .await?;
            (
                "pldp_placed",
                format!("Step 3: your group, {}", c.name),
                format!(
                    "You have a place in {}, facilitated by {}. Your sessions are on the programme's page.",
                    c.name, c.facilitator
                ),
            )
        }
        Action::StepThreeDone => {
            if p.cohort_id.is_none() {
                return Err(ServiceError::Conflict(format!(
                    "{} is not in a cohort yet",
                    p.name
                )));
            }
            enrolment::Entity::update_many()
                .col_expr(enrolment::Column::Step3DoneAt, Expr::value(Some(now)))
                .filter(enrolment::Column::Id.eq(e.id))
                .exec(&txn)
                .await?;
            (
                "pldp_step_3_done",
                "Step 3 is done".to_owned(),
                "Your group's work is done: well done. The organisers will confirm your graduation.".to_owned(),
            )
        }
        Action::Graduate => {
            if !p.step_3_done {
                return Err(ServiceError::Conflict(format!(
                    "{} has not finished step 3 yet",
                    p.name
                )));
            }
            enrolment::Entity::update_many()
                .col_expr(enrolment::Column::State, Expr::value("graduated"))
                .col_expr(enrolment::Column::Step, Expr::value(4))
                .col_expr(enrolment::Column::GraduatedAt, Expr::value(Some(now)))
                .filter(enrolment::Column::Id.eq(e.id))
                .exec(&txn)
                .await?;
            (
                "pldp_graduated",
                "You are a Peer Leader".to_owned(),
                "Congratulations: you have graduated from the Peer Leadership Development Programme and are a Peer Leader. Make your leader's profile to join the pool that organisations draw on.".to_owned(),
            )
        }
    };
    let base = svc.settings.public_url.trim_end_matches('/');
    email::enqueue(
        &txn,
        now,
        &p.email,
        &subject,
        &format!("Dear {},\n\n{body}\n\n{base}/pldp\n\nwhatmatters\n", p.name),
    )
    .await?;
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new(what, Outcome::Success)
            .by(actor)
            .entity("user", user_id),
    )
    .await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok(())
}

/// The sessions of the actor's cohort.
pub async fn my_sessions(
    svc: &Services,
    actor: &Actor,
) -> Result<Vec<(String, DateTime<Utc>, DateTime<Utc>)>, ServiceError> {
    let Some(p) = mine(svc, actor).await? else {
        return Ok(Vec::new());
    };
    let Some(c) = p.cohort_id else {
        return Ok(Vec::new());
    };
    Ok(session::Entity::find()
        .filter(session::Column::CohortId.eq(c))
        .order_by_asc(session::Column::StartsAt)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|s| (s.title, s.starts_at, s.ends_at))
        .collect())
}
