//! Abuse limits as token buckets kept in the database, so they hold across concurrent requests,
//! restarts and several servers sharing one database.
//!
//! A bucket holds up to `capacity` tokens and earns one back every `refill_secs`; each request it
//! limits takes one. Taking is a single atomic statement on either database (an upsert that refills
//! by the time elapsed, takes a token only if one is there, and returns what is left), so
//! simultaneous requests cannot overdraw a bucket. A refused request takes nothing: however long
//! a client keeps trying, the bucket is full again `capacity × refill_secs` after it stops, so no
//! one can be locked out for good by someone else's flood.
//!
//! Per-account buckets are keyed by the SHA-256 of the e-mail address as typed (trimmed, lower
//! case), whether or not an account has it, so being limited says nothing about which accounts
//! exist. Per-address buckets are keyed by the client address (an IPv6 address by its /64).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement};
use std::net::IpAddr;
use store::entities::rate_limit;

use crate::care::referrals::{SELF_REFERRALS_PER_ADDRESS_PER_HOUR, SELF_REFERRALS_PER_HOUR};
use crate::identity::hash_token;
use crate::{RequestMeta, ServiceError, Services};

/// A limit: how many requests at once, and how fast they are earned back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bucket {
    /// Names the limit; the first part of every key in its table rows.
    pub name: &'static str,
    /// Requests allowed in a burst (a full bucket).
    pub capacity: u64,
    /// Seconds to earn back one request.
    pub refill_secs: u64,
}

impl Bucket {
    /// `n` requests an hour, all of which may come at once.
    pub const fn per_hour(name: &'static str, n: u64) -> Bucket {
        Bucket {
            name,
            capacity: n,
            refill_secs: 3600 / n,
        }
    }

    /// Tokens earned per second.
    fn rate(&self) -> f64 {
        1.0 / self.refill_secs.max(1) as f64
    }

    fn capacity(&self) -> f64 {
        self.capacity as f64
    }
}

/// Sign-in attempts for one e-mail address, from anywhere: 20 at once, then one a minute. This
/// bounds the password work one account can cost; the lockout (5 wrong passwords in a row) is what
/// stops guessing.
pub const SIGN_IN_PER_ACCOUNT: Bucket = Bucket {
    name: "sign_in:account",
    capacity: 20,
    refill_secs: 60,
};
/// Sign-in attempts from one client address, for any accounts: 50 at once, then one every 6
/// seconds (600 an hour), enough for a practice signing in behind one address.
pub const SIGN_IN_PER_ADDRESS: Bucket = Bucket {
    name: "sign_in:address",
    capacity: 50,
    refill_secs: 6,
};
/// Password-reset e-mails asked for one e-mail address: 3 an hour.
pub const RESET_PER_ACCOUNT: Bucket = Bucket::per_hour("password_reset:account", 3);
/// Password-reset requests from one client address: 10 an hour.
pub const RESET_PER_ADDRESS: Bucket = Bucket::per_hour("password_reset:address", 10);
/// API requests with a wrong, expired or revoked bearer token from one client address: 20 at
/// once, then one every 30 seconds. Only failures take a token; an empty bucket refuses every
/// bearer token from that address until it refills.
pub const BEARER_FAILURES_PER_ADDRESS: Bucket = Bucket {
    name: "api_token_failure:address",
    capacity: 20,
    refill_secs: 30,
};
/// Self-referrals sent from one client address.
pub const SELF_REFERRAL_PER_ADDRESS: Bucket =
    Bucket::per_hour("self_referral:address", SELF_REFERRALS_PER_ADDRESS_PER_HOUR);
/// Self-referrals sent to the whole service.
pub const SELF_REFERRAL_SERVICE: Bucket =
    Bucket::per_hour("self_referral:service", SELF_REFERRALS_PER_HOUR);

/// Learner accounts asked for with one e-mail address: 3 an hour.
pub const SIGN_UP_PER_ACCOUNT: Bucket = Bucket::per_hour("sign_up:account", 3);
/// Learner accounts asked for from one client address: 10 an hour.
pub const SIGN_UP_PER_ADDRESS: Bucket = Bucket::per_hour("sign_up:address", 10);
/// Mailing-list requests (to join or leave) with one e-mail address: 5 an hour.
pub const LIST_PER_EMAIL: Bucket = Bucket::per_hour("list:account", 5);
/// Mailing-list requests (to join or leave) from one client address: 30 an hour.
pub const LIST_PER_ADDRESS: Bucket = Bucket::per_hour("list:address", 30);

