//! Placing bookings: the conflict check over what occupies the resources,
//! and the writes that claim time (a booking, a series, a reschedule),
//! each one transactional batch retried when another writer changed a
//! resource in between.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::command::{BookingChange, DETAIL_FIELDS, NewBooking, NewSeries};
use super::conflicts::{Blocking, ConflictRange, SkippedOccurrence};
use super::layout::{self, audit_op, commit, release_ops};
use super::model::{Booking, BookingDetails, BookingStatus, SCHEDULE};
use super::permissions::{self, Booker};
use super::rules::{self, Occupied, Refusal, TimeSlot};
use super::{pass, queue, resources, workflow};
use crate::domain::error::DomainError;
use crate::domain::ids::{BookingId, ProjectId, RecordId, ResourceId};
use crate::domain::passes::PassKey;
use crate::domain::projects::Project;
use crate::domain::record::Record;
use crate::domain::retry::{Attempt, retry_on_precondition};
use crate::store::{BatchOp, DocumentStore, ETag, StoreError};

/// The resources of a booking as read, with what holds time on them.
pub(super) struct Snapshot {
    pub resources: Vec<(resources::Resource, ETag)>,
    pub occupied: BTreeMap<ResourceId, Vec<Occupied>>,
}

/// A booking's resources as read, in the order named (`None`: not a
/// resource of the project).
type ResourceReads = Vec<Option<(resources::Resource, ETag)>>;

/// The named resources, read together.
async fn read_resources(
    store: &dyn DocumentStore,
    project: &ProjectId,
    ids: &[ResourceId],
) -> Result<ResourceReads, DomainError> {
    futures::future::try_join_all(ids.iter().map(|id| resources::load(store, project, id))).await
}

/// What occupies `ids` around each of `slots`.
pub(super) async fn snapshot(
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
            for o in layout::occupied(store, project, &r.resource_id, s - reach, e + buffer).await?
            {
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

/// The batch operations that claim `bookings`' time on the snapshot's
/// resources.
fn claim_ops(
    project: &ProjectId,
    snap: &Snapshot,
    bookings: &[&Booking],
) -> Result<Vec<BatchOp>, StoreError> {
    let mut ops = resources::claim_ops(project, &snap.resources, bookings)?;
    ops.extend(layout::slot_ops(project, bookings)?);
    Ok(ops)
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

fn conflict_ranges(
    resource: &ResourceId,
    blocking: &[Occupied],
) -> Result<Vec<ConflictRange>, StoreError> {
    blocking
        .iter()
        .map(|o| {
            Ok(ConflictRange {
                resource_id: resource.clone(),
                booking_id: o.booking_id.clone(),
                start: Timestamp::from_second(o.start).map_err(StoreError::internal)?,
                end: Timestamp::from_second(o.end).map_err(StoreError::internal)?,
            })
        })
        .collect()
}

/// Check one slot on every resource of the snapshot.
fn evaluate(project: &Project, snap: &Snapshot, slot: &TimeSlot) -> Result<Verdict, StoreError> {
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
                return Ok(Verdict::Breaks(DomainError::field(
                    "end",
                    format!("{} allows bookings of {min} to {max} minutes", r.name),
                )));
            }
            Err(Refusal::Closed) => {
                return Ok(Verdict::Breaks(DomainError::field(
                    "start",
                    format!(
                        "{} is closed at some time of the slot (opening hours in {})",
                        r.name,
                        project.time_zone.as_str()
                    ),
                )));
            }
            Err(Refusal::Conflict(blocking)) => {
                conflicts.extend(conflict_ranges(&r.resource_id, &blocking)?);
            }
        }
    }
    Ok(if conflicts.is_empty() {
        Verdict::Free
    } else {
        Verdict::Taken(conflicts)
    })
}

/// The slot must be free: a conflict or a broken rule is the error.
fn require_free(project: &Project, snap: &Snapshot, slot: &TimeSlot) -> Result<(), DomainError> {
    match evaluate(project, snap, slot)? {
        Verdict::Free => Ok(()),
        Verdict::Taken(conflicts) => Err(DomainError::Blocked {
            detail: "the slot overlaps existing bookings beyond the resources' capacity".into(),
            blocking: Blocking::Bookings(conflicts),
        }),
        Verdict::Breaks(e) => Err(e),
    }
}

fn new_booking(
    booker: Booker<'_>,
    project: &Project,
    resource_ids: Vec<ResourceId>,
    slot: &TimeSlot,
    details: BookingDetails,
    series_id: Option<String>,
) -> Booking {
    let now = Timestamp::now();
    let actor = booker.actor();
    Booking {
        booking_id: BookingId::generate(),
        resource_ids,
        start: slot.start(),
        end: slot.end(),
        status: permissions::initial_status(actor, project),
        user_id: actor.user_id.clone(),
        details,
        series_id,
        reason: None,
        actual_arrival: None,
        actual_departure: None,
        created_at: now,
        updated_at: now,
        code: None,
        pass: None,
    }
}

