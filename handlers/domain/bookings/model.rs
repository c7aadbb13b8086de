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
#[serde(rename_all = "camelCase")]
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
