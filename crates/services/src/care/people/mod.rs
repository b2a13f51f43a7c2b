//! People: identity (NHS number), contact, practice, adjustments, representative, consent; and
//! finding a person by NHS number, name (tolerant of typos) or date of birth.
//!
//! One file per use case: `validate` (the details and the practice rule), `create` (a new
//! record, and where an NHS number is already known), `details` (reading and editing a
//! record), `search`, `reconciliation` and `consents`.

mod consents;
mod create;
mod details;
mod reconciliation;
mod search;
mod validate;

pub(crate) use consents::consents_of;
pub use consents::{ConsentInput, consents, latest_decision, record_consent};
pub use create::ALREADY_RECORDED;
pub(crate) use create::{Asker, Known, create_person, insert, known};
pub use details::{get, update};
pub use reconciliation::{AwaitingReconciliation, awaiting_reconciliation};
pub use search::{Found, Search, name_score, search};
pub use validate::{
    CHOOSE_PRACTICE, CHOOSE_SERVED_PRACTICE, PersonInput, PracticeRule, ValidPerson,
    check_practice, contact_preferences, parse_date, validate,
};

/// The lower-cased name searched on, cut to its column's 210 characters: lower-casing can
/// lengthen a name (İ becomes i̇).
pub fn search_name(given: &str, family: &str) -> String {
    format!("{} {}", given.trim(), family.trim())
        .to_lowercase()
        .chars()
        .take(210)
        .collect()
}