/// Every limit, for the documentation test and the purge.
pub const ALL: [Bucket; 11] = [
    SIGN_IN_PER_ACCOUNT,
    SIGN_IN_PER_ADDRESS,
    RESET_PER_ACCOUNT,
    RESET_PER_ADDRESS,
    BEARER_FAILURES_PER_ADDRESS,
    SELF_REFERRAL_PER_ADDRESS,
    SELF_REFERRAL_SERVICE,
    SIGN_UP_PER_ACCOUNT,
    SIGN_UP_PER_ADDRESS,
    LIST_PER_EMAIL,
    LIST_PER_ADDRESS,
];

/// Whether a request may go ahead, and if not, when it may.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decision {
    pub allowed: bool,
    /// Whole seconds until a token is there (0 when allowed).
    pub retry_after_secs: u64,
}

impl Decision {
    /// Refused becomes [`ServiceError::RateLimited`].
    pub fn into_result(self) -> Result<(), ServiceError> {
        if self.allowed {
            Ok(())
        } else {
            Err(ServiceError::RateLimited {
                retry_after_secs: self.retry_after_secs,
            })
        }
    }
}

/// The subject of a per-account bucket: the SHA-256 of the address as typed (trimmed, lower
/// case), so the table holds no e-mail addresses and unknown ones count like known ones.
pub fn account(email: &str) -> String {
    hash_token(&email.trim().to_lowercase())
}

/// The subject of a per-address bucket: the client address, an IPv6 address by its /64 (one
/// subscriber's usual allocation), anything else hashed. Requests with no known address share
/// one bucket.
pub fn address(meta: &RequestMeta) -> String {
    let Some(ip) = meta.ip.as_deref().map(str::trim) else {
        return "unknown".into();
    };
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Err(_) => format!("sha256:{}", hash_token(ip)),
    }
}

fn key(bucket: &Bucket, subject: &str) -> String {
    // Subjects made here are at most 71 characters; hash anything else to keep the key short.
    if subject.len() <= 100 {
        format!("{}:{subject}", bucket.name)
    } else {
        format!("{}:sha256:{}", bucket.name, hash_token(subject))
    }
}

/// Seconds the bucket has been refilling, as SQL, on each database (SQLite keeps timestamps as
/// RFC 3339 text; `unixepoch(…, 'subsec')` reads them to the millisecond).
fn elapsed_sql(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => {
            "GREATEST(0, EXTRACT(EPOCH FROM (excluded.updated_at - rate_limits.updated_at))::float8)"
        }
        _ => {
            "MAX(0.0, unixepoch(excluded.updated_at, 'subsec') - unixepoch(rate_limits.updated_at, 'subsec'))"
        }
    }
}

/// Takes one token from the subject's bucket if it has one: one atomic statement, so parallel
/// requests cannot take more than the bucket holds.
pub async fn take(
    svc: &Services,
    bucket: &Bucket,
    subject: &str,
) -> Result<Decision, ServiceError> {
    let backend = svc.db.get_database_backend();
    let elapsed = elapsed_sql(backend);
    let (least, later) = match backend {
        DbBackend::Postgres => (
            "LEAST",
            "GREATEST(rate_limits.updated_at, excluded.updated_at)",
        ),
        _ => (
            "MIN",
            "CASE WHEN unixepoch(excluded.updated_at, 'subsec') > \
             unixepoch(rate_limits.updated_at, 'subsec') \
             THEN excluded.updated_at ELSE rate_limits.updated_at END",
        ),
    };
    // $2 capacity, $3 now, $4 tokens per second. A new bucket starts full, less this request.
    let refilled = format!(
        "{least}(CAST($2 AS DOUBLE PRECISION), rate_limits.tokens + {elapsed} * CAST($4 AS DOUBLE PRECISION))"
    );
    let sql = format!(
        "INSERT INTO rate_limits (\"key\", tokens, updated_at) \
         VALUES ($1, CAST($2 AS DOUBLE PRECISION) - 1, $3) \
         ON CONFLICT (\"key\") DO UPDATE SET tokens = {refilled} - 1, updated_at = {later} \
         WHERE {refilled} >= 1 \
         RETURNING tokens"
    );
    let now = svc.now();
    let k = key(bucket, subject);
    let row = svc
        .db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [
                k.clone().into(),
                bucket.capacity().into(),
                now.into(),
                bucket.rate().into(),
            ],
        ))
        .await?;
    if row.is_some() {
        return Ok(Decision {
            allowed: true,
            retry_after_secs: 0,
        });
    }
    // Refused: nothing was written. Say when the next token comes.
    let wait = match rate_limit::Entity::find_by_id(k).one(&svc.db).await? {
        Some(r) => seconds_until_token(bucket, r.tokens, r.updated_at, now),
        None => 1,
    };
    Ok(Decision {
        allowed: false,
        retry_after_secs: wait.max(1),
    })
}

