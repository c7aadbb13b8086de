//! Delivery-slot bookings: placing them without double booking, the
//! workflow (requested → approved | declined; approved → checked-in →
//! checked-out; cancel; turn-away; reschedule), recurring series, queries
//! and availability. The rules themselves live in `rules`; this module reads
//! and writes the store.
//!
//! Double booking is prevented by the store, not by a lock: every write
//! that claims time on a resource replaces the resource document with
//! If-Match in the same transactional batch that creates the booking and its
//! slot records. Of two writers that read the same resource version, one
//! fails with `PreconditionFailed`, re-reads, and then sees the other's slot.
//! Slot records carry `slotKey = "<resourceId>|<fixed-width start>"`, an
//! indexed field, so the conflict check is one index range scan over the
//! candidates (O(log n + k)). Within one process, new bookings on a
//! resource take turns first (`queue`), so retries are rare and fair.

pub mod calendar;
mod queue;
pub mod reports;
pub mod resources;
pub mod rules;

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use self::resources::Resource;
use self::rules::{Occupied, Refusal, Secs, TimeSlot};
use super::audit;
use super::error::{DomainError, Validator};
use super::ids::{BookingId, ProjectId, ResourceId, UserId};
use super::notifications;
use super::projects::Project;
use super::retry::{Attempt, retry_on_precondition};
use super::roles::{Action, Role, allows};
use super::text::Name;
use super::time;
use crate::store::containers::PROJECTS;
use crate::store::{BatchOp, DocumentStore, ETag, NewDocument, Query, StoreError};

pub const KIND: &str = "booking";
const SLOT_KIND: &str = "slot";
/// What contention on a booking's resources is reported as.
pub(crate) const SCHEDULE: &str = "the schedule";
pub const MAX_RESOURCES_PER_BOOKING: usize = 4;
/// One series is one batch of at most 100 operations.
pub const MAX_OCCURRENCES: u32 = 16;
const TEXT_MAX: usize = 200;
const NOTES_MAX: usize = 2000;
const PLATE_MAX: usize = 20;
const REASON_MAX: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Booking {
    pub kind: String,
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

/// One resource's share of a booking: what the conflict check reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Slot {
    kind: String,
    slot_key: String,
    booking_id: BookingId,
    resource_id: ResourceId,
    #[serde(with = "crate::domain::time::fixed")]
    slot_start: Timestamp,
    #[serde(with = "crate::domain::time::fixed")]
    slot_end: Timestamp,
}

pub fn doc_id(id: &BookingId) -> String {
    format!("booking-{id}")
}

fn slot_id(booking: &BookingId, resource: &ResourceId) -> String {
    format!("slot-{booking}-{resource}")
}

fn slot_key(resource: &ResourceId, at: Secs) -> Result<String, StoreError> {
    let ts = Timestamp::from_second(at).map_err(StoreError::internal)?;
    Ok(format!("{resource}|{}", time::format(&ts)))
}

/// The bookings holding time on `resource` that start in `[from, to)`.
pub(crate) async fn occupied(
    store: &dyn DocumentStore,
    pk: &str,
    resource: &ResourceId,
    from: Secs,
    to: Secs,
) -> Result<Vec<Occupied>, StoreError> {
    // Beyond every TimeSlot (years 2000 to 2199): 2200-01-01T00:00:00Z.
    let clamp = |t: Secs| t.clamp(0, 7_258_118_400);
    let mut out = Vec::new();
    let mut next = None;
    loop {
        let page = store
            .query(
                PROJECTS,
                pk,
                Query::new()
                    .ge("slotKey", slot_key(resource, clamp(from))?)
                    .lt("slotKey", slot_key(resource, clamp(to))?)
                    // Ordered like the index, so the store walks just the range.
                    .order_by("slotKey", crate::store::Order::Asc)
                    .limit(1000)
                    .continuation(next),
            )
            .await?;
        for d in &page.items {
            let s: Slot = d.parse()?;
            out.push(Occupied {
                booking_id: s.booking_id.as_string(),
                start: s.slot_start.as_second(),
                end: s.slot_end.as_second(),
            });
        }
        match page.continuation {
            Some(t) => next = Some(t),
            None => return Ok(out),
        }
    }
}

/// Who is acting, with their role in the project.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub user_id: &'a UserId,
    pub role: Role,
}

