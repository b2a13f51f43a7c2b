//! One module per table. Enumerated columns are stored as their snake_case names.

pub mod about_me_version;
pub mod api_token;
pub mod audit_event;
pub mod care_plan_version;
pub mod consent;
pub mod contact;
pub mod email_outbox;
pub mod follow_up;
pub mod gp_message;
pub mod job;
pub mod measure;
pub mod measure_wording;
pub mod membership;
pub mod organisation;
pub mod password_reset;
pub mod person;
pub mod rate_limit;
pub mod referral;
pub mod sdm_record;
pub mod session;
pub mod taxonomy;
pub mod taxonomy_term;
pub mod user;
