//! The driver pass of a booking, as plain rules: how its token is derived
//! and stored, how long it is valid, when it is dead and why, and the short
//! booking code a person can read out at the gate.
//!
//! The token is HMAC-SHA256(pass key, booking id ‖ 32-byte random nonce),
//! URL-safe base64 (43 characters). The booking keeps the nonce and
//! SHA-256(token) only: whoever may see the booking can be shown the link
//! again (the key lives outside the store), while the store never holds the
//! token. A new nonce revokes the old link at once.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};

use super::bookings::model::BookingStatus;
pub use super::bookings::model::PassRecord;
use super::ids::BookingId;

/// How long after a booking's end its pass still opens.
pub const VALID_AFTER_END: SignedDuration = SignedDuration::from_hours(12);

/// The characters of a booking code: no 0/O, 1/I/L, so it reads out well.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
pub const CODE_LEN: usize = 6;

/// The secret the pass tokens are derived with (`LMS_PASS_KEY`; locally a
/// key file in the data folder).
pub struct PassKey {
    mac: Hmac<Sha256>,
}

impl PassKey {
    /// `None` only for a key HMAC refuses (it takes any length).
    pub fn new(secret: &[u8]) -> Option<Self> {
        Some(PassKey {
            mac: Hmac::<Sha256>::new_from_slice(secret).ok()?,
        })
    }

    /// The token of a booking's pass with the given nonce.
    pub fn token(&self, booking: &BookingId, nonce: &[u8]) -> String {
        let mut mac = self.mac.clone();
        mac.update(booking.as_string().as_bytes());
        mac.update(nonce);
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// The token of a stored pass; `None` if its nonce is not base64.
    pub fn token_of(&self, booking: &BookingId, pass: &PassRecord) -> Option<String> {
        let nonce = URL_SAFE_NO_PAD.decode(&pass.nonce).ok()?;
        Some(self.token(booking, &nonce))
    }

    /// A new pass for a booking, valid from `now`, with its token.
    pub fn issue(&self, booking: &BookingId, now: Timestamp) -> (PassRecord, String) {
        let nonce: [u8; 32] = rand::random();
        let token = self.token(booking, &nonce);
        let record = PassRecord {
            nonce: URL_SAFE_NO_PAD.encode(nonce),
            token_hash: token_hash(&token),
            valid_from: now,
        };
        (record, token)
    }
}

/// Hex SHA-256 of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether a text has the shape of a token (43 URL-safe base64 characters).
pub fn is_token(s: &str) -> bool {
    s.len() == 43
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The token in a scanned text: a pass link (`…/pass/{token}`, with or
/// without a trailing slash, query or fragment) or a bare token.
pub fn token_from_scan(text: &str) -> Option<&str> {
    let text = text.trim();
    let candidate = match text.rfind("/pass/") {
        Some(i) => {
            let rest = &text[i + "/pass/".len()..];
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            &rest[..end]
        }
        None => text,
    };
    is_token(candidate).then_some(candidate)
}

/// The link of a pass under the app's public address.
pub fn link(app_url: &str, token: &str) -> String {
    format!("{}/pass/{token}", app_url.trim_end_matches('/'))
}

/// Makes the links of live passes: the key and the app's public address.
#[derive(Clone, Copy)]
pub struct PassLinks<'a> {
    pub key: &'a PassKey,
    pub app_url: &'a str,
}

impl PassLinks<'_> {
    /// The link of a booking's pass while it is live at `now`.
    pub fn live_link(
        &self,
        booking: &BookingId,
        status: BookingStatus,
        end: Timestamp,
        pass: Option<&PassRecord>,
        now: Timestamp,
    ) -> Option<String> {
        check(status, end, now).ok()?;
        let token = self.key.token_of(booking, pass?)?;
        Some(link(self.app_url, &token))
    }
}

/// The text calendar events and mails carry to get a driver in: the
/// site's instructions, each resource's (named), and the pass link with
/// its label in the reader's language (`pass`: label, link).
pub fn directions(
    site: Option<&str>,
    resources: &[(&str, Option<&str>)],
    pass: Option<(&str, &str)>,
) -> String {
    let mut lines: Vec<String> = Vec::new();
    if let Some(s) = site {
        lines.push(s.to_owned());
    }
    for (name, text) in resources {
        if let Some(t) = text {
            lines.push(format!("{name}: {t}"));
        }
    }
    if let Some((label, link)) = pass {
        lines.push(format!("{label}: {link}"));
    }
    lines.join("\n")
}

/// Why a pass no longer opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dead {
    Declined,
    Cancelled,
    TurnedAway,
    Expired,
}

