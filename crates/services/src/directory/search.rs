//! Finding services: by words (stemmed, and corrected to the nearest word the directory uses
//! when a typed word is not one of them), by need, near a point, by age, by day and time open,
//! and online only; sorted by relevance, distance or name. It all runs in the database (SQLite
//! FTS5; PostgreSQL full text search), so every instance agrees and nothing is held in memory.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use domain::directory::geo::Point;
use domain::directory::listing::Day;
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement, Value};

use crate::directory::write::{stem, words};
use crate::paging::Paging;
use crate::{ServiceError, Services};

/// How results are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first when words were given, else nearest, else by name.
    #[default]
    Best,
    Distance,
    Name,
}

/// What is searched for. Every part is optional.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub text: String,
    /// Taxonomy term UUIDs: a service meeting any of them.
    pub terms: Vec<String>,
    /// Services with any term of this taxonomy.
    pub taxonomy: Option<String>,
    pub organization: Option<String>,
    /// Within this many metres of the point.
    pub near: Option<(Point, u32)>,
    /// Open to someone of this age.
    pub age: Option<i64>,
    /// Open Referral's filters: a minimum age of at least this, a maximum age of at most this.
    pub minimum_age: Option<i64>,
    pub maximum_age: Option<i64>,
    /// Runs on this day.
    pub day: Option<Day>,
    /// Runs at this time (on `day`, when given).
    pub open_at: Option<NaiveTime>,
    /// Open Referral's filters: starts at this time or later, ends at this time or earlier.
    pub start: Option<NaiveTime>,
    pub end: Option<NaiveTime>,
    pub online_only: bool,
    /// Services changed since.
    pub modified_after: Option<DateTime<Utc>>,
    /// Include services not running (the API lists every status; people see running ones).
    pub any_status: bool,
    pub sort: Sort,
}

/// A service found, with its distance when searched near a point.
#[derive(Clone, Debug, FromQueryResult)]
pub struct Hit {
    pub id: i32,
    pub uuid: String,
    pub name: String,
    pub description: String,
    pub organization: String,
    pub status: String,
    pub online: bool,
    pub capacity: Option<String>,
    pub capacity_updated_at: Option<DateTime<Utc>>,
    pub assured_date: Option<NaiveDate>,
    /// The nearest place's id and how far it is (metres), when searched near a point.
    pub location_id: Option<i32>,
    pub distance: Option<f64>,
    /// How many match in all (the same on every row of a page).
    pub total: i64,
}

/// A page of results, and the words searched for when some were corrected.
pub struct Found {
    pub hits: Vec<Hit>,
    pub total: u64,
    pub paging: Paging,
    /// The words as searched, when a typed word was changed to one the directory uses.
    pub corrected: Option<String>,
}

/// Words too common to search by.
const STOP: [&str; 24] = [
    "the", "and", "for", "with", "near", "from", "into", "that", "this", "are", "was", "who",
    "can", "you", "your", "our", "not", "but", "all", "any", "have", "has", "out", "about",
];

/// The words of a search: each as typed when the directory uses it, else completed to the
/// shortest word it begins, else corrected to the nearest word within one or two edits.
async fn corrected_words(
    c: &impl ConnectionTrait,
    text: &str,
) -> Result<(Vec<String>, bool), ServiceError> {
    let backend = c.get_database_backend();
    let typed: Vec<String> = words(text)
        .filter(|w| !STOP.contains(&w.as_str()))
        .take(8)
        .collect();
    let mut out = Vec::new();
    let mut changed = false;
    for w in typed {
        let n = w.chars().count() as i32;
        let p = |i: usize| match backend {
            DbBackend::Postgres => format!("${i}"),
            _ => "?".into(),
        };
        // A listed word: searched as typed.
        let exact = c
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                format!("SELECT word FROM directory_words WHERE word = {}", p(1)),
                [w.clone().into()],
            ))
            .await?;
        if exact.is_some() {
            out.push(w);
            continue;
        }
        // The start of listed words: the shortest of them (what was being typed, most likely).
        let longer = c
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT word FROM directory_words WHERE word > {} AND word < {} ORDER BY word LIMIT 20",
                    p(1),
                    p(2)
                ),
                [w.clone().into(), format!("{w}\u{10FFFF}").into()],
            ))
            .await?;
        let completion = longer
            .iter()
            .filter_map(|r| r.try_get::<String>("", "word").ok())
            .filter(|x| x.starts_with(w.as_str()))
            .min_by_key(|x| (x.chars().count(), x.clone()));
        if let Some(x) = completion {
            changed = true;
            out.push(x);
            continue;
        }
        let most = if n <= 5 { 1 } else { 2 };
        let rows = c
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT word FROM directory_words WHERE len BETWEEN {} AND {}",
                    p(1),
                    p(2)
                ),
                [(n - most).into(), (n + most).into()],
            ))
            .await?;
        let best = rows
            .iter()
            .filter_map(|r| r.try_get::<String>("", "word").ok())
            .map(|cand| (strsim::damerau_levenshtein(&w, &cand), cand))
            .filter(|(d, _)| *d <= most as usize)
            .min();
        match best {
            Some((_, cand)) => {
                changed = true;
                out.push(cand);
            }
            None => out.push(w),
        }
    }
    Ok((out, changed))
}