/// A new booking's batch operations besides the slots: its code's claim
/// and the booking itself, with a pass if it is approved at once.
fn new_booking_ops(
    key: &PassKey,
    project: &ProjectId,
    b: &mut Booking,
) -> Result<Vec<BatchOp>, StoreError> {
    let claim = pass::claim_code(project, b)?;
    pass::issue_if_due(key, b);
    Ok(vec![claim, b.create_op(project)?])
}

/// The resources a booking names, read ahead so that a handler can issue
/// these reads together with its own (the caller's session and membership,
/// the project): one round trip for all. See `create`.
pub struct Prefetched {
    project: ProjectId,
    ids: Vec<ResourceId>,
    reads: Result<ResourceReads, DomainError>,
}

/// Read the resources `cmd` names.
pub async fn prefetch(
    store: &dyn DocumentStore,
    project: &ProjectId,
    cmd: &NewBooking,
) -> Prefetched {
    Prefetched {
        project: project.clone(),
        ids: cmd.resource_ids.clone(),
        reads: read_resources(store, project, &cmd.resource_ids).await,
    }
}

/// Book one slot on one or more resources, all or none. The first attempt
/// uses the resources `prefetched` read, when they are the ones `cmd`
/// names in this project.
pub async fn create(
    store: &dyn DocumentStore,
    key: &PassKey,
    project: &Project,
    booker: Booker<'_>,
    cmd: NewBooking,
    prefetched: Option<Prefetched>,
) -> Result<Booking, DomainError> {
    let NewBooking {
        resource_ids: ids,
        slot,
        details,
    } = cmd;
    let actor = booker.actor();
    permissions::check_cutoff(actor, project, slot.start())?;
    let turn = queue::wait_turn(&ids)
        .await
        .map_err(|queue::Busy| DomainError::Contended(SCHEDULE))?;
    // Read before the turn came: if a writer ahead changed the resources,
    // the batch's If-Match fails and the retry reads them anew. A writer
    // that had to wait behind another reads anew at once: its read is
    // likely stale, and a batch bound to fail costs a whole commit while
    // the writers queued behind it wait (under load, chains of those were
    // the create's p99).
    let mut prefetched =
        prefetched.filter(|p| !turn.waited() && p.project == project.project_id && p.ids == ids);
    let (ids, details, pid) = (&ids, &details, &project.project_id);
    retry_on_precondition(SCHEDULE, || {
        let first = prefetched.take();
        async move {
            // A retry reads the resources anew: the batch failed on their ETags.
            let reads = match first {
                Some(p) => p.reads?,
                None => read_resources(store, pid, ids).await?,
            };
            let snap = occupancy(store, pid, ids, reads, &[slot], None).await?;
            require_free(project, &snap, &slot)?;
            let mut booking =
                new_booking(booker, project, ids.clone(), &slot, details.clone(), None);
            let mut ops = claim_ops(pid, &snap, &[&booking])?;
            ops.extend(new_booking_ops(key, pid, &mut booking)?);
            let mut fields = vec!["resourceIds", "start", "end", "status"];
            fields.extend(DETAIL_FIELDS);
            let id = booking.booking_id.as_string();
            ops.push(audit_op(
                pid,
                &actor.user_id,
                "booking.created",
                "booking",
                &id,
                &fields,
            )?);
            let written = pass::commit_with_lookups(store, pid, ops, &[&booking]).await;
            pass::of_write_with_codes(written, booking)
        }
    })
    .await
}

pub struct SeriesOutcome {
    pub series_id: String,
    pub booked: Vec<Booking>,
    pub skipped: Vec<SkippedOccurrence>,
}

