//! UK postcodes, normalised to upper case with one space before the inward code.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Postcode(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeError {
    #[error("Enter a full UK postcode, like LS1 4AP")]
    Malformed,
}

impl Postcode {
    pub fn parse(input: &str) -> Result<Self, PostcodeError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let n = compact.len();
        if !(5..=7).contains(&n) || !compact.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(PostcodeError::Malformed);
        }
        let (outward, inward) = compact.split_at(n - 3);
        let ib = inward.as_bytes();
        let ob = outward.as_bytes();
        let inward_ok =
            ib[0].is_ascii_digit() && ib[1].is_ascii_alphabetic() && ib[2].is_ascii_alphabetic();
        let outward_ok = ob[0].is_ascii_alphabetic() && ob.iter().any(u8::is_ascii_digit);
        if !inward_ok || !outward_ok {
            return Err(PostcodeError::Malformed);
        }
        Ok(Self(format!("{outward} {inward}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Postcode {
    type Error = PostcodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Postcode> for String {
    fn from(value: Postcode) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_spacing_and_case() {
        assert_eq!(Postcode::parse("ls14ap").unwrap().as_str(), "LS1 4AP");
        assert_eq!(Postcode::parse(" SW1A  1AA").unwrap().as_str(), "SW1A 1AA");
        assert!(Postcode::parse("12345").is_err());
        assert!(Postcode::parse("LS1").is_err());
    }
}
