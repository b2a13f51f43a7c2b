//! /api/v1 for care: caseload, referrals, contacts, discharge, people, About Me, plans, measures,
//! shared decisions. Same use cases, access rules and audit as the pages.

pub mod people;
pub mod record;
pub mod referrals;

use domain::Permission;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::middleware::Viewer;
use crate::routes::{Need, Routes, permission};

/// Care delivery's API. Staff-only operations need the permission to provide care; the rest
/// check the relationship to the person in the use case (a person may use their own record).
pub fn routes() -> Routes {
    let care = permission(Permission::ProvideCare);
    let signed_in = Need::SignedIn;
    Routes::new()
        .api(care, routes!(referrals::caseload))
        .api(signed_in, routes!(referrals::create_referral))
        .api(signed_in, routes!(referrals::get_referral))
        .api(care, routes!(referrals::record_contact))
        .api(care, routes!(referrals::discharge_referral))
        .api(care, routes!(people::search_people))
        .api(signed_in, routes!(people::get_person))
        .api(
            signed_in,
            routes!(record::get_about_me, record::put_about_me),
        )
        .api(signed_in, routes!(record::get_plan, record::put_plan))
        .api(
            signed_in,
            routes!(record::list_measures, record::record_measure),
        )
        .api(care, routes!(record::record_decision))
}

pub(super) fn err(v: &Viewer) -> impl Fn(services::ServiceError) -> ApiError + '_ {
    move |e| match v.actor() {
        Some(a) => ApiError::from(e).for_actor(a, &v.meta),
        None => ApiError::from(e),
    }
}
