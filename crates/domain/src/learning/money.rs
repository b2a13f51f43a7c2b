//! Prices in whole pence, so sums are exact; shown as pounds.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in pence.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Pence(pub i64);

/// The dearest an event can be: £10,000.
pub const MAX_PRICE: Pence = Pence(1_000_000);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PriceError {
    #[error("Enter a price in pounds, like 25 or 12.50")]
    NotAPrice,
    #[error("Price must be from £0 to £10,000")]
    OutOfRange,
}

impl Pence {
    pub const FREE: Pence = Pence(0);

    pub fn is_free(self) -> bool {
        self.0 == 0
    }

    /// A price as typed in pounds: "25", "12.50", "£1,200.5"; empty is free.
    pub fn parse_pounds(input: &str) -> Result<Pence, PriceError> {
        let s: String = input
            .trim()
            .trim_start_matches('£')
            .chars()
            .filter(|c| *c != ',')
            .collect();
        if s.is_empty() {
            return Ok(Pence::FREE);
        }
        let (pounds, pence) = match s.split_once('.') {
            Some((p, d)) => (p, d),
            None => (s.as_str(), ""),
        };
        let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
        if pounds.is_empty() && pence.is_empty()
            || !digits(pounds)
            || !digits(pence)
            || pence.len() > 2
            || pounds.len() > 7
        {
            return Err(PriceError::NotAPrice);
        }
        let whole: i64 = if pounds.is_empty() {
            0
        } else {
            pounds.parse().map_err(|_| PriceError::NotAPrice)?
        };
        let frac: i64 = match pence.len() {
            0 => 0,
            1 => pence.parse::<i64>().map_err(|_| PriceError::NotAPrice)? * 10,
            _ => pence.parse().map_err(|_| PriceError::NotAPrice)?,
        };
        let p = Pence(whole * 100 + frac);
        if p > MAX_PRICE {
            return Err(PriceError::OutOfRange);
        }
        Ok(p)
    }

    /// As typed back into a form: "12.50", or empty when free.
    pub fn pounds_input(self) -> String {
        if self.is_free() {
            String::new()
        } else {
            format!("{}.{:02}", self.0 / 100, self.0 % 100)
        }
    }
}

impl fmt::Display for Pence {
    /// "Free", "£25", "£12.50", "£1,200".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_free() {
            return f.write_str("Free");
        }
        let pounds = crate::text::with_commas((self.0 / 100) as usize);
        match self.0 % 100 {
            0 => write!(f, "£{pounds}"),
            p => write!(f, "£{pounds}.{p:02}"),
        }
    }
}
