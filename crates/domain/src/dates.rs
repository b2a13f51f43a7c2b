//! Dates sent by people and clients: only the documented formats, and only within sensible
//! bounds, so a typo like "2/11/26" (the year 26) or "+275760-01-01" is a field error, never a
//! record dated two thousand years ago or a panic in date arithmetic.

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveTime, TimeZone, Utc};

/// Every date and time a person reads or types here is UK time.
pub const UK: chrono_tz::Tz = chrono_tz::Europe::London;

/// The date in the UK at `at` (between midnight and 1am in summer, UTC is still yesterday).
pub fn uk_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&UK).date_naive()
}

/// The instant of `time` on `date` in the UK; `None` for a time the clocks skipped (an hour
/// that repeats in autumn is taken the first time it happens).
pub fn uk_instant(date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    UK.from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The earliest date of anything that happens to a person here (a referral, a contact, a
/// measure, an action in a plan).
pub fn earliest() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// Years ahead a review may be set.
pub const REVIEW_YEARS_AHEAD: u32 = 3;
/// Years back a review date may lie (an overdue review carried on a plan being edited).
pub const REVIEW_YEARS_BEHIND: u32 = 1;
/// Years ahead an action in a plan may be planned.
pub const ACTION_YEARS_AHEAD: u32 = 5;
/// The oldest a person can be, in years.
pub const MAX_AGE_YEARS: u32 = 125;

/// `d` moved by whole years (29 February becomes 28 February); saturates at the calendar's ends.
pub fn years_after(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_add_months(Months::new(years.saturating_mul(12)))
        .unwrap_or(NaiveDate::MAX)
}

pub fn years_before(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(years.saturating_mul(12)))
        .unwrap_or(NaiveDate::MIN)
}

/// Parses a date written YYYY-MM-DD (the API's format) or DD/MM/YYYY (as people type it), with a
/// four-digit year. Anything else, including dates that do not exist, is `None`.
pub fn parse(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    parse_iso(s).or_else(|| parse_uk(s))
}

/// Parses YYYY-MM-DD only.
pub fn parse_iso(s: &str) -> Option<NaiveDate> {
    let mut parts = s.trim().split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    ymd(y, m, d)
}

fn parse_uk(s: &str) -> Option<NaiveDate> {
    let mut parts = s.split('/');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || !(1..=2).contains(&m.len()) {
        return None;
    }
    if !(1..=2).contains(&d.len()) {
        return None;
    }
    ymd(y, m, d)
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y) && digits(m) && digits(d)) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Why a date was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateProblem {
    /// Not in a documented format, or not a real date.
    NotADate,
    /// Before the earliest allowed.
    TooEarly(NaiveDate),
    /// After the latest allowed.
    TooLate(NaiveDate),
}

/// Parses `s` and checks `earliest <= date <= latest`.
pub fn parse_within(
    s: &str,
    earliest: NaiveDate,
    latest: NaiveDate,
) -> Result<NaiveDate, DateProblem> {
    let d = parse(s).ok_or(DateProblem::NotADate)?;
    within(d, earliest, latest)
}

pub fn within(
    d: NaiveDate,
    earliest: NaiveDate,
    latest: NaiveDate,
) -> Result<NaiveDate, DateProblem> {
    if d < earliest {
        Err(DateProblem::TooEarly(earliest))
    } else if d > latest {
        Err(DateProblem::TooLate(latest))
    } else {
        Ok(d)
    }
}

/// Parses a time of day as people write it: `14:30`, `9:05`, `2:30pm`, `2.30pm`, `2pm`,
/// `12am` (midnight), `12pm` (midday). Anything else is `None`.
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    let t = s.trim().to_ascii_lowercase().replace(' ', "");
    let (clock, half) = match t.strip_suffix("am") {
        Some(c) => (c, Some(false)),
        None => match t.strip_suffix("pm") {
            Some(c) => (c, Some(true)),
            None => (t.as_str(), None),
        },
    };
    let (h, m) = match clock.split_once([':', '.']) {
        Some((h, m)) if m.len() == 2 => (h, m),
        Some(_) => return None,
        None if half.is_some() => (clock, "00"),
        None => return None,
    };
    if h.is_empty() || h.len() > 2 || !h.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !m.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (mut h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    match half {
        Some(pm) => {
            if !(1..=12).contains(&h) {
                return None;
            }
            h %= 12;
            if pm {
                h += 12;
            }
        }
        None if h > 23 => return None,
        None => {}
    }
    NaiveTime::from_hms_opt(h, m, 0)
}

