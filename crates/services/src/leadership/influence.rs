//! Influence: a network feeds national work. Organisers open a consultation on a draft (a
//! primary care standard, say) with questions and a closing time; members respond once and may
//! change their answers until it closes; organisers read a summary and export the responses.
//! Each member's record shows their talks (speaking opportunities they were selected for) and
//! their contributions (consultations they answered).

use chrono::{DateTime, Utc};
use domain::leadership as rules;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use store::entities::{
    consultation, consultation_question as question, consultation_response as response, user,
};

use crate::audit::{self, Event as AuditEvent, Outcome};
use crate::error::Problems;
use crate::networks::{self, Network};
use crate::{Actor, RequestMeta, ServiceError, Services};

/// A consultation with its questions.
#[derive(Clone, Debug)]
pub struct Consultation {
    pub id: i32,
    pub network: Network,
    pub title: String,
    pub draft: String,
    pub closes_at: DateTime<Utc>,
    pub open: bool,
    pub questions: Vec<String>,
}

async fn whole(svc: &Services, c: consultation::Model) -> Result<Consultation, ServiceError> {
    let network = networks::by_id(&svc.db, c.network_id).await?;
    let questions = question::Entity::find()
        .filter(question::Column::ConsultationId.eq(c.id))
        .order_by_asc(question::Column::Position)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|q| q.prompt)
        .collect();
    Ok(Consultation {
        open: c.closes_at > svc.now(),
        id: c.id,
        network,
        title: c.title,
        draft: c.draft,
        closes_at: c.closes_at,
        questions,
    })
}

/// The consultation, if the actor may read it: a member of its network, or an organiser.
pub async fn get(svc: &Services, actor: &Actor, id: i32) -> Result<Consultation, ServiceError> {
    let c = consultation::Entity::find_by_id(id)
        .one(&svc.db)
        .await?
        .ok_or(ServiceError::NotFound("consultation"))?;
    let c = whole(svc, c).await?;
    // To anyone outside the network it is not found, as one that does not exist.
    if !c.network.organised_by(actor)
        && networks::member_of(svc, actor, c.network.id)
            .await?
            .is_none()
    {
        return Err(ServiceError::NotFound("consultation"));
    }
    Ok(c)
}

