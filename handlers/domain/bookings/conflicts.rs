//! What stands in the way of a request for time: the bookings a slot would
//! overlap, or the occurrences of a series that conflict. Carried by
//! `DomainError::Blocked`; the handlers turn them into the problem's
//! extensions.

use jiff::Timestamp;

use super::rules::TimeSlot;
use crate::domain::ids::ResourceId;

/// A booking's time on a resource, in the way of a request.
#[derive(Debug, Clone, PartialEq)]
pub struct ConflictRange {
    pub resource_id: ResourceId,
    pub booking_id: String,
    pub start: Timestamp,
    pub end: Timestamp,
}

/// An occurrence of a series that was not booked, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedOccurrence {
    pub slot: TimeSlot,
    pub conflicts: Vec<ConflictRange>,
}

/// The bookings in the way of a refused request.
#[derive(Debug, Clone, PartialEq)]
pub enum Blocking {
    /// A single slot overlaps these.
    Bookings(Vec<ConflictRange>),
    /// These occurrences of a series conflict.
    Occurrences(Vec<SkippedOccurrence>),
}
