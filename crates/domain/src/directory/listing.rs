//! A listing: one community service as its organisation or a curator describes it, with where
//! and when it runs, what it costs, the needs it meets and whether it has places. Every listing
//! is checked by [`Listing::clean`] before it is saved, however it arrives (the curation form,
//! an Open Referral import, the demo): a listing without a name, a description or a way to make
//! contact is refused, so every published service has them.

use chrono::NaiveTime;

use super::geo::Point;
use crate::text::{self, TextField};

/// A listing has at most this many places, openings, costs and needs.
pub const MAX_PLACES: usize = 10;
pub const MAX_OPENINGS: usize = 20;
pub const MAX_COSTS: usize = 10;
pub const MAX_NEEDS: usize = 18;
/// Ages are whole years from 0 to this.
pub const MAX_AGE: i64 = 120;

pub const SERVICE_NAME: TextField = TextField::line("Service name", text::TITLE_MAX);
pub const DESCRIPTION: TextField = TextField::lines("Description", text::NOTE_MAX);
pub const WEBSITE: TextField = TextField::line("Website", text::URL_MAX);
pub const ELIGIBILITY: TextField = TextField::lines("Who it is for", text::ITEM_MAX);
pub const FEES: TextField = TextField::lines("Fees", text::ITEM_MAX);
pub const APPLICATION: TextField = TextField::lines("How to join", text::ITEM_MAX);
pub const WAIT_TIME: TextField = TextField::line("Waiting time", text::TITLE_MAX);
pub const PLACE_NAME: TextField = TextField::line("Place name", text::TITLE_MAX);
pub const ADDRESS_LINE: TextField = TextField::line("Address", text::TITLE_MAX);
pub const TOWN: TextField = TextField::line("Town or city", text::LABEL_MAX);
pub const OPENING_NOTE: TextField = TextField::line("About these times", text::TITLE_MAX);
pub const COST_OPTION: TextField = TextField::line("Who pays this", text::TITLE_MAX);
pub const CONTACT_NAME: TextField = TextField::line("Contact name", text::FULL_NAME_MAX);
pub const ORG_NAME: TextField = TextField::line("Organisation name", text::TITLE_MAX);

named_enum! {
    /// Whether a service is running (Open Referral's `status`).
    ServiceStatus {
        Active = "active": "Running",
        TemporarilyClosed = "temporarily closed": "Temporarily closed",
        Inactive = "inactive": "Not running",
        Defunct = "defunct": "Closed for good",
    }
}

named_enum! {
    /// Whether a service can take someone now.
    Capacity {
        Places = "places": "Has places",
        WaitingList = "waiting_list": "Waiting list",
        Full = "full": "Full",
    }
}

named_enum! {
    /// How often an opening repeats (Open Referral's `freq`).
    Freq {
        Weekly = "WEEKLY": "Every week",
        Monthly = "MONTHLY": "Every month",
    }
}

named_enum! {
    /// Days of the week as iCalendar writes them (`byday`).
    Day {
        Mo = "MO": "Monday",
        Tu = "TU": "Tuesday",
        We = "WE": "Wednesday",
        Th = "TH": "Thursday",
        Fr = "FR": "Friday",
        Sa = "SA": "Saturday",
        Su = "SU": "Sunday",
    }
}

impl Day {
    pub fn of(weekday: chrono::Weekday) -> Day {
        Day::ALL[weekday.num_days_from_monday() as usize]
    }
}

/// A place a service runs at.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, Default)]
pub struct Place {
    /// Its UUID, when it has one already.
    pub id: Option<String>,
    pub name: String,
    pub address_1: String,
    pub city: String,
    pub postcode: String,
    /// Where it is; found from the postcode when not given.
    pub point: Option<Point>,
}

/// When a service runs: on these days, every week or month, between two times.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Opening {
    pub id: Option<String>,
    pub freq: Freq,
    /// The days, each with its week of the month for a monthly opening (1 = first, -1 = last).
    pub days: Vec<(Option<i8>, Day)>,
    pub opens_at: NaiveTime,
    pub closes_at: NaiveTime,
    pub description: String,
}

