//! The community directory's pages: "Find support near you" for anyone, signed in or not, each
//! service's own page, connecting a person to a service from their record, and a community
//! organisation's inbox of referrals, and keeping listings right.

pub mod connect;
pub mod find;
pub mod inbox;
pub mod listings;

use domain::Permission;

use crate::routes::{Need, Routes, permission};

pub fn routes() -> Routes {
    let care = permission(Permission::ProvideCare);
    let answer = permission(Permission::AnswerServiceReferrals);
    let curate = permission(Permission::CurateDirectory);
    // Owners and curators alike; the listing decides which (and refuses everyone else).
    let keep = Need::SignedIn;
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
        .get("/directory/listings", keep, listings::list)
        .get("/directory/listings/{id}/edit", keep, listings::edit)
        .post("/directory/listings/{id}/edit", keep, listings::save)
        .post(
            "/directory/listings/{id}/capacity",
            keep,
            listings::capacity,
        )
        .post("/directory/listings/{id}/assure", curate, listings::assure)
        .get("/directory/changes", curate, listings::changes)
        .get("/directory/changes/{id}", curate, listings::change)
        .post("/directory/changes/{id}/publish", curate, listings::publish)
        .post(
            "/directory/changes/{id}/return",
            curate,
            listings::return_change,
        )
}
