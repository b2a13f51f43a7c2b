//! Finding people the actor may work with, by NHS number, name (tolerant of typos) or date of
//! birth.

use chrono::NaiveDate;
use domain::{Permission, text};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use store::entities::{person, referral};

use crate::audit::{self, Outcome};
use crate::error::Problems;
use crate::{Actor, RequestMeta, ServiceError, Services};

#[derive(Clone, Debug, Default)]
pub struct Search {
    /// Name, typed as the person says it (typos tolerated) — or an NHS number.
    pub text: String,
    pub date_of_birth: Option<NaiveDate>,
}

/// A match, best first, with how sure the match is (0-1).
pub struct Found {
    pub person: crate::care::Person,
    pub score: f64,
}

/// Finds people the actor may work with: registered at a practice in their care scope, or with
/// a referral to a team in it. Names match despite small typos (Jaro-Winkler on each name part).
pub async fn search(
    svc: &Services,
    actor: &Actor,
    meta: &RequestMeta,
    s: Search,
) -> Result<Vec<Found>, ServiceError> {
    actor.require(Permission::ProvideCare, "search for people")?;
    // What was typed never reaches the database unchecked: no NUL, no megabyte of it.
    let mut p = Problems::default();
    let typed = p.str("q", &s.text, text::SEARCH).unwrap_or_default();
    p.finish()?;
    let backend = svc.db.get_database_backend();
    let referred = sea_orm::sea_query::Query::select()
        .column(referral::Column::PersonId)
        .from(referral::Entity)
        .and_where(sea_orm::sea_query::ExprTrait::in_subquery(
            sea_orm::sea_query::Expr::col(referral::Column::TeamOrgId),
            crate::care::care_orgs(backend, actor),
        ))
        .to_owned();
    let scope = Condition::any()
        .add(person::Column::PracticeId.in_subquery(crate::care::care_orgs(backend, actor)))
        .add(person::Column::Id.in_subquery(referred));
    let text = typed.to_lowercase();
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let mut q = person::Entity::find().filter(scope);
    if digits.len() == 10 {
        q = q.filter(person::Column::NhsNumber.eq(digits.clone()));
    } else if let Some(d) = s.date_of_birth {
        q = q.filter(person::Column::DateOfBirth.eq(d));
    } else if !text.is_empty() {
        // Narrow by the first two letters of any typed word, then rank by similarity.
        let mut c = Condition::any();
        for w in text.split_whitespace().filter(|w| w.chars().count() >= 2) {
            let start: String = w.chars().take(2).collect();
            c = c
                .add(person::Column::SearchName.like(format!("{start}%")))
                .add(person::Column::SearchName.like(format!("% {start}%")));
        }
        q = q.filter(c);
    } else {
        return Ok(vec![]);
    }
    let candidates = q
        .order_by_asc(person::Column::Id)
        .limit(2000)
        .all(&svc.db)
        .await?;
    let mut found: Vec<(person::Model, f64)> = candidates
        .into_iter()
        .map(|p| {
            let score = if text.is_empty() || digits.len() == 10 {
                1.0
            } else {
                name_score(&text, &p.search_name)
            };
            (p, score)
        })
        .filter(|(_, score)| *score >= 0.8)
        .collect();
    found.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then(a.0.family_name.cmp(&b.0.family_name))
    });
    found.truncate(50);
    let found = found
        .into_iter()
        .map(|(p, score)| {
            Ok(Found {
                person: p.try_into()?,
                score,
            })
        })
        .collect::<Result<Vec<Found>, ServiceError>>()?;
    audit::log(
        svc,
        svc.now(),
        meta,
        crate::audit::Event::new("people_searched", Outcome::Success)
            .by(actor)
            .purpose(crate::care::PURPOSE)
            .detail(format!("{} result(s)", found.len())),
    )
    .await?;
    Ok(found)
}

/// How well typed words match a name: each typed word against its best name part.
pub fn name_score(typed: &str, name: &str) -> f64 {
    let parts: Vec<&str> = name.split_whitespace().collect();
    let words: Vec<&str> = typed.split_whitespace().collect();
    if words.is_empty() || parts.is_empty() {
        return 0.0;
    }
    words
        .iter()
        .map(|w| {
            parts
                .iter()
                .map(|p| strsim::jaro_winkler(w, p))
                .fold(0.0, f64::max)
        })
        .sum::<f64>()
        / words.len() as f64
}

#[cfg(test)]
mod tests {
    use super::name_score;

    #[test]
    fn names_match_despite_typos() {
        assert!(name_score("jack turnr", "jack turner") > 0.9);
        assert!(name_score("turner", "jack turner") > 0.99);
        assert!(name_score("jakc", "jack turner") > 0.8);
        assert!(name_score("smith", "jack turner") < 0.8);
    }
}