/// A date as the NHS style guide writes it: "2 November 2026".
pub fn long(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), d.format("%B"), d.year())
}

#[cfg(test)]
mod tests {
    #[test]
    fn uk_dates_and_times_follow_the_clocks() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        // 30 minutes past midnight on 1 July in London is still 30 June in UTC.
        let july = d(2026, 6, 30).and_time(t(23, 30)).and_utc();
        assert_eq!(uk_date(july), d(2026, 7, 1));
        assert_eq!(
            uk_date(d(2026, 12, 1).and_time(t(23, 30)).and_utc()),
            d(2026, 12, 1)
        );
        // Summer time is an hour ahead of UTC; winter is UTC.
        assert_eq!(
            uk_instant(d(2026, 7, 1), t(14, 30)),
            Some(d(2026, 7, 1).and_time(t(13, 30)).and_utc())
        );
        assert_eq!(
            uk_instant(d(2026, 12, 1), t(14, 30)),
            Some(d(2026, 12, 1).and_time(t(14, 30)).and_utc())
        );
        // 1:30am on 29 March 2026 never happened in the UK.
        assert_eq!(uk_instant(d(2026, 3, 29), t(1, 30)), None);
        // 1:30am on 25 October 2026 happened twice: the first is in summer time.
        assert_eq!(
            uk_instant(d(2026, 10, 25), t(1, 30)),
            Some(d(2026, 10, 25).and_time(t(0, 30)).and_utc())
        );
    }

    #[test]
    fn times_of_day_are_read_as_people_write_them() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0);
        for (written, read) in [
            ("14:30", t(14, 30)),
            ("9:05", t(9, 5)),
            ("09:05", t(9, 5)),
            ("2:30pm", t(14, 30)),
            (" 2.30 PM ", t(14, 30)),
            ("2pm", t(14, 0)),
            ("12pm", t(12, 0)),
            ("12am", t(0, 0)),
            ("11:59am", t(11, 59)),
            ("0:00", t(0, 0)),
        ] {
            assert_eq!(parse_time(written), read, "{written}");
        }
        for wrong in [
            "", "24:00", "13pm", "0am", "2:3pm", "14", "2:60", "noon", "-1:00", "1:00:00",
        ] {
            assert_eq!(parse_time(wrong), None, "{wrong}");
        }
    }

    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_documented_formats_parse() {
        assert_eq!(parse("2026-11-02"), Some(date(2026, 11, 2)));
        assert_eq!(parse(" 02/11/2026 "), Some(date(2026, 11, 2)));
        assert_eq!(parse("2/11/2026"), Some(date(2026, 11, 2)));
        assert_eq!(parse_iso("02/11/2026"), None);
    }

    #[test]
    fn two_digit_years_signs_and_odd_shapes_are_not_dates() {
        for s in [
            "2/11/26",
            "26-11-02",
            "+2026-11-02",
            "-0001-01-01",
            "275760-01-01",
            "2026-11-2",
            "2026-11-02T00:00",
            "2026-02-30",
            "2026/11/02",
            "",
            "2026-1a-02",
            "２０２６-11-02",
        ] {
            assert_eq!(parse(s), None, "{s:?}");
        }
    }

    #[test]
    fn bounds_are_inclusive_and_named() {
        let (a, b) = (date(1900, 1, 1), date(2026, 11, 2));
        assert_eq!(parse_within("1900-01-01", a, b), Ok(a));
        assert_eq!(
            parse_within("1899-12-31", a, b),
            Err(DateProblem::TooEarly(a))
        );
        assert_eq!(
            parse_within("2026-11-03", a, b),
            Err(DateProblem::TooLate(b))
        );
        assert_eq!(parse_within("soon", a, b), Err(DateProblem::NotADate));
        assert_eq!(long(a), "1 January 1900");
    }

    #[test]
    fn years_saturate_at_the_ends_of_the_calendar() {
        assert_eq!(years_after(date(2024, 2, 29), 1), date(2025, 2, 28));
        assert_eq!(years_after(NaiveDate::MAX, 3), NaiveDate::MAX);
        assert_eq!(years_before(NaiveDate::MIN, 3), NaiveDate::MIN);
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_round_trips(s in "\\PC{0,24}", y in 1000i32..=9999, o in 0u32..366) {
            let _ = parse(&s);
            let d = date(y, 1, 1) + chrono::Days::new(u64::from(o));
            prop_assume!(d.year() <= 9999);
            prop_assert_eq!(parse(&d.format("%Y-%m-%d").to_string()), Some(d));
            prop_assert_eq!(parse(&d.format("%d/%m/%Y").to_string()), Some(d));
        }
    }
}
