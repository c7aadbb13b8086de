//! Timestamps as stored and sent: RFC 3339 in UTC with exactly three
//! fractional digits (`2026-11-28T09:00:00.000Z`). The fixed width makes the
//! text order equal the time order, which range queries and `ORDER BY` on
//! stored strings rely on.

use jiff::Timestamp;
use serde::de::Visitor;
use serde::{Deserializer, Serializer};

/// Format a timestamp in the fixed-width form.
pub fn format(ts: &Timestamp) -> String {
    let whole = ts.strftime("%Y-%m-%dT%H:%M:%S");
    format!("{whole}.{:03}Z", ts.subsec_millisecond())
}

/// Parse any RFC 3339 timestamp with an offset.
pub fn parse(s: &str) -> Result<Timestamp, String> {
    s.parse::<Timestamp>()
        .map_err(|_| format!("{s:?} is not an RFC 3339 timestamp with offset"))
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
}
