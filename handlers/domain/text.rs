//! Short human-entered texts (person and company names, project and
//! resource names): trimmed, non-empty, bounded, without control or format
//! characters.

use std::fmt;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// A Unicode format character (category Cf: bidi controls such as U+202E,
/// invisible marks) that would make a name display as something else (L5).
/// ZWNJ and ZWJ stay: Persian and Indic names need them to be spelled
/// right, and they reorder nothing.
pub fn is_format_char(c: char) -> bool {
    c.general_category() == GeneralCategory::Format && !matches!(c, '\u{200C}' | '\u{200D}')
}

pub const ACCESS_INSTRUCTIONS_MAX: usize = 1000;

/// Free text for drivers ("Zufahrt über Tor 2 ..."): trimmed, line breaks
/// kept, no other control or invisible format characters, at most 1000
/// characters; empty means none.
pub fn access_instructions(raw: Option<&str>) -> Result<Option<String>, String> {
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.replace("\r\n", "\n");
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > ACCESS_INSTRUCTIONS_MAX {
        return Err(format!(
            "is longer than {ACCESS_INSTRUCTIONS_MAX} characters"
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err("contains control characters".into());
    }
    if text.chars().any(is_format_char) {
        return Err("contains invisible formatting characters (such as bidi controls)".into());
    }
    Ok(Some(text.to_owned()))
}

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
    #[error("contains invisible formatting characters (such as bidi controls)")]
    Format,
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
        } else if s.chars().any(is_format_char) {
            Err(InvalidName::Format)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_instructions_keep_lines_and_refuse_hidden_characters() {
        assert_eq!(access_instructions(None), Ok(None));
        assert_eq!(access_instructions(Some("   ")), Ok(None));
        assert_eq!(
            access_instructions(Some(" Tor 2\r\nWarnweste Pflicht ")),
            Ok(Some("Tor 2\nWarnweste Pflicht".into()))
        );
        assert!(access_instructions(Some(&"x".repeat(1001))).is_err());
        assert!(access_instructions(Some(&"x".repeat(1000))).is_ok());
        assert!(access_instructions(Some("Tor\u{7}2")).is_err());
        assert!(access_instructions(Some("Tor \u{202E}2")).is_err());
    }

    #[test]
    fn format_characters_are_refused_but_joiners_kept() {
        for bad in [
            "Bau\u{202E}GmbH",
            "\u{FEFF}Bau",
            "Bau\u{2066}x",
            "Bau\u{AD}stelle",
        ] {
            assert_eq!(Name::parse(bad, 100), Err(InvalidName::Format), "{bad:?}");
        }
        assert!(Name::parse("می\u{200C}خواهم", 100).is_ok());
    }
}