impl Actor<'_> {
    fn require(&self, action: Action) -> Result<(), DomainError> {
        if allows(self.role, action) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(
                "your role in this project does not allow this",
            ))
        }
    }

    fn manages(&self) -> bool {
        allows(self.role, Action::ManageBookings)
    }

    /// Own bookings with `CreateBooking`, anyone's with `ManageBookings`.
    fn require_owner_or_manager(&self, b: &Booking) -> Result<(), DomainError> {
        if self.manages()
            || (&b.user_id == self.user_id && allows(self.role, Action::CreateBooking))
        {
            Ok(())
        } else {
            Err(DomainError::Forbidden(
                "only the requester or a manager may change this booking",
            ))
        }
    }

    /// Managers' bookings are approved; members' wait for approval unless
    /// the project auto-approves.
    fn initial_status(&self, project: &Project) -> BookingStatus {
        if self.manages() || !project.settings.booking_approval_required {
            BookingStatus::Approved
        } else {
            BookingStatus::Requested
        }
    }

    /// The booking cut-off: members may not book or change slots starting
    /// sooner than the project's cut-off; managers are exempt.
    fn check_cutoff(&self, project: &Project, start: Timestamp) -> Result<(), DomainError> {
        if self.manages() {
            return Ok(());
        }
        let hours = project.settings.booking_cutoff_hours;
        let earliest = Timestamp::now().as_second() + i64::from(hours) * 3600;
        if start.as_second() < earliest {
            return Err(DomainError::field(
                "start",
                format!("bookings must start at least {hours} hours from now"),
            ));
        }
        Ok(())
    }
}

/// A booking request as received.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BookingInput {
    #[serde(default)]
    pub resource_ids: Vec<String>,
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub end: Option<String>,
    #[serde(flatten)]
    pub details: BookingDetails,
}

fn parse_resources(v: &mut Validator, raw: &[String]) -> Vec<ResourceId> {
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

/// The resources of a booking as read, with what holds time on them.
struct Snapshot {
    resources: Vec<(Resource, ETag)>,
    occupied: BTreeMap<ResourceId, Vec<Occupied>>,
}

/// A booking's resources as read, in the order named (`None`: not a
/// resource of the project).
type ResourceReads = Vec<Option<(Resource, ETag)>>;

/// The named resources, read together.
async fn read_resources(
    store: &dyn DocumentStore,
    project: &ProjectId,
    ids: &[ResourceId],
) -> Result<ResourceReads, DomainError> {
    futures::future::try_join_all(ids.iter().map(|id| resources::load(store, project, id))).await
}

async fn snapshot(
    store: &dyn DocumentStore,
    project: &ProjectId,
    ids: &[ResourceId],
    slots: &[TimeSlot],
    exclude: Option<&BookingId>,
) -> Result<Snapshot, DomainError> {
    let reads = read_resources(store, project, ids).await?;
    occupancy(store, project, ids, reads, slots, exclude).await
}

/// The snapshot over resources already read.
async fn occupancy(
    store: &dyn DocumentStore,
    project: &ProjectId,
    ids: &[ResourceId],
    reads: ResourceReads,
    slots: &[TimeSlot],
    exclude: Option<&BookingId>,
) -> Result<Snapshot, DomainError> {
    let pk = project.as_string();
    let mut resources = Vec::new();
    for (id, read) in ids.iter().zip(reads) {
        let Some(r) = read else {
            return Err(DomainError::field(
                "resourceIds",
                format!("{id} is not a resource of this project"),
            ));
        };
        resources.push(r);
    }
    // Read after the resources: anything booked since then changed their
    // version, and the batch's If-Match will notice.
    let mut by_resource = BTreeMap::new();
    let exclude = exclude.map(BookingId::as_string);
    for (r, _) in &resources {
        let reach = i64::from(r.longest_booking_minutes + r.buffer_minutes) * 60;
        let buffer = i64::from(r.buffer_minutes) * 60;
        let mut seen: BTreeMap<String, Occupied> = BTreeMap::new();
        for slot in slots {
            let (s, e) = slot.secs();
            for o in occupied(store, &pk, &r.resource_id, s - reach, e + buffer).await? {
                if Some(&o.booking_id) != exclude.as_ref() {
                    seen.insert(o.booking_id.clone(), o);
                }
            }
        }
        by_resource.insert(r.resource_id.clone(), seen.into_values().collect());
    }
    Ok(Snapshot {
        resources,
        occupied: by_resource,
    })
}

/// A time range in the way of a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConflictRange {
    pub resource_id: String,
    pub booking_id: String,
    pub start: String,
    pub end: String,
}

fn conflict_ranges(resource: &ResourceId, blocking: &[Occupied]) -> Vec<ConflictRange> {
    blocking
        .iter()
        .map(|o| ConflictRange {
            resource_id: resource.as_string(),
            booking_id: o.booking_id.clone(),
            start: fmt_secs(o.start),
            end: fmt_secs(o.end),
        })
        .collect()
}

