//! Pure types and rules of personalised care. No I/O: everything here is a
//! value that has been parsed once ("parse, don't validate") or a rule over such values.

/// A closed set of codes kept as text in the database and shown by a label: `as_str` gives the
/// code, `label` the words, `parse` the variant of a code (`None` for one it does not know).
macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal : $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name { $(#[serde(rename = $code)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),+ } }
            pub fn parse(s: &str) -> Option<Self> { Self::ALL.iter().copied().find(|v| v.as_str() == s) }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.label()) }
        }
    };
}

pub mod about_me;
pub mod dates;
pub mod directory;
pub mod email;
pub mod leadership;
pub mod learning;
pub mod measures;
pub mod networks;
pub mod nhs_number;
pub mod ods;
pub mod org;
pub mod password;
pub mod person;
pub mod plan;
pub mod postcode;
pub mod referral;
pub mod role;
pub mod text;

pub use email::Email;
pub use nhs_number::{NhsNumber, NhsNumberError};
pub use ods::{OdsCode, OdsCodeError};
pub use org::OrgKind;
pub use postcode::Postcode;
pub use role::{Permission, Role};
pub use text::{TextError, TextField};
