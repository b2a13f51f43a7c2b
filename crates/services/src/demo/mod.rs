//! The demo region: deterministic, realistic organisations and a user for every role.
//! Later contexts extend the same seed. Names and codes are fictional but shaped like the real ones.
//!
//! One seeding module per context: `platform` (organisations, users, memberships), `care`
//! (people at every stage of the journey) and `bulk` (extra people for load tests). A new
//! context adds its own module and one call in [`seed`].

mod bulk;
mod care;
mod directory;
mod leadership;
mod learning;
mod networks;
mod platform;

pub use bulk::seed_bulk;
pub use directory::{seed_directory, seed_services};
pub use leadership::seed_leadership;
pub use learning::seed_learning;
pub use networks::seed_networks;
pub use platform::{DemoUser, USERS, seed_base};

use care::seed_care;

use crate::{ServiceError, Services};

/// The password every demo account shares (printed by `whatmatters demo`, listed in the README).
pub const DEMO_PASSWORD: &str = "whatmatters-demo";

/// Seeds the demo region and its people unless the database already has organisations.
/// Returns false when it was already seeded.
pub async fn seed(svc: &Services) -> Result<bool, ServiceError> {
    if !seed_base(svc).await? {
        return Ok(false);
    }
    crate::directory::taxonomy::ensure(svc).await?;
    directory::seed_directory(svc).await?;
    seed_care(svc).await?;
    directory::seed_connections(svc).await?;
    learning::seed_learning(svc).await?;
    networks::seed_networks(svc).await?;
    leadership::seed_leadership(svc).await?;
    Ok(true)
}

/// A valid NHS number in the 999 range, which is never issued to real people.
pub fn test_nhs_number(n: u32) -> String {
    let mut base = 999_000_000 + n * 7;
    loop {
        let nine = format!("{base:09}");
        let sum: u32 = nine
            .chars()
            .zip((2..=10).rev())
            .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
            .sum();
        match 11 - (sum % 11) {
            10 => base += 1,
            11 => return format!("{nine}0"),
            d => return format!("{nine}{d}"),
        }
    }
}