impl Opening {
    /// `byday` as iCalendar writes it: "MO,WE" or "1TU,-1FR".
    pub fn byday(&self) -> String {
        self.days
            .iter()
            .map(|(n, d)| match n {
                Some(n) => format!("{n}{}", d.as_str()),
                None => d.as_str().to_owned(),
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Days from `byday`, or why not.
    pub fn parse_byday(s: &str) -> Result<Vec<(Option<i8>, Day)>, String> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (n, code) = part.split_at(part.len().saturating_sub(2));
            let day = Day::parse(&code.to_ascii_uppercase())
                .ok_or_else(|| format!("{part:?} is not a day like MO or 1TU"))?;
            let n = if n.is_empty() {
                None
            } else {
                let k: i8 = n
                    .parse()
                    .ok()
                    .filter(|k: &i8| (-5..=5).contains(k) && *k != 0)
                    .ok_or_else(|| format!("{part:?} is not a day like MO or 1TU"))?;
                Some(k)
            };
            if !out.contains(&(n, day)) {
                out.push((n, day));
            }
        }
        if out.is_empty() {
            return Err("give at least one day".into());
        }
        Ok(out)
    }

    /// The opening in words: "Tuesday 10am to 12pm", "First Tuesday of the month 7pm to 9pm".
    pub fn words(&self) -> String {
        let days: Vec<String> = self
            .days
            .iter()
            .map(|(n, d)| match n {
                Some(n) => format!("{} {} of the month", ordinal(*n), d.label()),
                None => d.label().to_owned(),
            })
            .collect();
        let mut days = days.join(", ");
        if let Some(first) = days.get(..1) {
            days = first.to_uppercase() + &days[1..];
        }
        format!(
            "{days}, {} to {}",
            clock(self.opens_at),
            clock(self.closes_at)
        )
    }
}

fn ordinal(n: i8) -> &'static str {
    match n {
        1 => "first",
        2 => "second",
        3 => "third",
        4 => "fourth",
        5 => "fifth",
        _ => "last",
    }
}

/// 10am, 2:30pm, 12pm: as the NHS style guide writes times.
pub fn clock(t: NaiveTime) -> String {
    use chrono::Timelike;
    let (pm, h) = t.hour12();
    let m = t.minute();
    let suffix = if pm { "pm" } else { "am" };
    if m == 0 {
        format!("{h}{suffix}")
    } else {
        format!("{h}:{m:02}{suffix}")
    }
}

/// What a service costs someone.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CostOption {
    pub id: Option<String>,
    pub option: String,
    /// In pounds, from 0 to 10,000.
    pub amount: Option<f64>,
    pub amount_description: String,
}

/// One service as it is listed.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Listing {
    pub name: String,
    pub description: String,
    pub url: String,
    pub email: String,
    pub phone: String,
    pub contact_name: String,
    pub status: ServiceStatus,
    pub eligibility: String,
    pub minimum_age: Option<i64>,
    pub maximum_age: Option<i64>,
    pub fees: String,
    pub application_process: String,
    pub wait_time: String,
    /// The UUIDs of the taxonomy terms (needs) it meets.
    pub terms: Vec<String>,
    pub places: Vec<Place>,
    /// Whether it can be joined online or by phone from anywhere.
    pub online: bool,
    pub openings: Vec<Opening>,
    pub costs: Vec<CostOption>,
    pub capacity: Option<Capacity>,
}

impl Default for Listing {
    fn default() -> Self {
        Listing {
            name: String::new(),
            description: String::new(),
            url: String::new(),
            email: String::new(),
            phone: String::new(),
            contact_name: String::new(),
            status: ServiceStatus::Active,
            eligibility: String::new(),
            minimum_age: None,
            maximum_age: None,
            fees: String::new(),
            application_process: String::new(),
            wait_time: String::new(),
            terms: Vec::new(),
            places: Vec::new(),
            online: false,
            openings: Vec::new(),
            costs: Vec::new(),
            capacity: None,
        }
    }
}

/// A problem with a listing, named by its field ("places[0].postcode").
pub type ListingProblem = text::Problem;

use text::Checker;

impl Checker {
    fn count(&mut self, field: &str, n: usize, max: usize, what: &str) -> bool {
        if n > max {
            self.problem(
                field,
                format!("A listing can have {max} {what} at most (this has {n})"),
            );
            false
        } else {
            true
        }
    }
}

