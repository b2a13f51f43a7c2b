//! Learning and events: the catalogue of events and courses, baskets that hold places for a
//! while, orders (free, or by invoice) and cancellations; capacity is never oversold.
//! Certificates of attendance and of e-learning, learners' progress through e-learning, who
//! counts as trained, and calendar feeds.

pub mod booking;
pub mod calendar;
pub mod catalogue;
pub mod certificates;
pub mod elearning;
pub mod organise;
pub mod trained;
pub mod waitlist;
