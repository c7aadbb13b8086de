//! The domain's one error type: what a rule or an operation can refuse.
//! The HTTP layer maps it once to problem+json.

use super::bookings::conflicts::Blocking;
use crate::store::StoreError;

/// One invalid field of a request, named as the client sent it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// Dotted name of the field, e.g. `organization.name`.
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
pub enum DomainError {
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("conflict: {0}")]
    Conflict(String),
    /// A conflict with a machine-readable reason (a slug), so a client can
    /// say why in its own words.
    #[error("conflict: {detail}")]
    ConflictReason {
        detail: String,
        reason: &'static str,
    },
    /// A conflict with the bookings in the way, which the client needs.
    #[error("conflict: {detail}")]
    Blocked { detail: String, blocking: Blocking },
    #[error("not found")]
    NotFound,
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("gone: {0}")]
    Gone(&'static str),
    /// Gone, with a machine-readable reason (a slug).
    #[error("gone: {detail}")]
    GoneReason {
        detail: &'static str,
        reason: &'static str,
    },
    /// A file beyond the size limit of `max` bytes.
    #[error("files may be at most {max} bytes")]
    TooLarge { max: u64 },
    /// Bytes that are not of a media type the operation takes.
    #[error("unsupported media type: {0}")]
    WrongMediaType(String),
    #[error("too many attempts")]
    TooManyAttempts { retry_after_secs: u64 },
    /// Other writers kept changing the same thing (`retry` gave up): the
    /// request may succeed if sent again. Names the contended thing.
    #[error("{0} is busy; try again")]
    Contended(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DomainError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        DomainError::Validation(vec![FieldError::new(field, message)])
    }
}

/// Collects field errors so a request reports all its bad fields at once.
#[derive(Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// Keep the parsed value, or remember why the field is invalid.
    pub fn check<T, E: std::fmt::Display>(&mut self, field: &str, r: Result<T, E>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(FieldError::new(field, e.to_string()));
                None
            }
        }
    }

    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    pub fn finish(self) -> Result<(), DomainError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Validation(self.errors))
        }
    }
}
