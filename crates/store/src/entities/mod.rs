//! One module per table. Enumerated columns are stored as their snake_case names.

pub mod api_token;
pub mod audit_event;
pub mod email_outbox;
pub mod membership;
pub mod organisation;
pub mod password_reset;
pub mod session;
pub mod user;
