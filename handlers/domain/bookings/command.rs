//! The typed commands the booking functions take, and how a request's raw
//! fields become them. Parsing reports every bad field at once
//! (`Validator`); what comes out can be trusted: resource ids are ids,
//! listed once; a slot is a `TimeSlot`; the texts are trimmed and bounded.

use jiff::Timestamp;

use super::model::{Booking, BookingDetails};
use super::rules::TimeSlot;
use crate::domain::error::{DomainError, Validator};
use crate::domain::ids::ResourceId;
use crate::domain::text::Name;
use crate::domain::time;

pub const MAX_RESOURCES_PER_BOOKING: usize = 4;
/// One series is one batch of at most 100 operations.
pub const MAX_OCCURRENCES: u32 = 16;
const TEXT_MAX: usize = 200;
const NOTES_MAX: usize = 2000;
const PLATE_MAX: usize = 20;
const REASON_MAX: usize = 500;

/// The detail fields, as the audit log names them.
pub(super) const DETAIL_FIELDS: &[&str] = &[
    "company",
    "supplier",
    "vehicleType",
    "licencePlate",
    "material",
    "quantity",
    "notes",
];

/// A request for time as the client sent it, before parsing.
#[derive(Debug, Clone, Default)]
pub struct BookingRequest {
    pub resource_ids: Vec<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub details: BookingDetails,
}

/// Book one slot on one or more resources.
#[derive(Debug, Clone)]
pub struct NewBooking {
    pub resource_ids: Vec<ResourceId>,
    pub slot: TimeSlot,
    pub details: BookingDetails,
}

impl NewBooking {
    pub fn parse(req: BookingRequest) -> Result<Self, DomainError> {
        let mut v = Validator::default();
        let parsed = Self::check(&mut v, req);
        v.finish()?;
        parsed.ok_or(DomainError::Validation(Vec::new()))
    }

    fn check(v: &mut Validator, req: BookingRequest) -> Option<Self> {
        let resource_ids = parse_resources(v, &req.resource_ids);
        let slot = parse_slot(v, req.start.as_deref(), req.end.as_deref());
        let details = req.details.checked(v);
        Some(NewBooking {
            resource_ids,
            slot: slot?,
            details,
        })
    }
}

/// Book the same slot every `interval_weeks` weeks.
#[derive(Debug, Clone)]
pub struct NewSeries {
    /// The first occurrence.
    pub first: NewBooking,
    pub occurrences: u32,
    pub interval_weeks: u32,
    /// Book the free occurrences even if others conflict.
    pub skip_conflicts: bool,
}

impl NewSeries {
    pub fn parse(
        req: BookingRequest,
        occurrences: u32,
        interval_weeks: Option<u32>,
        skip_conflicts: bool,
    ) -> Result<Self, DomainError> {
        let mut v = Validator::default();
        let first = NewBooking::check(&mut v, req);
        if !(2..=MAX_OCCURRENCES).contains(&occurrences) {
            v.fail("occurrences", format!("must be 2 to {MAX_OCCURRENCES}"));
        }
        let interval_weeks = interval_weeks.unwrap_or(1);
        if !(1..=8).contains(&interval_weeks) {
            v.fail("intervalWeeks", "must be 1 to 8");
        }
        v.finish()?;
        Ok(NewSeries {
            first: first.ok_or(DomainError::Validation(Vec::new()))?,
            occurrences,
            interval_weeks,
            skip_conflicts,
        })
    }
}

/// A change of a booking: new time and/or resources, or new details. Its
/// fields stay raw until `apply_to`: what is left out comes from the
/// booking as stored, and the merged whole is checked like a new booking.
#[derive(Debug, Clone, Default)]
pub struct BookingChange {
    pub resource_ids: Option<Vec<String>>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub details: BookingDetails,
}

/// A change merged into the booking it changes.
pub(super) struct Merged {
    pub resource_ids: Vec<ResourceId>,
    pub slot: TimeSlot,
    pub details: BookingDetails,
    /// The detail fields the change names.
    pub changed: Vec<&'static str>,
}

