//! Patient and peer leadership: a leader's own page (profile, accreditations, opportunities,
//! what they have done), the public check of an accreditation, opportunities for leaders and
//! the pages where organisations post and run them, the payment rates administrators keep, the
//! Peer Leadership Development Programme, and networks' consultations.

pub mod influence;
pub mod leaders;
pub mod opportunities;
pub mod pldp;

use domain::Permission;

use crate::routes::{Need, Routes, permission};

pub fn routes() -> Routes {
    let post = permission(Permission::PostOpportunities);
    let run = permission(Permission::RunNetworks);
    Routes::new()
        .get("/leaders", Need::SignedIn, leaders::hub)
        .get("/leaders/profile", Need::SignedIn, leaders::profile_form)
        .post("/leaders/profile", Need::SignedIn, leaders::save_profile)
        .get("/leaders/accreditations", Need::Public, leaders::verify)
        .get(
            "/leaders/accreditations/{code}",
            Need::Public,
            leaders::accreditation,
        )
        .get("/leaders/pool", post, leaders::pool)
        .post(
            "/leaders/pool/{user}/accreditations",
            run,
            leaders::accredit,
        )
        .get(
            "/leaders/opportunities",
            Need::SignedIn,
            opportunities::open,
        )
        .get(
            "/leaders/opportunities/{id}",
            Need::SignedIn,
            opportunities::show,
        )
        .post(
            "/leaders/opportunities/{id}",
            Need::SignedIn,
            opportunities::apply,
        )
        .get("/leaders/manage", post, opportunities::manage)
        .get("/leaders/manage/new", post, opportunities::form)
        .post("/leaders/manage/new", post, opportunities::create)
        .get(
            "/leaders/manage/payments.csv",
            post,
            opportunities::payments,
        )
        .get("/leaders/manage/{id}", post, opportunities::run)
        .post("/leaders/manage/{id}/invite", post, opportunities::invite)
        .post(
            "/leaders/manage/{id}/applicants/{application}/select",
            post,
            opportunities::select,
        )
        .post(
            "/leaders/manage/{id}/applicants/{application}/hours",
            post,
            opportunities::hours,
        )
        .get(
            "/admin/payment-rates",
            permission(Permission::ManagePaymentRates),
            opportunities::rates,
        )
        .post(
            "/admin/payment-rates",
            permission(Permission::ManagePaymentRates),
            opportunities::add_rate,
        )
        .get("/pldp", Need::Public, pldp::show)
        .post("/pldp/enrol", Need::SignedIn, pldp::enrol)
        .post("/pldp/leave", Need::SignedIn, pldp::leave)
        .get("/pldp/manage", run, pldp::manage)
        .post("/pldp/manage/cohorts", run, pldp::open_cohort)
        .post("/pldp/manage/people/{user}", run, pldp::act)
        .get("/networks/{slug}/consultations/new", run, influence::form)
        .post("/networks/{slug}/consultations/new", run, influence::open)
        .get("/consultations/{id}", Need::SignedIn, influence::show)
        .post("/consultations/{id}", Need::SignedIn, influence::respond)
        .get("/consultations/{id}/responses", run, influence::responses)
        .get(
            "/consultations/{id}/responses.csv",
            run,
            influence::responses_csv,
        )
}

/// The first value of a field in a form that may repeat fields (checkboxes).
pub(crate) fn one(f: &[(String, String)], k: &str) -> String {
    f.iter()
        .find(|(x, _)| x == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// Every value of a repeated field.
pub(crate) fn all(f: &[(String, String)], k: &str) -> Vec<String> {
    f.iter()
        .filter(|(x, _)| x == k)
        .map(|(_, v)| v.clone())
        .collect()
}
