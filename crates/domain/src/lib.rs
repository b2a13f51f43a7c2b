//! Pure types and rules of personalised care. No I/O: everything here is a
//! value that has been parsed once ("parse, don't validate") or a rule over such values.

pub mod about_me;
pub mod dates;
pub mod email;
pub mod measures;
pub mod nhs_number;
pub mod ods;
pub mod org;
pub mod password;
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
