//! What a booking is: its status, its details and the record itself.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::rules::TimeSlot;
use crate::domain::ids::{BookingId, ResourceId, UserId};
use crate::store::StoreError;

/// What contention on a booking's resources is reported as.
pub(crate) const SCHEDULE: &str = "the schedule";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BookingStatus {
    Requested,
    Approved,
    Declined,
    Cancelled,
    CheckedIn,
    CheckedOut,
    TurnedAway,
}

impl BookingStatus {
    pub fn parse(s: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Requested => "requested",
            BookingStatus::Approved => "approved",
            BookingStatus::Declined => "declined",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::CheckedIn => "checkedIn",
            BookingStatus::CheckedOut => "checkedOut",
            BookingStatus::TurnedAway => "turnedAway",
        }
    }

    /// Whether a booking in this status holds its time on its resources.
    pub fn occupies(self) -> bool {
        matches!(
            self,
            BookingStatus::Requested | BookingStatus::Approved | BookingStatus::CheckedIn
        )
    }
}

/// What a booking carries besides its time and resources.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookingDetails {
    /// The requesting company.
    pub company: Option<String>,
    pub supplier: Option<String>,
    pub vehicle_type: Option<String>,
    pub licence_plate: Option<String>,
    pub material: Option<String>,
    pub quantity: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "StoredBooking")]
pub struct Booking {
    pub booking_id: BookingId,
    pub resource_ids: Vec<ResourceId>,
    #[serde(with = "crate::domain::time::fixed")]
    pub start: Timestamp,
    #[serde(with = "crate::domain::time::fixed")]
    pub end: Timestamp,
    pub status: BookingStatus,
    /// The requester (indexed as `userId`).
    pub user_id: UserId,
    #[serde(flatten)]
    pub details: BookingDetails,
    pub series_id: Option<String>,
    /// Why it was declined, cancelled or turned away.
    pub reason: Option<String>,
    #[serde(with = "crate::domain::time::fixed_option", default)]
    pub actual_arrival: Option<Timestamp>,
    #[serde(with = "crate::domain::time::fixed_option", default)]
    pub actual_departure: Option<Timestamp>,
    #[serde(with = "crate::domain::time::fixed")]
    pub created_at: Timestamp,
    #[serde(with = "crate::domain::time::fixed")]
    pub updated_at: Timestamp,
    /// The short code read out at the gate (without the dash), unique in
    /// the project; bookings made before codes existed have none.
    #[serde(default)]
    pub code: Option<String>,
    /// The driver pass, from approval on (`passes`).
    #[serde(default)]
    pub pass: Option<PassRecord>,
}

/// A booking as stored, its details among the other fields: what `Booking`
/// is read through. `#[serde(flatten)]` would buffer every field of the
/// document in an intermediate tree first, which showed in the day view's
/// profile; the stored shape is the same.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredBooking {
    booking_id: BookingId,
    resource_ids: Vec<ResourceId>,
    #[serde(with = "crate::domain::time::fixed")]
    start: Timestamp,
    #[serde(with = "crate::domain::time::fixed")]
    end: Timestamp,
    status: BookingStatus,
    user_id: UserId,
    company: Option<String>,
    supplier: Option<String>,
    vehicle_type: Option<String>,
    licence_plate: Option<String>,
    material: Option<String>,
    quantity: Option<String>,
    notes: Option<String>,
    series_id: Option<String>,
    reason: Option<String>,
    #[serde(with = "crate::domain::time::fixed_option", default)]
    actual_arrival: Option<Timestamp>,
    #[serde(with = "crate::domain::time::fixed_option", default)]
    actual_departure: Option<Timestamp>,
    #[serde(with = "crate::domain::time::fixed")]
    created_at: Timestamp,
    #[serde(with = "crate::domain::time::fixed")]
    updated_at: Timestamp,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    pass: Option<PassRecord>,
}