/// The network's consultations, newest first (members and organisers).
pub async fn of_network(
    svc: &Services,
    actor: &Actor,
    network: &Network,
) -> Result<Vec<Consultation>, ServiceError> {
    if !network.organised_by(actor) && networks::member_of(svc, actor, network.id).await?.is_none()
    {
        return Ok(Vec::new());
    }
    let rows = consultation::Entity::find()
        .filter(consultation::Column::NetworkId.eq(network.id))
        .order_by_desc(consultation::Column::ClosesAt)
        .all(&svc.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for c in rows {
        out.push(whole(svc, c).await?);
    }
    Ok(out)
}

/// The form's fields in the order they appear.
pub const FIELDS: [&str; 4] = ["title", "draft", "questions", "closes_on"];

/// Opens a consultation in a network the actor runs. `questions` is one a line. Returns its id.
#[allow(clippy::too_many_arguments)]
pub async fn open(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    slug: &str,
    title: &str,
    draft: &str,
    questions: &str,
    closes_at: Option<DateTime<Utc>>,
) -> Result<i32, ServiceError> {
    let n = networks::organised(svc, actor, slug).await?;
    let mut p = Problems::default();
    let title = p.required(
        "title",
        &Some(title.to_owned()),
        rules::CONSULTATION_TITLE,
        "Enter a title",
    );
    let draft = p.required(
        "draft",
        &Some(draft.to_owned()),
        rules::CONSULTATION_DRAFT,
        "Paste the draft members are asked about",
    );
    let qs: Vec<String> = questions
        .lines()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(str::to_owned)
        .collect();
    if qs.is_empty() || qs.len() > 20 {
        p.add("questions", "Ask from 1 to 20 questions, one a line");
    } else if let Some(q) = qs.iter().find(|q| rules::QUESTION.clean(q).is_err()) {
        p.add(
            "questions",
            format!(
                "Each question must be at most 500 characters: \"{}…\" is longer",
                q.chars().take(40).collect::<String>()
            ),
        );
    }
    match closes_at {
        None => p.add("closes_on", "Enter the date the consultation closes"),
        Some(t) if t <= svc.now() => p.add("closes_on", "The closing date must be in the future"),
        Some(_) => {}
    }
    p.finish()?;
    let (Some(title), Some(draft), Some(closes_at)) = (title, draft, closes_at) else {
        return Err(ServiceError::Internal(
            "validated consultation missing".into(),
        ));
    };
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let c = consultation::ActiveModel {
        network_id: Set(n.id),
        title: Set(title),
        draft: Set(draft),
        closes_at: Set(closes_at),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for (i, q) in qs.into_iter().enumerate() {
        question::ActiveModel {
            consultation_id: Set(c.id),
            position: Set(i32::try_from(i).unwrap_or(0)),
            prompt: Set(q),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("consultation_opened", Outcome::Success)
            .by(actor)
            .entity("consultation", c.id)
            .organisation(n.organisation_id),
    )
    .await?;
    txn.commit().await?;
    Ok(c.id)
}

/// The actor's answers, if they have responded.
pub async fn my_answers(
    svc: &Services,
    actor: &Actor,
    id: i32,
) -> Result<Option<Vec<String>>, ServiceError> {
    Ok(response::Entity::find()
        .filter(response::Column::ConsultationId.eq(id))
        .filter(response::Column::UserId.eq(actor.user_id))
        .one(&svc.db)
        .await?
        .map(|r| serde_json::from_str(&r.answers).unwrap_or_default()))
}

/// Responds to an open consultation (members), or changes one's response. At least one
/// answer; each field is named `answer-N`.
pub async fn respond(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
    answers: &[String],
) -> Result<(), ServiceError> {
    let c = get(svc, actor, id).await?;
    if networks::member_of(svc, actor, c.network.id)
        .await?
        .is_none()
    {
        return Err(ServiceError::Forbidden(
            "respond: only the network's members can".into(),
        ));
    }
    if !c.open {
        return Err(ServiceError::Conflict(format!(
            "{} has closed: responses can no longer be made or changed",
            c.title
        )));
    }
    let mut p = Problems::default();
    let mut clean = Vec::with_capacity(c.questions.len());
    for i in 0..c.questions.len() {
        let a = answers.get(i).cloned().unwrap_or_default();
        clean.push(
            p.text(&format!("answer-{}", i + 1), &Some(a), rules::ANSWER)
                .unwrap_or_default(),
        );
    }
    if p.is_empty() && clean.iter().all(String::is_empty) {
        p.add("answer-1", "Answer at least one question");
    }
    p.finish()?;
    let json = serde_json::to_string(&clean).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let existing = response::Entity::find()
        .filter(response::Column::ConsultationId.eq(c.id))
        .filter(response::Column::UserId.eq(actor.user_id))
        .one(&txn)
        .await?;
    match existing {
        Some(r) => {
            let mut am: response::ActiveModel = r.into();
            am.answers = Set(json);
            am.updated_at = Set(now);
            am.update(&txn).await?;
        }
        None => {
            let saved = response::ActiveModel {
                consultation_id: Set(c.id),
                user_id: Set(actor.user_id),
                answers: Set(json.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await;
            // Two first responses sent at once: the second changes the first.
            if let Err(e) = saved {
                if !crate::error::is_unique_violation(&e) {
                    return Err(e.into());
                }
                return Err(ServiceError::Conflict(
                    "Your response was saved a moment ago: reload the page to change it".into(),
                ));
            }
        }
    }
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("consultation_responded", Outcome::Success)
            .by(actor)
            .entity("consultation", c.id)
            .organisation(c.network.organisation_id),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// One member's response, as organisers see it.
#[derive(Clone, Debug)]
pub struct Response {
    pub name: String,
    pub region: String,
    pub answers: Vec<String>,
    pub updated_at: DateTime<Utc>,
}

/// Every response (organisers), with how many answered each question.
pub async fn responses(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    id: i32,
) -> Result<(Consultation, Vec<Response>, Vec<usize>), ServiceError> {
    let c = get(svc, actor, id).await?;
    if !c.network.organised_by(actor) {
        return Err(ServiceError::Forbidden(
            "read the responses: only the network's organisers can".into(),
        ));
    }
    let rows = response::Entity::find()
        .filter(response::Column::ConsultationId.eq(c.id))
        .order_by_asc(response::Column::Id)
        .all(&svc.db)
        .await?;
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|r| r.user_id)))
        .all(&svc.db)
        .await?;
    let members = store::entities::network_member::Entity::find()
        .filter(store::entities::network_member::Column::NetworkId.eq(c.network.id))
        .filter(
            store::entities::network_member::Column::UserId.is_in(rows.iter().map(|r| r.user_id)),
        )
        .all(&svc.db)
        .await?;
    let mut list = Vec::with_capacity(rows.len());
    for r in rows {
        let region = members
            .iter()
            .find(|m| m.user_id == r.user_id)
            .and_then(|m| domain::learning::region_label(&m.region))
            .unwrap_or("")
            .to_owned();
        list.push(Response {
            name: users
                .iter()
                .find(|u| u.id == r.user_id)
                .map(|u| u.display_name.clone())
                .unwrap_or_default(),
            region,
            answers: serde_json::from_str(&r.answers).unwrap_or_default(),
            updated_at: r.updated_at,
        });
    }
    let answered = (0..c.questions.len())
        .map(|i| {
            list.iter()
                .filter(|r| r.answers.get(i).is_some_and(|a| !a.is_empty()))
                .count()
        })
        .collect();
    audit::log(
        svc,
        svc.now(),
        meta,
        AuditEvent::new("consultation_responses_viewed", Outcome::Success)
            .by(actor)
            .entity("consultation", c.id)
            .detail(format!("{} response(s)", list.len())),
    )
    .await?;
    Ok((c, list, answered))
}

/// The responses as CSV: one row a member, one column a question.
pub fn responses_csv(c: &Consultation, list: &[Response]) -> Result<String, ServiceError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ServiceError::Internal(format!("writing CSV: {e}"));
    let mut head = vec![
        "Name".to_owned(),
        "Region".to_owned(),
        "Last changed".to_owned(),
    ];
    head.extend(c.questions.iter().cloned());
    w.write_record(head.iter().map(|h| crate::learning::organise::defuse(h)))
        .map_err(fail)?;
    for r in list {
        let mut row = vec![
            crate::learning::organise::defuse(&r.name),
            r.region.clone(),
            r.updated_at.format("%Y-%m-%d %H:%M").to_string(),
        ];
        for i in 0..c.questions.len() {
            row.push(crate::learning::organise::defuse(
                r.answers.get(i).map(String::as_str).unwrap_or(""),
            ));
        }
        w.write_record(row).map_err(fail)?;
    }
    String::from_utf8(
        w.into_inner()
            .map_err(|e| ServiceError::Internal(e.to_string()))?,
    )
    .map_err(|e| ServiceError::Internal(e.to_string()))
}

/// A member's talks and contributions: speaking they were selected for, and consultations
/// they answered (title, network, when).
pub struct Record {
    pub talks: Vec<(String, String)>,
    pub contributions: Vec<(String, String, DateTime<Utc>)>,
}

pub async fn record(svc: &Services, actor: &Actor) -> Result<Record, ServiceError> {
    let talks = super::opportunities::involved(svc, actor)
        .await?
        .into_iter()
        .filter(|i| i.opportunity.kind == "speaking" && i.state == "selected")
        .map(|i| {
            (
                i.opportunity
                    .event_title
                    .clone()
                    .unwrap_or_else(|| i.opportunity.title.clone()),
                i.opportunity.organisation.clone(),
            )
        })
        .collect();
    let rows = response::Entity::find()
        .filter(response::Column::UserId.eq(actor.user_id))
        .order_by_desc(response::Column::UpdatedAt)
        .all(&svc.db)
        .await?;
    let mut contributions = Vec::with_capacity(rows.len());
    for r in rows {
        if let Some(c) = consultation::Entity::find_by_id(r.consultation_id)
            .one(&svc.db)
            .await?
        {
            let n = networks::by_id(&svc.db, c.network_id).await?;
            contributions.push((c.title, n.name, r.updated_at));
        }
    }
    Ok(Record {
        talks,
        contributions,
    })
}