/// A website address: http or https, with a host.
pub fn is_web_address(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(r) => {
            let host = r.split(['/', '?', '#']).next().unwrap_or("");
            host.contains('.') && !host.contains(char::is_whitespace) && !host.starts_with('.')
        }
        None => false,
    }
}

impl Listing {
    /// The listing with every text trimmed and checked, or every problem found.
    pub fn clean(&self) -> Result<Listing, Vec<ListingProblem>> {
        let mut c = Checker(Vec::new());
        let name = c.required("name", SERVICE_NAME, &self.name, "Enter the service's name");
        let description = c.required(
            "description",
            DESCRIPTION,
            &self.description,
            "Describe the service: what happens, and who it helps",
        );
        let url = c.text("url", WEBSITE, &self.url);
        if !url.is_empty() && !is_web_address(&url) {
            c.problem(
                "url",
                "Enter a website address starting https://, like https://example.org.uk",
            );
        }
        let mut email = c.text("email", text::EMAIL, &self.email);
        if !email.is_empty() {
            match crate::Email::parse(&email) {
                Ok(e) => email = e.as_str().to_owned(),
                Err(e) => c.problem("email", e.to_string()),
            }
        }
        let phone = c.text("phone", text::PHONE, &self.phone);
        if !phone.is_empty() && phone.chars().filter(char::is_ascii_digit).count() < 6 {
            c.problem("phone", "Enter a phone number, like 0113 496 0000");
        }
        if url.is_empty() && email.is_empty() && phone.is_empty() {
            c.problem(
                "phone",
                "Give a way to get in touch: a phone number, an email address or a website",
            );
        }
        let contact_name = c.text("contact_name", CONTACT_NAME, &self.contact_name);
        let eligibility = c.text("eligibility", ELIGIBILITY, &self.eligibility);
        for (field, age) in [
            ("minimum_age", self.minimum_age),
            ("maximum_age", self.maximum_age),
        ] {
            if let Some(a) = age
                && !(0..=MAX_AGE).contains(&a)
            {
                c.problem(field, format!("Ages are whole years from 0 to {MAX_AGE}"));
            }
        }
        if let (Some(lo), Some(hi)) = (self.minimum_age, self.maximum_age)
            && lo > hi
        {
            c.problem(
                "maximum_age",
                "The oldest age must be at least the youngest",
            );
        }
        let fees = c.text("fees", FEES, &self.fees);
        let application_process = c.text(
            "application_process",
            APPLICATION,
            &self.application_process,
        );
        let wait_time = c.text("wait_time", WAIT_TIME, &self.wait_time);
        let mut terms: Vec<String> = Vec::new();
        if c.count("terms", self.terms.len(), MAX_NEEDS, "needs") {
            for t in &self.terms {
                let t = t.trim().to_ascii_lowercase();
                if uuid::Uuid::parse_str(&t).is_err() {
                    c.problem("terms", format!("{t:?} is not a need's identifier"));
                } else if !terms.contains(&t) {
                    terms.push(t);
                }
            }
        }
        let mut places = Vec::new();
        if c.count("places", self.places.len(), MAX_PLACES, "places") {
            for (i, p) in self.places.iter().enumerate() {
                let f = |k: &str| format!("places[{i}].{k}");
                let address_1 = c.text(f("address_1"), ADDRESS_LINE, &p.address_1);
                let city = c.text(f("city"), TOWN, &p.city);
                let name = c.text(f("name"), PLACE_NAME, &p.name);
                // A place may lack a postcode (an imported one abroad, say); one given must be a
                // UK postcode. Saving a listing from a form also needs the place found on the map.
                let postcode = if p.postcode.trim().is_empty() {
                    String::new()
                } else {
                    match crate::Postcode::parse(&p.postcode) {
                        Ok(pc) => pc.to_string(),
                        Err(e) => {
                            c.problem(f("postcode"), e.to_string());
                            String::new()
                        }
                    }
                };
                // Something to find it by: an address, a postcode, a point or at least a name.
                if address_1.is_empty()
                    && postcode.is_empty()
                    && p.point.is_none()
                    && name.is_empty()
                    && p.postcode.trim().is_empty()
                {
                    c.problem(f("address_1"), "Enter the first line of the address");
                }
                places.push(Place {
                    id: p.id.clone(),
                    name,
                    address_1,
                    city,
                    postcode,
                    point: p.point,
                });
            }
        }
        let mut openings = Vec::new();
        if c.count(
            "openings",
            self.openings.len(),
            MAX_OPENINGS,
            "opening times",
        ) {
            for (i, o) in self.openings.iter().enumerate() {
                if o.days.is_empty() {
                    c.problem(format!("openings[{i}].days"), "Choose at least one day");
                }
                if o.closes_at <= o.opens_at {
                    c.problem(
                        format!("openings[{i}].closes_at"),
                        "The closing time must be after the opening time",
                    );
                }
                let description = c.text(
                    format!("openings[{i}].description"),
                    OPENING_NOTE,
                    &o.description,
                );
                openings.push(Opening {
                    description,
                    ..o.clone()
                });
            }
        }
        let mut costs = Vec::new();
        if c.count("costs", self.costs.len(), MAX_COSTS, "costs") {
            for (i, k) in self.costs.iter().enumerate() {
                if let Some(a) = k.amount
                    && !(a.is_finite() && (0.0..=10_000.0).contains(&a))
                {
                    c.problem(
                        format!("costs[{i}].amount"),
                        "An amount is from £0 to £10,000",
                    );
                }
                costs.push(CostOption {
                    id: k.id.clone(),
                    option: c.text(format!("costs[{i}].option"), COST_OPTION, &k.option),
                    amount: k.amount,
                    amount_description: c.text(
                        format!("costs[{i}].amount_description"),
                        COST_OPTION.named("What the amount is for"),
                        &k.amount_description,
                    ),
                });
            }
        }
        if !c.0.is_empty() {
            return Err(c.0);
        }
        Ok(Listing {
            name,
            description,
            url,
            email,
            phone,
            contact_name,
            status: self.status,
            eligibility,
            minimum_age: self.minimum_age,
            maximum_age: self.maximum_age,
            fees,
            application_process,
            wait_time,
            terms,
            places,
            online: self.online,
            openings,
            costs,
            capacity: self.capacity,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Listing {
        Listing {
            name: " Walk and talk ".into(),
            description: "A gentle walk every week".into(),
            phone: "0113 496 0000".into(),
            places: vec![Place {
                address_1: "Park Lodge".into(),
                city: "Riverdale".into(),
                postcode: "rd14cc".into(),
                ..Place::default()
            }],
            ..Listing::default()
        }
    }

    #[test]
    fn a_good_listing_is_cleaned() {
        let l = good().clean().unwrap();
        assert_eq!(l.name, "Walk and talk");
        assert_eq!(l.places[0].postcode, "RD1 4CC");
    }

    #[test]
    fn a_listing_needs_a_name_a_description_and_a_way_to_get_in_touch() {
        let l = Listing {
            name: " ".into(),
            description: String::new(),
            phone: String::new(),
            ..good()
        };
        let fields: Vec<String> = l
            .clean()
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["name", "description", "phone"]);
    }

    #[test]
    fn ages_costs_and_places_are_bounded() {
        let l = Listing {
            minimum_age: Some(70),
            maximum_age: Some(18),
            costs: vec![CostOption {
                id: None,
                option: String::new(),
                amount: Some(-5.0),
                amount_description: String::new(),
            }],
            places: vec![Place::default()],
            url: "javascript:alert(1)".into(),
            ..good()
        };
        let fields: Vec<String> = l
            .clean()
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            [
                "url",
                "maximum_age",
                "places[0].address_1",
                "costs[0].amount"
            ]
        );
        let online = Listing {
            places: vec![],
            online: true,
            ..good()
        };
        assert!(online.clean().is_ok());
    }

    #[test]
    fn byday_round_trips_and_reads_as_words() {
        let days = Opening::parse_byday("1TU, -1fr").unwrap();
        let o = Opening {
            id: None,
            freq: Freq::Monthly,
            days,
            opens_at: NaiveTime::from_hms_opt(19, 0, 0).unwrap(),
            closes_at: NaiveTime::from_hms_opt(21, 30, 0).unwrap(),
            description: String::new(),
        };
        assert_eq!(o.byday(), "1TU,-1FR");
        assert_eq!(
            o.words(),
            "First Tuesday of the month, last Friday of the month, 7pm to 9:30pm"
        );
        assert!(Opening::parse_byday("XX").is_err());
        assert!(Opening::parse_byday("9MO").is_err());
        assert!(Opening::parse_byday("").is_err());
    }
}
