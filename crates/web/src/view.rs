//! What every page template shares: the layout (title, signed-in user, navigation, CSRF token),
//! field errors in the NHS error summary pattern, and date formatting in Europe/London.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::Permission;
use services::{Actor, FieldError};

use crate::middleware::Viewer;

pub struct NavItem {
    pub href: &'static str,
    pub text: &'static str,
    pub current: bool,
}

pub struct UserNav {
    pub name: String,
}

pub struct Layout {
    pub title: String,
    pub user: Option<UserNav>,
    pub nav: Vec<NavItem>,
    /// Empty on pages rendered outside a request's context (then no sign-out button).
    pub csrf: String,
    pub has_errors: bool,
    /// A success banner confirming what the action before this page did (empty for none).
    pub success: &'static str,
    /// Links for staff who run or connect systems (API documentation, service status): not
    /// shown to the public or to people using the service for their own care.
    pub staff_links: bool,
}

impl Layout {
    pub fn new(title: impl Into<String>, actor: Option<&Actor>, csrf: &str, path: &str) -> Self {
        let mut nav = Vec::new();
        if let Some(a) = actor {
            let mut add = |href: &'static str, text: &'static str, show: bool| {
                if show {
                    let current = if href == "/" {
                        path == "/"
                    } else {
                        path.starts_with(href)
                    };
                    nav.push(NavItem {
                        href,
                        text,
                        current,
                    });
                }
            };
            add("/", "Home", true);
            // The caseload is for those who carry one; a GP starts from their home page.
            add(
                "/caseload",
                "Caseload",
                a.can(Permission::ProvideCare)
                    && a.grants.iter().any(|g| g.role.carries_caseload()),
            );
            add("/me", "Your plan", a.has_role(domain::Role::Person));
            add(
                "/inbox",
                "Referrals",
                a.can(Permission::AnswerServiceReferrals),
            );
            add(
                "/directory/listings",
                "Directory",
                a.can(Permission::EditListings) || a.can(Permission::CurateDirectory),
            );
            add("/learning", "Learning", true);
            add("/networks", "Networks", true);
            add("/leaders", "Leadership", true);
            add(
                "/find-support",
                "Find support",
                a.can(Permission::ProvideCare) || a.has_role(domain::Role::VcseWorker),
            );
            add(
                "/organisations",
                "Organisations",
                a.can(Permission::ViewOrganisations),
            );
            add("/admin/users", "Users", a.can(Permission::ManageUsers));
            add("/admin/audit", "Audit log", a.can(Permission::ViewAudit));
            add("/api/docs", "API", a.can(Permission::UseApi));
            add("/account", "Your account", true);
        }
        Layout {
            title: title.into(),
            user: actor.map(|a| UserNav {
                name: a.display_name.clone(),
            }),
            nav,
            csrf: csrf.to_owned(),
            has_errors: false,
            success: "",
            staff_links: actor.is_some_and(|a| a.can(Permission::UseApi)),
        }
    }

    pub fn for_viewer(title: impl Into<String>, v: &Viewer, path: &str) -> Self {
        let mut l = Layout::new(title, v.actor(), &v.csrf, path);
        l.success = v.saved.as_deref().map(confirmation).unwrap_or("");
        l
    }

    pub fn with_errors(mut self, errors: &Errors) -> Self {
        self.has_errors = !errors.is_empty();
        self
    }
}

/// Field errors for a form: the summary lists them, each field shows its own.
#[derive(Default, Clone)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn list(&self) -> &[FieldError] {
        &self.0
    }

    pub fn one(field: &str, message: impl Into<String>) -> Self {
        Errors(vec![FieldError::new(field, message)])
    }

    /// The errors in the order their fields appear on the form (others last).
    pub fn in_order(list: Vec<FieldError>, fields: &[&str]) -> Self {
        let mut p = services::error::Problems(list);
        p.sort_by(fields);
        Errors(p.0)
    }
}