impl From<StoredBooking> for Booking {
    fn from(b: StoredBooking) -> Self {
        Booking {
            booking_id: b.booking_id,
            resource_ids: b.resource_ids,
            start: b.start,
            end: b.end,
            status: b.status,
            user_id: b.user_id,
            details: BookingDetails {
                company: b.company,
                supplier: b.supplier,
                vehicle_type: b.vehicle_type,
                licence_plate: b.licence_plate,
                material: b.material,
                quantity: b.quantity,
                notes: b.notes,
            },
            series_id: b.series_id,
            reason: b.reason,
            actual_arrival: b.actual_arrival,
            actual_departure: b.actual_departure,
            created_at: b.created_at,
            updated_at: b.updated_at,
            code: b.code,
            pass: b.pass,
        }
    }
}

impl Booking {
    pub fn slot(&self) -> Result<TimeSlot, StoreError> {
        TimeSlot::new(self.start, self.end).map_err(StoreError::Internal)
    }

    /// Soll/Ist: minutes between planned start and actual arrival (negative
    /// = early).
    pub fn punctuality_minutes(&self) -> Option<i64> {
        self.actual_arrival
            .map(|a| (a.as_second() - self.start.as_second()).div_euclid(60))
    }

    /// An approved booking nobody checked in by its end plus the grace.
    pub fn is_no_show(&self, now: Timestamp, grace_minutes: u32) -> bool {
        self.status == BookingStatus::Approved
            && self.actual_arrival.is_none()
            && now.as_second() > self.end.as_second() + i64::from(grace_minutes) * 60
    }
}

/// What a booking keeps of its pass: never the token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PassRecord {
    /// The random half of the token's input (URL-safe base64 of 32 bytes).
    pub nonce: String,
    /// Hex SHA-256 of the token: the key of its lookup record.
    pub token_hash: String,
    /// When it was issued (the approval) or last regenerated.
    #[serde(with = "crate::domain::time::fixed")]
    pub valid_from: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    /// Every field set, so a field missing from `StoredBooking` (or read
    /// under another name) shows as a difference.
    fn full() -> Booking {
        Booking {
            booking_id: BookingId::generate(),
            resource_ids: vec![ResourceId::generate(), ResourceId::generate()],
            start: ts("2027-03-01T06:00:00Z"),
            end: ts("2027-03-01T06:30:00Z"),
            status: BookingStatus::CheckedOut,
            user_id: UserId::generate(),
            details: BookingDetails {
                company: Some("Beton Huber GmbH".into()),
                supplier: Some("Kieswerk Nord".into()),
                vehicle_type: Some("Fahrmischer".into()),
                licence_plate: Some("W-12345X".into()),
                material: Some("Transportbeton C25/30".into()),
                quantity: Some("8 m3".into()),
                notes: Some("Zufahrt \"Tor 2\"".into()),
            },
            series_id: Some("series-1".into()),
            reason: Some("Kran defekt".into()),
            actual_arrival: Some(ts("2027-03-01T06:05:00.250Z")),
            actual_departure: Some(ts("2027-03-01T06:40:00Z")),
            created_at: ts("2027-02-01T10:00:00Z"),
            updated_at: ts("2027-02-02T11:00:00Z"),
            code: Some("ABCDEF".into()),
            pass: Some(PassRecord {
                nonce: "bm9uY2U".into(),
                token_hash: "00ff".into(),
                valid_from: ts("2027-02-02T11:00:00Z"),
            }),
        }
    }

    #[test]
    fn a_booking_reads_back_from_its_stored_text_unchanged() {
        let b = full();
        let stored = serde_json::to_string(&b).expect("serialize");
        // The details lie among the other fields, as before.
        let value: serde_json::Value = serde_json::from_str(&stored).expect("JSON");
        assert_eq!(value["company"], "Beton Huber GmbH");
        assert!(value.get("details").is_none());
        let back: Booking = serde_json::from_str(&stored).expect("deserialize");
        assert_eq!(
            serde_json::to_value(&back).expect("serialize"),
            value,
            "every field survives the round trip"
        );
        // Older documents without the optional fields still read.
        let mut old = value.clone();
        for f in ["actualArrival", "actualDeparture", "code", "pass", "notes"] {
            old.as_object_mut().expect("object").remove(f);
        }
        let back: Booking = serde_json::from_value(old).expect("an older document");
        assert_eq!(back.code, None);
        assert_eq!(back.details.notes, None);
        assert_eq!(back.actual_arrival, None);
    }
}