/// Whether the subject's bucket has a token, without taking it.
pub async fn peek(
    svc: &Services,
    bucket: &Bucket,
    subject: &str,
) -> Result<Decision, ServiceError> {
    let now = svc.now();
    let wait = match rate_limit::Entity::find_by_id(key(bucket, subject))
        .one(&svc.db)
        .await?
    {
        Some(r) => seconds_until_token(bucket, r.tokens, r.updated_at, now),
        None => 0,
    };
    Ok(Decision {
        allowed: wait == 0,
        retry_after_secs: wait,
    })
}

/// Takes a token, or refuses with [`ServiceError::RateLimited`].
pub async fn check(svc: &Services, bucket: &Bucket, subject: &str) -> Result<(), ServiceError> {
    take(svc, bucket, subject).await?.into_result()
}

/// Seconds until a bucket that held `tokens` at `at` holds one (0 if it does now).
fn seconds_until_token(bucket: &Bucket, tokens: f64, at: DateTime<Utc>, now: DateTime<Utc>) -> u64 {
    let elapsed = ((now - at).num_milliseconds() as f64 / 1000.0).max(0.0);
    let refilled = (tokens + elapsed * bucket.rate()).min(bucket.capacity());
    if refilled >= 1.0 {
        0
    } else {
        // Float to integer casts saturate; the wait is at most one refill.
        ((1.0 - refilled) / bucket.rate()).ceil().max(1.0) as u64
    }
}

/// Removes buckets that have been full for a while (a missing row is a full bucket); run by the
/// background worker.
pub async fn purge_full(svc: &Services) -> Result<u64, ServiceError> {
    let longest = ALL
        .iter()
        .map(|b| b.capacity.saturating_mul(b.refill_secs))
        .max()
        .unwrap_or(0);
    let cutoff = svc.now() - chrono::Duration::seconds(i64::try_from(longest).unwrap_or(86_400));
    let r = rate_limit::Entity::delete_many()
        .filter(rate_limit::Column::UpdatedAt.lt(cutoff))
        .exec(&svc.db)
        .await?;
    Ok(r.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_grouped_sensibly() {
        let m = |ip: &str| RequestMeta {
            ip: Some(ip.into()),
            ..Default::default()
        };
        assert_eq!(address(&m("192.0.2.7")), "192.0.2.7");
        assert_eq!(address(&m("::ffff:192.0.2.7")), "192.0.2.7");
        assert_eq!(
            address(&m("2001:db8:1:2:aaaa::1")),
            address(&m("2001:db8:1:2:bbbb::2"))
        );
        assert_eq!(address(&m("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert!(address(&m("not an address")).starts_with("sha256:"));
        assert_eq!(address(&RequestMeta::default()), "unknown");
        assert!(key(&SIGN_IN_PER_ADDRESS, &"x".repeat(500)).len() <= 200);
        assert!(key(&SIGN_IN_PER_ACCOUNT, &account("A@b.uk ")).len() <= 200);
    }

    #[test]
    fn the_wait_is_the_time_to_earn_one_token() {
        let t = Utc::now();
        let b = RESET_PER_ACCOUNT;
        assert_eq!(seconds_until_token(&b, 0.0, t, t), 1200);
        assert_eq!(
            seconds_until_token(&b, 0.0, t, t + chrono::Duration::seconds(1000)),
            200
        );
        assert_eq!(seconds_until_token(&b, 1.0, t, t), 0);
        assert_eq!(
            seconds_until_token(&b, 0.5, t, t - chrono::Duration::seconds(10)),
            600
        );
    }
}