/// Builds SQL with the right placeholders for the database.
struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }
    fn bind(&mut self, v: impl Into<Value>) {
        self.values.push(v.into());
        match self.backend {
            DbBackend::Postgres => self.text.push_str(&format!("${}", self.values.len())),
            _ => self.text.push('?'),
        }
    }
    fn statement(&self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text.clone(), self.values.clone())
    }
}

/// Searches the directory.
pub async fn search(svc: &Services, q: &Query, paging: Paging) -> Result<Found, ServiceError> {
    search_in(&svc.db, q, paging).await
}

pub(crate) async fn search_in(
    c: &impl ConnectionTrait,
    q: &Query,
    paging: Paging,
) -> Result<Found, ServiceError> {
    let backend = c.get_database_backend();
    let (ws, changed) = if q.text.trim().is_empty() {
        (Vec::new(), false)
    } else {
        corrected_words(c, &q.text).await?
    };
    let (count, page) = statements(backend, q, &ws, paging);
    // The total comes with the page; only a page past the end needs counting apart.
    let mut hits = Hit::find_by_statement(page).all(c).await?;
    let total: i64 = match hits.first() {
        Some(h) => h.total,
        None if paging.page > 1 => c
            .query_one_raw(count)
            .await?
            .map(|r| r.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0),
        None => 0,
    };
    for h in &mut hits {
        h.distance = h.distance.map(f64::sqrt);
    }
    Ok(Found {
        hits,
        total: total.max(0) as u64,
        paging,
        corrected: changed.then(|| ws.join(" ")),
    })
}