/// The series' slots: weekly in the project's local time, so 07:00 stays
/// 07:00 across DST.
fn series_slots(project: &Project, cmd: &NewSeries) -> Result<Vec<TimeSlot>, DomainError> {
    let tz = project.time_zone.tz();
    let first = cmd.first.slot;
    let mut slots = Vec::new();
    for i in 0..cmd.occurrences {
        let weeks = jiff::Span::new().weeks(i64::from(i * cmd.interval_weeks));
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
    Ok(slots)
}

/// Book a series in one batch. Conflicting occurrences are reported: as a
/// conflict (nothing booked) unless `skip_conflicts`, then the rest is booked.
pub async fn create_series(
    store: &dyn DocumentStore,
    key: &PassKey,
    project: &Project,
    booker: Booker<'_>,
    cmd: NewSeries,
) -> Result<SeriesOutcome, DomainError> {
    let slots = series_slots(project, &cmd)?;
    let actor = booker.actor();
    permissions::check_cutoff(actor, project, cmd.first.slot.start())?;
    let series_id = format!("series-{}", RecordId::generate());
    let ids = &cmd.first.resource_ids;
    let _turn = queue::wait_turn(ids)
        .await
        .map_err(|queue::Busy| DomainError::Contended(SCHEDULE))?;
    let (cmd, slots, series_id, pid) = (&cmd, &slots, &series_id, &project.project_id);
    retry_on_precondition(SCHEDULE, || async move {
        let mut snap = snapshot(store, pid, ids, slots, None).await?;
        let (mut booked, skipped) = plan_series(booker, project, cmd, &mut snap, slots, series_id)?;
        if !skipped.is_empty() && (!cmd.skip_conflicts || booked.is_empty()) {
            return Err(DomainError::Blocked {
                detail: format!(
                    "{} of {} occurrences conflict; send skipConflicts: true to book the rest",
                    skipped.len(),
                    slots.len()
                ),
                blocking: Blocking::Occurrences(skipped),
            });
        }
        let refs: Vec<&Booking> = booked.iter().collect();
        let mut ops = claim_ops(pid, &snap, &refs)?;
        for b in &mut booked {
            ops.extend(new_booking_ops(key, pid, b)?);
        }
        let fields = [
            "resourceIds",
            "start",
            "end",
            "occurrences",
            "intervalWeeks",
        ];
        let action = "booking.series-created";
        ops.push(audit_op(
            pid,
            &actor.user_id,
            action,
            "bookingSeries",
            series_id,
            &fields,
        )?);
        let outcome = SeriesOutcome {
            series_id: series_id.clone(),
            booked,
            skipped,
        };
        let refs: Vec<&Booking> = outcome.booked.iter().collect();
        let written = pass::commit_with_lookups(store, pid, ops, &refs).await;
        pass::of_write_with_codes(written, outcome)
    })
    .await
}

/// Which occurrences fit, each checked against the ones before it too.
fn plan_series(
    booker: Booker<'_>,
    project: &Project,
    cmd: &NewSeries,
    snap: &mut Snapshot,
    slots: &[TimeSlot],
    series_id: &str,
) -> Result<(Vec<Booking>, Vec<SkippedOccurrence>), DomainError> {
    let mut booked = Vec::new();
    let mut skipped = Vec::new();
    for slot in slots {
        match evaluate(project, snap, slot)? {
            Verdict::Free => {
                let b = new_booking(
                    booker,
                    project,
                    cmd.first.resource_ids.clone(),
                    slot,
                    cmd.first.details.clone(),
                    Some(series_id.to_owned()),
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
                slot: *slot,
                conflicts,
            }),
            Verdict::Breaks(e) => return Err(e),
        }
    }
    Ok((booked, skipped))
}

/// Reschedule or edit a booking. A new time or resource set is checked like
/// a new booking (the booking's own old slot excluded) and puts the booking
/// back to `requested` unless a manager changes it.
pub async fn reschedule(
    store: &dyn DocumentStore,
    key: &PassKey,
    project: &Project,
    booker: Booker<'_>,
    id: &BookingId,
    change: BookingChange,
) -> Result<Booking, DomainError> {
    let actor = booker.actor();
    let (change, pid) = (&change, &project.project_id);
    let (old_pass, new, status_changed) = retry_on_precondition(SCHEDULE, || async move {
        let (old, etag) = layout::require(store, pid, id).await?;
        permissions::require_owner_or_manager(actor, &old)?;
        if !matches!(
            old.status,
            BookingStatus::Requested | BookingStatus::Approved
        ) {
            return Err(DomainError::Conflict(format!(
                "a {} booking cannot be changed",
                old.status.as_str()
            )));
        }
        let merged = change.apply_to(&old)?;
        let slot = merged.slot;
        let moved = slot.start() != old.start
            || slot.end() != old.end
            || merged.resource_ids != old.resource_ids;
        let mut changed = merged.changed;
        let mut new = old.clone();
        new.details = merged.details;
        new.updated_at = Timestamp::now();
        let mut ops = Vec::new();
        if moved {
            permissions::check_cutoff(actor, project, old.start)?;
            permissions::check_cutoff(actor, project, slot.start())?;
            let ids = &merged.resource_ids;
            let snap = snapshot(store, pid, ids, &[slot], Some(id)).await?;
            require_free(project, &snap, &slot)?;
            new.resource_ids = merged.resource_ids;
            new.start = slot.start();
            new.end = slot.end();
            new.status = permissions::initial_status(actor, project);
            ops.extend(release_ops(&old));
            ops.extend(claim_ops(pid, &snap, &[&new])?);
            changed.extend(["resourceIds", "start", "end"]);
            if new.status != old.status {
                changed.push("status");
            }
        } else if changed.is_empty() {
            return Ok(Attempt::Done((old.pass.clone(), old, false)));
        } else {
            permissions::check_cutoff(actor, project, old.start)?;
        }
        // A manager moving a requested booking approves it: it gets its pass.
        pass::issue_if_due(key, &mut new);
        ops.push(new.replace_op(pid, etag)?);
        let action = if moved {
            "booking.rescheduled"
        } else {
            "booking.updated"
        };
        let target = id.as_string();
        ops.push(audit_op(
            pid,
            &actor.user_id,
            action,
            "booking",
            &target,
            &changed,
        )?);
        let status_changed = new.status != old.status;
        let old_pass = old.pass.clone();
        Attempt::of_write(
            commit(store, pid, ops).await,
            (old_pass, new, status_changed),
        )
    })
    .await?;
    pass::publish(store, pid, old_pass.as_ref(), &new).await;
    if status_changed {
        workflow::notify(store, pid, &actor.user_id, &new).await;
    }
    Ok(new)
}
