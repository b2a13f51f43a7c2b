//! The one error type of the use cases. The web layer maps each variant to a status and to the
//! NHS error summary (pages) or the error envelope (API); messages here are shown to people, so
//! they say what to fix.

use chrono::NaiveDate;
use domain::TextField;
use domain::dates::{self, DateProblem};
use sea_orm::DbErr;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The input's name, as in the form or JSON body.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The record does not exist (or the actor may not know it exists).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The actor is signed in but has no permission for this record or action.
    #[error("you do not have permission to {0}")]
    Forbidden(String),
    /// Input failed validation; nothing was saved.
    #[error("the input has {} problem(s)", .0.len())]
    Invalid(Vec<FieldError>),
    /// The record changed since it was read, or the action was already done.
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts (an abuse limit), or too much password work already waiting: nothing
    /// was done; try again after `retry_after_secs`.
    #[error("too many attempts: try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("{0}")]
    Internal(String),
}

impl ServiceError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ServiceError::Invalid(vec![FieldError::new(field, message)])
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// Whether a write was refused by a unique constraint: another request made the same row first.
pub fn is_unique_violation(e: &DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// Collects field errors while validating a whole form, so every problem is reported at once.
#[derive(Default)]
pub struct Problems(pub Vec<FieldError>);

impl Problems {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Puts the problems in the order of a form's fields (those of fields it does not list go
    /// last, as they were), so an error summary reads as the form does.
    pub fn sort_by(&mut self, fields: &[&str]) {
        self.0.sort_by_key(|e| {
            fields
                .iter()
                .position(|f| *f == e.field)
                .unwrap_or(fields.len())
        });
    }

    /// Records the error of a parse, keeping the value when it parsed.
    pub fn take<T, E: std::fmt::Display>(&mut self, field: &str, r: Result<T, E>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }

    /// Cleans an optional text (see [`domain::text`]): `None` when it was not given or blank, or
    /// when it was refused (the reason is recorded against `field`).
    pub fn text(&mut self, field: &str, v: &Option<String>, spec: TextField) -> Option<String> {
        self.str(field, v.as_deref().unwrap_or(""), spec)
    }

    /// As [`Problems::text`], for a text that is always sent.
    pub fn str(&mut self, field: &str, v: &str, spec: TextField) -> Option<String> {
        match spec.clean(v) {
            Ok(t) => t,
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }

    /// A text that must be given: `missing` is the message when it is blank.
    pub fn required(
        &mut self,
        field: &str,
        v: &Option<String>,
        spec: TextField,
        missing: &str,
    ) -> Option<String> {
        match spec.clean(v.as_deref().unwrap_or("")) {
            Ok(Some(t)) => Some(t),
            Ok(None) => {
                self.add(field, missing);
                None
            }
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }

    /// An optional date in a documented format, within the rule's bounds.
    pub fn date(&mut self, field: &str, v: &Option<String>, rule: DateRule) -> Option<NaiveDate> {
        let s = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
        match dates::parse_within(s, rule.earliest, rule.latest) {
            Ok(d) => Some(d),
            Err(p) => {
                self.add(field, rule.message(p));
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Invalid(self.0))
        }
    }
}

/// Where a date must fall, and the name of the field in messages.
#[derive(Clone, Copy, Debug)]
pub struct DateRule {
    pub label: &'static str,
    pub earliest: NaiveDate,
    pub latest: NaiveDate,
    pub today: NaiveDate,
}

impl DateRule {
    /// Something that has happened: from 1 January 1900 to today.
    pub fn past(label: &'static str, today: NaiveDate) -> Self {
        DateRule {
            label,
            earliest: dates::earliest(),
            latest: today,
            today,
        }
    }

    /// A review: from a year ago (an overdue review carried on) to three years ahead.
    pub fn review(label: &'static str, today: NaiveDate) -> Self {
        DateRule {
            label,
            earliest: dates::years_before(today, dates::REVIEW_YEARS_BEHIND),
            latest: dates::years_after(today, dates::REVIEW_YEARS_AHEAD),
            today,
        }
    }

    /// Something planned: from today to a year ahead.
    pub fn upcoming(label: &'static str, today: NaiveDate) -> Self {
        DateRule {
            label,
            earliest: today,
            latest: dates::years_after(today, 1),
            today,
        }
    }

    /// The message for a refused date: "Referral date must be a real date",
    /// "… must be on or after 1 January 1900", "… must be today or in the past".
    pub fn message(&self, p: DateProblem) -> String {
        let label = self.label;
        match p {
            DateProblem::NotADate => format!("{label} must be a real date"),
            DateProblem::TooEarly(d) if d == self.today => {
                format!("{label} must be today or in the future")
            }
            DateProblem::TooEarly(d) => format!("{label} must be on or after {}", dates::long(d)),
            DateProblem::TooLate(d) if d == self.today => {
                format!("{label} must be today or in the past")
            }
            DateProblem::TooLate(d) => {
                format!("{label} must be no later than {}", dates::long(d))
            }
        }
    }

    /// Checks a date already parsed (by a form or the API's JSON).
    pub fn check(&self, field: &str, d: NaiveDate) -> Result<NaiveDate> {
        dates::within(d, self.earliest, self.latest)
            .map_err(|p| ServiceError::invalid(field, self.message(p)))
    }
}
