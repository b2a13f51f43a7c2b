//! Bounded text: every text a client can send is cleaned by [`TextField::clean`] before it is
//! used or stored. Each field is defined once below, with the name people see in errors and its
//! maximum length in characters (Unicode scalar values, as PostgreSQL's `varchar(n)` counts).
//! Where a column is `varchar(n)` the limit is at most `n`, so SQLite and PostgreSQL behave the
//! same: the database never sees a value it would refuse.
//!
//! Cleaning trims the ends, refuses NUL and every other control character (a multi-line field
//! may hold line breaks and tabs; its line breaks are stored as `\n`), and enforces the maximum.

/// A person's first or last name (`people.given_name`, `people.family_name`: varchar(100)).
pub const NAME_MAX: usize = 100;
/// A whole name, as of a referrer, representative or user (varchar(200)).
pub const FULL_NAME_MAX: usize = 200;
/// A phone number as typed, spaces and all (varchar(40)).
pub const PHONE_MAX: usize = 40;
/// An e-mail address (RFC 5321 path limit; varchar(254)).
pub const EMAIL_MAX: usize = 254;
/// A short label: a relationship, an API token's name, who does a plan action (varchar(100)).
pub const LABEL_MAX: usize = 100;
/// A longer label: an organisation's name, who information is shared with (varchar(200)).
pub const TITLE_MAX: usize = 200;
/// A website address (varchar(300)).
pub const URL_MAX: usize = 300;
/// A registration number, like a charity number (varchar(20)).
pub const CODE_MAX: usize = 20;
/// A postal address, over several lines.
pub const ADDRESS_MAX: usize = 500;
/// What is typed into a search box.
pub const SEARCH_MAX: usize = 100;
/// One item of a plan or a decision: a need, a goal, an action, an option and its benefits.
pub const ITEM_MAX: usize = 1_000;
/// Notes, reasons and summaries.
pub const NOTE_MAX: usize = 4_000;
/// A section in the person's own words: an About Me section, the strengths in a plan.
pub const SECTION_MAX: usize = 5_000;

/// One text input: the name people know it by, its maximum length, and whether it may span
/// several lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextField {
    pub label: &'static str,
    pub max: usize,
    pub multiline: bool,
}

impl TextField {
    /// A field on one line (no line breaks or tabs).
    pub const fn line(label: &'static str, max: usize) -> Self {
        TextField {
            label,
            max,
            multiline: false,
        }
    }

    /// A field that may hold line breaks and tabs.
    pub const fn lines(label: &'static str, max: usize) -> Self {
        TextField {
            label,
            max,
            multiline: true,
        }
    }

    /// The same limits under another name (for items in a list, like "Goal").
    pub const fn named(self, label: &'static str) -> Self {
        TextField { label, ..self }
    }

    /// Trims the text and checks it: `Ok(None)` when nothing but spaces was given.
    pub fn clean(&self, input: &str) -> Result<Option<String>, TextError> {
        let label = self.label;
        let normalised;
        let s = if self.multiline && input.contains(LINE_BREAKS) {
            normalised = normalise_line_breaks(input);
            normalised.trim()
        } else {
            input.trim()
        };
        if let Some(c) = s.chars().find(|c| !self.allows(*c)) {
            return Err(if is_line_break(c) {
                TextError::LineBreak { label }
            } else {
                TextError::Control { label }
            });
        }
        if s.is_empty() {
            return Ok(None);
        }
        // Counting stops one past the limit, so a huge input costs no more than a long one.
        if s.chars().nth(self.max).is_some() {
            return Err(TextError::TooLong {
                label,
                max: self.max,
            });
        }
        Ok(Some(s.to_owned()))
    }

    fn allows(&self, c: char) -> bool {
        if self.multiline && (c == '\n' || c == '\t') {
            return true;
        }
        !(c.is_control() || is_line_break(c) || is_bidi_control(c))
    }
}

const LINE_BREAKS: [char; 5] = ['\r', '\u{000B}', '\u{000C}', '\u{2028}', '\u{2029}'];

fn is_line_break(c: char) -> bool {
    c == '\n' || LINE_BREAKS.contains(&c)
}

