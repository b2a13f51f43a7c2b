//! Learning and events: what an event or course is (format, places of each kind, price, CPD
//! hours, sessions), what a booking is, and the rules that hold whatever stores them.
//!
//! A hybrid event has two separate pools of places, in the room and online; an event held in
//! one way has one. A place is held while it sits in a basket, then taken by the order that
//! checks it out; the places free are the capacity less both.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::text::{self, TextField};

pub mod elearning;
pub mod money;
pub use money::Pence;

/// The most places of one kind an event can have.
pub const MAX_PLACES: i32 = 100_000;
/// The most places one order may take of one event.
pub const MAX_PLACES_PER_ORDER: i32 = 20;
/// The most sessions a course can have.
pub const MAX_SESSIONS: usize = 52;
/// The most CPD hours an event can carry, in minutes (a year of weekdays).
pub const MAX_CPD_MINUTES: i32 = 260 * 8 * 60;

pub const TITLE: TextField = TextField::line("Title", text::TITLE_MAX);
pub const SUMMARY: TextField = TextField::lines("Summary", 500);
pub const DESCRIPTION: TextField = TextField::lines("Description", text::NOTE_MAX);
pub const VENUE: TextField = TextField::lines("Venue", text::ADDRESS_MAX);
pub const JOIN_LINK: TextField = TextField::line("Joining link", text::URL_MAX);
pub const AUDIENCE: TextField = TextField::line("Who it is for", text::TITLE_MAX);
pub const SESSION_TITLE: TextField = TextField::line("Session title", text::TITLE_MAX);

named_enum!(
    /// How an event is held.
    Format {
        InPerson = "in_person": "Face to face",
        Online = "online": "Online",
        Hybrid = "hybrid": "Face to face and online",
    }
);

impl Format {
    /// The kinds of place it has.
    pub fn modes(self) -> &'static [Mode] {
        match self {
            Format::InPerson => &[Mode::InPerson],
            Format::Online => &[Mode::Online],
            Format::Hybrid => &[Mode::InPerson, Mode::Online],
        }
    }
}

named_enum!(
    /// Which pool a place is taken from.
    Mode {
        InPerson = "in_person": "In the room",
        Online = "online": "Online",
    }
);

named_enum!(
    /// An event (one session) or a course (several).
    Kind {
        Event = "event": "Event",
        Course = "course": "Course",
    }
);

named_enum!(
    /// Where an order is in its life: free or paid for (confirmed, paid), to be paid by
    /// invoice with the places kept meanwhile (pending), or ended.
    OrderState {
        Confirmed = "confirmed": "Booked",
        Pending = "pending": "Booked, waiting for payment",
        Paid = "paid": "Booked and paid",
        Cancelled = "cancelled": "Cancelled",
        Refunded = "refunded": "Cancelled and refunded",
    }
);

impl OrderState {
    /// Whether the order's places are taken.
    pub fn holds_places(self) -> bool {
        matches!(
            self,
            OrderState::Confirmed | OrderState::Pending | OrderState::Paid
        )
    }

    /// The states an order may move to from this one.
    pub fn may_become(self, next: OrderState) -> bool {
        use OrderState::*;
        matches!(
            (self, next),
            (Pending, Paid) | (Pending, Cancelled) | (Confirmed, Cancelled) | (Paid, Refunded)
        )
    }
}

/// One meeting of an event or course.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// An event or course as its organiser describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventInput {
    pub kind: Kind,
    pub title: String,
    pub summary: String,
    pub description: String,
    /// A topic code from [`TOPICS`].
    pub topic: String,
    /// An NHS England region code from [`REGIONS`], or empty for national events.
    pub region: String,
    pub format: Format,
    pub venue: String,
    pub join_link: String,
    pub in_person_places: i32,
    pub online_places: i32,
    pub price: Pence,
    pub cpd_minutes: i32,
    pub audience: String,
    pub sessions: Vec<Session>,
    /// How long a certificate of attendance stays current, in months (none: for ever).
    #[serde(default)]
    pub certificate_months: Option<i32>,
    /// Attending counts a professional as trained in personalised care.
    #[serde(default)]
    pub accredited: bool,
}

