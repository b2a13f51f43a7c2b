//! Referrals into personalised care and the caseload state machine (PRSB social prescribing).

/// SNOMED CT: referral to social prescribing service (record when the person accepts).
pub const SNOMED_REFERRAL_TO_SOCIAL_PRESCRIBING: &str = "871731000000106";
/// SNOMED CT: social prescribing declined.
pub const SNOMED_SOCIAL_PRESCRIBING_DECLINED: &str = "871711000000103";

named_enum!(
    /// The personalised care service a person is referred to.
    CareService {
        SocialPrescribing = "social_prescribing": "Social prescribing",
        HealthAndWellbeingCoaching = "health_and_wellbeing_coaching": "Health and wellbeing coaching",
        CareCoordination = "care_coordination": "Care coordination",
    }
);

named_enum!(
    /// How the referral arrived (PRSB referral method).
    ReferralMethod {
        Phone = "phone": "Phone",
        SecureMessaging = "secure_messaging": "Secure messaging",
        SecureEmail = "secure_email": "Secure email",
        Letter = "letter": "Letter",
        ERs = "nhs_e_referral_service": "NHS e-Referral Service",
        Fax = "fax": "Fax",
        SelfReferral = "self_referral": "Self referral",
        InPerson = "in_person": "In person",
    }
);

named_enum!(
    Urgency {
        Routine = "routine": "Routine",
        Urgent = "urgent": "Urgent",
    }
);

named_enum!(
    /// The messages back to the GP and referrer: at first contact, and when the referral closes.
    GpMessageKind {
        FirstContact = "first_contact": "First contact",
        Closing = "closing": "Closing",
    }
);

named_enum!(
    /// Where a referral stands on the caseload.
    ReferralState {
        Received = "received": "Received",
        Contacted = "contacted": "Contacted",
        Active = "active": "Active",
        Discharged = "discharged": "Discharged",
        Declined = "declined": "Declined",
        UnableToContact = "unable_to_contact": "Unable to contact",
        Signposted = "signposted": "Signposted elsewhere",
        NotAccepted = "not_accepted": "Not accepted",
    }
);

named_enum!(
    ContactKind {
        FaceToFace = "face_to_face": "Face to face",
        Phone = "phone": "Phone",
        Video = "video": "Video",
        HomeVisit = "home_visit": "Home visit",
        Group = "group": "Group session",
    }
);

impl ReferralState {
    /// Closed referrals leave the caseload.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            ReferralState::Discharged
                | ReferralState::Declined
                | ReferralState::UnableToContact
                | ReferralState::Signposted
                | ReferralState::NotAccepted
        )
    }

    /// Closed at triage, before any work with the person: the team passed it on or did not take
    /// it on.
    pub fn is_closed_at_triage(self) -> bool {
        matches!(self, ReferralState::Signposted | ReferralState::NotAccepted)
    }

    /// The moves the caseload allows. Closed referrals do not reopen: a new referral is made.
    /// Signposting and not accepting are triage's, only from a referral just received.
    pub fn can_move_to(self, to: ReferralState) -> bool {
        use ReferralState::*;
        matches!(
            (self, to),
            (
                Received,
                Contacted | Declined | UnableToContact | Signposted | NotAccepted
            ) | (Contacted, Active | Declined | UnableToContact | Discharged)
                | (Active, Discharged | Declined)
        )
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("This referral is already {}; it cannot be {} again", .0.label().to_lowercase(), .1)]
    AlreadyClosed(ReferralState, &'static str),
    #[error("A referral that is {} cannot become {}", .0.label().to_lowercase(), .1.label().to_lowercase())]
    NotAllowed(ReferralState, ReferralState),
}

/// Checks a move, with the message a person would need.
pub fn transition(from: ReferralState, to: ReferralState) -> Result<(), TransitionError> {
    if from.can_move_to(to) {
        return Ok(());
    }
    if from.is_closed() {
        let verb = match to {
            ReferralState::Discharged => "discharged",
            ReferralState::Declined => "declined",
            ReferralState::UnableToContact => "closed as unable to contact",
            ReferralState::Signposted => "signposted",
            ReferralState::NotAccepted => "turned down",
            _ => "changed",
        };
        return Err(TransitionError::AlreadyClosed(from, verb));
    }
    Err(TransitionError::NotAllowed(from, to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferralState::*;

    #[test]
    fn a_discharged_referral_cannot_be_discharged_again() {
        assert_eq!(
            transition(Discharged, Discharged).unwrap_err().to_string(),
            "This referral is already discharged; it cannot be discharged again"
        );
    }

    #[test]
    fn the_usual_journey_is_allowed() {
        assert!(transition(Received, Contacted).is_ok());
        assert!(transition(Contacted, Active).is_ok());
        assert!(transition(Active, Discharged).is_ok());
        assert!(
            transition(Received, Active).is_err(),
            "first contact comes before active work"
        );
    }

    #[test]
    fn names_round_trip() {
        for s in ReferralState::ALL {
            assert_eq!(ReferralState::parse(s.as_str()), Some(*s));
        }
        assert_eq!(
            ReferralMethod::parse("self_referral"),
            Some(ReferralMethod::SelfReferral)
        );
    }
}