/// The statements of a search with these words: how many match, and the page.
fn statements(
    backend: DbBackend,
    q: &Query,
    ws: &[String],
    paging: Paging,
) -> (Statement, Statement) {
    let searching = !ws.is_empty();
    let mut s = Sql {
        backend,
        text: String::new(),
        values: Vec::new(),
    };
    let near = q.near.filter(|_| !q.online_only);
    if let Some((pt, radius)) = near {
        let (south, north, west, east) = pt.bounds(radius as f64);
        let (kx, ky) = pt.scale();
        let d2 = |s: &mut Sql| {
            s.push("((l.longitude - ");
            s.bind(pt.longitude);
            s.push(") * ");
            s.bind(kx);
            s.push(") * ((l.longitude - ");
            s.bind(pt.longitude);
            s.push(") * ");
            s.bind(kx);
            s.push(") + ((l.latitude - ");
            s.bind(pt.latitude);
            s.push(") * ");
            s.bind(ky);
            s.push(") * ((l.latitude - ");
            s.bind(pt.latitude);
            s.push(") * ");
            s.bind(ky);
            s.push(")");
        };
        s.push("WITH near AS MATERIALIZED (SELECT sal.service_id, ");
        d2(&mut s);
        s.push(" AS d2, l.id AS location_id FROM directory_locations l JOIN directory_service_at_locations sal ON sal.location_id = l.id WHERE l.latitude BETWEEN ");
        s.bind(south);
        s.push(" AND ");
        s.bind(north);
        s.push(" AND l.longitude BETWEEN ");
        s.bind(west);
        s.push(" AND ");
        s.bind(east);
        s.push("), nearest AS (SELECT service_id, MIN(d2) AS d2 FROM near GROUP BY service_id HAVING MIN(d2) <= ");
        s.bind((radius as f64) * (radius as f64));
        s.push(") ");
    }
    let select = |s: &mut Sql, count: bool| {
        if count {
            s.push("SELECT COUNT(*) AS n ");
        } else {
            s.push("SELECT s.id, s.uuid, s.name, s.description, o.name AS organization, s.status, s.online, s.capacity, s.capacity_updated_at, s.assured_date, ");
            match backend {
                _ if !searching => {}
                _ if near.is_some() => {
                    s.push("(SELECT SUM(t.weight) FROM directory_terms t WHERE t.service_id = s.id AND t.term IN (");
                    for (i, w) in ws.iter().enumerate() {
                        if i > 0 {
                            s.push(", ");
                        }
                        s.bind(stem(w));
                    }
                    s.push(")) AS rank, ");
                }
                DbBackend::Postgres => {
                    s.push("ts_rank(s.search_vector, to_tsquery('english', ");
                    s.bind(pg_query(ws));
                    s.push(")) AS rank, ");
                }
                _ => s.push("bm25(directory_search, 10.0, 1.0) AS rank, "),
            }
            if near.is_some() {
                s.push("(SELECT MIN(near.location_id) FROM near WHERE near.service_id = s.id AND near.d2 = nearest.d2) AS location_id, ");
                s.push("nearest.d2 AS distance ");
            } else if backend == DbBackend::Postgres {
                s.push("NULL::int4 AS location_id, NULL::float8 AS distance ");
            } else {
                s.push("NULL AS location_id, NULL AS distance ");
            }
        }
    };
    let body = |s: &mut Sql| {
        // The smaller set drives: the places near the point when there are, else the words.
        let sqlite_words = searching && backend != DbBackend::Postgres;
        // SQLite takes CROSS JOIN to fix the order of the tables; PostgreSQL plans its own.
        let join = if backend == DbBackend::Postgres {
            "JOIN"
        } else {
            "CROSS JOIN"
        };
        if near.is_some() {
            s.push(&format!(
                "FROM nearest {join} directory_services s ON s.id = nearest.service_id "
            ));
        } else if sqlite_words {
            s.push("FROM directory_search CROSS JOIN directory_services s ON s.id = directory_search.rowid ");
        } else {
            s.push("FROM directory_services s ");
        }
        s.push("JOIN directory_organizations o ON o.id = s.organization_id ");
        s.push("WHERE 1 = 1 ");
        if sqlite_words && near.is_none() {
            s.push("AND directory_search MATCH ");
            s.bind(
                ws.iter()
                    .map(|w| format!("\"{w}\""))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            s.push(" ");
        }
        if searching && near.is_some() {
            // Each of the few services near the point is checked against the stemmed words by
            // key, on either database.
            for w in ws {
                s.push("AND EXISTS (SELECT 1 FROM directory_terms t WHERE t.term = ");
                s.bind(stem(w));
                s.push(" AND t.service_id = s.id) ");
            }
        } else if searching && backend == DbBackend::Postgres {
            s.push("AND s.search_vector @@ to_tsquery('english', ");
            s.bind(pg_query(ws));
            s.push(") ");
        }
        if !q.any_status {
            s.push("AND s.status = 'active' ");
        }
        if q.online_only {
            s.push("AND s.online ");
            if backend != DbBackend::Postgres {
                s.push("= 1 ");
            }
        }
        if !q.terms.is_empty() {
            s.push("AND EXISTS (SELECT 1 FROM directory_service_terms t WHERE t.service_id = s.id AND t.term_id IN (");
            for (i, t) in q.terms.iter().enumerate() {
                if i > 0 {
                    s.push(", ");
                }
                s.bind(t.clone());
            }
            s.push(")) ");
        }
        if let Some(tx) = &q.taxonomy {
            s.push("AND EXISTS (SELECT 1 FROM directory_service_terms t JOIN taxonomy_terms tt ON tt.id = t.term_id WHERE t.service_id = s.id AND tt.taxonomy_id = ");
            s.bind(tx.clone());
            s.push(") ");
        }
        if let Some(o) = &q.organization {
            s.push("AND o.uuid = ");
            s.bind(o.clone());
            s.push(" ");
        }
        if let Some(a) = q.age {
            s.push("AND (s.minimum_age IS NULL OR s.minimum_age <= ");
            s.bind(a);
            s.push(") AND (s.maximum_age IS NULL OR s.maximum_age >= ");
            s.bind(a);
            s.push(") ");
        }
        if let Some(a) = q.minimum_age {
            s.push("AND s.minimum_age >= ");
            s.bind(a);
            s.push(" ");
        }
        if let Some(a) = q.maximum_age {
            s.push("AND s.maximum_age <= ");
            s.bind(a);
            s.push(" ");
        }
        if q.day.is_some() || q.open_at.is_some() || q.start.is_some() || q.end.is_some() {
            s.push("AND EXISTS (SELECT 1 FROM directory_schedules d WHERE d.service_id = s.id ");
            if let Some(d) = q.day {
                s.push("AND d.byday LIKE ");
                s.bind(format!("%{}%", d.as_str()));
                s.push(" ");
            }
            let hm = |t: NaiveTime| t.format("%H:%M").to_string();
            if let Some(t) = q.open_at {
                s.push("AND d.opens_at <= ");
                s.bind(hm(t));
                s.push(" AND d.closes_at > ");
                s.bind(hm(t));
                s.push(" ");
            }
            if let Some(t) = q.start {
                s.push("AND d.opens_at >= ");
                s.bind(hm(t));
                s.push(" ");
            }
            if let Some(t) = q.end {
                s.push("AND d.closes_at <= ");
                s.bind(hm(t));
                s.push(" ");
            }
            s.push(") ");
        }
        if let Some(t) = q.modified_after {
            s.push("AND s.last_modified >= ");
            s.bind(t);
            s.push(" ");
        }
    };

    // How many in all.
    let mut count = Sql {
        backend,
        text: s.text.clone(),
        values: s.values.clone(),
    };
    select(&mut count, true);
    body(&mut count);

    // The page: every match with its rank and distance, then counted, ordered and cut.
    s.push(if near.is_some() { ", " } else { "WITH " });
    s.push("page AS MATERIALIZED (");
    select(&mut s, false);
    body(&mut s);
    s.push(") SELECT *, COUNT(*) OVER () AS total FROM page ");
    let sort = match q.sort {
        Sort::Best if searching => "rank",
        Sort::Best | Sort::Distance if near.is_some() => "distance",
        _ => "name",
    };
    match (sort, backend) {
        // Weights and PostgreSQL's rank grow with relevance; SQLite's bm25 falls.
        ("rank", _) if near.is_some() => s.push("ORDER BY rank DESC, distance, name, id "),
        ("rank", DbBackend::Postgres) => s.push("ORDER BY rank DESC, name, id "),
        ("rank", _) => s.push("ORDER BY rank, name, id "),
        ("distance", _) => s.push("ORDER BY distance, name, id "),
        _ => s.push("ORDER BY name, id "),
    }
    s.push("LIMIT ");
    s.bind(paging.per_page as i64);
    s.push(" OFFSET ");
    s.bind(paging.offset() as i64);
    (count.statement(), s.statement())
}

/// A PostgreSQL text query: every word (each stemmed by the English configuration).
fn pg_query(ws: &[String]) -> String {
    ws.iter()
        .map(|w| w.to_string())
        .collect::<Vec<_>>()
        .join(" & ")
}

/// The page statement of a search as it would run (the words taken as typed), and a way to run
/// it bare: for measuring the search beside its own SQL.
pub fn raw_statement(svc: &Services, q: &Query, paging: Paging) -> Statement {
    let ws: Vec<String> = words(&q.text)
        .filter(|w| !STOP.contains(&w.as_str()))
        .take(8)
        .collect();
    statements(svc.db.get_database_backend(), q, &ws, paging).1
}

/// Runs a statement and counts its rows.
pub async fn run_raw(svc: &Services, st: Statement) -> Result<usize, ServiceError> {
    Ok(svc.db.query_all_raw(st).await?.len())
}