/// The longest a certificate can stay current before re-certifying: ten years.
pub const MAX_CERTIFICATE_MONTHS: i32 = 120;

/// A problem with a field of what was sent.
pub use crate::text::Problem;

/// The topics of the catalogue: the parts of personalised care people learn.
pub const TOPICS: [(&str, &str); 8] = [
    ("core_skills", "Personalised care core skills"),
    ("shared_decision_making", "Shared decision making"),
    ("care_planning", "Personalised care and support planning"),
    ("social_prescribing", "Social prescribing"),
    ("health_coaching", "Health and wellbeing coaching"),
    ("supported_self_management", "Supported self-management"),
    ("personal_health_budgets", "Personal health budgets"),
    ("peer_leadership", "Peer leadership"),
];

/// What learners say they do, when they open an account.
pub const JOB_ROLES: [&str; 14] = [
    "Social prescribing link worker",
    "Health and wellbeing coach",
    "Care coordinator",
    "GP",
    "Nurse",
    "Pharmacist",
    "Allied health professional",
    "Practice or PCN manager",
    "Commissioner",
    "Voluntary or community sector worker",
    "Peer leader or patient leader",
    "Student or trainee",
    "Member of the public",
    "Other",
];

/// NHS England's seven regions.
pub const REGIONS: [(&str, &str); 7] = [
    ("Y56", "London"),
    ("Y58", "South West"),
    ("Y59", "South East"),
    ("Y60", "Midlands"),
    ("Y61", "East of England"),
    ("Y62", "North West"),
    ("Y63", "North East and Yorkshire"),
];

pub fn topic_label(code: &str) -> Option<&'static str> {
    TOPICS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

pub fn region_label(code: &str) -> Option<&'static str> {
    REGIONS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

use crate::text::Checker;

impl Checker {
    fn places(&mut self, field: &str, what: &str, n: i32, needed: bool) -> i32 {
        if needed && !(1..=MAX_PLACES).contains(&n) {
            self.problem(
                field,
                format!(
                    "{what} must be a whole number from 1 to {}",
                    text::with_commas(MAX_PLACES as usize)
                ),
            );
        }
        if needed { n } else { 0 }
    }
}