/// Renders a template to a response with the given status.
pub fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The page could not be shown",
            )
                .into_response()
        }
    }
}

const LONDON: chrono_tz::Tz = domain::dates::UK;

/// "21 November 2026 at 9:05am" in UK time.
pub fn date_time(t: &DateTime<Utc>) -> String {
    let l = t.with_timezone(&LONDON);
    format!("{} at {}", l.format("%-d %B %Y"), l.format("%-I:%M%P"))
}

/// "21 November 2026".
pub fn date(t: &DateTime<Utc>) -> String {
    t.with_timezone(&LONDON).format("%-d %B %Y").to_string()
}

/// "9:05am".
pub fn time(t: &DateTime<Utc>) -> String {
    t.with_timezone(&LONDON).format("%-I:%M%P").to_string()
}

/// 12,345
pub fn thousands(n: i64) -> String {
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Numbers for pagination links: first, last, and neighbours of the current page, with gaps.
pub fn page_numbers(page: u64, total_pages: u64) -> Vec<Option<u64>> {
    let mut out = Vec::new();
    let mut last = 0;
    for p in 1..=total_pages {
        if p == 1 || p == total_pages || p.abs_diff(page) <= 1 {
            if p > last + 1 {
                out.push(None);
            }
            out.push(Some(p));
            last = p;
        }
    }
    out
}

/// The confirmation of an action, by the code a form's redirect carries (`?saved=contact`).
/// A code this does not know confirms nothing, so a link cannot put words on the page.
pub fn confirmation(code: &str) -> &'static str {
    match code {
        "created" => "The referral has been received and is on the caseload",
        "contact" => "The contact has been recorded",
        "assigned" => "The referral has been assigned",
        "state" => "The referral has been updated",
        "accepted" => "The referral has been accepted and assigned",
        "signposted" => {
            "The referral is closed as signposted: the message to the GP and referrer is below"
        }
        "not-accepted" => {
            "The referral is closed as not accepted: the message to the GP and referrer is below"
        }
        "follow-up" => "The follow-up has been set: it will be on your home page from that day",
        "follow-up-done" => "The follow-up is done",
        "applied" => {
            "Your application has been sent: we will email you when the organisers have decided"
        }
        "withdrawn" => "Your application has been withdrawn",
        "listing" => "Your choice about the member directory has been saved",
        "approved" => "The application has been approved: they have been emailed a welcome",
        "declined" => "The application has been declined: they have been emailed your message",
        "network-event" => "The network's events have been updated",
        "posted" => "Your post has been published",
        "replied" => "Your reply has been published",
        "edited" => "Your post has been updated",
        "reported" => "Thank you: the organisers will look at the post",
        "moderated" => "The post has been dealt with",
        "list-sent" => "The message is being sent: each subscriber gets one copy",
        "profile" => "Your leader's profile has been saved",
        "opportunity-applied" => "You have said yes: the organisation will be in touch",
        "opportunity" => "The opportunity is posted: leaders can see it and apply",
        "invited-leader" => "The invitation has been emailed",
        "leader-selected" => "They have been selected and emailed",
        "leader-declined" => "They have been told they were not selected this time",
        "hours" => "The hours have been recorded, with the payment due at the rate for that day",
        "rate" => "The rate has been added: it applies to work from its date",
        "enrolled" => "You are on the programme: start with step 1",
        "left-programme" => {
            "You have left the programme: you can come back to the same step at any time"
        }
        "cohort" => "The cohort is open: place people who have finished steps 1 and 2 in it",
        "programme" => "Done: they have been emailed",
        "consultation" => "The consultation is open: members can respond until it closes",
        "responded" => {
            "Your response has been saved: you can change it until the consultation closes"
        }
        "invited" => "The invitation has been sent: the link to set a password works for 7 days",
        "role-given" => "The role has been given",
        "role-removed" => "The role has been taken away",
        "closed" => "The account is closed: their sessions and API tokens have ended",
        "reopened" => "The account is open again",
        "discharged" => "The person has been discharged: the message to their GP is below",
        "details" => "The details have been saved",
        "consent" => "The consent decision has been recorded",
        "about-me" => "About me has been saved",
        "plan" => "The plan has been saved",
        "measure" => "The answers have been saved",
        "decision" => "The decision has been recorded",
        "service-referral" => {
            "The referral has been sent: the service will reply in its inbox, and you will see each step here"
        }
        "accepted-referral" => {
            "You have accepted the referral: contact them to arrange their first visit"
        }
        "declined-referral" => {
            "You have declined the referral: their link worker will see your reason"
        }
        "attendance" => "Attendance has been recorded",
        "listing-proposed" => {
            "Your change has been sent: a directory curator will check it before it is published"
        }
        "listing-published" => "The listing has been published",
        "listing-returned" => {
            "The change has been returned: its organisation has been told what needs changing"
        }
        "capacity" => "Whether the service has places has been saved",
        "assured" => "The listing is confirmed as right today",
        "basket" => "The places are in your basket",
        "basket-removed" => "Those places have been taken out of your basket",
        "booked" => "Your places are booked: we have emailed you the details",
        "booking-cancelled" => "The booking is cancelled: its places have gone back on sale",
        "paid" => "The booking is marked as paid",
        "event-published" => "It is published: people can find it and book",
        "waitlist-joined" => "You are on the waiting list: we have emailed you a link to this page",
        "waitlist-left" => "You have left the waiting list",
        "checked-in" => "Checked in: their certificate of attendance has been emailed to them",
        "event-changed" => "Your changes are saved",
        "event-moved" => "It has moved: everyone booked or waiting has been emailed the new date",
        "attendees-messaged" => "Your message has been emailed to everyone booked",
        "event-cancelled" => "It is cancelled: everyone booked or waiting has been emailed",
        _ => "",
    }
}

