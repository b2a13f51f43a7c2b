//! ODS codes: the identifiers NHS England's Organisation Data Service gives organisations.

use crate::org::OrgKind;
use serde::{Deserialize, Serialize};
use std::fmt;

/// FHIR identifier system for ODS codes.
pub const ODS_SYSTEM: &str = "https://fhir.nhs.uk/Id/ods-organization-code";

/// An ODS code in canonical upper case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OdsCode(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OdsCodeError {
    #[error("Enter an ODS code")]
    Empty,
    #[error("ODS code must be 3 to 8 letters and numbers")]
    Malformed,
    #[error("A GP practice ODS code is a letter followed by 5 numbers, like A81001")]
    NotPractice,
    #[error("A PCN ODS code is U followed by 5 numbers, like U12345")]
    NotPcn,
    #[error("An ICB ODS code is 3 letters and numbers starting with Q, like QHM")]
    NotIcb,
    #[error("A region ODS code is Y followed by 2 numbers, like Y63")]
    NotRegion,
}

impl OdsCode {
    /// Parses any ODS code (3-8 ASCII letters and digits), upper-casing it.
    pub fn parse(input: &str) -> Result<Self, OdsCodeError> {
        let code = input.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(OdsCodeError::Empty);
        }
        if !(3..=8).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(OdsCodeError::Malformed);
        }
        Ok(Self(code))
    }

    /// Parses a code and checks it has the shape ODS uses for that kind of organisation.
    pub fn parse_for(kind: OrgKind, input: &str) -> Result<Self, OdsCodeError> {
        let code = Self::parse(input)?;
        let b = code.0.as_bytes();
        let digits = |from: usize| b[from..].iter().all(u8::is_ascii_digit);
        let ok = match kind {
            OrgKind::Practice => b.len() == 6 && b[0].is_ascii_alphabetic() && digits(1),
            OrgKind::Pcn => b.len() == 6 && b[0] == b'U' && digits(1),
            OrgKind::Icb => b.len() == 3 && b[0] == b'Q',
            OrgKind::Region => b.len() == 3 && b[0] == b'Y' && digits(1),
            OrgKind::Vcse | OrgKind::Team => true,
        };
        if ok {
            Ok(code)
        } else {
            Err(match kind {
                OrgKind::Practice => OdsCodeError::NotPractice,
                OrgKind::Pcn => OdsCodeError::NotPcn,
                OrgKind::Icb => OdsCodeError::NotIcb,
                _ => OdsCodeError::NotRegion,
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OdsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for OdsCode {
    type Error = OdsCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OdsCode> for String {
    fn from(value: OdsCode) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn practice_codes_are_letter_and_five_digits() {
        assert_eq!(
            OdsCode::parse_for(OrgKind::Practice, " a81001 ")
                .unwrap()
                .as_str(),
            "A81001"
        );
        assert_eq!(
            OdsCode::parse_for(OrgKind::Practice, "A8100"),
            Err(OdsCodeError::NotPractice)
        );
        assert_eq!(
            OdsCode::parse_for(OrgKind::Practice, "181001"),
            Err(OdsCodeError::NotPractice)
        );
    }

    #[test]
    fn pcn_icb_and_region_shapes() {
        assert!(OdsCode::parse_for(OrgKind::Pcn, "U12345").is_ok());
        assert_eq!(
            OdsCode::parse_for(OrgKind::Pcn, "A12345"),
            Err(OdsCodeError::NotPcn)
        );
        assert!(OdsCode::parse_for(OrgKind::Icb, "QHM").is_ok());
        assert_eq!(
            OdsCode::parse_for(OrgKind::Icb, "HMQ"),
            Err(OdsCodeError::NotIcb)
        );
        assert!(OdsCode::parse_for(OrgKind::Region, "Y63").is_ok());
        assert_eq!(
            OdsCode::parse_for(OrgKind::Region, "Y6A"),
            Err(OdsCodeError::NotRegion)
        );
    }

    #[test]
    fn malformed_codes_are_refused() {
        assert_eq!(OdsCode::parse(""), Err(OdsCodeError::Empty));
        assert_eq!(OdsCode::parse("A1"), Err(OdsCodeError::Malformed));
        assert_eq!(OdsCode::parse("A81-001"), Err(OdsCodeError::Malformed));
        assert_eq!(OdsCode::parse("ABCDEFGHI"), Err(OdsCodeError::Malformed));
    }
}
