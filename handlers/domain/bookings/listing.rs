//! Reading bookings: the list by start time, one booking, every booking of
//! a time range (feeds, reports), and the free windows of availability,
//! computed from the same rules and slot records as the conflict check.

use jiff::Timestamp;

use super::command::parse_resources;
use super::layout::{self, PageQuery};
use super::model::{Booking, BookingStatus};
use super::placing::snapshot;
use super::rules::{self, Secs, TimeSlot};
use crate::domain::actor::Actor;
use crate::domain::error::{DomainError, Validator};
use crate::domain::ids::{BookingId, ProjectId, ResourceId};
use crate::domain::projects::Project;
use crate::domain::roles::Action;
use crate::store::{DocumentStore, StoreError};

/// Filters of the booking list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub resource: Option<ResourceId>,
    pub status: Option<BookingStatus>,
}

/// The actor's project's bookings by start time, a page at a time.
pub async fn list(
    store: &dyn DocumentStore,
    actor: &Actor,
    filter: &ListFilter,
    limit: u32,
    next: Option<String>,
) -> Result<(Vec<Booking>, Option<String>), DomainError> {
    actor.require(Action::ViewBookings)?;
    list_page(store, &actor.project_id, filter, limit, next).await
}

/// A page of the list read before the caller's role is known, so that it
/// rides in one round trip with the session and membership checks;
/// `list_prefetched` hands it out only to a role that may view bookings.
pub struct PrefetchedPage {
    project: ProjectId,
    page: Result<(Vec<Booking>, Option<String>), DomainError>,
}

pub async fn prefetch_page(
    store: &dyn DocumentStore,
    project: &ProjectId,
    filter: &ListFilter,
    limit: u32,
    next: Option<String>,
) -> PrefetchedPage {
    PrefetchedPage {
        project: project.clone(),
        page: list_page(store, project, filter, limit, next).await,
    }
}

/// `list` of a page read by `prefetch_page` in the actor's project.
pub fn list_prefetched(
    actor: &Actor,
    page: PrefetchedPage,
) -> Result<(Vec<Booking>, Option<String>), DomainError> {
    actor.require(Action::ViewBookings)?;
    if page.project != actor.project_id {
        // Read for another project than the actor's: never handed out.
        return Err(DomainError::NotFound);
    }
    page.page
}

/// One page; the resource filter applies within each page.
async fn list_page(
    store: &dyn DocumentStore,
    project: &ProjectId,
    filter: &ListFilter,
    limit: u32,
    next: Option<String>,
) -> Result<(Vec<Booking>, Option<String>), DomainError> {
    let q = PageQuery {
        from: filter.from.as_ref(),
        to: filter.to.as_ref(),
        status: filter.status.map(BookingStatus::as_str),
        limit,
        next,
    };
    let (mut items, next) = layout::page(store, project, q).await?;
    if let Some(r) = &filter.resource {
        items.retain(|b| b.resource_ids.contains(r));
    }
    Ok((items, next))
}

/// One booking of the actor's project.
pub async fn get(
    store: &dyn DocumentStore,
    actor: &Actor,
    id: &BookingId,
) -> Result<Booking, DomainError> {
    actor.require(Action::ViewBookings)?;
    Ok(layout::require(store, &actor.project_id, id).await?.0)
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
        let (items, token) = list_page(store, project, &filter, 1000, next).await?;
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
#[derive(Debug, Clone, PartialEq)]
pub struct FreeWindow {
    pub start: Timestamp,
    pub end: Timestamp,
}

/// The windows in `[from, to)` in which a booking of `minutes` fits on all
/// `resource_ids`.
pub async fn availability(
    store: &dyn DocumentStore,
    project: &Project,
    actor: &Actor,
    resource_ids: &[String],
    (from, to): (Timestamp, Timestamp),
    minutes: u32,
) -> Result<Vec<FreeWindow>, DomainError> {
    actor.require(Action::ViewBookings)?;
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
    let snap = snapshot(store, &project.project_id, &ids, &day_slots(f, t)?, None).await?;
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
    starts
        .unwrap_or_default()
        .into_iter()
        .map(|(p, q)| {
            Ok(FreeWindow {
                start: Timestamp::from_second(p).map_err(StoreError::internal)?,
                end: Timestamp::from_second(q + d).map_err(StoreError::internal)?,
            })
        })
        .collect()
}

/// `[from, to)` as day-long slots: the snapshot reads what could be in the
/// way of each slot it is given, and slots are at most a day long.
fn day_slots(f: Secs, t: Secs) -> Result<Vec<TimeSlot>, DomainError> {
    let mut slots = Vec::new();
    let mut s = f;
    while s < t {
        let e = (s + 86_400).min(t);
        let a = Timestamp::from_second(s).map_err(StoreError::internal)?;
        let b = Timestamp::from_second(e).map_err(StoreError::internal)?;
        slots.push(TimeSlot::new(a, b).map_err(|e| DomainError::field("from", e))?);
        s = e;
    }
    Ok(slots)
}
