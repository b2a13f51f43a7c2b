//! Opportunities for leaders: organisations post them (a board seat, a co-design workshop, an
//! interview panel, a lay member's place, a talk at an event), see leaders from the pool ranked
//! by how well they fit, invite them or take applications, select, record the time given, and
//! export what is to be paid.
//!
//! Posting and running an opportunity needs [`Permission::PostOpportunities`] over its
//! organisation; seeing and applying needs only an account and a leader's profile.

use chrono::{DateTime, NaiveDate, Utc};
use domain::Permission;
use domain::leadership::{self as rules, AVAILABILITY, OPPORTUNITY_KINDS, SKILLS, known_codes};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set,
};
use store::entities::{
    involvement, opportunity, opportunity_application as application, organisation, user,
};

use super::pool::{self, Leader, split};
use super::rates;
use crate::audit::{self, Event as AuditEvent, Outcome};
use crate::error::{DateRule, Problems};
use crate::{Actor, RequestMeta, ServiceError, Services, email};

/// An opportunity as its page shows it.
#[derive(Clone, Debug)]
pub struct Opportunity {
    pub id: i32,
    pub organisation_id: i32,
    pub organisation: String,
    pub path: String,
    pub title: String,
    pub kind: String,
    pub description: String,
    pub skills: Vec<String>,
    pub region: Option<String>,
    pub availability: String,
    pub minutes: i32,
    pub payment_level: String,
    pub payment_label: String,
    pub pence_per_hour: Option<i32>,
    pub closes_on: NaiveDate,
    pub open: bool,
    pub event_uuid: Option<String>,
    pub event_title: Option<String>,
}

impl Opportunity {
    pub fn run_by(&self, actor: &Actor) -> bool {
        actor.can_at(Permission::PostOpportunities, &self.path)
    }

    pub fn kind_label(&self) -> &'static str {
        rules::opportunity_kind_label(&self.kind).unwrap_or("Opportunity")
    }
}

async fn whole(svc: &Services, o: opportunity::Model) -> Result<Opportunity, ServiceError> {
    let org = organisation::Entity::find_by_id(o.organisation_id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("opportunity"))?;
    let today = svc.today();
    let rate = rates::on(&svc.db, &o.payment_level, today).await?;
    let event = match o.event_id {
        Some(id) => {
            store::entities::learning_event::Entity::find_by_id(id)
                .one(&svc.db)
                .await?
        }
        None => None,
    };
    Ok(Opportunity {
        open: o.state == "open" && o.closes_on >= today,
        id: o.id,
        organisation_id: o.organisation_id,
        organisation: org.name,
        path: org.path,
        title: o.title,
        kind: o.kind,
        description: o.description,
        skills: split(&o.skills),
        region: o.region,
        availability: o.availability,
        minutes: o.minutes,
        payment_label: rate
            .as_ref()
            .map(|r| r.label.clone())
            .unwrap_or_else(|| o.payment_level.clone()),
        pence_per_hour: rate.map(|r| r.pence_per_hour),
        payment_level: o.payment_level,
        closes_on: o.closes_on,
        event_uuid: event.as_ref().map(|e| e.uuid.clone()),
        event_title: event.map(|e| e.title),
    })
}

/// One opportunity (anyone signed in may read it).
pub async fn get(svc: &Services, id: i32) -> Result<Opportunity, ServiceError> {
    let o = opportunity::Entity::find_by_id(id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("opportunity"))?;
    whole(svc, o).await
}

/// The opportunity, if the actor runs it.
pub async fn run(svc: &Services, actor: &Actor, id: i32) -> Result<Opportunity, ServiceError> {
    let o = get(svc, id).await?;
    // Another organisation's opportunity is not found, as one that does not exist.
    if !o.run_by(actor) {
        return Err(ServiceError::NotFound("opportunity"));
    }
    Ok(o)
}

