//! Learning and events: the public catalogue and each event's page, booking (a basket for
//! those signed in; one free place for a guest), the bookings people have made, and the pages
//! where organisers publish events and take payment.

pub mod basket;
pub mod bookings;
pub mod catalogue;
pub mod certificates;
pub mod changes;
pub mod elearning;
pub mod organise;
pub mod register;
pub mod trained;
pub mod waitlist;

use domain::Permission;

use crate::routes::{Need, Routes, permission};

pub fn routes() -> Routes {
    let organise = permission(Permission::OrganiseEvents);
    Routes::new()
        .get("/register", Need::Public, register::form)
        .post("/register", Need::Public, register::submit)
        .get("/register/{token}", Need::Public, register::finish_form)
        .post("/register/{token}", Need::Public, register::finish)
        .get("/certificates/verify", Need::Public, certificates::verify)
        .get("/certificates/{code}", Need::Public, certificates::one)
        .get(
            "/certificates/{code}/certificate.pdf",
            Need::Public,
            certificates::pdf,
        )
        .get("/learning/certificates", Need::SignedIn, certificates::mine)
        .get("/learning/modules", Need::Public, elearning::list)
        .get("/learning/modules/{slug}", Need::Public, elearning::module)
        .get(
            "/learning/modules/{slug}/lessons/{n}",
            Need::SignedIn,
            elearning::lesson,
        )
        .post(
            "/learning/modules/{slug}/lessons/{n}",
            Need::SignedIn,
            elearning::finish_lesson,
        )
        .get(
            "/learning/modules/{slug}/check",
            Need::SignedIn,
            elearning::check_form,
        )
        .post(
            "/learning/modules/{slug}/check",
            Need::SignedIn,
            elearning::check,
        )
        .get(
            "/learning/trained",
            permission(Permission::ViewInsights),
            trained::show,
        )
        .get(
            "/learning/organisations/{id}/calendar.ics",
            Need::Public,
            catalogue::organisation_calendar,
        )
        .get(
            "/learning/calendar/{token}",
            Need::Public,
            catalogue::booked_calendar,
        )
        .post(
            "/learning/bookings/calendar",
            Need::SignedIn,
            bookings::new_feed,
        )
        .get(
            "/learning/organise/events/{id}/edit",
            organise,
            organise::edit_form,
        )
        .post(
            "/learning/organise/events/{id}/edit",
            organise,
            organise::edit,
        )
        .get(
            "/learning/organise/events/{id}/move",
            organise,
            changes::move_form,
        )
        .post(
            "/learning/organise/events/{id}/move",
            organise,
            changes::move_event,
        )
        .get(
            "/learning/organise/events/{id}/message",
            organise,
            changes::message_form,
        )
        .post(
            "/learning/organise/events/{id}/message",
            organise,
            changes::message,
        )
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