impl EventInput {
    /// The event with every text trimmed and checked, or every problem found.
    pub fn clean(&self) -> Result<EventInput, Vec<Problem>> {
        let mut c = Checker(Vec::new());
        let title = c.required("title", TITLE, &self.title, "Enter a title");
        let summary = c.required(
            "summary",
            SUMMARY,
            &self.summary,
            "Say in a sentence or two what people will learn",
        );
        let description = c.text("description", DESCRIPTION, &self.description);
        if topic_label(&self.topic).is_none() {
            c.problem("topic", "Choose a topic from the list");
        }
        if !self.region.is_empty() && region_label(&self.region).is_none() {
            c.problem(
                "region",
                "Choose a region from the list, or none for national",
            );
        }
        let modes = self.format.modes();
        let in_person = modes.contains(&Mode::InPerson);
        let online = modes.contains(&Mode::Online);
        let venue = c.text("venue", VENUE, &self.venue);
        if in_person && venue.is_empty() {
            c.problem("venue", "Enter where it is held");
        }
        let join_link = c.text("join_link", JOIN_LINK, &self.join_link);
        if !join_link.is_empty() && !join_link.starts_with("https://") {
            c.problem(
                "join_link",
                "Enter a joining link starting https://, like https://meet.example.org/abc",
            );
        }
        let in_person_places = c.places(
            "in_person_places",
            "Places in the room",
            self.in_person_places,
            in_person,
        );
        let online_places = c.places("online_places", "Places online", self.online_places, online);
        if !(0..=money::MAX_PRICE.0).contains(&self.price.0) {
            c.problem(
                "price",
                format!("Price must be from £0 to {}", money::MAX_PRICE),
            );
        }
        if !(0..=MAX_CPD_MINUTES).contains(&self.cpd_minutes) {
            c.problem(
                "cpd_hours",
                format!("CPD hours must be from 0 to {}", MAX_CPD_MINUTES / 60),
            );
        }
        let audience = c.text("audience", AUDIENCE, &self.audience);
        if self.sessions.is_empty() {
            c.problem("sessions", "Give the date and time it starts and ends");
        }
        if self.sessions.len() > MAX_SESSIONS {
            c.problem(
                "sessions",
                format!("A course can have {MAX_SESSIONS} sessions at most"),
            );
        }
        if self.kind == Kind::Event && self.sessions.len() > 1 {
            c.problem("sessions", "An event has one session; a course has several");
        }
        let mut sessions = Vec::new();
        for (i, s) in self.sessions.iter().enumerate() {
            let field = if self.sessions.len() == 1 {
                "ends_at".to_owned()
            } else {
                format!("sessions[{i}].ends_at")
            };
            let title = c.text(format!("sessions[{i}].title"), SESSION_TITLE, &s.title);
            if s.ends_at <= s.starts_at {
                c.problem(field, "The end must be after the start");
            } else if s.ends_at - s.starts_at > chrono::Duration::hours(24) {
                c.problem(field, "A session lasts a day at most; add more sessions");
            }
            sessions.push(Session {
                title,
                starts_at: s.starts_at,
                ends_at: s.ends_at,
            });
        }
        sessions.sort_by_key(|s| s.starts_at);
        if let Some(m) = self.certificate_months
            && !(1..=MAX_CERTIFICATE_MONTHS).contains(&m)
        {
            c.problem(
                "certificate_months",
                format!(
                    "Months a certificate stays current must be from 1 to {MAX_CERTIFICATE_MONTHS}, or empty if it does not run out"
                ),
            );
        }
        if c.0.is_empty() {
            Ok(EventInput {
                kind: self.kind,
                title,
                summary,
                description,
                topic: self.topic.clone(),
                region: self.region.clone(),
                format: self.format,
                venue: if in_person { venue } else { String::new() },
                join_link: if online { join_link } else { String::new() },
                in_person_places,
                online_places,
                price: self.price,
                cpd_minutes: self.cpd_minutes,
                audience,
                sessions,
                certificate_months: self.certificate_months,
                accredited: self.accredited,
            })
        } else {
            Err(c.0)
        }
    }

    /// When the first session starts and the last ends.
    pub fn span(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let start = self.sessions.iter().map(|s| s.starts_at).min()?;
        let end = self.sessions.iter().map(|s| s.ends_at).max()?;
        Some((start, end))
    }

    /// Places of a kind.
    pub fn places(&self, mode: Mode) -> i32 {
        match mode {
            Mode::InPerson => self.in_person_places,
            Mode::Online => self.online_places,
        }
    }
}

/// "Tuesday 1 December 2026, 10am to 1pm" (UK time); across days, both dates.
pub fn when(starts: DateTime<Utc>, ends: DateTime<Utc>) -> String {
    let (s, e) = (
        starts.with_timezone(&crate::dates::UK),
        ends.with_timezone(&crate::dates::UK),
    );
    let time = |t: &DateTime<chrono_tz::Tz>| {
        if t.format("%M").to_string() == "00" {
            t.format("%-I%P").to_string()
        } else {
            t.format("%-I:%M%P").to_string()
        }
    };
    if s.date_naive() == e.date_naive() {
        format!("{}, {} to {}", s.format("%A %-d %B %Y"), time(&s), time(&e))
    } else {
        format!(
            "{}, {} to {}, {}",
            s.format("%A %-d %B %Y"),
            time(&s),
            e.format("%A %-d %B %Y"),
            time(&e)
        )
    }
}

/// CPD minutes as people read them: "3 hours", "1.5 hours", "45 minutes".
pub fn cpd_label(minutes: i32) -> String {
    match minutes {
        0 => String::new(),
        m if m < 60 => format!("{m} minutes CPD"),
        60 => "1 hour CPD".into(),
        m if m % 60 == 0 => format!("{} hours CPD", m / 60),
        m => format!("{:.1} hours CPD", f64::from(m) / 60.0),
    }
}

#[cfg(test)]
mod tests;
