//! Learning and events: the public catalogue and each event's page, booking (a basket for
//! those signed in; one free place for a guest), the bookings people have made, and the pages
//! where organisers publish events and take payment.

pub mod basket;
pub mod bookings;
pub mod catalogue;
pub mod organise;
pub mod waitlist;

use domain::Permission;

use crate::routes::{Need, Routes, permission};

pub fn routes() -> Routes {
    let organise = permission(Permission::OrganiseEvents);
    Routes::new()
        .get("/learning", Need::Public, catalogue::list)
        .get("/learning/events/{id}", Need::Public, catalogue::event)
        .get(
            "/learning/events/{id}/calendar.ics",
            Need::Public,
            catalogue::calendar,
        )
        .post("/learning/events/{id}/book", Need::Public, catalogue::book)
        .post(
            "/learning/events/{id}/waitlist",
            Need::Public,
            waitlist::join,
        )
        .get("/learning/waitlist/{token}", Need::Public, waitlist::show)
        .post(
            "/learning/waitlist/{token}/accept",
            Need::Public,
            waitlist::accept,
        )
        .post(
            "/learning/waitlist/{token}/leave",
            Need::Public,
            waitlist::leave,
        )
        .post("/learning/events/{id}/basket", Need::SignedIn, basket::add)
        .get("/learning/basket", Need::SignedIn, basket::show)
        .post("/learning/basket/remove", Need::SignedIn, basket::remove)
        .post(
            "/learning/basket/checkout",
            Need::SignedIn,
            basket::checkout,
        )
        .get("/learning/bookings", Need::SignedIn, bookings::mine)
        .get("/learning/bookings/{code}", Need::Public, bookings::one)
        .post(
            "/learning/bookings/{code}/cancel",
            Need::Public,
            bookings::cancel,
        )
        .get("/learning/organise", organise, organise::list)
        .get("/learning/organise/new", organise, organise::form)
        .post("/learning/organise/new", organise, organise::create)
        .get("/learning/organise/events/{id}", organise, organise::event)
        .get(
            "/learning/organise/events/{id}/attendees.csv",
            organise,
            organise::csv,
        )
        .post(
            "/learning/organise/events/{id}/check-in/{place}",
            organise,
            organise::check_in,
        )
        .post(
            "/learning/organise/events/{id}/cancel",
            organise,
            organise::cancel,
        )
        .post(
            "/learning/organise/orders/{code}/paid",
            organise,
            organise::paid,
        )
}

pub use domain::learning::when;