pub fn fmt_secs(t: Secs) -> String {
    Timestamp::from_second(t)
        .map(|ts| time::format(&ts))
        .unwrap_or_default()
}

/// What the conflict check says about one slot.
#[derive(Debug)]
enum Verdict {
    /// The slot fits on every resource.
    Free,
    /// Other bookings hold the time, beyond the resources' capacity.
    Taken(Vec<ConflictRange>),
    /// The slot breaks a resource's rules (length, opening hours).
    Breaks(DomainError),
}

/// Check one slot on every resource of the snapshot.
fn evaluate(project: &Project, snap: &Snapshot, slot: &TimeSlot) -> Verdict {
    let mut conflicts = Vec::new();
    for (r, _) in &snap.resources {
        let occ = snap
            .occupied
            .get(&r.resource_id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        match rules::check(&r.rules(project), occ, slot) {
            Ok(()) => {}
            Err(Refusal::Length { min, max }) => {
                return Verdict::Breaks(DomainError::field(
                    "end",
                    format!("{} allows bookings of {min} to {max} minutes", r.name),
                ));
            }
            Err(Refusal::Closed) => {
                return Verdict::Breaks(DomainError::field(
                    "start",
                    format!(
                        "{} is closed at some time of the slot (opening hours in {})",
                        r.name,
                        project.time_zone.as_str()
                    ),
                ));
            }
            Err(Refusal::Conflict(blocking)) => {
                conflicts.extend(conflict_ranges(&r.resource_id, &blocking));
            }
        }
    }
    if conflicts.is_empty() {
        Verdict::Free
    } else {
        Verdict::Taken(conflicts)
    }
}

fn conflict_error(conflicts: Vec<ConflictRange>) -> DomainError {
    DomainError::ConflictWith {
        detail: "the slot overlaps existing bookings beyond the resources' capacity".into(),
        extensions: serde_json::json!({ "conflicts": conflicts }),
    }
}

/// The batch operations that claim `bookings`' time: each resource's
/// schedule version bumped with If-Match, and one slot record per
/// booking and resource. The booking documents themselves are the caller's.
fn claim_ops(pk: &str, snap: &Snapshot, bookings: &[&Booking]) -> Result<Vec<BatchOp>, StoreError> {
    let mut ops = Vec::new();
    for (r, etag) in &snap.resources {
        let mut r = r.clone();
        r.schedule_version += 1;
        for b in bookings {
            if b.resource_ids.contains(&r.resource_id) {
                let minutes = u32::try_from(b.slot()?.minutes()).unwrap_or(u32::MAX);
                r.longest_booking_minutes = r.longest_booking_minutes.max(minutes);
            }
        }
        ops.push(BatchOp::Replace {
            doc: NewDocument::from_record(pk, resources::doc_id(&r.resource_id), &r)?,
            if_match: Some(etag.clone()),
        });
    }
    for b in bookings {
        for rid in &b.resource_ids {
            ops.push(BatchOp::Create(slot_doc(pk, b, rid)?));
        }
    }
    Ok(ops)
}

fn slot_doc(pk: &str, b: &Booking, rid: &ResourceId) -> Result<NewDocument, StoreError> {
    let slot = Slot {
        kind: SLOT_KIND.into(),
        slot_key: slot_key(rid, b.start.as_second())?,
        booking_id: b.booking_id.clone(),
        resource_id: rid.clone(),
        slot_start: b.start,
        slot_end: b.end,
    };
    NewDocument::from_record(pk, slot_id(&b.booking_id, rid), &slot)
}

fn release_ops(b: &Booking) -> Vec<BatchOp> {
    b.resource_ids
        .iter()
        .map(|rid| BatchOp::Delete {
            id: slot_id(&b.booking_id, rid),
            if_match: None,
        })
        .collect()
}

/// The documents of a new booking and its slots, as `create` writes them
/// (also used to seed the benchmark).
pub fn booking_docs(pk: &str, b: &Booking) -> Result<Vec<NewDocument>, StoreError> {
    let mut docs = vec![NewDocument::from_record(pk, doc_id(&b.booking_id), b)?];
    for rid in &b.resource_ids {
        docs.push(slot_doc(pk, b, rid)?);
    }
    Ok(docs)
}

fn new_booking(
    actor: &Actor<'_>,
    project: &Project,
    resource_ids: Vec<ResourceId>,
    slot: &TimeSlot,
    details: BookingDetails,
    series_id: Option<String>,
) -> Booking {
    let now = Timestamp::now();
    Booking {
        kind: KIND.into(),
        booking_id: BookingId::generate(),
        resource_ids,
        start: slot.start(),
        end: slot.end(),
        status: actor.initial_status(project),
        user_id: actor.user_id.clone(),
        details,
        series_id,
        reason: None,
        actual_arrival: None,
        actual_departure: None,
        created_at: now,
        updated_at: now,
    }
}

const DETAIL_FIELDS: &[&str] = &[
    "company",
    "supplier",
    "vehicleType",
    "licencePlate",
    "material",
    "quantity",
    "notes",
];

/// The resources a booking request names, read ahead so that a handler can
/// issue these reads together with its own (the caller's session and
/// membership, the project): one round trip for all. See `create_prefetched`.
pub struct Prefetched {
    project: ProjectId,
    ids: Vec<ResourceId>,
    reads: Result<ResourceReads, DomainError>,
}

/// Read the resources `input` names; nothing for a list `create` refuses
/// before it reads.
pub async fn prefetch(
    store: &dyn DocumentStore,
    project: &ProjectId,
    input: &BookingInput,
) -> Prefetched {
    let mut v = Validator::default();
    let ids = parse_resources(&mut v, &input.resource_ids);
    let reads = match v.finish() {
        Ok(()) => read_resources(store, project, &ids).await,
        Err(_) => Ok(Vec::new()),
    };
    Prefetched {
        project: project.clone(),
        ids,
        reads,
    }
}

/// Book one slot on one or more resources, all or none.
pub async fn create(
    store: &dyn DocumentStore,
    project: &Project,
    actor: Actor<'_>,
    input: BookingInput,
) -> Result<Booking, DomainError> {
    create_prefetched(store, project, actor, input, None).await
}

/// `create`, whose first attempt uses the resources `prefetch` read (when
/// they are the ones `input` names in this project).
pub async fn create_prefetched(
    store: &dyn DocumentStore,
    project: &Project,
    actor: Actor<'_>,
    input: BookingInput,
    prefetched: Option<Prefetched>,
) -> Result<Booking, DomainError> {
    actor.require(Action::CreateBooking)?;
    let mut v = Validator::default();
    let ids = parse_resources(&mut v, &input.resource_ids);
    let slot = parse_slot(&mut v, input.start.as_deref(), input.end.as_deref());
    let details = input.details.checked(&mut v);
    v.finish()?;
    let Some(slot) = slot else {
        return Err(DomainError::Validation(Vec::new()));
    };
    actor.check_cutoff(project, slot.start())?;
    let pk = project.project_id.as_string();
    let _turn = queue::wait_turn(&ids)
        .await
        .map_err(|queue::Busy| DomainError::Contended(SCHEDULE))?;
    // Read before the turn came: if a writer ahead changed the resources,
    // the batch's If-Match fails and the retry reads them anew.
    let mut prefetched = prefetched.filter(|p| p.project == project.project_id && p.ids == ids);
    let (ids, details, pk) = (&ids, &details, &pk);
    retry_on_precondition(SCHEDULE, || {
        let first = prefetched.take();
        async move {
            // A retry reads the resources anew: the batch failed on their ETags.
            let reads = match first {
                Some(p) => p.reads?,
                None => read_resources(store, &project.project_id, ids).await?,
            };
            let snap = occupancy(store, &project.project_id, ids, reads, &[slot], None).await?;
            match evaluate(project, &snap, &slot) {
                Verdict::Free => {}
                Verdict::Taken(conflicts) => return Err(conflict_error(conflicts)),
                Verdict::Breaks(e) => return Err(e),
            }
            let booking = new_booking(&actor, project, ids.clone(), &slot, details.clone(), None);
            let mut ops = claim_ops(pk, &snap, &[&booking])?;
            ops.push(BatchOp::Create(NewDocument::from_record(
                pk,
                doc_id(&booking.booking_id),
                &booking,
            )?));
            let mut fields = vec!["resourceIds", "start", "end", "status"];
            fields.extend(DETAIL_FIELDS);
            ops.push(BatchOp::Create(audit::entry(
                pk,
                Some(actor.user_id),
                "booking.created",
                "booking",
                &booking.booking_id.as_string(),
                &fields,
            )?));
            Attempt::of_write(store.batch(PROJECTS, pk, ops).await, booking)
        }
    })
    .await
}

/// A recurring booking: the same slot every `interval_weeks` weeks.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeriesInput {
    #[serde(flatten)]
    pub booking: BookingInput,
    /// Number of occurrences, 2 to 16.
    pub occurrences: u32,
    /// Weeks between occurrences (default 1).
    #[serde(default)]
    pub interval_weeks: Option<u32>,
    /// Book the free occurrences even if others conflict.
    #[serde(default)]
    pub skip_conflicts: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SkippedOccurrence {
    pub start: String,
    pub end: String,
    pub conflicts: Vec<ConflictRange>,
}

pub struct SeriesOutcome {
    pub series_id: String,
    pub booked: Vec<Booking>,
    pub skipped: Vec<SkippedOccurrence>,
}

/// Book a series in one batch. Conflicting occurrences are reported: as a
/// 409 (nothing booked) unless `skip_conflicts`, then the rest is booked.
pub async fn create_series(
    store: &dyn DocumentStore,
    project: &Project,
    actor: Actor<'_>,
    input: SeriesInput,
) -> Result<SeriesOutcome, DomainError> {
    actor.require(Action::CreateBooking)?;
    let mut v = Validator::default();
    let ids = parse_resources(&mut v, &input.booking.resource_ids);
    let first = parse_slot(
        &mut v,
        input.booking.start.as_deref(),
        input.booking.end.as_deref(),
    );
    let details = input.booking.details.clone().checked(&mut v);
    if !(2..=MAX_OCCURRENCES).contains(&input.occurrences) {
        v.fail("occurrences", format!("must be 2 to {MAX_OCCURRENCES}"));
    }
    let interval = input.interval_weeks.unwrap_or(1);
    if !(1..=8).contains(&interval) {
        v.fail("intervalWeeks", "must be 1 to 8");
    }
    v.finish()?;
    let Some(first) = first else {
        return Err(DomainError::Validation(Vec::new()));
    };
    // Weekly in the project's local time, so 07:00 stays 07:00 across DST.
    let tz = project.time_zone.tz();
    let mut slots = Vec::new();
    for i in 0..input.occurrences {
        let weeks = jiff::Span::new().weeks(i64::from(i * interval));
        let at = |t: Timestamp| {
            t.to_zoned_datetime(tz.clone())
                .checked_add(weeks)
                .map(|z| z.timestamp())
                .map_err(|e| DomainError::field("start", e.to_string()))
        };
        let slot = TimeSlot::new(at(first.start())?, at(first.end())?)
            .map_err(|e| DomainError::field("start", e))?;
        slots.push(slot);
    }
    actor.check_cutoff(project, first.start())?;
    let pk = project.project_id.as_string();
    let series_id = format!("series-{}", super::ids::RecordId::generate());
    let _turn = queue::wait_turn(&ids)
        .await
        .map_err(|queue::Busy| DomainError::Contended(SCHEDULE))?;
    let skip_conflicts = input.skip_conflicts;
    let (ids, details, pk, slots, series_id) = (&ids, &details, &pk, &slots, &series_id);
    retry_on_precondition(SCHEDULE, || async move {
        let mut snap = snapshot(store, &project.project_id, ids, slots, None).await?;
        let mut booked = Vec::new();
        let mut skipped = Vec::new();
        for slot in slots {
            match evaluate(project, &snap, slot) {
                Verdict::Free => {
                    let b = new_booking(
                        &actor,
                        project,
                        ids.clone(),
                        slot,
                        details.clone(),
                        Some(series_id.clone()),
                    );
                    let (s, e) = slot.secs();
                    for occ in snap.occupied.values_mut() {
                        occ.push(Occupied {
                            booking_id: b.booking_id.as_string(),
                            start: s,
                            end: e,
                        });
                    }
                    booked.push(b);
                }
                Verdict::Taken(conflicts) => skipped.push(SkippedOccurrence {
                    start: time::format(&slot.start()),
                    end: time::format(&slot.end()),
                    conflicts,
                }),
                Verdict::Breaks(e) => return Err(e),
            }
        }
        if !skipped.is_empty() && (!skip_conflicts || booked.is_empty()) {
            return Err(DomainError::ConflictWith {
                detail: format!(
                    "{} of {} occurrences conflict; send skipConflicts: true to book the rest",
                    skipped.len(),
                    slots.len()
                ),
                extensions: serde_json::json!({ "occurrences": skipped }),
            });
        }
        let refs: Vec<&Booking> = booked.iter().collect();
        let mut ops = claim_ops(pk, &snap, &refs)?;
        for b in &booked {
            ops.push(BatchOp::Create(NewDocument::from_record(
                pk,
                doc_id(&b.booking_id),
                b,
            )?));
        }
        ops.push(BatchOp::Create(audit::entry(
            pk,
            Some(actor.user_id),
            "booking.series-created",
            "bookingSeries",
            series_id,
            &[
                "resourceIds",
                "start",
                "end",
                "occurrences",
                "intervalWeeks",
            ],
        )?));
        let outcome = SeriesOutcome {
            series_id: series_id.clone(),
            booked,
            skipped,
        };
        Attempt::of_write(store.batch(PROJECTS, pk, ops).await, outcome)
    })
    .await
}

pub async fn load(
    store: &dyn DocumentStore,
    project: &ProjectId,
    id: &BookingId,
) -> Result<Option<(Booking, ETag)>, DomainError> {
    Ok(store
        .read(PROJECTS, &project.as_string(), &doc_id(id))
        .await?
        .map(|d| d.parse::<Booking>().map(|b| (b, d.etag)))
        .transpose()?)
}

pub async fn require(
    store: &dyn DocumentStore,
    project: &ProjectId,
    id: &BookingId,
) -> Result<(Booking, ETag), DomainError> {
    load(store, project, id).await?.ok_or(DomainError::NotFound)
}

/// A change of a booking: new time and/or resources, or new details.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BookingPatch {
    #[serde(default)]
    pub resource_ids: Option<Vec<String>>,
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub end: Option<String>,
    #[serde(flatten)]
    pub details: BookingDetails,
}

