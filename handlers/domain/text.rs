//! Short human-entered texts (person and company names, project names):
//! trimmed, non-empty, bounded, without control characters.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Name(String);

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum InvalidName {
    #[error("is required")]
    Empty,
    #[error("is longer than {0} characters")]
    TooLong(usize),
    #[error("contains control characters")]
    Control,
}

impl Name {
    /// Parse a name of at most `max` characters.
    pub fn parse(raw: &str, max: usize) -> Result<Self, InvalidName> {
        let s = raw.trim();
        if s.is_empty() {
            Err(InvalidName::Empty)
        } else if s.chars().count() > max {
            Err(InvalidName::TooLong(max))
        } else if s.chars().any(char::is_control) {
            Err(InvalidName::Control)
        } else {
            Ok(Name(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Limits used across the domain.
pub const PERSON_NAME_MAX: usize = 100;
pub const COMPANY_NAME_MAX: usize = 200;