/// Opportunities still open, closing soonest first.
pub async fn open(svc: &Services) -> Result<Vec<Opportunity>, ServiceError> {
    let rows = opportunity::Entity::find()
        .filter(opportunity::Column::State.eq("open"))
        .filter(opportunity::Column::ClosesOn.gte(svc.today()))
        .order_by_asc(opportunity::Column::ClosesOn)
        .all(&svc.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for o in rows {
        out.push(whole(svc, o).await?);
    }
    Ok(out)
}

/// The opportunities of the organisations the actor posts for, newest first.
pub async fn managed(svc: &Services, actor: &Actor) -> Result<Vec<Opportunity>, ServiceError> {
    actor.require(Permission::PostOpportunities, "post opportunities")?;
    let mut any = Condition::any();
    for p in actor.scopes(Permission::PostOpportunities) {
        any = any.add(organisation::Column::Path.starts_with(p.as_str()));
    }
    let orgs: Vec<i32> = organisation::Entity::find()
        .filter(any)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    let rows = opportunity::Entity::find()
        .filter(opportunity::Column::OrganisationId.is_in(orgs))
        .order_by_desc(opportunity::Column::Id)
        .all(&svc.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for o in rows {
        out.push(whole(svc, o).await?);
    }
    Ok(out)
}

/// The organisations the actor may post opportunities for: (id, name).
pub async fn posters(svc: &Services, actor: &Actor) -> Result<Vec<(i32, String)>, ServiceError> {
    let scopes = actor.scopes(Permission::PostOpportunities);
    if scopes.is_empty() {
        return Ok(Vec::new());
    }
    let mut any = Condition::any();
    for p in &scopes {
        any = any.add(organisation::Column::Path.eq(p.as_str()));
    }
    Ok(organisation::Entity::find()
        .filter(any)
        .order_by_asc(organisation::Column::Name)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// What an organisation sends to post an opportunity.
#[derive(Clone, Debug, Default)]
pub struct OpportunityInput {
    pub title: String,
    pub kind: String,
    pub description: String,
    pub skills: Vec<String>,
    /// An NHS England region code, or empty for anywhere.
    pub region: String,
    pub availability: String,
    /// Hours it takes, as typed ("3", "1.5").
    pub hours: String,
    pub payment_level: String,
    pub closes_on: Option<String>,
    /// For a talk: the event's UUID, or empty.
    pub event: String,
}

/// The form's fields in the order they appear.
pub const FIELDS: [&str; 10] = [
    "organisation_id",
    "title",
    "kind",
    "description",
    "skills",
    "region",
    "availability",
    "hours",
    "payment_level",
    "closes_on",
];

/// Hours as typed, to whole minutes: more than none, at most [`rules::MAX_INVOLVEMENT_MINUTES`]
/// times five (a series of meetings).
fn minutes(hours: &str, most: i32) -> Option<i32> {
    let h: f64 = hours.trim().parse().ok()?;
    if !h.is_finite() || h <= 0.0 {
        return None;
    }
    let m = (h * 60.0).round();
    (m >= 1.0 && m <= f64::from(most)).then_some(m as i32)
}

/// Posts an opportunity for an organisation the actor posts for. Returns its id.
pub async fn create(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    organisation_id: i32,
    input: &OpportunityInput,
) -> Result<i32, ServiceError> {
    let org = organisation::Entity::find_by_id(organisation_id)
        .one(&svc.db)
        .await?;
    let mut p = Problems::default();
    if !org
        .as_ref()
        .is_some_and(|o| actor.can_at(Permission::PostOpportunities, &o.path))
    {
        p.add(
            "organisation_id",
            "Choose an organisation you post opportunities for",
        );
    }
    let title = p.required(
        "title",
        &Some(input.title.clone()),
        rules::OPPORTUNITY_TITLE,
        "Enter a title",
    );
    if rules::opportunity_kind_label(&input.kind).is_none() {
        p.add("kind", "Choose what kind of opportunity it is");
    }
    let description = p.required(
        "description",
        &Some(input.description.clone()),
        rules::OPPORTUNITY_DESCRIPTION,
        "Describe what it involves",
    );
    let skills = p.take("skills", known_codes(&input.skills, &SKILLS));
    if !input.region.is_empty() && domain::learning::region_label(&input.region).is_none() {
        p.add("region", "Choose a region, or anywhere");
    }
    if rules::availability_label(&input.availability).is_none() {
        p.add("availability", "Choose when it happens");
    }
    let minutes = minutes(&input.hours, rules::MAX_INVOLVEMENT_MINUTES * 5);
    if minutes.is_none() {
        p.add(
            "hours",
            "Enter the hours it takes, more than 0 and at most 60, like 3 or 1.5",
        );
    }
    let levels = rates::levels(svc).await?;
    if !levels.iter().any(|(l, _)| *l == input.payment_level) {
        p.add("payment_level", "Choose how it is paid");
    }
    let today = svc.today();
    let closes = if input
        .closes_on
        .as_deref()
        .is_none_or(|s| s.trim().is_empty())
    {
        p.add("closes_on", "Enter the date applications close");
        None
    } else {
        p.date(
            "closes_on",
            &input.closes_on,
            DateRule::upcoming("The date applications close", today),
        )
    };
    let event_id = if input.event.trim().is_empty() {
        None
    } else {
        match crate::learning::catalogue::get(svc, input.event.trim()).await {
            Ok(e) => Some(e.id),
            Err(ServiceError::NotFound(_)) => {
                p.add("event", "Choose one of the events listed, or none");
                None
            }
            Err(e) => return Err(e),
        }
    };
    p.sort_by(&FIELDS);
    p.finish()?;
    let (Some(title), Some(description), Some(minutes), Some(closes)) =
        (title, description, minutes, closes)
    else {
        return Err(ServiceError::Internal(
            "validated opportunity missing".into(),
        ));
    };
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let saved = opportunity::ActiveModel {
        organisation_id: Set(organisation_id),
        title: Set(title),
        kind: Set(input.kind.clone()),
        description: Set(description),
        skills: Set(skills.unwrap_or_default().join(",")),
        region: Set((!input.region.is_empty()).then(|| input.region.clone())),
        availability: Set(input.availability.clone()),
        minutes: Set(minutes),
        payment_level: Set(input.payment_level.clone()),
        closes_on: Set(closes),
        state: Set("open".into()),
        event_id: Set(event_id),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("opportunity_posted", Outcome::Success)
            .by(actor)
            .entity("opportunity", saved.id)
            .organisation(organisation_id),
    )
    .await?;
    txn.commit().await?;
    Ok(saved.id)
}

/// A leader suggested for an opportunity, with why.
#[derive(Clone, Debug)]
pub struct Suggestion {
    pub leader: Leader,
    pub score: i32,
    pub reasons: Vec<String>,
}

/// How well a leader fits: each skill sought that they offer (3), the same region (2; 1 when
/// the opportunity is anywhere), free when it happens (2; 1 when either is flexible), and a
/// current accreditation (2).
pub fn fit(o: &Opportunity, l: &Leader, today: NaiveDate) -> (i32, Vec<String>) {
    let mut score = 0;
    let mut why = Vec::new();
    let shared: Vec<&str> = o
        .skills
        .iter()
        .filter(|s| l.skills.contains(s))
        .filter_map(|s| rules::skill_label(s))
        .collect();
    if !shared.is_empty() {
        score += 3 * i32::try_from(shared.len()).unwrap_or(0);
        why.push(format!("Offers {}", shared.join(", ").to_lowercase()));
    }
    match &o.region {
        Some(r) if *r == l.region => {
            score += 2;
            why.push("In the region".into());
        }
        None => score += 1,
        _ => {}
    }
    if o.availability == l.availability {
        score += 2;
        why.push(format!(
            "Free {}",
            rules::availability_label(&l.availability)
                .unwrap_or("")
                .to_lowercase()
        ));
    } else if o.availability == "flexible" || l.availability == "flexible" {
        score += 1;
    }
    if let Some(a) = l.accreditations.iter().find(|a| a.current(today)) {
        score += 2;
        why.push(format!("Accredited {}", a.label()));
    }
    (score, why)
}

/// Leaders in the pool ranked by how well they fit, best first, leaving out those already
/// invited or applied; at most 20.
pub async fn suggestions(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
) -> Result<Vec<Suggestion>, ServiceError> {
    let o = run(svc, actor, id).await?;
    let taken: Vec<i32> = application::Entity::find()
        .filter(application::Column::OpportunityId.eq(o.id))
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|a| a.user_id)
        .collect();
    let today = svc.today();
    let mut list: Vec<Suggestion> = pool::pool_unaudited(svc)
        .await?
        .into_iter()
        .filter(|l| !taken.contains(&l.user_id))
        .map(|l| {
            let (score, reasons) = fit(&o, &l, today);
            Suggestion {
                leader: l,
                score,
                reasons,
            }
        })
        .filter(|s| s.score > 0)
        .collect();
    list.sort_by(|a, b| {
        b.score.cmp(&a.score).then_with(|| {
            a.leader
                .name
                .to_lowercase()
                .cmp(&b.leader.name.to_lowercase())
        })
    });
    list.truncate(20);
    audit::log(
        svc,
        svc.now(),
        meta,
        AuditEvent::new("leader_pool_viewed", Outcome::Success)
            .by(actor)
            .entity("opportunity", o.id)
            .detail(format!("{} suggestion(s)", list.len())),
    )
    .await?;
    Ok(list)
}

/// An application or invitation, as the organisation sees it.
#[derive(Clone, Debug)]
pub struct Applicant {
    pub id: i32,
    pub user_id: i32,
    pub name: String,
    pub email: String,
    pub origin: String,
    pub state: String,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub minutes: i32,
    pub payment_pence: i64,
}

/// Everyone invited to or applying for the opportunity, with the time each has given.
pub async fn applicants(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
) -> Result<(Opportunity, Vec<Applicant>), ServiceError> {
    let o = run(svc, actor, id).await?;
    let rows = application::Entity::find()
        .filter(application::Column::OpportunityId.eq(o.id))
        .order_by_asc(application::Column::Id)
        .all(&svc.db)
        .await?;
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|a| a.user_id)))
        .all(&svc.db)
        .await?;
    let worked = involvement::Entity::find()
        .filter(involvement::Column::OpportunityId.eq(o.id))
        .all(&svc.db)
        .await?;
    let list: Vec<Applicant> = rows
        .into_iter()
        .filter_map(|a| {
            let u = users.iter().find(|u| u.id == a.user_id)?;
            let mine = worked.iter().filter(|w| w.application_id == a.id);
            Some(Applicant {
                id: a.id,
                user_id: a.user_id,
                name: u.display_name.clone(),
                email: u.email.clone(),
                origin: a.origin,
                state: a.state,
                note: a.note,
                created_at: a.created_at,
                minutes: mine.clone().map(|w| w.minutes).sum(),
                payment_pence: mine.map(|w| w.payment_pence).sum(),
            })
        })
        .collect();
    audit::log(
        svc,
        svc.now(),
        meta,
        AuditEvent::new("opportunity_applicants_viewed", Outcome::Success)
            .by(actor)
            .entity("opportunity", o.id)
            .detail(format!("{} applicant(s)", list.len())),
    )
    .await?;
    Ok((o, list))
}