/// Pagination links that keep the current filters.
pub struct Pager {
    pub page: u64,
    pub total_pages: u64,
    /// The path and filter query, without the page.
    pub base: String,
    /// The query parameter that carries the page number.
    pub param: &'static str,
    /// What the links page through, for screen readers ("Pagination" when one list is paged).
    pub label: &'static str,
}

impl Pager {
    pub fn new(path: &str, filters: &[(&str, String)], page: u64, total_pages: u64) -> Self {
        Pager::named("page", "Pagination", path, filters, page, total_pages)
    }

    /// Pagination for one of several lists on a page, each with its own page parameter.
    pub fn named(
        param: &'static str,
        label: &'static str,
        path: &str,
        filters: &[(&str, String)],
        page: u64,
        total_pages: u64,
    ) -> Self {
        let kept: Vec<(&str, &str)> = filters
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        let q = serde_urlencoded::to_string(&kept).unwrap_or_default();
        let base = if q.is_empty() {
            format!("{path}?")
        } else {
            format!("{path}?{q}&")
        };
        Pager {
            page,
            total_pages,
            base,
            param,
            label,
        }
    }

    pub fn href<N: std::borrow::Borrow<u64>>(&self, p: N) -> String {
        format!("{}{}={}", self.base, self.param, p.borrow())
    }

    pub fn numbers(&self) -> Vec<Option<u64>> {
        page_numbers(self.page, self.total_pages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_show_in_uk_time() {
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 8, 5, 0).unwrap();
        assert_eq!(date_time(&summer), "1 July 2026 at 9:05am");
        let winter = Utc.with_ymd_and_hms(2026, 12, 1, 8, 5, 0).unwrap();
        assert_eq!(date_time(&winter), "1 December 2026 at 8:05am");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn pagination_numbers_skip_with_gaps() {
        assert_eq!(
            page_numbers(5, 10),
            vec![Some(1), None, Some(4), Some(5), Some(6), None, Some(10)]
        );
        assert_eq!(page_numbers(1, 1), vec![Some(1)]);
    }
}
