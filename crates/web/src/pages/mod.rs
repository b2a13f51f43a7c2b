//! Server-rendered pages, one module per area.

pub mod account;
pub mod admin;
pub mod auth;
pub mod care;
pub mod decisions;
pub mod docs;
pub mod errors;
pub mod home;
pub mod organisations;
pub mod person_edit;
pub mod plan_form;
pub mod record;
