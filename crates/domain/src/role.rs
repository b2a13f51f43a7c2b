//! Roles people hold in an organisation, and the one table of what each role may do.
//!
//! A permission is always held *within an organisation's scope*: a membership at an
//! organisation grants its role's permissions over that organisation and everything below it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    LinkWorker,
    CareCoordinator,
    HealthAndWellbeingCoach,
    Clinician,
    PcnManager,
    Commissioner,
    VcseWorker,
    NetworkOrganiser,
    PeerLeader,
    Person,
    /// Someone who opened an account to learn and take part in networks: they see only their
    /// own bookings, learning and networks. Held at the organisation they said they work for.
    Learner,
    Admin,
}

/// What an action needs. Every route declares one of these (or none, for public pages).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See organisations in scope: names, codes, list sizes, structure.
    ViewOrganisations,
    /// Create and edit organisations in scope.
    ManageOrganisations,
    /// Add users and memberships in scope.
    ManageUsers,
    /// Search the audit log.
    ViewAudit,
    /// Work with people's care records (caseload, referrals) in scope.
    ProvideCare,
    /// See aggregate figures for organisations in scope.
    ViewInsights,
    /// Create API tokens for machine clients acting as oneself.
    UseApi,
    /// Refer someone into personalised care as a member of staff (the public, and people for
    /// themselves, use the self-referral form).
    Refer,
    /// Answer referrals to the community services of one's own organisation (accept, decline,
    /// record attendance), seeing only what the service needs of each person referred.
    AnswerServiceReferrals,
    /// Propose changes to one's own organisation's listings in the community directory, and
    /// say at once whether its services have places.
    EditListings,
    /// Review and publish changes to the community directory's listings, and confirm listings
    /// are still right.
    CurateDirectory,
    /// Run events and courses for one's organisation or network: publish them, see who has
    /// booked, take payment by invoice, check people in.
    OrganiseEvents,
    /// Run the networks and mailing lists of one's organisation: approve or decline those who
    /// apply, post announcements, moderate communities, send messages to lists.
    RunNetworks,
    /// Post opportunities for patient and peer leaders for one's organisation, draw on the
    /// leader pool, select leaders, record their time and export what is to be paid.
    PostOpportunities,
    /// Keep the table of payment rates for involvement.
    ManagePaymentRates,
}

impl Role {
    pub const ALL: [Role; 12] = [
        Role::LinkWorker,
        Role::CareCoordinator,
        Role::HealthAndWellbeingCoach,
        Role::Clinician,
        Role::PcnManager,
        Role::Commissioner,
        Role::VcseWorker,
        Role::NetworkOrganiser,
        Role::PeerLeader,
        Role::Person,
        Role::Learner,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::LinkWorker => "link_worker",
            Role::CareCoordinator => "care_coordinator",
            Role::HealthAndWellbeingCoach => "health_and_wellbeing_coach",
            Role::Clinician => "clinician",
            Role::PcnManager => "pcn_manager",
            Role::Commissioner => "commissioner",
            Role::VcseWorker => "vcse_worker",
            Role::NetworkOrganiser => "network_organiser",
            Role::PeerLeader => "peer_leader",
            Role::Person => "person",
            Role::Learner => "learner",
            Role::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::LinkWorker => "Social prescribing link worker",
            Role::CareCoordinator => "Care coordinator",
            Role::HealthAndWellbeingCoach => "Health and wellbeing coach",
            Role::Clinician => "GP or clinician",
            Role::PcnManager => "PCN manager",
            Role::Commissioner => "Commissioner",
            Role::VcseWorker => "VCSE worker",
            Role::NetworkOrganiser => "Network organiser",
            Role::PeerLeader => "Peer leader",
            Role::Person => "Person receiving care",
            Role::Learner => "Learner",
            Role::Admin => "Administrator",
        }
    }

    /// The single table of permissions. Change access here and nowhere else.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Admin => &[
                ViewOrganisations,
                ManageOrganisations,
                ManageUsers,
                ViewAudit,
                ViewInsights,
                UseApi,
                Refer,
                CurateDirectory,
                OrganiseEvents,
                RunNetworks,
                PostOpportunities,
                ManagePaymentRates,
            ],
            Role::PcnManager => &[
                ViewOrganisations,
                ManageOrganisations,
                ManageUsers,
                ViewInsights,
                UseApi,
                Refer,
                PostOpportunities,
            ],
            Role::Commissioner => &[
                ViewOrganisations,
                ManageOrganisations,
                ViewInsights,
                UseApi,
                Refer,
                CurateDirectory,
                PostOpportunities,
            ],
            Role::LinkWorker | Role::CareCoordinator | Role::HealthAndWellbeingCoach => {
                &[ViewOrganisations, ProvideCare, UseApi, Refer]
            }
            Role::Clinician => &[ViewOrganisations, ProvideCare, UseApi, Refer],
            Role::VcseWorker => &[
                ViewOrganisations,
                UseApi,
                Refer,
                AnswerServiceReferrals,
                EditListings,
                PostOpportunities,
            ],
            Role::NetworkOrganiser => &[
                ViewOrganisations,
                ViewInsights,
                UseApi,
                Refer,
                OrganiseEvents,
                RunNetworks,
                PostOpportunities,
            ],
            Role::PeerLeader => &[ViewOrganisations, Refer],
            Role::Person | Role::Learner => &[],
        }
    }

    /// The roles that carry a caseload of their own: referrals are assigned to them.
    pub const CASELOAD: [Role; 3] = [
        Role::LinkWorker,
        Role::CareCoordinator,
        Role::HealthAndWellbeingCoach,
    ];

    pub fn carries_caseload(self) -> bool {
        Role::CASELOAD.contains(&self)
    }

    pub fn grants(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ViewOrganisations => "view_organisations",
            Permission::ManageOrganisations => "manage_organisations",
            Permission::ManageUsers => "manage_users",
            Permission::ViewAudit => "view_audit",
            Permission::ProvideCare => "provide_care",
            Permission::ViewInsights => "view_insights",
            Permission::UseApi => "use_api",
            Permission::Refer => "refer",
            Permission::AnswerServiceReferrals => "answer_service_referrals",
            Permission::EditListings => "edit_listings",
            Permission::CurateDirectory => "curate_directory",
            Permission::OrganiseEvents => "organise_events",
            Permission::RunNetworks => "run_networks",
            Permission::PostOpportunities => "post_opportunities",
            Permission::ManagePaymentRates => "manage_payment_rates",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
    }

    #[test]
    fn only_admins_read_the_audit_log() {
        for r in Role::ALL {
            assert_eq!(r.grants(Permission::ViewAudit), r == Role::Admin, "{r}");
        }
    }

    #[test]
    fn a_person_holds_no_staff_permission() {
        assert!(Role::Person.permissions().is_empty());
    }

    #[test]
    fn a_learner_holds_no_permission_over_others() {
        assert!(Role::Learner.permissions().is_empty());
    }
}
