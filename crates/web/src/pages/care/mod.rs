//! Care delivery pages: the caseload, referrals from receipt to discharge, the person's record
//! and what is recorded on it (About Me, the plan, measures, decisions, consents).

pub mod about_me;
pub mod caseload;
pub mod decisions;
pub mod discharge;
pub mod me;
pub mod measures;
pub mod new_referral;
pub mod people;
pub mod person_edit;
pub mod plan;
pub mod plan_form;
pub mod referral;
pub mod referral_actions;
pub mod self_referral;

use domain::referral::ReferralState;
use domain::{NhsNumber, Permission};

use crate::routes::{Need, Routes, permission};

/// Care delivery's pages. Staff pages need the permission to provide care; pages anyone on staff
/// (or the person) may open check the relationship to the person in the use case.
pub fn routes() -> Routes {
    let care = permission(Permission::ProvideCare);
    // Staff refer; the public, and people for themselves, use the self-referral form.
    let refer = permission(Permission::Refer);
    let signed_in = Need::SignedIn;
    Routes::new()
        .get("/caseload", care, caseload::caseload)
        .get("/caseload/no-one-lost", care, caseload::no_one_lost)
        .get("/people", care, people::search)
        .get("/referrals/new", refer, new_referral::new_referral_form)
        .post("/referrals/new", refer, new_referral::create_referral)
        .get("/referrals/{id}", signed_in, referral::referral)
        .get(
            "/referrals/{id}/triage",
            care,
            referral_actions::triage_form,
        )
        .post("/referrals/{id}/triage", care, referral_actions::triage)
        .get(
            "/referrals/{id}/contacts",
            care,
            referral_actions::contact_form,
        )
        .post(
            "/referrals/{id}/contacts",
            care,
            referral_actions::record_contact,
        )
        .get(
            "/referrals/{id}/follow-ups",
            care,
            referral_actions::follow_up_form,
        )
        .post(
            "/referrals/{id}/follow-ups",
            care,
            referral_actions::set_follow_up,
        )
        .post(
            "/referrals/{id}/follow-ups/{follow_up}/done",
            care,
            referral_actions::complete_follow_up,
        )
        .get(
            "/referrals/{id}/assign",
            care,
            referral_actions::assign_form,
        )
        .post("/referrals/{id}/assign", care, referral_actions::assign)
        .get("/referrals/{id}/state", care, referral_actions::state_form)
        .post(
            "/referrals/{id}/state",
            care,
            referral_actions::change_state,
        )
        .get("/referrals/{id}/discharge", care, discharge::discharge_form)
        .post("/referrals/{id}/discharge", care, discharge::discharge)
        .get("/referrals/{id}/message", signed_in, discharge::message)
        .get(
            "/self-referral",
            Need::Public,
            self_referral::self_referral_form,
        )
        .post("/self-referral", Need::Public, self_referral::self_referral)
        .get("/people/{id}", signed_in, people::person)
        .get("/people/{id}/edit", care, person_edit::form)
        .post("/people/{id}/edit", care, person_edit::save)
        .post("/people/{id}/consents", care, person_edit::record_consent)
        .get("/people/{id}/plan", signed_in, plan::plan)
        .get("/people/{id}/plan/edit", care, plan_form::form)
        .post("/people/{id}/plan/edit", care, plan_form::save)
        .get("/people/{id}/decisions", care, decisions::show)
        .post("/people/{id}/decisions", care, decisions::record)
        .get("/people/{id}/about-me", signed_in, about_me::about_me_form)
        .post("/people/{id}/about-me", signed_in, about_me::save_about_me)
        .get("/people/{id}/measures", signed_in, measures::measures_form)
        .get(
            "/people/{id}/measures/{instrument}",
            signed_in,
            measures::questionnaire_form,
        )
        .post(
            "/people/{id}/measures/{instrument}",
            signed_in,
            measures::record_measure,
        )
        .get("/me", signed_in, me::me)
}

fn state_tag(state: ReferralState) -> (&'static str, &'static str) {
    let class = match state {
        ReferralState::Received => "nhsuk-tag--blue",
        ReferralState::Contacted => "nhsuk-tag--aqua-green",
        ReferralState::Active => "nhsuk-tag--green",
        ReferralState::Discharged => "nhsuk-tag--grey",
        ReferralState::Declined => "nhsuk-tag--orange",
        ReferralState::UnableToContact => "nhsuk-tag--red",
        ReferralState::Signposted => "nhsuk-tag--purple",
        ReferralState::NotAccepted => "nhsuk-tag--grey",
    };
    (state.label(), class)
}

fn nhs(n: &Option<String>) -> String {
    n.as_deref()
        .and_then(|n| NhsNumber::parse(n).ok())
        .map(|n| n.formatted())
        .unwrap_or_else(|| "Not known".into())
}
