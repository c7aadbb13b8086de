//! Email addresses: trimmed, compared case-insensitively, and keyed by a
//! hash so that lookup keys never carry the address itself.

use sha2::{Digest, Sha256};
use std::fmt;

/// A syntactically plausible, normalized (trimmed, lower-case) address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{0}")]
pub struct InvalidEmail(&'static str);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, InvalidEmail> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(InvalidEmail("is required"));
        }
        if s.len() > 254 {
            return Err(InvalidEmail("is longer than 254 characters"));
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err(InvalidEmail("is not an email address"));
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && local
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[],;:\"\\".contains(c));
        if domain_ok && local_ok {
            Ok(EmailAddress(s))
        } else {
            Err(InvalidEmail("is not an email address"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A stable key for lookups: SHA-256 of the normalized address.
    pub fn key(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_case_and_whitespace() {
        let a = EmailAddress::parse("  Anna.Bau@Example.COM ").expect("valid");
        let b = EmailAddress::parse("anna.bau@example.com").expect("valid");
        assert_eq!(a, b);
        assert_eq!(a.key(), b.key());
        assert_eq!(a.as_str(), "anna.bau@example.com");
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for bad in [
            "",
            "anna",
            "anna@",
            "@example.com",
            "anna@example",
            "a b@example.com",
            "anna@exa..mple.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?}");
        }
    }
}
