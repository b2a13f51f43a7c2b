use super::*;
use chrono::TimeZone;

fn at(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, d, h, 0, 0).unwrap()
}

fn event() -> EventInput {
    EventInput {
        kind: Kind::Event,
        title: "  Shared decision making in practice ".into(),
        summary: "How to share decisions well".into(),
        description: String::new(),
        topic: "shared_decision_making".into(),
        region: "Y63".into(),
        format: Format::Hybrid,
        venue: "Leeds Civic Hall".into(),
        join_link: "https://meet.example.org/sdm".into(),
        in_person_places: 30,
        online_places: 100,
        price: Pence(2_500),
        cpd_minutes: 180,
        audience: "Link workers and coaches".into(),
        sessions: vec![Session {
            title: String::new(),
            starts_at: at(4, 10),
            ends_at: at(4, 13),
        }],
        certificate_months: None,
        accredited: false,
    }
}

#[test]
fn a_good_event_is_cleaned() {
    let e = event().clean().unwrap();
    assert_eq!(e.title, "Shared decision making in practice");
    assert_eq!(e.span(), Some((at(4, 10), at(4, 13))));
    assert_eq!(e.places(Mode::Online), 100);
}

#[test]
fn every_problem_is_named_by_its_field() {
    let mut e = event();
    e.title = " ".into();
    e.topic = "astrology".into();
    e.region = "Z99".into();
    e.venue = String::new();
    e.join_link = "http://insecure.example".into();
    e.in_person_places = 0;
    e.online_places = MAX_PLACES + 1;
    e.price = Pence(-1);
    e.cpd_minutes = -5;
    e.sessions[0].ends_at = at(4, 9);
    let fields: Vec<String> = e
        .clean()
        .unwrap_err()
        .into_iter()
        .map(|p| p.field)
        .collect();
    assert_eq!(
        fields,
        [
            "title",
            "topic",
            "region",
            "venue",
            "join_link",
            "in_person_places",
            "online_places",
            "price",
            "cpd_hours",
            "ends_at"
        ]
    );
}

#[test]
fn places_of_a_kind_not_held_are_none() {
    let mut e = event();
    e.format = Format::Online;
    e.venue = String::new();
    e.in_person_places = 0;
    let c = e.clean().unwrap();
    assert_eq!((c.in_person_places, c.online_places), (0, 100));
    // A face-to-face event keeps no joining link.
    let mut e = event();
    e.format = Format::InPerson;
    let c = e.clean().unwrap();
    assert_eq!((c.join_link.as_str(), c.online_places), ("", 0));
}

#[test]
fn an_event_has_one_session_and_a_course_several() {
    let mut e = event();
    e.sessions.push(Session {
        title: "Part 2".into(),
        starts_at: at(11, 10),
        ends_at: at(11, 12),
    });
    assert_eq!(e.clean().unwrap_err()[0].field, "sessions");
    e.kind = Kind::Course;
    e.sessions.reverse();
    let c = e.clean().unwrap();
    assert_eq!(c.sessions[0].starts_at, at(4, 10), "sessions in order");
    assert_eq!(c.span(), Some((at(4, 10), at(11, 12))));
}

#[test]
fn prices_are_read_as_pounds_and_shown_so() {
    assert_eq!(Pence::parse_pounds(""), Ok(Pence::FREE));
    assert_eq!(Pence::parse_pounds("25"), Ok(Pence(2_500)));
    assert_eq!(Pence::parse_pounds("£1,200.5"), Ok(Pence(120_050)));
    assert_eq!(Pence::parse_pounds(".99"), Ok(Pence(99)));
    assert_eq!(Pence::parse_pounds("-5"), Err(money::PriceError::NotAPrice));
    assert_eq!(
        Pence::parse_pounds("1.999"),
        Err(money::PriceError::NotAPrice)
    );
    assert_eq!(Pence::parse_pounds("."), Err(money::PriceError::NotAPrice));
    assert_eq!(
        Pence::parse_pounds("10000.01"),
        Err(money::PriceError::OutOfRange)
    );
    assert_eq!(
        Pence::parse_pounds("99999999999"),
        Err(money::PriceError::NotAPrice)
    );
    assert_eq!(Pence(0).to_string(), "Free");
    assert_eq!(Pence(2_500).to_string(), "£25");
    assert_eq!(Pence(120_050).to_string(), "£1,200.50");
    assert_eq!(Pence(1_250).pounds_input(), "12.50");
}

#[test]
fn orders_move_only_forward() {
    use OrderState::*;
    assert!(Pending.may_become(Paid));
    assert!(Confirmed.may_become(Cancelled));
    assert!(!Cancelled.may_become(Cancelled), "cancelling twice");
    assert!(!Paid.may_become(Paid), "paying twice");
    assert!(!Cancelled.may_become(Paid));
    assert!(Pending.holds_places() && !Refunded.holds_places());
}

#[test]
fn cpd_reads_as_hours() {
    assert_eq!(cpd_label(0), "");
    assert_eq!(cpd_label(45), "45 minutes CPD");
    assert_eq!(cpd_label(60), "1 hour CPD");
    assert_eq!(cpd_label(180), "3 hours CPD");
    assert_eq!(cpd_label(90), "1.5 hours CPD");
}