/// Reschedule or edit a booking. A new time or resource set is checked like
/// a new booking (the booking's own old slot excluded) and puts the booking
/// back to `requested` unless a manager changes it.
pub async fn reschedule(
    store: &dyn DocumentStore,
    project: &Project,
    actor: Actor<'_>,
    id: &BookingId,
    patch: BookingPatch,
) -> Result<Booking, DomainError> {
    let pk = &project.project_id.as_string();
    let patch = &patch;
    let (new, status_changed) = retry_on_precondition(SCHEDULE, || async move {
        let (old, etag) = require(store, &project.project_id, id).await?;
        actor.require_owner_or_manager(&old)?;
        if !matches!(
            old.status,
            BookingStatus::Requested | BookingStatus::Approved
        ) {
            return Err(DomainError::Conflict(format!(
                "a {} booking cannot be changed",
                old.status.as_str()
            )));
        }
        let mut v = Validator::default();
        let ids = match &patch.resource_ids {
            Some(raw) => parse_resources(&mut v, raw),
            None => old.resource_ids.clone(),
        };
        let start = patch
            .start
            .clone()
            .unwrap_or_else(|| time::format(&old.start));
        let end = patch.end.clone().unwrap_or_else(|| time::format(&old.end));
        let slot = parse_slot(&mut v, Some(&start), Some(&end));
        let mut merged = old.details.clone();
        let d = patch.details.clone();
        let mut changed: Vec<&str> = Vec::new();
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
        let Some(slot) = slot else {
            return Err(DomainError::Validation(Vec::new()));
        };
        let moved = slot.start() != old.start || slot.end() != old.end || ids != old.resource_ids;
        let mut new = old.clone();
        new.details = details;
        new.updated_at = Timestamp::now();
        let mut ops = Vec::new();
        if moved {
            actor.check_cutoff(project, old.start)?;
            actor.check_cutoff(project, slot.start())?;
            let snap = snapshot(store, &project.project_id, &ids, &[slot], Some(id)).await?;
            match evaluate(project, &snap, &slot) {
                Verdict::Free => {}
                Verdict::Taken(conflicts) => return Err(conflict_error(conflicts)),
                Verdict::Breaks(e) => return Err(e),
            }
            new.resource_ids = ids;
            new.start = slot.start();
            new.end = slot.end();
            new.status = actor.initial_status(project);
            ops.extend(release_ops(&old));
            ops.extend(claim_ops(pk, &snap, &[&new])?);
            changed.extend(["resourceIds", "start", "end"]);
            if new.status != old.status {
                changed.push("status");
            }
        } else if changed.is_empty() {
            return Ok(Attempt::Done((old, false)));
        } else {
            actor.check_cutoff(project, old.start)?;
        }
        ops.push(BatchOp::Replace {
            doc: NewDocument::from_record(pk, doc_id(id), &new)?,
            if_match: Some(etag),
        });
        ops.push(BatchOp::Create(audit::entry(
            pk,
            Some(actor.user_id),
            if moved {
                "booking.rescheduled"
            } else {
                "booking.updated"
            },
            "booking",
            &id.as_string(),
            &changed,
        )?));
        let status_changed = new.status != old.status;
        Attempt::of_write(store.batch(PROJECTS, pk, ops).await, (new, status_changed))
    })
    .await?;
    if status_changed {
        notify(store, &project.project_id, actor.user_id, &new).await;
    }
    Ok(new)
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
    fn name(&self) -> &'static str {
        match self {
            Transition::Approve => "approved",
            Transition::Decline { .. } => "declined",
            Transition::Cancel { .. } => "cancelled",
            Transition::CheckIn { .. } => "checked-in",
            Transition::CheckOut { .. } => "checked-out",
            Transition::TurnAway { .. } => "turned-away",
        }
    }

    /// Who may take the step, the states it leaves and the state it reaches.
    fn rule(&self) -> (Action, &'static [BookingStatus], BookingStatus) {
        use BookingStatus::*;
        match self {
            Transition::Approve => (Action::ManageBookings, &[Requested], Approved),
            Transition::Decline { .. } => (Action::ManageBookings, &[Requested], Declined),
            Transition::Cancel { .. } => (Action::CreateBooking, &[Requested, Approved], Cancelled),
            Transition::CheckIn { .. } => (Action::GateCheck, &[Approved], CheckedIn),
            Transition::CheckOut { .. } => (Action::GateCheck, &[CheckedIn], CheckedOut),
            Transition::TurnAway { .. } => (Action::GateCheck, &[Requested, Approved], TurnedAway),
        }
    }
}

