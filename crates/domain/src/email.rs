//! E-mail addresses, lower-cased and checked for a plausible shape.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Enter an email address")]
    Empty,
    #[error("Enter an email address in the correct format, like name@example.nhs.uk")]
    Malformed,
}

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        let (local, domain) = s.rsplit_once('@').ok_or(EmailError::Malformed)?;
        let ok = !local.is_empty()
            && local.len() <= 64
            && s.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !s
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
        if !ok {
            return Err(EmailError::Malformed);
        }
        // Lower-casing can lengthen a few letters (İ becomes i̇): still within the limit?
        let lower = s.to_lowercase();
        if lower.chars().count() > crate::text::EMAIL_MAX {
            return Err(EmailError::Malformed);
        }
        Ok(Self(lower))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_cases_and_checks_shape() {
        assert_eq!(
            Email::parse(" Amira.Khan@Example.NHS.uk ")
                .unwrap()
                .as_str(),
            "amira.khan@example.nhs.uk"
        );
        assert_eq!(Email::parse("nobody"), Err(EmailError::Malformed));
        assert_eq!(Email::parse("a@b"), Err(EmailError::Malformed));
        assert_eq!(Email::parse("a b@c.uk"), Err(EmailError::Malformed));
        assert_eq!(Email::parse(""), Err(EmailError::Empty));
    }
}
