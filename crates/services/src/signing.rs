//! Links that carry their own proof: `<id>-<expires>-<signature>`, signed with HMAC-SHA256
//! under a key this deployment makes once, at first use, and keeps in the database (so every
//! instance signs and checks alike). A link that was altered, made for another purpose, or has
//! run out is refused; nothing about it needs storing.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sea_orm::{ConnectionTrait, EntityTrait, Statement};
use sha2::Sha256;
use store::entities::signing_key;

use crate::{ServiceError, Services};

const KEY_NAME: &str = "links";

/// Why a link was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not a link we made (altered, truncated, or for something else).
    Invalid,
    /// Ours, but past its time.
    Expired,
}

/// This deployment's signing key, read (or made) once per process.
#[derive(Clone)]
pub struct Key(Vec<u8>);

/// The key: call it before beginning a transaction, since the first call may write it.
pub async fn key(svc: &Services) -> Result<Key, ServiceError> {
    svc.signing_key
        .get_or_try_init(|| load(svc))
        .await
        .map(|k| Key(k.clone()))
}

async fn load(svc: &Services) -> Result<Vec<u8>, ServiceError> {
    if let Some(k) = signing_key::Entity::find_by_id(KEY_NAME.to_owned())
        .one(&svc.db)
        .await?
    {
        return decode(&k.secret);
    }
    let mut fresh = [0u8; 32];
    getrandom::fill(&mut fresh).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let backend = svc.db.get_database_backend();
    // Two instances starting together both try; the first one's key is kept.
    svc.db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO signing_keys (name, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
            [
                KEY_NAME.into(),
                URL_SAFE_NO_PAD.encode(fresh).into(),
                svc.now().into(),
            ],
        ))
        .await?;
    let k = signing_key::Entity::find_by_id(KEY_NAME.to_owned())
        .one(&svc.db)
        .await?
        .ok_or_else(|| ServiceError::Internal("the signing key was not kept".into()))?;
    decode(&k.secret)
}

fn decode(s: &str) -> Result<Vec<u8>, ServiceError> {
    URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|e| ServiceError::Internal(format!("the signing key: {e}")))
}

impl Key {
    fn mac(&self, purpose: &str, id: i32, expires: i64) -> Hmac<Sha256> {
        // HMAC takes a key of any length.
        let mut m = <Hmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
        m.update(format!("{purpose}\n{id}\n{expires}").as_bytes());
        m
    }

    /// A link's token for `id`, for `purpose` only, good until `expires` (or for ever).
    pub fn sign(&self, purpose: &str, id: i32, expires: Option<DateTime<Utc>>) -> String {
        let expires = expires.map_or(0, |t| t.timestamp());
        let tag = self.mac(purpose, id, expires).finalize().into_bytes();
        // Dashes, not dots: some mail programs end a link at a dot.
        format!("{id}-{expires}-{}", URL_SAFE_NO_PAD.encode(tag))
    }

    /// The id a token for `purpose` was made for, if it is ours and still good at `now`.
    pub fn check(&self, purpose: &str, token: &str, now: DateTime<Utc>) -> Result<i32, Refused> {
        let mut parts = token.splitn(3, '-');
        let (Some(id), Some(expires), Some(tag)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(Refused::Invalid);
        };
        let (Ok(id), Ok(expires), Ok(tag)) = (
            id.parse::<i32>(),
            expires.parse::<i64>(),
            URL_SAFE_NO_PAD.decode(tag),
        ) else {
            return Err(Refused::Invalid);
        };
        if self.mac(purpose, id, expires).verify_slice(&tag).is_err() {
            return Err(Refused::Invalid);
        }
        if expires != 0 && now.timestamp() > expires {
            return Err(Refused::Expired);
        }
        Ok(id)
    }
}
