//! Kinds of organisation and where each sits in the hierarchy.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The kinds of organisation whatmatters knows. Regions contain ICBs, ICBs contain PCNs
/// (and practices that opted out of a PCN), PCNs contain member practices; VCSE organisations
/// and teams sit under whichever organisation they work with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Region,
    Icb,
    Pcn,
    Practice,
    Vcse,
    Team,
}

impl OrgKind {
    pub const ALL: [OrgKind; 6] = [
        OrgKind::Region,
        OrgKind::Icb,
        OrgKind::Pcn,
        OrgKind::Practice,
        OrgKind::Vcse,
        OrgKind::Team,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Region => "region",
            OrgKind::Icb => "icb",
            OrgKind::Pcn => "pcn",
            OrgKind::Practice => "practice",
            OrgKind::Vcse => "vcse",
            OrgKind::Team => "team",
        }
    }

    /// The name people in the field use.
    pub fn label(self) -> &'static str {
        match self {
            OrgKind::Region => "NHS England region",
            OrgKind::Icb => "Integrated care board (ICB)",
            OrgKind::Pcn => "Primary care network (PCN)",
            OrgKind::Practice => "GP practice",
            OrgKind::Vcse => "VCSE organisation",
            OrgKind::Team => "Team",
        }
    }

    /// Whether an organisation of this kind must have an ODS code.
    pub fn requires_ods_code(self) -> bool {
        matches!(
            self,
            OrgKind::Region | OrgKind::Icb | OrgKind::Pcn | OrgKind::Practice
        )
    }

    /// The kinds an organisation of this kind may sit under. An empty list means top level.
    pub fn allowed_parents(self) -> &'static [OrgKind] {
        match self {
            OrgKind::Region => &[],
            OrgKind::Icb => &[OrgKind::Region],
            OrgKind::Pcn => &[OrgKind::Icb],
            // A practice sits in its PCN, or directly under its ICB when it opted out.
            OrgKind::Practice => &[OrgKind::Pcn, OrgKind::Icb],
            OrgKind::Vcse => &[OrgKind::Icb, OrgKind::Pcn, OrgKind::Region],
            OrgKind::Team => &[OrgKind::Pcn, OrgKind::Practice, OrgKind::Vcse, OrgKind::Icb],
        }
    }
}

impl fmt::Display for OrgKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown organisation kind {0:?}; expected one of region, icb, pcn, practice, vcse, team")]
pub struct UnknownOrgKind(pub String);

impl FromStr for OrgKind {
    type Err = UnknownOrgKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OrgKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownOrgKind(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for k in OrgKind::ALL {
            assert_eq!(k.as_str().parse::<OrgKind>().unwrap(), k);
        }
        assert!("trust".parse::<OrgKind>().is_err());
    }

    #[test]
    fn opted_out_practice_may_sit_under_icb() {
        assert!(OrgKind::Practice.allowed_parents().contains(&OrgKind::Icb));
        assert!(OrgKind::Region.allowed_parents().is_empty());
    }
}