/// Applies for an open opportunity (a leader with a profile), or accepts an invitation to it.
pub async fn apply(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    note: &str,
) -> Result<(), ServiceError> {
    let o = get(svc, id).await?;
    if !o.open {
        return Err(ServiceError::Conflict(format!(
            "Applications for {} have closed",
            o.title
        )));
    }
    if pool::mine(svc, actor).await?.is_none() {
        return Err(ServiceError::Conflict(
            "Make your leader's profile first, so the organisation can see what you bring".into(),
        ));
    }
    let mut p = Problems::default();
    let note = p.text("note", &Some(note.to_owned()), rules::APPLICATION_NOTE);
    p.finish()?;
    let note = note.filter(|n| !n.is_empty());
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    // Accepting an invitation.
    let accepted = application::Entity::update_many()
        .col_expr(application::Column::State, Expr::value("applied"))
        .col_expr(application::Column::Note, Expr::value(note.clone()))
        .filter(application::Column::OpportunityId.eq(o.id))
        .filter(application::Column::UserId.eq(actor.user_id))
        .filter(application::Column::State.eq("invited"))
        .exec(&txn)
        .await?;
    if accepted.rows_affected == 0 {
        let saved = application::ActiveModel {
            opportunity_id: Set(o.id),
            user_id: Set(actor.user_id),
            origin: Set("applied".into()),
            state: Set("applied".into()),
            note: Set(note),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await;
        match saved {
            Ok(_) => {}
            Err(e) if crate::error::is_unique_violation(&e) => {
                return Err(ServiceError::Conflict(format!(
                    "You have already applied for {}",
                    o.title
                )));
            }
            Err(e) => return Err(e.into()),
        }
    }
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("opportunity_applied", Outcome::Success)
            .by(actor)
            .entity("opportunity", o.id)
            .organisation(o.organisation_id),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Invites a leader from the pool to an open opportunity, by e-mail.
pub async fn invite(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    user_id: i32,
    note: &str,
) -> Result<(), ServiceError> {
    let o = run(svc, actor, id).await?;
    if !o.open {
        return Err(ServiceError::Conflict(format!("{} has closed", o.title)));
    }
    // Only someone who agreed to be contacted; anyone else is not found.
    let Some(l) = pool::in_pool(svc, user_id).await? else {
        return Err(ServiceError::NotFound("leader"));
    };
    let mut p = Problems::default();
    let note = p.text("note", &Some(note.to_owned()), rules::APPLICATION_NOTE);
    p.finish()?;
    let note = note.filter(|n| !n.is_empty());
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let saved = application::ActiveModel {
        opportunity_id: Set(o.id),
        user_id: Set(user_id),
        origin: Set("invited".into()),
        state: Set("invited".into()),
        note: Set(note.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    match saved {
        Ok(_) => {}
        Err(e) if crate::error::is_unique_violation(&e) => {
            return Err(ServiceError::Conflict(format!(
                "{} has already been invited or applied",
                l.name
            )));
        }
        Err(e) => return Err(e.into()),
    }
    let to = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound("leader"))?;
    let base = svc.settings.public_url.trim_end_matches('/');
    email::enqueue(
        &txn,
        now,
        &to.email,
        &format!("An invitation: {}", o.title),
        &format!(
            "Dear {},\n\n{} ({}) would like you to take part in: {} ({}).{}\n\nRead about it, and say yes, by {}: {base}/leaders/opportunities/{}\n\nwhatmatters\n",
            l.name,
            actor.display_name,
            o.organisation,
            o.title,
            o.kind_label().to_lowercase(),
            note.map(|n| format!("\n\nThey wrote:\n\n{n}")).unwrap_or_default(),
            o.closes_on.format("%-d %B %Y"),
            o.id
        ),
    )
    .await?;
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("opportunity_invited", Outcome::Success)
            .by(actor)
            .entity("opportunity", o.id)
            .organisation(o.organisation_id)
            .detail(format!("user {user_id}")),
    )
    .await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok(())
}

/// Selects an applicant (or, with `selected` false, declines them), telling them by e-mail.
pub async fn select(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    application_id: i32,
    selected: bool,
) -> Result<(), ServiceError> {
    let o = run(svc, actor, id).await?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let a = application::Entity::find_by_id(application_id)
        .filter(application::Column::OpportunityId.eq(o.id))
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound("application"))?;
    let state = if selected { "selected" } else { "declined" };
    let done = application::Entity::update_many()
        .col_expr(application::Column::State, Expr::value(state))
        .col_expr(application::Column::DecidedAt, Expr::value(Some(now)))
        .filter(application::Column::Id.eq(a.id))
        .filter(application::Column::State.eq("applied"))
        .exec(&txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(ServiceError::Conflict(match a.state.as_str() {
            "invited" => "They have not said yes to the invitation yet".to_owned(),
            _ => "This application has already been decided".to_owned(),
        }));
    }
    let to = user::Entity::find_by_id(a.user_id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound("application"))?;
    let base = svc.settings.public_url.trim_end_matches('/');
    let (subject, body) = if selected {
        (
            format!("You have been selected: {}", o.title),
            format!(
                "Dear {},\n\n{} has selected you for {}. They will be in touch about the details.\n\n{base}/leaders/opportunities/{}\n\nwhatmatters\n",
                to.display_name, o.organisation, o.title, o.id
            ),
        )
    } else {
        (
            format!("Your application: {}", o.title),
            format!(
                "Dear {},\n\nThank you for applying for {}. {} has not been able to select you this time.\n\nOther opportunities: {base}/leaders/opportunities\n\nwhatmatters\n",
                to.display_name, o.title, o.organisation
            ),
        )
    };
    email::enqueue(&txn, now, &to.email, &subject, &body).await?;
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new(
            if selected {
                "opportunity_selected"
            } else {
                "opportunity_declined"
            },
            Outcome::Success,
        )
        .by(actor)
        .entity("opportunity_application", a.id)
        .organisation(o.organisation_id),
    )
    .await?;
    txn.commit().await?;
    svc.jobs_queued();
    Ok(())
}

