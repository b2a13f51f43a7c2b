//! Patient and peer leadership: the pool of leaders organisations draw on, with their
//! accreditations; opportunities organisations post, matched to leaders, applied for or
//! invited to, with the involvement recorded and paid at the rate of its day; the Peer
//! Leadership Development Programme; and networks' consultations.
//!
//! - [`pool`]: a leader's profile (what they bring, when they are free, what they need, and
//!   whether organisations may see it and invite them) and accreditations with public checks;
//! - [`rates`]: hourly payment rates by level, kept as data by administrators;
//! - [`opportunities`]: posting, ranked suggestions, applications and invitations, selection,
//!   hours and the payment export;
//! - [`pldp`]: enrolment, progress through the four steps, cohorts, leaving and graduating;
//! - [`influence`]: consultations members respond to, and each member's talks and
//!   contributions.

pub mod influence;
pub mod opportunities;
pub mod pldp;
pub mod pool;
pub mod rates;
