//! Timestamps as stored and sent: RFC 3339 in UTC with exactly three
//! fractional digits (`2026-11-28T09:00:00.000Z`). The fixed width makes the
//! text order equal the time order, which range queries and `ORDER BY` on
//! stored strings rely on.

use jiff::Timestamp;
use serde::de::Visitor;
use serde::{Deserializer, Serializer};

/// Format a timestamp in the fixed-width form.
pub fn format(ts: &Timestamp) -> String {
    // Digit by digit from 1970 to 9999, where every stored timestamp is:
    // a day view formats four per booking, and `strftime` showed in its
    // profile. Other times take the general path (before 1970 the
    // milliseconds are negative).
    let dt = jiff::tz::Offset::UTC.to_datetime(*ts);
    let year = dt.year();
    if ts.as_second() < 0 || year > 9999 {
        let whole = ts.strftime("%Y-%m-%dT%H:%M:%S");
        return format!("{whole}.{:03}Z", ts.subsec_millisecond());
    }
    let mut out = String::with_capacity(24);
    let mut digits = |n: i32, width: u32, then: Option<char>| {
        for p in (0..width).rev() {
            let d = (n / 10_i32.pow(p)) % 10;
            out.push(char::from(b'0' + d as u8));
        }
        if let Some(c) = then {
            out.push(c);
        }
    };
    digits(i32::from(year), 4, Some('-'));
    digits(i32::from(dt.month()), 2, Some('-'));
    digits(i32::from(dt.day()), 2, Some('T'));
    digits(i32::from(dt.hour()), 2, Some(':'));
    digits(i32::from(dt.minute()), 2, Some(':'));
    digits(i32::from(dt.second()), 2, Some('.'));
    digits(ts.subsec_millisecond(), 3, Some('Z'));
    out
}

/// Parse any RFC 3339 timestamp with an offset.
pub fn parse(s: &str) -> Result<Timestamp, String> {
    if let Some(ts) = parse_fixed(s) {
        return Ok(ts);
    }
    s.parse::<Timestamp>()
        .map_err(|_| format!("{s:?} is not an RFC 3339 timestamp with offset"))
}

/// The fixed form as stored (`2026-11-28T09:00:00.000Z`), read directly:
/// every stored timestamp has it, and the general parser showed in the
/// day view's profile. `None` for anything else (the general parser
/// decides then, with its error).
fn parse_fixed(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() != 24
        || [
            (4, b'-'),
            (7, b'-'),
            (10, b'T'),
            (13, b':'),
            (16, b':'),
            (19, b'.'),
            (23, b'Z'),
        ]
        .iter()
        .any(|&(i, c)| b[i] != c)
    {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i32> {
        b[from..to].iter().try_fold(0_i32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + i32::from(d - b'0'))
        })
    };
    let dt = jiff::civil::DateTime::new(
        i16::try_from(num(0, 4)?).ok()?,
        i8::try_from(num(5, 7)?).ok()?,
        i8::try_from(num(8, 10)?).ok()?,
        i8::try_from(num(11, 13)?).ok()?,
        i8::try_from(num(14, 16)?).ok()?,
        i8::try_from(num(17, 19)?).ok()?,
        num(20, 23)? * 1_000_000,
    )
    .ok()?;
    jiff::tz::Offset::UTC.to_timestamp(dt).ok()
}

/// Parses the text where it lies: no `String` per timestamp.
struct TimestampVisitor;

impl Visitor<'_> for TimestampVisitor {
    type Value = Timestamp;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an RFC 3339 timestamp")
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Timestamp, E> {
        parse(s).map_err(E::custom)
    }
}

/// `#[serde(with = "crate::domain::time::fixed")]`
pub mod fixed {
    use super::*;

    pub fn serialize<S: Serializer>(ts: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(ts))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        d.deserialize_str(TimestampVisitor)
    }
}

/// `#[serde(with = "crate::domain::time::fixed_option", default)]`
pub mod fixed_option {
    use super::*;

    pub fn serialize<S: Serializer>(ts: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match ts {
            Some(ts) => s.serialize_str(&format(ts)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        d.deserialize_option(OptionVisitor)
    }

    struct OptionVisitor;

    impl<'de> Visitor<'de> for OptionVisitor {
        type Value = Option<Timestamp>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an RFC 3339 timestamp or null")
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_str(TimestampVisitor).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_order_is_time_order() {
        let a: Timestamp = "2026-11-28T10:00:00Z".parse().expect("ts");
        let b: Timestamp = "2026-11-28T10:00:00.1Z".parse().expect("ts");
        assert_eq!(format(&a), "2026-11-28T10:00:00.000Z");
        assert!(format(&a) < format(&b));
        assert_eq!(parse(&format(&b)).expect("round trip"), b);
    }

    #[test]
    fn the_fixed_form_reads_like_the_general_parser_and_leaves_the_rest_to_it() {
        for s in [
            "2027-03-01T06:30:00.120Z",
            "2028-02-29T12:34:56.789Z",
            "1970-01-01T00:00:00.000Z",
        ] {
            assert_eq!(parse_fixed(s), s.parse::<Timestamp>().ok(), "{s}");
        }
        // Not the fixed form, or not a valid time in it: the general
        // parser's answer stands.
        for s in [
            "2027-03-01T06:30:00Z",
            "2027-03-01T06:30:00.120+01:00",
            "2027-02-30T06:30:00.000Z",
            "2027-03-01T24:00:00.000Z",
            "2016-12-31T23:59:60.000Z",
            "2027-03-01T06:30:0x.000Z",
            "2027-03-01 06:30:00.000Z",
        ] {
            assert_eq!(parse_fixed(s), None, "{s}");
        }
        let leap = "2016-12-31T23:59:60.000Z";
        assert_eq!(parse(leap).ok(), leap.parse::<Timestamp>().ok());
    }

    #[test]
    fn the_fixed_form_is_strftimes_with_milliseconds() {
        let general = |ts: &Timestamp| {
            let whole = ts.strftime("%Y-%m-%dT%H:%M:%S");
            format!("{whole}.{:03}Z", ts.subsec_millisecond())
        };
        let mut checked = 0;
        for s in [
            "0000-01-01T00:00:00Z",
            "0999-12-31T23:59:59.999Z",
            "1970-01-01T00:00:00Z",
            "2026-11-28T09:00:00.007Z",
            "2027-03-01T06:30:00.120Z",
            "2028-02-29T12:34:56.789Z",
            "9999-12-30T21:59:59.999Z",
            "-000001-06-15T10:00:00Z",
        ] {
            let ts: Timestamp = s.parse().expect("ts");
            assert_eq!(format(&ts), general(&ts), "{s}");
            checked += 1;
        }
        // A minute and a millisecond apart over some 60 years.
        let mut ts: Timestamp = "1999-12-31T23:00:00Z".parse().expect("ts");
        let step = jiff::SignedDuration::from_millis(1_000_000_001);
        for _ in 0..2_000 {
            assert_eq!(format(&ts), general(&ts));
            let text = format(&ts);
            assert_eq!(parse_fixed(&text), Some(ts), "{text}");
            assert_eq!(text.parse::<Timestamp>().ok(), Some(ts), "{text}");
            ts = ts.checked_add(step).expect("in range");
            checked += 1;
        }
        assert_eq!(checked, 2_008);
    }
}
