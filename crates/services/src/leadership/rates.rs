//! Payment rates for involvement, by level (for example "Strategic involvement"): each rate has
//! the date it takes effect, and only administrators add them. A payment is worked out when
//! the hours are recorded, at the rate in effect on the day the work was done, and keeps that
//! rate: a later change never alters a payment already worked out.

use chrono::NaiveDate;
use domain::Permission;
use domain::leadership::{self as rules, MAX_RATE_PENCE};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use store::entities::payment_rate as rate;

use crate::audit::{self, Event as AuditEvent, Outcome};
use crate::error::{DateRule, Problems};
use crate::{Actor, RequestMeta, ServiceError, Services};

/// A rate as the table shows it.
#[derive(Clone, Debug)]
pub struct Rate {
    pub id: i32,
    pub level: String,
    pub label: String,
    pub pence_per_hour: i32,
    pub effective_from: NaiveDate,
}

impl From<rate::Model> for Rate {
    fn from(r: rate::Model) -> Self {
        Rate {
            id: r.id,
            level: r.level,
            label: r.label,
            pence_per_hour: r.pence_per_hour,
            effective_from: r.effective_from,
        }
    }
}

/// Every rate, by level and then newest first.
pub async fn all(svc: &Services) -> Result<Vec<Rate>, ServiceError> {
    Ok(rate::Entity::find()
        .order_by_asc(rate::Column::Level)
        .order_by_desc(rate::Column::EffectiveFrom)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(Rate::from)
        .collect())
}

/// The levels there are, each with its latest name: (code, name).
pub async fn levels(svc: &Services) -> Result<Vec<(String, String)>, ServiceError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for r in all(svc).await? {
        if !out.iter().any(|(l, _)| *l == r.level) {
            out.push((r.level, r.label));
        }
    }
    Ok(out)
}

/// The rate for a level in effect on a day.
pub(crate) async fn on(
    c: &impl ConnectionTrait,
    level: &str,
    day: NaiveDate,
) -> Result<Option<Rate>, ServiceError> {
    Ok(rate::Entity::find()
        .filter(rate::Column::Level.eq(level))
        .filter(rate::Column::EffectiveFrom.lte(day))
        .order_by_desc(rate::Column::EffectiveFrom)
        .one(c)
        .await?
        .map(Rate::from))
}

/// The rate form's fields in the order they appear.
pub const FIELDS: [&str; 4] = ["level", "label", "pence_per_hour", "effective_from"];

/// Adds a rate for a level (new or existing) from a date. Administrators only.
pub async fn add(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    level: &str,
    label: &str,
    pounds: &str,
    effective_from: &Option<String>,
) -> Result<(), ServiceError> {
    actor.require(
        Permission::ManagePaymentRates,
        "change payment rates: only administrators can",
    )?;
    let mut p = Problems::default();
    let level = level.trim().to_lowercase().replace([' ', '-'], "_");
    if level.is_empty()
        || level.len() > 30
        || !level
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        p.add(
            "level",
            "Enter a level's code of up to 30 letters, numbers and underscores, like strategic",
        );
    }
    let label = p.required(
        "label",
        &Some(label.to_owned()),
        rules::RATE_LABEL,
        "Enter the level's name",
    );
    let pence = match domain::learning::Pence::parse_pounds(pounds) {
        Ok(x) if (0..=i64::from(MAX_RATE_PENCE)).contains(&x.0) => i32::try_from(x.0).ok(),
        _ => None,
    };
    if pence.is_none() {
        p.add(
            "pence_per_hour",
            format!(
                "Enter the hourly rate in pounds, from 0 to {}, like 25.00",
                MAX_RATE_PENCE / 100
            ),
        );
    }
    let today = svc.today();
    let from = if effective_from
        .as_deref()
        .is_none_or(|s| s.trim().is_empty())
    {
        p.add("effective_from", "Enter the date the rate takes effect");
        None
    } else {
        p.date(
            "effective_from",
            effective_from,
            DateRule {
                label: "The date the rate takes effect",
                earliest: today - chrono::Duration::days(366),
                latest: today + chrono::Duration::days(5 * 366),
                today,
            },
        )
    };
    p.sort_by(&FIELDS);
    p.finish()?;
    let (Some(label), Some(pence), Some(from)) = (label, pence, from) else {
        return Err(ServiceError::Internal("validated rate missing".into()));
    };
    let now = svc.now();
    let txn = store::begin_write(&svc.db).await?;
    let saved = rate::ActiveModel {
        level: Set(level.clone()),
        label: Set(label),
        pence_per_hour: Set(pence),
        effective_from: Set(from),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    match saved {
        Ok(_) => {}
        Err(e) if crate::error::is_unique_violation(&e) => {
            return Err(ServiceError::invalid(
                "effective_from",
                format!("The level {level} already has a rate from that date: choose another date"),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    audit::record(
        &txn,
        now,
        meta,
        AuditEvent::new("payment_rate_added", Outcome::Success)
            .by(actor)
            .detail(format!("{level}: {pence}p an hour from {from}")),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
