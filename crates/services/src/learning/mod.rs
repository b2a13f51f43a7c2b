//! Learning and events: the catalogue of events and courses, baskets that hold places for a
//! while, orders (free, or by invoice) and cancellations; capacity is never oversold.

pub mod booking;
pub mod catalogue;
pub mod organise;
pub mod waitlist;