impl Dead {
    /// The slug clients see as the problem's `reason`.
    pub fn reason(self) -> &'static str {
        match self {
            Dead::Declined => "declined",
            Dead::Cancelled => "cancelled",
            Dead::TurnedAway => "turned-away",
            Dead::Expired => "expired",
        }
    }

    pub fn detail(self) -> &'static str {
        match self {
            Dead::Declined => "this booking was declined; its pass is no longer valid",
            Dead::Cancelled => "this booking was cancelled; its pass is no longer valid",
            Dead::TurnedAway => "this delivery was turned away; its pass is no longer valid",
            Dead::Expired => "this pass has expired",
        }
    }
}

/// The last moment a booking's pass opens: its end plus 12 hours.
pub fn valid_until(end: Timestamp) -> Timestamp {
    end + VALID_AFTER_END
}

/// Whether a booking in `status` ending at `end` still has a live pass at
/// `now`. A rescheduled booking keeps its pass, so only the three endings
/// and time kill it.
pub fn check(status: BookingStatus, end: Timestamp, now: Timestamp) -> Result<(), Dead> {
    match status {
        BookingStatus::Declined => Err(Dead::Declined),
        BookingStatus::Cancelled => Err(Dead::Cancelled),
        BookingStatus::TurnedAway => Err(Dead::TurnedAway),
        _ if now > valid_until(end) => Err(Dead::Expired),
        _ => Ok(()),
    }
}

/// Whether a live pass's booking waits for the site's approval again: a
/// member moved it after approval. The pass keeps its link and shows the
/// new time, and says that the gate cannot check it in yet.
pub fn awaits_approval(status: BookingStatus) -> bool {
    status == BookingStatus::Requested
}

/// Whether a booking in `status` gets a pass when it has none: once
/// approved (a requested booking gets one at approval).
pub fn earns_pass(status: BookingStatus) -> bool {
    matches!(
        status,
        BookingStatus::Approved | BookingStatus::CheckedIn | BookingStatus::CheckedOut
    )
}

/// A new random booking code (stored without the dash).
pub fn new_code() -> String {
    (0..CODE_LEN)
        .map(|_| char::from(CODE_ALPHABET[rand::random_range(0..CODE_ALPHABET.len())]))
        .collect()
}

/// A code as people read it: `ABC-DEF`.
pub fn display_code(code: &str) -> String {
    match (code.get(..3), code.get(3..)) {
        (Some(a), Some(b)) if !b.is_empty() => format!("{a}-{b}"),
        _ => code.to_owned(),
    }
}