fn checked_reason(reason: &str) -> Result<String, DomainError> {
    Name::parse(reason, REASON_MAX)
        .map(|n| n.as_str().to_owned())
        .map_err(|e| DomainError::field("reason", e.to_string()))
}

fn checked_at(at: Option<Timestamp>) -> Result<Timestamp, DomainError> {
    let now = Timestamp::now();
    match at {
        None => Ok(now),
        Some(t) if t.as_second() <= now.as_second() + 60 => Ok(t),
        Some(_) => Err(DomainError::field("at", "may not be in the future")),
    }
}

/// Take a workflow step. Illegal steps are 409; steps that end a booking
/// free its time.
pub async fn transition(
    store: &dyn DocumentStore,
    project: &Project,
    actor: Actor<'_>,
    id: &BookingId,
    step: Transition,
) -> Result<Booking, DomainError> {
    let (action, from, to) = step.rule();
    let pk = project.project_id.as_string();
    let reason = match &step {
        Transition::Decline { reason }
        | Transition::Cancel { reason }
        | Transition::TurnAway { reason } => Some(checked_reason(reason)?),
        _ => None,
    };
    let (step, reason, pk) = (&step, &reason, &pk);
    let new = retry_on_precondition(SCHEDULE, || async move {
        let (old, etag) = require(store, &project.project_id, id).await?;
        match step {
            Transition::Cancel { .. } => actor.require_owner_or_manager(&old)?,
            _ => actor.require(action)?,
        }
        if !from.contains(&old.status) {
            return Err(DomainError::Conflict(format!(
                "a {} booking cannot be {}",
                old.status.as_str(),
                step.name()
            )));
        }
        let mut new = old.clone();
        new.status = to;
        new.updated_at = Timestamp::now();
        let mut changed = vec!["status"];
        if let Some(r) = &reason {
            new.reason = Some(r.clone());
            changed.push("reason");
        }
        match step {
            Transition::CheckIn { at } => {
                new.actual_arrival = Some(checked_at(*at)?);
                changed.push("actualArrival");
            }
            Transition::CheckOut { at } => {
                new.actual_departure = Some(checked_at(*at)?);
                changed.push("actualDeparture");
            }
            _ => {}
        }
        let mut ops = Vec::new();
        if old.status.occupies() && !to.occupies() {
            ops.extend(release_ops(&old));
        }
        ops.push(BatchOp::Replace {
            doc: NewDocument::from_record(pk, doc_id(id), &new)?,
            if_match: Some(etag),
        });
        ops.push(BatchOp::Create(audit::entry(
            pk,
            Some(actor.user_id),
            &format!("booking.{}", step.name()),
            "booking",
            &id.as_string(),
            &changed,
        )?));
        Attempt::of_write(store.batch(PROJECTS, pk, ops).await, new)
    })
    .await?;
    notify(store, &project.project_id, actor.user_id, &new).await;
    Ok(new)
}