/// The hours form's fields in the order they appear.
pub const HOURS_FIELDS: [&str; 2] = ["worked_on", "hours"];

/// Records time a selected leader gave on a day, paid at the rate for the opportunity's level
/// in effect that day (kept with the record). Returns the payment due, in pence.
pub async fn record_hours(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    application_id: i32,
    worked_on: &Option<String>,
    hours: &str,
) -> Result<i64, ServiceError> {
    let o = run(svc, actor, id).await?;
    let today = svc.today();
    let mut p = Problems::default();
    let day = if worked_on.as_deref().is_none_or(|s| s.trim().is_empty()) {
        p.add("worked_on", "Enter the date of the work");
        None
    } else {
        p.date(
            "worked_on",
            worked_on,
            DateRule::past("The date of the work", today),
        )
    };
    let minutes = minutes(hours, rules::MAX_INVOLVEMENT_MINUTES);
    if minutes.is_none() {
        p.add(
            "hours",
            "Enter the hours given, more than 0 and at most 12, like 2 or 1.5",
        );
    }
    p.finish()?;
    let (Some(day), Some(minutes)) = (day, minutes) else {
        return Err(ServiceError::Internal("validated hours missing".into()));
    };
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let a = application::Entity::find_by_id(application_id)
        .filter(application::Column::OpportunityId.eq(o.id))
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound("application"))?;
    if a.state != "selected" {
        return Err(ServiceError::Conflict(
            "Hours can be recorded only for someone selected".into(),
        ));
    }
    let Some(rate) = rates::on(&txn, &o.payment_level, day).await? else {
        return Err(ServiceError::invalid(
            "worked_on",
            format!(
                "There is no payment rate for {} on that date: ask an administrator to add one",
                o.payment_level
            ),
        ));
    };
    let pay = rules::payment_pence(minutes, rate.pence_per_hour);
    involvement::ActiveModel {
        application_id: Set(a.id),
        opportunity_id: Set(o.id),
        user_id: Set(a.user_id),
        worked_on: Set(day),
        minutes: Set(minutes),
        rate_id: Set(Some(rate.id)),
        pence_per_hour: Set(rate.pence_per_hour),
        payment_pence: Set(pay),
        recorded_by: Set(Some(actor.user_id)),
        recorded_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("involvement_recorded", Outcome::Success)
            .by(actor)
            .entity("opportunity_application", a.id)
            .organisation(o.organisation_id)
            .detail(format!(
                "{minutes} min on {day} at {}p/h",
                rate.pence_per_hour
            )),
    )
    .await?;
    txn.commit().await?;
    Ok(pay)
}

