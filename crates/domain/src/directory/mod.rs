//! The community directory, modelled on Open Referral UK 3.0 (HSDS 3.0): the organisations,
//! services and places people are connected to. This module holds its pure parts: the taxonomy
//! of needs that services are found by, and the identifiers they are published under.

pub mod geo;
pub mod listing;
pub mod taxonomy;
