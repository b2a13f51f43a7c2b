#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Black-box tests of the web layer: the real router on a real database, both backends.

mod common;

mod access;
mod api;
mod assets;
mod auth;
mod care;
mod daily;
mod directory;
mod errors;
mod learners;
mod learning;
mod networks;
mod openreferral;
mod organisations;
mod sessions;
mod shell;
mod snapshots;
mod staff;