/// One involvement to be paid.
#[derive(Clone, Debug)]
pub struct Payment {
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub opportunity: String,
    pub worked_on: NaiveDate,
    pub minutes: i32,
    pub pence_per_hour: i32,
    pub payment_pence: i64,
}

/// Every involvement recorded for the opportunities the actor runs, oldest first.
pub async fn payments(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<Payment>, ServiceError> {
    let mine = managed(svc, actor).await?;
    let rows = involvement::Entity::find()
        .filter(involvement::Column::OpportunityId.is_in(mine.iter().map(|o| o.id)))
        .order_by_asc(involvement::Column::WorkedOn)
        .order_by_asc(involvement::Column::Id)
        .all(&svc.db)
        .await?;
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|r| r.user_id)))
        .all(&svc.db)
        .await?;
    let list: Vec<Payment> = rows
        .into_iter()
        .filter_map(|r| {
            let u = users.iter().find(|u| u.id == r.user_id)?;
            let o = mine.iter().find(|o| o.id == r.opportunity_id)?;
            Some(Payment {
                name: u.display_name.clone(),
                email: u.email.clone(),
                organisation: o.organisation.clone(),
                opportunity: o.title.clone(),
                worked_on: r.worked_on,
                minutes: r.minutes,
                pence_per_hour: r.pence_per_hour,
                payment_pence: r.payment_pence,
            })
        })
        .collect();
    audit::log(
        svc,
        svc.now(),
        meta,
        AuditEvent::new("involvement_payments_exported", Outcome::Success)
            .by(actor)
            .detail(format!("{} row(s)", list.len())),
    )
    .await?;
    Ok(list)
}

