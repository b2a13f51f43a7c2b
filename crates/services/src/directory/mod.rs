//! The community directory (Open Referral UK 3.0): the organisations, services and places
//! people are connected to, the taxonomy of needs they are found by, and search.

pub mod curation;
pub mod import;
pub mod postcodes;
pub mod read;
pub mod referrals;
pub mod search;
pub mod taxonomy;
pub mod write;