/// Characters that reorder the text shown around them; they can make a name or a note read
/// differently from what is stored ("Trojan Source"), and no one types them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Stores every kind of line break as `\n`: browsers send `\r\n` from text areas, and a word
/// processor's paste may bring vertical tabs or Unicode line separators.
fn normalise_line_breaks(s: &str) -> String {
    s.replace("\r\n", "\n").replace(LINE_BREAKS, "\n")
}

/// A problem with a field of something sent whole (a listing, an event), named by its field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

/// Collects every problem with something sent whole, field by field, so all are reported at
/// once. Contexts add their own checks in `impl Checker` blocks of their own.
#[derive(Debug, Default)]
pub struct Checker(pub Vec<Problem>);

impl Checker {
    pub fn problem(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            field: field.into(),
            message: message.into(),
        });
    }

    /// The cleaned text, or empty with its problem recorded.
    pub fn text(&mut self, field: impl Into<String>, spec: TextField, value: &str) -> String {
        match spec.clean(value) {
            Ok(v) => v.unwrap_or_default(),
            Err(e) => {
                self.problem(field, e.to_string());
                String::new()
            }
        }
    }

    /// As [`Checker::text`], and `missing` when nothing was given.
    pub fn required(&mut self, field: &str, spec: TextField, value: &str, missing: &str) -> String {
        let before = self.0.len();
        let v = self.text(field, spec, value);
        if v.is_empty() && self.0.len() == before {
            self.problem(field, missing);
        }
        v
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("{label} must be {} characters or fewer", with_commas(*max))]
    TooLong { label: &'static str, max: usize },
    #[error("{label} must not contain control characters")]
    Control { label: &'static str },
    #[error("{label} must be on one line")]
    LineBreak { label: &'static str },
}

/// 4000 as "4,000", as the NHS style guide writes numbers.
pub fn with_commas(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

// Every text field a client can send, defined once.

// People
pub const GIVEN_NAME: TextField = TextField::line("First name", NAME_MAX);
pub const FAMILY_NAME: TextField = TextField::line("Last name", NAME_MAX);
pub const PHONE: TextField = TextField::line("Phone number", PHONE_MAX);
pub const EMAIL: TextField = TextField::line("Email address", EMAIL_MAX);
pub const ADDRESS: TextField = TextField::lines("Address", ADDRESS_MAX);
pub const REASONABLE_ADJUSTMENTS: TextField = TextField::lines("Reasonable adjustments", NOTE_MAX);
pub const COMMUNICATION_NEEDS: TextField = TextField::lines("Communication needs", NOTE_MAX);
pub const REPRESENTATIVE_NAME: TextField = TextField::line("Representative's name", FULL_NAME_MAX);
pub const REPRESENTATIVE_RELATIONSHIP: TextField =
    TextField::line("Relationship to the person", LABEL_MAX);
pub const REPRESENTATIVE_CONTACT: TextField =
    TextField::line("Representative's contact details", TITLE_MAX);

// Consent
pub const SHARE_WITH: TextField = TextField::line("Who it may be shared with", TITLE_MAX);
pub const CONSENT_NOTE: TextField = TextField::lines("Note", NOTE_MAX);

// Referrals, contacts, discharge
pub const REFERRER_NAME: TextField = TextField::line("Referrer's name", FULL_NAME_MAX);
pub const REFERRER_ORGANISATION: TextField = TextField::line("Referrer's organisation", TITLE_MAX);
pub const REASON: TextField = TextField::lines("Reason", NOTE_MAX);
pub const DECLINED_REASON: TextField = TextField::lines("Reason", NOTE_MAX);
pub const SIGNPOSTED_TO: TextField = TextField::lines("Where the person was signposted", NOTE_MAX);
pub const FOLLOW_UP_NOTE: TextField = TextField::line("What to do", TITLE_MAX);
pub const CONTACT_NOTES: TextField = TextField::lines("Notes", NOTE_MAX);
pub const DISCHARGE_SUMMARY: TextField = TextField::lines("Summary", NOTE_MAX);

// About Me
pub const ABOUT_ME_SECTION: TextField = TextField::lines("Each section", SECTION_MAX);
pub const HELPED_BY: TextField = TextField::line("Who helped write it", TITLE_MAX);

// Personalised care and support plan
pub const STRENGTHS: TextField = TextField::lines("Strengths", SECTION_MAX);
pub const NEED: TextField = TextField::lines("Need", ITEM_MAX);
pub const GOAL: TextField = TextField::lines("Goal", ITEM_MAX);
pub const STAGE_GOAL: TextField = TextField::lines("Step towards the goal", ITEM_MAX);
pub const ACTION_WHAT: TextField = TextField::lines("What will be done", ITEM_MAX);
pub const ACTION_WHO: TextField = TextField::line("Who will do it", LABEL_MAX);
pub const CONTINGENCY_TRIGGER: TextField = TextField::lines("What would trigger it", ITEM_MAX);
pub const CONTINGENCY_ACTION: TextField = TextField::lines("What should happen", ITEM_MAX);
pub const CONTINGENCY_CONTACT: TextField = TextField::line("Who to contact", TITLE_MAX);
pub const AGREED_WITH: TextField = TextField::line("Agreed with", TITLE_MAX);
pub const FUNDING_SOURCE: TextField = TextField::line("Funding source", TITLE_MAX);

// Shared decision making
pub const DECISION_POINT: TextField = TextField::lines("Decision to be made", NOTE_MAX);
pub const SDM_OPTION: TextField = TextField::lines("Option", ITEM_MAX);
pub const SDM_BENEFITS: TextField = TextField::lines("Benefits", ITEM_MAX);
pub const SDM_RISKS: TextField = TextField::lines("Risks", ITEM_MAX);
pub const DOING_NOTHING: TextField = TextField::lines("What doing nothing would mean", NOTE_MAX);
pub const DECISION_AIDS: TextField = TextField::lines("Decision aids used", NOTE_MAX);
pub const DECISION: TextField = TextField::lines("Decision", NOTE_MAX);
pub const FOLLOW_UP: TextField = TextField::lines("Follow-up", NOTE_MAX);

// Organisations, users and tokens
pub const ORG_NAME: TextField = TextField::line("Name", TITLE_MAX);
pub const COMMISSIONER_ARRANGEMENT: TextField =
    TextField::lines("Commissioner's arrangement", NOTE_MAX);
pub const WEBSITE: TextField = TextField::line("Website", URL_MAX);
pub const CHARITY_NUMBER: TextField = TextField::line("Charity number", CODE_MAX);
pub const DISPLAY_NAME: TextField = TextField::line("Name", FULL_NAME_MAX);
pub const TOKEN_NAME: TextField = TextField::line("Token name", LABEL_MAX);

// Searches
pub const SEARCH: TextField = TextField::line("Search", SEARCH_MAX);

// Limits on the number of items in a list a client sends.

/// Needs in one plan.
pub const MAX_NEEDS: usize = 20;
/// Goals under one need.
pub const MAX_GOALS_PER_NEED: usize = 10;
/// Steps (stage goals) towards one goal.
pub const MAX_STAGE_GOALS_PER_GOAL: usize = 10;
/// Actions towards one goal.
pub const MAX_ACTIONS_PER_GOAL: usize = 10;
/// Contingency plans in one plan.
pub const MAX_CONTINGENCIES: usize = 10;
/// Options discussed in one shared decision.
pub const MAX_SDM_OPTIONS: usize = 10;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn trims_and_treats_blank_as_nothing() {
        assert_eq!(
            FAMILY_NAME.clean("  Turner \t").unwrap(),
            Some("Turner".into())
        );
        assert_eq!(FAMILY_NAME.clean(" \n ").unwrap(), None);
        assert_eq!(FAMILY_NAME.clean("").unwrap(), None);
    }

    #[test]
    fn a_101_character_last_name_is_refused_by_name() {
        let e = FAMILY_NAME.clean(&"a".repeat(101)).unwrap_err();
        assert_eq!(e.to_string(), "Last name must be 100 characters or fewer");
        assert!(FAMILY_NAME.clean(&"a".repeat(100)).is_ok());
    }

    #[test]
    fn the_limit_counts_characters_not_bytes() {
        // 100 two-byte letters fit a varchar(100) and the limit.
        assert!(FAMILY_NAME.clean(&"é".repeat(100)).is_ok());
        assert!(FAMILY_NAME.clean(&"é".repeat(101)).is_err());
    }

    #[test]
    fn a_nul_or_escape_character_is_refused_with_the_field_named() {
        for bad in ["Jack\0", "Ja\u{1b}[31mck", "Jack\u{7f}", "Ja\u{85}ck"] {
            assert_eq!(
                REASON.clean(bad).unwrap_err().to_string(),
                "Reason must not contain control characters",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_one_line_field_refuses_line_breaks_and_tabs() {
        assert_eq!(
            GIVEN_NAME.clean("Jack\nTurner").unwrap_err().to_string(),
            "First name must be on one line"
        );
        assert_eq!(
            GIVEN_NAME.clean("Jack\u{2028}Turner").unwrap_err(),
            TextError::LineBreak {
                label: "First name"
            }
        );
        assert!(matches!(
            GIVEN_NAME.clean("Jack\tTurner"),
            Err(TextError::Control { .. })
        ));
    }

    #[test]
    fn a_multi_line_field_keeps_line_breaks_and_tabs_as_newlines() {
        assert_eq!(
            REASON
                .clean("Lonely\r\n\tsince moving\rand\u{2028}low")
                .unwrap(),
            Some("Lonely\n\tsince moving\nand\nlow".into())
        );
    }

    #[test]
    fn text_direction_overrides_are_refused() {
        assert!(GIVEN_NAME.clean("Jack\u{202E}renruT").is_err());
        assert!(REASON.clean("note \u{2066}x\u{2069}").is_err());
    }

    #[test]
    fn a_mebibyte_is_refused_without_counting_it_all() {
        let e = GIVEN_NAME.clean(&"x".repeat(1 << 20)).unwrap_err();
        assert_eq!(e.to_string(), "First name must be 100 characters or fewer");
    }

    #[test]
    fn long_limits_are_written_with_commas() {
        assert_eq!(
            REASON.clean(&"a".repeat(4_001)).unwrap_err().to_string(),
            "Reason must be 4,000 characters or fewer"
        );
        assert_eq!(with_commas(5), "5");
        assert_eq!(with_commas(1_000), "1,000");
        assert_eq!(with_commas(1_048_576), "1,048,576");
    }

    #[test]
    fn varchar_columns_are_never_shorter_than_their_limits() {
        // The widths of the varchar columns in the migrations.
        for (field, column) in [
            (GIVEN_NAME, 100),
            (FAMILY_NAME, 100),
            (PHONE, 40),
            (EMAIL, 254),
            (REPRESENTATIVE_NAME, 200),
            (REPRESENTATIVE_RELATIONSHIP, 100),
            (REPRESENTATIVE_CONTACT, 200),
            (SHARE_WITH, 200),
            (REFERRER_NAME, 200),
            (REFERRER_ORGANISATION, 200),
            (HELPED_BY, 200),
            (AGREED_WITH, 200),
            (FUNDING_SOURCE, 200),
            (ORG_NAME, 200),
            (WEBSITE, 300),
            (CHARITY_NUMBER, 20),
            (DISPLAY_NAME, 200),
            (TOKEN_NAME, 100),
        ] {
            assert!(field.max <= column, "{}", field.label);
        }
    }

    proptest! {
        #[test]
        fn cleaned_text_is_trimmed_bounded_and_free_of_control_characters(
            s in "\\PC{0,120}|[\\x00-\\x1f a-z\\u{85}\\u{2028}]{0,120}",
            multiline in any::<bool>(),
        ) {
            let f = if multiline { REASON } else { GIVEN_NAME };
            match f.clean(&s) {
                Ok(Some(t)) => {
                    prop_assert_eq!(t.trim(), t.as_str());
                    prop_assert!(!t.is_empty());
                    prop_assert!(t.chars().count() <= f.max);
                    prop_assert!(t.chars().all(|c| !c.is_control() || (multiline && (c == '\n' || c == '\t'))));
                    prop_assert!(!t.contains('\r'));
                    // Cleaning what was cleaned changes nothing.
                    prop_assert_eq!(f.clean(&t), Ok(Some(t.clone())));
                }
                Ok(None) => prop_assert!(s.trim().is_empty()),
                Err(TextError::TooLong { .. }) => prop_assert!(s.trim().chars().count() > f.max),
                Err(_) => prop_assert!(s.chars().any(|c| c.is_control() || is_line_break(c) || is_bidi_control(c))),
            }
        }

        #[test]
        fn text_within_the_limit_is_kept_as_typed(s in "[a-zA-Z'. -]{1,100}") {
            let t = s.trim();
            prop_assume!(!t.is_empty());
            prop_assert_eq!(FAMILY_NAME.clean(&s), Ok(Some(t.to_owned())));
        }
    }
}