/// A typed code as stored, ignoring case, dashes and spaces; `None` if it
/// cannot be a code.
pub fn normalize_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{2010}'..='\u{2015}'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass_key(byte: u8) -> PassKey {
        PassKey::new(&[byte; 32]).expect("HMAC takes any key")
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("a timestamp")
    }

    #[test]
    fn a_token_is_43_url_safe_characters_and_depends_on_booking_nonce_and_key() {
        let key = pass_key(7);
        let b = BookingId::generate();
        let t = key.token(&b, &[1; 32]);
        assert!(is_token(&t), "{t}");
        assert_eq!(t, key.token(&b, &[1; 32]));
        assert_ne!(t, key.token(&b, &[2; 32]));
        assert_ne!(t, key.token(&BookingId::generate(), &[1; 32]));
        assert_ne!(t, pass_key(8).token(&b, &[1; 32]));
    }

    #[test]
    fn an_issued_pass_keeps_the_hash_not_the_token_and_rebuilds_it() {
        let key = pass_key(7);
        let b = BookingId::generate();
        let (rec, token) = key.issue(&b, ts("2026-12-01T08:00:00Z"));
        assert_eq!(rec.token_hash, token_hash(&token));
        let stored = serde_json::to_string(&rec).expect("json");
        assert!(!stored.contains(&token));
        assert_eq!(key.token_of(&b, &rec).as_deref(), Some(token.as_str()));
        let (again, other) = key.issue(&b, ts("2026-12-01T08:00:00Z"));
        assert_ne!(again.nonce, rec.nonce);
        assert_ne!(other, token);
    }

    #[test]
    fn a_pass_lives_until_twelve_hours_after_the_end() {
        let end = ts("2026-12-01T10:00:00Z");
        let ok = BookingStatus::Approved;
        assert_eq!(check(ok, end, ts("2026-12-01T22:00:00Z")), Ok(()));
        assert_eq!(
            check(ok, end, ts("2026-12-01T22:00:01Z")),
            Err(Dead::Expired)
        );
        assert_eq!(
            check(BookingStatus::CheckedOut, end, ts("2026-12-01T12:00:00Z")),
            Ok(())
        );
    }

    #[test]
    fn declined_cancelled_and_turned_away_kill_it_at_once() {
        let end = ts("2026-12-01T10:00:00Z");
        let now = ts("2026-11-30T10:00:00Z");
        for (s, d) in [
            (BookingStatus::Declined, Dead::Declined),
            (BookingStatus::Cancelled, Dead::Cancelled),
            (BookingStatus::TurnedAway, Dead::TurnedAway),
        ] {
            assert_eq!(check(s, end, now), Err(d));
        }
        assert_eq!(Dead::TurnedAway.reason(), "turned-away");
    }

    #[test]
    fn only_approved_bookings_earn_a_pass() {
        assert!(earns_pass(BookingStatus::Approved));
        assert!(!earns_pass(BookingStatus::Requested));
        assert!(!earns_pass(BookingStatus::Cancelled));
    }

    #[test]
    fn codes_use_the_readable_alphabet_and_are_read_case_and_dash_insensitive() {
        for _ in 0..100 {
            let c = new_code();
            assert_eq!(c.len(), CODE_LEN);
            assert!(c.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{c}");
            assert_eq!(normalize_code(&display_code(&c)).as_deref(), Some(&*c));
            assert_eq!(
                normalize_code(&c.to_ascii_lowercase()).as_deref(),
                Some(&*c)
            );
        }
        assert_eq!(display_code("ABCDEF"), "ABC-DEF");
        assert_eq!(normalize_code("abc-def").as_deref(), Some("ABCDEF"));
        assert_eq!(normalize_code(" ab cd ef "), Some("ABCDEF".into()));
        assert_eq!(normalize_code("ABC-DE0"), None, "0 is not in the alphabet");
        assert_eq!(normalize_code("ABCDE"), None);
        assert_eq!(normalize_code("ABCDEFG"), None);
    }

    #[test]
    fn a_scan_yields_the_token_of_a_link_or_a_bare_token() {
        let t = "a".repeat(43);
        assert_eq!(token_from_scan(&t), Some(t.as_str()));
        let link = format!("https://lms.example/pass/{t}");
        assert_eq!(token_from_scan(&link), Some(t.as_str()));
        assert_eq!(token_from_scan(&format!(" {link}/?x=1 ")), Some(t.as_str()));
        assert_eq!(token_from_scan(&format!("{link}#top")), Some(t.as_str()));
        assert_eq!(token_from_scan("https://lms.example/pass/short"), None);
        assert_eq!(token_from_scan(&"a".repeat(44)), None);
        assert_eq!(token_from_scan(&format!("{}!", "a".repeat(42))), None);
    }

    #[test]
    fn directions_name_each_resource_and_end_with_the_link() {
        let d = directions(
            Some("Tor 2, Hafenstraße"),
            &[("Kran 1", Some("Warnweste")), ("Zone B", None)],
            Some(("Fahrerpass", "https://x/pass/T")),
        );
        assert_eq!(
            d,
            "Tor 2, Hafenstraße\nKran 1: Warnweste\nFahrerpass: https://x/pass/T"
        );
        assert_eq!(directions(None, &[], None), "");
    }

    #[test]
    fn a_link_joins_the_public_address_and_the_token() {
        assert_eq!(
            link("https://lms.example/", "T"),
            "https://lms.example/pass/T"
        );
    }
}