/// Tell the requester about a status change someone else made, if they
/// opted in to notifications (P6). The change is committed already, so a
/// failure to queue the mail is logged, not reported as the change failing.
async fn notify(store: &dyn DocumentStore, project: &ProjectId, actor: &UserId, b: &Booking) {
    if let Err(e) = queue_status_mail(store, project, actor, b).await {
        tracing::warn!(error = %e, "booking status mail not queued");
    }
}

/// The mail names ids and the status only; it is rendered at send time.
async fn queue_status_mail(
    store: &dyn DocumentStore,
    project: &ProjectId,
    actor: &UserId,
    b: &Booking,
) -> Result<(), DomainError> {
    if &b.user_id == actor {
        return Ok(());
    }
    notifications::enqueue_for_user(
        store,
        &b.user_id,
        project,
        "booking-status",
        serde_json::json!({
            "projectId": project,
            "bookingId": b.booking_id,
            "status": b.status.as_str(),
        }),
    )
    .await?;
    Ok(())
}

/// Filters of the booking list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub resource: Option<ResourceId>,
    pub status: Option<BookingStatus>,
}

/// Bookings by start time: one single-partition range query on the indexed
/// `start`, with paging. The resource filter applies within each page.
pub async fn list(
    store: &dyn DocumentStore,
    project: &ProjectId,
    filter: &ListFilter,
    limit: u32,
    next: Option<String>,
) -> Result<(Vec<Booking>, Option<String>), DomainError> {
    let mut q = Query::new().order_by("start", crate::store::Order::Asc);
    if let Some(from) = &filter.from {
        q = q.ge("start", time::format(from));
    }
    if let Some(to) = &filter.to {
        q = q.lt("start", time::format(to));
    }
    if let Some(s) = filter.status {
        q = q.eq("status", s.as_str());
    }
    let page = store
        .query(
            PROJECTS,
            &project.as_string(),
            q.limit(limit).continuation(next),
        )
        .await?;
    let mut out = Vec::new();
    for d in &page.items {
        if d.body.get("kind").and_then(|k| k.as_str()) != Some(KIND) {
            continue;
        }
        let b: Booking = d.parse()?;
        if filter
            .resource
            .as_ref()
            .is_none_or(|r| b.resource_ids.contains(r))
        {
            out.push(b);
        }
    }
    Ok((out, page.continuation))
}

