//! Patient and peer leadership: the skills leaders offer and organisations seek, the
//! accreditations graduates hold, the kinds of involvement organisations offer, and the steps
//! of the Peer Leadership Development Programme, with the national aims they count towards.

use crate::text::TextField;

/// Skills a leader offers and an opportunity seeks: (code, label).
pub const SKILLS: [(&str, &str); 10] = [
    ("lived_experience", "Sharing lived experience"),
    ("co_design", "Co-designing services"),
    ("chairing", "Chairing meetings"),
    ("governance", "Boards and governance"),
    ("reviewing", "Reviewing documents and standards"),
    ("interviewing", "Interviewing and recruitment"),
    ("facilitating", "Facilitating groups"),
    ("mentoring", "Mentoring"),
    ("coaching", "Coaching"),
    ("speaking", "Speaking at events"),
];

pub fn skill_label(code: &str) -> Option<&'static str> {
    SKILLS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

/// When a leader is free, and when an opportunity needs them: (code, label).
pub const AVAILABILITY: [(&str, &str); 4] = [
    ("weekdays", "Weekday daytimes"),
    ("evenings", "Evenings"),
    ("weekends", "Weekends"),
    ("flexible", "Flexible"),
];

pub fn availability_label(code: &str) -> Option<&'static str> {
    AVAILABILITY
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
}

/// What graduates are accredited as: (code, label).
pub const ACCREDITATIONS: [(&str, &str); 3] = [
    ("mentor", "Mentor"),
    ("coach", "Coach"),
    ("facilitator", "Facilitator"),
];

pub fn accreditation_label(code: &str) -> Option<&'static str> {
    ACCREDITATIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
}

/// The kinds of involvement organisations offer: (code, label).
pub const OPPORTUNITY_KINDS: [(&str, &str); 6] = [
    ("board_seat", "Board or committee seat"),
    ("co_design", "Co-design workshop"),
    ("interview_panel", "Interview panel"),
    ("lay_member", "Lay member"),
    ("speaking", "Speaking at an event"),
    ("reading_group", "Reading group or review panel"),
];

pub fn opportunity_kind_label(code: &str) -> Option<&'static str> {
    OPPORTUNITY_KINDS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
}

/// Lived experience a leader brings, in their words.
pub const LIVED_EXPERIENCE: TextField = TextField::lines("Lived experience", 1_000);
/// What a leader is interested in.
pub const INTERESTS: TextField = TextField::lines("Interests", 1_000);
/// What a leader needs to take part (access needs).
pub const ACCESS_NEEDS: TextField = TextField::lines("Access needs", 1_000);
/// An opportunity's title (`opportunities.title`: varchar(200)).
pub const OPPORTUNITY_TITLE: TextField = TextField::line("Title", 200);
/// What an opportunity involves.
pub const OPPORTUNITY_DESCRIPTION: TextField = TextField::lines("Description", 4_000);
/// A note with an application or an invitation (`opportunity_applications.note`).
pub const APPLICATION_NOTE: TextField = TextField::lines("Note", 2_000);
/// Who issued an accreditation (`leader_accreditations.issuer`: varchar(200)).
pub const ISSUER: TextField = TextField::line("Issuer", 200);
/// A payment level's name (`payment_rates.label`: varchar(100)).
pub const RATE_LABEL: TextField = TextField::line("Name", 100);
/// A consultation's title (`consultations.title`: varchar(200)).
pub const CONSULTATION_TITLE: TextField = TextField::line("Title", 200);
/// The draft a consultation asks about.
pub const CONSULTATION_DRAFT: TextField = TextField::lines("Draft", 20_000);
/// One question (`consultation_questions.prompt`: varchar(500)).
pub const QUESTION: TextField = TextField::line("Question", 500);
/// One answer.
pub const ANSWER: TextField = TextField::lines("Answer", 4_000);

/// The longest involvement recorded at once, in minutes (a long day).
pub const MAX_INVOLVEMENT_MINUTES: i32 = 12 * 60;
/// The highest hourly rate an administrator may set, in pence (£500).
pub const MAX_RATE_PENCE: i32 = 50_000;

/// Payment for `minutes` at `pence_per_hour`, rounded to the nearest penny (halves up).
pub fn payment_pence(minutes: i32, pence_per_hour: i32) -> i64 {
    (i64::from(minutes) * i64::from(pence_per_hour) + 30) / 60
}

/// The Peer Leadership Development Programme's aims: people benefiting, and peer leaders.
pub const PLDP_BENEFIT_AIM: i64 = 4_000;
pub const PLDP_LEADER_AIM: i64 = 500;

/// The programme's steps: (number, title, how it is done).
pub const PLDP_STEPS: [(i32, &str, &str); 4] = [
    (1, "Foundations of peer leadership", "Self-paced online"),
    (2, "Developing as a peer leader", "Self-paced online"),
    (
        3,
        "Leading together",
        "A facilitated small group, in sessions",
    ),
    (
        4,
        "Peer leader",
        "For graduates: the peer leader network and the leader pool",
    ),
];

/// Where someone's place on the programme stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnrolmentState {
    Active,
    Left,
    Graduated,
}

impl EnrolmentState {
    pub fn as_str(self) -> &'static str {
        match self {
            EnrolmentState::Active => "active",
            EnrolmentState::Left => "left",
            EnrolmentState::Graduated => "graduated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            EnrolmentState::Active,
            EnrolmentState::Left,
            EnrolmentState::Graduated,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// Codes from a list of known ones, each once, in the list's order; an unknown code is
/// refused by name.
pub fn known_codes(
    given: &[String],
    known: &[(&'static str, &'static str)],
) -> Result<Vec<&'static str>, String> {
    if let Some(bad) = given.iter().find(|g| !known.iter().any(|(c, _)| c == g)) {
        return Err(format!("{bad:?} is not one of the choices"));
    }
    Ok(known
        .iter()
        .filter(|(c, _)| given.iter().any(|g| g == c))
        .map(|(c, _)| *c)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_is_rounded_to_the_penny_and_cannot_overflow() {
        assert_eq!(payment_pence(60, 2_000), 2_000);
        assert_eq!(payment_pence(90, 2_000), 3_000);
        assert_eq!(payment_pence(1, 2_000), 33);
        assert_eq!(payment_pence(1, 30), 1);
        assert_eq!(payment_pence(1, 29), 0);
        assert_eq!(
            payment_pence(MAX_INVOLVEMENT_MINUTES, MAX_RATE_PENCE),
            600_000
        );
        assert!(payment_pence(i32::MAX, i32::MAX) > 0);
    }

    #[test]
    fn codes_are_checked_and_ordered() {
        let got = known_codes(
            &["coaching".into(), "chairing".into(), "coaching".into()],
            &SKILLS,
        );
        assert_eq!(got, Ok(vec!["chairing", "coaching"]));
        assert!(known_codes(&["juggling".into()], &SKILLS).is_err());
        assert_eq!(EnrolmentState::parse("left"), Some(EnrolmentState::Left));
        assert_eq!(EnrolmentState::parse("gone"), None);
    }
}
