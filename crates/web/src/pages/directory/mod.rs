//! The community directory's pages: "Find support near you" for anyone, signed in or not, and
//! each service's own page.

pub mod find;

use crate::routes::{Need, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/find-support", Need::Public, find::find)
        .get("/find-support/services/{id}", Need::Public, find::service)
}