/// Pence as pounds and pence, like 37.50.
pub fn pounds(pence: i64) -> String {
    format!("{}.{:02}", pence / 100, pence % 100)
}

/// The payments as CSV for a finance system: one row an involvement. Cells that a spreadsheet
/// would read as a formula are quoted as text.
pub fn payments_csv(list: &[Payment]) -> Result<String, ServiceError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ServiceError::Internal(format!("writing CSV: {e}"));
    w.write_record([
        "Name",
        "Email",
        "Organisation",
        "Opportunity",
        "Date",
        "Hours",
        "Rate per hour (GBP)",
        "Payment due (GBP)",
    ])
    .map_err(fail)?;
    for p in list {
        w.write_record([
            crate::learning::organise::defuse(&p.name),
            crate::learning::organise::defuse(&p.email),
            crate::learning::organise::defuse(&p.organisation),
            crate::learning::organise::defuse(&p.opportunity),
            p.worked_on.format("%Y-%m-%d").to_string(),
            format!("{:.2}", f64::from(p.minutes) / 60.0),
            pounds(i64::from(p.pence_per_hour)),
            pounds(p.payment_pence),
        ])
        .map_err(fail)?;
    }
    String::from_utf8(
        w.into_inner()
            .map_err(|e| ServiceError::Internal(e.to_string()))?,
    )
    .map_err(|e| ServiceError::Internal(e.to_string()))
}

/// A leader's own record: what they applied for or were invited to, and the time they gave.
#[derive(Clone, Debug)]
pub struct Involved {
    pub opportunity: Opportunity,
    pub state: String,
    pub minutes: i32,
    pub payment_pence: i64,
}

pub async fn involved(svc: &Services, actor: &Actor) -> Result<Vec<Involved>, ServiceError> {
    let rows = application::Entity::find()
        .filter(application::Column::UserId.eq(actor.user_id))
        .order_by_desc(application::Column::Id)
        .all(&svc.db)
        .await?;
    let worked = involvement::Entity::find()
        .filter(involvement::Column::UserId.eq(actor.user_id))
        .all(&svc.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for a in rows {
        let mine = worked.iter().filter(|w| w.application_id == a.id);
        out.push(Involved {
            opportunity: get(svc, a.opportunity_id).await?,
            state: a.state,
            minutes: mine.clone().map(|w| w.minutes).sum(),
            payment_pence: mine.map(|w| w.payment_pence).sum(),
        });
    }
    Ok(out)
}

/// The kinds and the times, for forms.
pub const KINDS: &[(&str, &str)] = &OPPORTUNITY_KINDS;
pub const WHEN: &[(&str, &str)] = &AVAILABILITY;
