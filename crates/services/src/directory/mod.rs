//! The community directory (Open Referral UK 3.0): so far the taxonomy of needs that services
//! are found by.

pub mod taxonomy;