/// Every booking starting in `[from, to)`, for feeds and reports.
pub async fn all_between(
    store: &dyn DocumentStore,
    project: &ProjectId,
    from: Timestamp,
    to: Timestamp,
    cap: usize,
) -> Result<Vec<Booking>, DomainError> {
    let filter = ListFilter {
        from: Some(from),
        to: Some(to),
        ..ListFilter::default()
    };
    let mut out = Vec::new();
    let mut next = None;
    loop {
        let (items, token) = list(store, project, &filter, 1000, next).await?;
        out.extend(items);
        match token {
            Some(t) if out.len() < cap => next = Some(t),
            _ => {
                out.truncate(cap);
                return Ok(out);
            }
        }
    }
}

/// The longest time range one availability request may cover.
pub const MAX_AVAILABILITY_DAYS: i64 = 31;

/// A free window: any booking of the asked length inside it fits.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FreeWindow {
    pub start: String,
    pub end: String,
}

/// The windows in `[from, to)` in which a booking of `minutes` fits on all
/// `resource_ids`, from the same rules and slot records as the conflict
/// check.
pub async fn availability(
    store: &dyn DocumentStore,
    project: &Project,
    resource_ids: &[String],
    from: Timestamp,
    to: Timestamp,
    minutes: u32,
) -> Result<Vec<FreeWindow>, DomainError> {
    let mut v = Validator::default();
    let ids = parse_resources(&mut v, resource_ids);
    let (f, t) = (from.as_second(), to.as_second());
    if f >= t || t - f > MAX_AVAILABILITY_DAYS * 86_400 {
        v.fail(
            "to",
            format!("must be after from, at most {MAX_AVAILABILITY_DAYS} days later"),
        );
    }
    if f % 60 != 0 || t % 60 != 0 {
        v.fail("from", "from and to must be whole minutes");
    }
    if minutes == 0 || minutes > rules::MAX_SLOT_MINUTES {
        v.fail("duration", "must be 1 minute to 24 hours");
    }
    v.finish()?;
    // The snapshot reads what could be in the way of each slot it is given;
    // slots are at most a day long, so give it `[from, to)` day by day.
    let mut day_slots = Vec::new();
    let mut s = f;
    while s < t {
        let e = (s + 86_400).min(t);
        let a = Timestamp::from_second(s).map_err(StoreError::internal)?;
        let b = Timestamp::from_second(e).map_err(StoreError::internal)?;
        day_slots.push(TimeSlot::new(a, b).map_err(|e| DomainError::field("from", e))?);
        s = e;
    }
    let snap = snapshot(store, &project.project_id, &ids, &day_slots, None).await?;
    let mut starts: Option<Vec<(Secs, Secs)>> = None;
    for (r, _) in &snap.resources {
        let occ = snap
            .occupied
            .get(&r.resource_id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let free = rules::free_starts(&r.rules(project), occ, f, t, minutes);
        starts = Some(match starts {
            None => free,
            Some(prev) => rules::intersect(&prev, &free),
        });
    }
    let d = i64::from(minutes) * 60;
    Ok(starts
        .unwrap_or_default()
        .into_iter()
        .map(|(p, q)| FreeWindow {
            start: fmt_secs(p),
            end: fmt_secs(q + d),
        })
        .collect())
}
