//! The one error type of the use cases. The web layer maps each variant to a status and to the
//! NHS error summary (pages) or the error envelope (API); messages here are shown to people, so
//! they say what to fix.

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

/// Collects field errors while validating a whole form, so every problem is reported at once.
#[derive(Default)]
pub struct Problems(pub Vec<FieldError>);

impl Problems {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
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

    pub fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Invalid(self.0))
        }
    }
}
