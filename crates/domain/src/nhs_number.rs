//! NHS number: ten digits, the last a modulus 11 check digit.

use serde::{Deserialize, Serialize};
use std::fmt;

/// FHIR identifier system for NHS numbers.
pub const NHS_NUMBER_SYSTEM: &str = "https://fhir.nhs.uk/Id/nhs-number";

/// A valid NHS number, stored as its ten digits with no spaces.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NhsNumber(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NhsNumberError {
    #[error("Enter an NHS number")]
    Empty,
    #[error("NHS number must contain only numbers and spaces")]
    NotDigits,
    #[error("NHS number must be 10 digits (you entered {0})")]
    WrongLength(usize),
    #[error("NHS number is not valid: its check digit would be 10, which is never issued")]
    CheckDigitTen,
    #[error(
        "NHS number is not valid: the last digit should be {expected}, not {found}; check for a mistyped digit"
    )]
    CheckDigitMismatch { expected: u32, found: u32 },
}

impl NhsNumber {
    /// Parses "943 476 5919", "943-476-5919" or "9434765919".
    pub fn parse(input: &str) -> Result<Self, NhsNumberError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(NhsNumberError::Empty);
        }
        let mut digits = Vec::with_capacity(10);
        for c in trimmed.chars() {
            match c {
                ' ' | '-' => {}
                d if d.is_ascii_digit() => digits.push(d.to_digit(10).unwrap_or(0)),
                _ => return Err(NhsNumberError::NotDigits),
            }
        }
        if digits.len() != 10 {
            return Err(NhsNumberError::WrongLength(digits.len()));
        }
        let sum: u32 = digits[..9]
            .iter()
            .zip((2..=10).rev())
            .map(|(d, w)| d * w)
            .sum();
        let expected = match 11 - (sum % 11) {
            11 => 0,
            10 => return Err(NhsNumberError::CheckDigitTen),
            n => n,
        };
        let found = digits[9];
        if expected != found {
            return Err(NhsNumberError::CheckDigitMismatch { expected, found });
        }
        Ok(Self(
            digits.iter().map(|d| char::from(b'0' + *d as u8)).collect(),
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 3-3-4 grouping used on screen and in letters.
    pub fn formatted(&self) -> String {
        format!("{} {} {}", &self.0[..3], &self.0[3..6], &self.0[6..])
    }
}

impl fmt::Display for NhsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.formatted())
    }
}

impl TryFrom<String> for NhsNumber {
    type Error = NhsNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<NhsNumber> for String {
    fn from(value: NhsNumber) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_valid_numbers_with_spaces() {
        let n = NhsNumber::parse("943 476 5919").unwrap();
        assert_eq!(n.as_str(), "9434765919");
        assert_eq!(n.to_string(), "943 476 5919");
    }

    #[test]
    fn rejects_wrong_check_digit_with_reason() {
        assert_eq!(
            NhsNumber::parse("9434765918"),
            Err(NhsNumberError::CheckDigitMismatch {
                expected: 9,
                found: 8
            })
        );
    }

    #[test]
    fn rejects_check_digit_ten() {
        // 1000000010: weights give sum 10*1 + 2*1 = 12; 11 - 1 = 10 -> never issued.
        assert_eq!(
            NhsNumber::parse("1000000010"),
            Err(NhsNumberError::CheckDigitTen)
        );
    }

    #[test]
    fn rejects_length_and_letters() {
        assert_eq!(
            NhsNumber::parse("12345"),
            Err(NhsNumberError::WrongLength(5))
        );
        assert_eq!(
            NhsNumber::parse("94347659A9"),
            Err(NhsNumberError::NotDigits)
        );
        assert_eq!(NhsNumber::parse("  "), Err(NhsNumberError::Empty));
    }

    proptest! {
        #[test]
        fn any_single_digit_change_is_detected(base in 0u64..999_999_999, pos in 0usize..10, delta in 1u32..10) {
            // Build a valid number from nine random digits, when it has a valid check digit.
            let nine = format!("{base:09}");
            let sum: u32 = nine.chars().zip((2..=10).rev()).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
            let check = match 11 - (sum % 11) { 11 => 0, 10 => return Ok(()), n => n };
            let valid = format!("{nine}{check}");
            prop_assert!(NhsNumber::parse(&valid).is_ok());
            let mut digits: Vec<u32> = valid.chars().map(|c| c.to_digit(10).unwrap()).collect();
            digits[pos] = (digits[pos] + delta) % 10;
            let changed: String = digits.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect();
            prop_assert!(NhsNumber::parse(&changed).is_err());
        }
    }
}
