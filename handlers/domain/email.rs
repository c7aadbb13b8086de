//! Email addresses: one normalization path for registration, login,
//! invitations and throttling, so that look-alike spellings of an address
//! are one address (L3). Keyed by a hash so that lookup keys never carry
//! the address itself.
//!
//! The steps: NFKC (full-width `ｎｏｒｍ` is `norm`), lower case with the
//! dotted capital I as a plain `i` (`TİNA` is `tina`, not `ti̇na`), the
//! domain in its IDNA ASCII form (`ｂａｕ.example` is `bau.example`,
//! `müller.example` is `xn--mller-kva.example`), and a local part whose
//! letters mix scripts confusably (Latin with Cyrillic or Greek, UTS #39
//! above "highly restrictive") is refused.

use sha2::{Digest, Sha256};
use std::fmt;
use unicode_normalization::UnicodeNormalization;
use unicode_security::{RestrictionLevel, RestrictionLevelDetection};

/// A syntactically plausible, normalized address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{0}")]
pub struct InvalidEmail(&'static str);

const NOT_AN_ADDRESS: InvalidEmail = InvalidEmail("is not an email address");

/// NFKC, then lower case; U+0130 first becomes `I`, because Unicode's
/// default lower case of it keeps the dot as a combining mark.
fn fold(s: &str) -> String {
    s.nfkc()
        .map(|c| if c == '\u{130}' { 'I' } else { c })
        .collect::<String>()
        .to_lowercase()
        .nfc()
        .collect()
}

fn local_part_ok(local: &str) -> bool {
    let letters: String = local.chars().filter(|c| c.is_alphanumeric()).collect();
    !local.is_empty()
        && local.len() <= 64
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[],;:\"\\@".contains(c))
        && letters.as_str().detect_restriction_level() <= RestrictionLevel::HighlyRestrictive
}

fn ascii_domain(domain: &str) -> Option<String> {
    let ascii = idna::domain_to_ascii(domain).ok()?;
    let ok = ascii.contains('.')
        && !ascii.starts_with(['.', '-'])
        && !ascii.ends_with(['.', '-'])
        && !ascii.contains("..")
        && ascii
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    ok.then_some(ascii)
}

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, InvalidEmail> {
        let s = fold(raw);
        let s = s.trim();
        if s.is_empty() {
            return Err(InvalidEmail("is required"));
        }
        let (local, domain) = s.rsplit_once('@').ok_or(NOT_AN_ADDRESS)?;
        if !local_part_ok(local) {
            return Err(NOT_AN_ADDRESS);
        }
        let domain = ascii_domain(domain).ok_or(NOT_AN_ADDRESS)?;
        let address = format!("{local}@{domain}");
        if address.len() > 254 {
            return Err(InvalidEmail("is longer than 254 characters"));
        }
        Ok(EmailAddress(address))
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
    fn look_alike_spellings_are_one_address() {
        let plain = EmailAddress::parse("norm@bau.example").expect("valid");
        for twin in [
            "ｎｏｒｍ@bau.example",
            "norm@ｂａｕ.example",
            "NORM＠BAU.EXAMPLE",
        ] {
            assert_eq!(EmailAddress::parse(twin).expect("valid"), plain, "{twin}");
        }
        assert_eq!(
            EmailAddress::parse("TİNA@bau.example")
                .expect("valid")
                .as_str(),
            "tina@bau.example"
        );
        assert_eq!(
            EmailAddress::parse("anna@Müller-Bau.example")
                .expect("valid")
                .as_str(),
            "anna@xn--mller-bau-q9a.example"
        );
        assert!(
            EmailAddress::parse("иван@bau.example").is_ok(),
            "one script"
        );
        assert!(EmailAddress::parse("anna+bau@bau.example").is_ok());
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
            "p\u{430}ypal@example.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?}");
        }
    }
}
