//! Proof of access to a person's record. Reads of a person's data take one of these values,
//! and only the relationship checks in this module's parent ([`super::person_for`],
//! [`super::referral_for`]) can make one, after deciding (and auditing a refusal). So a read
//! cannot be called without the check having been made first, whatever order a handler is
//! written in.

use std::ops::Deref;
use store::entities::{person, referral};

use super::model::{Person, Referral};
use crate::ServiceError;

/// The actor may see this person's record.
#[derive(Clone, Debug)]
pub struct PersonAccess {
    person: Person,
}

impl PersonAccess {
    pub(super) fn granted(row: person::Model) -> Result<Self, ServiceError> {
        Ok(PersonAccess {
            person: Person::try_from(row)?,
        })
    }

    pub fn id(&self) -> i32 {
        self.person.id
    }

    pub fn into_person(self) -> Person {
        self.person
    }
}

impl Deref for PersonAccess {
    type Target = Person;
    fn deref(&self) -> &Person {
        &self.person
    }
}

/// The actor may see this referral (and its contacts and messages); `can_work` says whether
/// it is in their care scope, so they may also work on it.
#[derive(Clone, Debug)]
pub struct ReferralAccess {
    row: referral::Model,
    referral: Referral,
    can_work: bool,
}

impl ReferralAccess {
    pub(super) fn granted(row: referral::Model, can_work: bool) -> Result<Self, ServiceError> {
        Ok(ReferralAccess {
            referral: Referral::try_from(row.clone())?,
            row,
            can_work,
        })
    }

    /// The row as stored, for the use cases that change it.
    pub(crate) fn row(&self) -> &referral::Model {
        &self.row
    }

    pub fn id(&self) -> i32 {
        self.referral.id
    }

    /// Whether the actor may work on the referral (it is their team's), not only see it.
    pub fn can_work(&self) -> bool {
        self.can_work
    }

    pub fn into_referral(self) -> Referral {
        self.referral
    }
}

impl Deref for ReferralAccess {
    type Target = Referral;
    fn deref(&self) -> &Referral {
        &self.referral
    }
}