impl BookingChange {
    pub(super) fn apply_to(&self, old: &Booking) -> Result<Merged, DomainError> {
        let mut v = Validator::default();
        let resource_ids = match &self.resource_ids {
            Some(raw) => parse_resources(&mut v, raw),
            None => old.resource_ids.clone(),
        };
        let start = self
            .start
            .clone()
            .unwrap_or_else(|| time::format(&old.start));
        let end = self.end.clone().unwrap_or_else(|| time::format(&old.end));
        let slot = parse_slot(&mut v, Some(&start), Some(&end));
        let mut merged = old.details.clone();
        let d = self.details.clone();
        let mut changed = Vec::new();
        for (name, new, cur) in [
            ("company", d.company, &mut merged.company),
            ("supplier", d.supplier, &mut merged.supplier),
            ("vehicleType", d.vehicle_type, &mut merged.vehicle_type),
            ("licencePlate", d.licence_plate, &mut merged.licence_plate),
            ("material", d.material, &mut merged.material),
            ("quantity", d.quantity, &mut merged.quantity),
            ("notes", d.notes, &mut merged.notes),
        ] {
            if new.is_some() {
                *cur = new;
                changed.push(name);
            }
        }
        let details = merged.checked(&mut v);
        v.finish()?;
        Ok(Merged {
            resource_ids,
            slot: slot.ok_or(DomainError::Validation(Vec::new()))?,
            details,
            changed,
        })
    }
}

/// A workflow step at the gate or by a manager.
#[derive(Debug, Clone)]
pub enum Transition {
    Approve,
    Decline { reason: String },
    Cancel { reason: String },
    CheckIn { at: Option<Timestamp> },
    CheckOut { at: Option<Timestamp> },
    TurnAway { reason: String },
}

impl Transition {
    /// The reason it gives, checked.
    pub(super) fn reason(&self) -> Result<Option<String>, DomainError> {
        match self {
            Transition::Decline { reason }
            | Transition::Cancel { reason }
            | Transition::TurnAway { reason } => Name::parse(reason, REASON_MAX)
                .map(|n| Some(n.as_str().to_owned()))
                .map_err(|e| DomainError::field("reason", e.to_string())),
            _ => Ok(None),
        }
    }
}

/// A gate time: now when not given, never in the future.
pub(super) fn checked_at(at: Option<Timestamp>) -> Result<Timestamp, DomainError> {
    let now = Timestamp::now();
    match at {
        None => Ok(now),
        Some(t) if t.as_second() <= now.as_second() + 60 => Ok(t),
        Some(_) => Err(DomainError::field("at", "may not be in the future")),
    }
}

impl BookingDetails {
    fn checked(self, v: &mut Validator) -> BookingDetails {
        let mut field = |name: &str, value: Option<String>, max: usize| {
            value
                .filter(|s| !s.trim().is_empty())
                .and_then(|s| v.check(name, Name::parse(&s, max)))
                .map(|n| n.as_str().to_owned())
        };
        BookingDetails {
            company: field("company", self.company, TEXT_MAX),
            supplier: field("supplier", self.supplier, TEXT_MAX),
            vehicle_type: field("vehicleType", self.vehicle_type, TEXT_MAX),
            licence_plate: field("licencePlate", self.licence_plate, PLATE_MAX),
            material: field("material", self.material, TEXT_MAX),
            quantity: field("quantity", self.quantity, TEXT_MAX),
            notes: self.notes.filter(|s| !s.trim().is_empty()).and_then(|s| {
                if s.chars().count() > NOTES_MAX {
                    v.fail("notes", format!("is longer than {NOTES_MAX} characters"));
                    None
                } else {
                    Some(s.trim().to_owned())
                }
            }),
        }
    }
}

pub(super) fn parse_resources(v: &mut Validator, raw: &[String]) -> Vec<ResourceId> {
    let mut ids: Vec<ResourceId> = Vec::new();
    for r in raw {
        match ResourceId::parse(r) {
            Some(id) if !ids.contains(&id) => ids.push(id),
            Some(_) => v.fail("resourceIds", "lists a resource twice"),
            None => v.fail("resourceIds", format!("{r:?} is not a resource id")),
        }
    }
    if ids.is_empty() || ids.len() > MAX_RESOURCES_PER_BOOKING {
        v.fail(
            "resourceIds",
            format!("must name 1 to {MAX_RESOURCES_PER_BOOKING} resources"),
        );
    }
    ids
}

fn parse_slot(v: &mut Validator, start: Option<&str>, end: Option<&str>) -> Option<TimeSlot> {
    match (start, end) {
        (Some(s), Some(e)) => v.check("end", TimeSlot::parse(s, e)),
        _ => {
            v.fail("start", "start and end are required");
            None
        }
    }
}
