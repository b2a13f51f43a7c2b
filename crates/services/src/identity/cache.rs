//! Who a session or API token belongs to, kept for a few seconds per process so that a busy
//! person's requests do not each reload their user, memberships and organisations.
//!
//! Correctness does not rest on the cache's life: a session's idle and absolute timeouts are
//! checked against the times it holds on every request, exactly as if read from the database.
//! What it may hold for up to [`TTL_SECONDS`] is a change made by *another* instance (a sign-out
//! or a revoked token there); changes made through this instance — sign-out, password reset,
//! token revocation, any change to organisations or memberships — clear the entries they affect
//! at once.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::RwLock;

/// How long an entry is trusted before it is read again from the database.
pub const TTL_SECONDS: i64 = 5;
/// Entries kept at most; past this the cache starts again empty (a memory bound, not a policy).
const CAPACITY: usize = 50_000;

struct Entry<V> {
    value: V,
    user_id: i32,
    cached_at: DateTime<Utc>,
}

/// A map from a secret's hash to what it resolves to, each entry trusted for [`TTL_SECONDS`].
pub struct TtlCache<V> {
    entries: RwLock<HashMap<String, Entry<V>>>,
}

impl<V> Default for TtlCache<V> {
    fn default() -> Self {
        TtlCache {
            entries: RwLock::new(HashMap::new()),
        }
    }
}

impl<V: Clone> TtlCache<V> {
    /// The value for `key` if it was cached within the last [`TTL_SECONDS`] before `now`.
    pub fn get(&self, key: &str, now: DateTime<Utc>) -> Option<V> {
        let entries = self.entries.read().ok()?;
        let e = entries.get(key)?;
        let age = now - e.cached_at;
        (age >= Duration::zero() && age < Duration::seconds(TTL_SECONDS)).then(|| e.value.clone())
    }

    pub fn put(&self, key: String, user_id: i32, value: V, now: DateTime<Utc>) {
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(
                key,
                Entry {
                    value,
                    user_id,
                    cached_at: now,
                },
            );
        }
    }

    pub fn forget(&self, key: &str) {
        if let Ok(mut entries) = self.entries.write() {
            entries.remove(key);
        }
    }

    pub fn forget_user(&self, user_id: i32) {
        if let Ok(mut entries) = self.entries.write() {
            entries.retain(|_, e| e.user_id != user_id);
        }
    }

    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }

    pub fn len(&self) -> usize {
        self.entries.read().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The two caches every instance keeps.
#[derive(Default)]
pub struct ActorCaches {
    pub sessions: TtlCache<super::session::Cached>,
    pub tokens: TtlCache<super::token::Cached>,
}

impl ActorCaches {
    /// After anything that changes who a user is or what they hold.
    pub fn forget_user(&self, user_id: i32) {
        self.sessions.forget_user(user_id);
        self.tokens.forget_user(user_id);
    }

    /// After a change to organisations (names, paths) that any actor's grants may carry.
    pub fn clear(&self) {
        self.sessions.clear();
        self.tokens.clear();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_entry_is_trusted_for_the_ttl_only_and_forgotten_on_demand() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap();
        let c = TtlCache::<u8>::default();
        c.put("a".into(), 7, 1, t0);
        c.put("b".into(), 8, 2, t0);
        assert_eq!(c.get("a", t0 + Duration::seconds(TTL_SECONDS - 1)), Some(1));
        assert_eq!(c.get("a", t0 + Duration::seconds(TTL_SECONDS)), None);
        assert_eq!(
            c.get("a", t0 - Duration::seconds(1)),
            None,
            "a clock set back"
        );
        c.forget_user(7);
        assert_eq!(c.get("a", t0), None);
        assert_eq!(c.get("b", t0), Some(2));
        c.forget("b");
        assert!(c.is_empty());
    }
}
