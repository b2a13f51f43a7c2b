//! Identity: users, memberships, passwords (argon2id), sign-in with throttling, sessions with
//! idle and absolute timeouts, API tokens, password resets.

pub mod cache;
mod load;
pub mod password;
pub mod reset;
pub mod session;
pub mod sign_in;
pub mod sign_up;
pub mod staff;
pub mod token;
pub mod users;

use base64::Engine;
use sha2::{Digest, Sha256};

/// 32 random bytes from the OS, URL-safe base64 without padding (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // The OS generator does not fail on the systems this runs on; if it ever did, refuse to go
    // on with a predictable token.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("the operating system's random number generator");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Secrets are stored only as their SHA-256, hex encoded.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two strings in time that does not depend on where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
