//! The community directory's pages: "Find support near you" for anyone, signed in or not, each
//! service's own page, connecting a person to a service from their record, and a community
//! organisation's inbox of referrals.

pub mod connect;
pub mod find;
pub mod inbox;

use domain::Permission;

use crate::routes::{Need, Routes, permission};

pub fn routes() -> Routes {
    let care = permission(Permission::ProvideCare);
    let answer = permission(Permission::AnswerServiceReferrals);
    Routes::new()
        .get("/find-support", Need::Public, find::find)
        .get("/find-support/services/{id}", Need::Public, find::service)
        .get("/people/{id}/connect", care, connect::search)
        .get("/people/{id}/connect/{service}", care, connect::form)
        .post("/people/{id}/connect/{service}", care, connect::send)
        .get("/inbox", answer, inbox::list)
        .get("/inbox/{id}", answer, inbox::show)
        .post("/inbox/{id}/reply", answer, inbox::reply)
        .post("/inbox/{id}/outcome", answer, inbox::outcome)
}
