//! Site data: access instructions, where resources sit on the project's
//! site plans, and the day's load of every resource for the plan view.
//! Placements are relative to the image (0..1 on both axes), so a plan
//! revision at another resolution keeps them.

use jiff::Timestamp;
use jiff::civil::Date;

use super::audit;
use super::bookings::resources::{self, Resource};
use super::bookings::rules::{self, Secs};
use super::bookings::{self, Booking, BookingStatus};
use super::error::DomainError;
use super::files::{self, Category, FileRecord};
use super::ids::{FileId, ProjectId, UserId};
use super::projects::Project;
use super::retry::{Attempt, retry_on_precondition};
use crate::store::containers::PROJECTS;
use crate::store::{BatchOp, BlobStore, DocumentStore, StoreError};

/// Bookings in a day's window: far more than a site takes.
const DAY_BOOKINGS_MAX: usize = 10_000;

/// The media types a site plan may have.
pub fn is_plan_media_type(content_type: &str) -> bool {
    matches!(content_type, "image/png" | "image/jpeg")
}

/// How busy a resource is on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadLevel {
    /// Not open at all that day.
    Closed,
    Free,
    /// Less than half of the open time booked.
    Light,
    /// Less than 90 %.
    Busy,
    /// 90 % or more: hardly a slot left.
    Full,
}

/// Percent of open capacity from which a day is `busy`, and `full`.
const BUSY_FROM_PERCENT: i64 = 50;
const FULL_FROM_PERCENT: i64 = 90;

/// The level of a day with `booked` minutes (approved and pending, summed
/// over overlapping bookings) against `open` minutes times `capacity`.
pub fn load_level(booked: i64, open: i64, capacity: u32) -> LoadLevel {
    let available = open * i64::from(capacity.max(1));
    if open <= 0 {
        LoadLevel::Closed
    } else if booked <= 0 {
        LoadLevel::Free
    } else if booked * 100 < available * BUSY_FROM_PERCENT {
        LoadLevel::Light
    } else if booked * 100 < available * FULL_FROM_PERCENT {
        LoadLevel::Busy
    } else {
        LoadLevel::Full
    }
}

/// A resource's load on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayLoad {
    pub booked_minutes: i64,
    pub open_minutes: i64,
    pub level: LoadLevel,
}

/// Whether a booking in `status` counts towards the load: pending and
/// approved ones, and those already at the gate.
fn loads(status: BookingStatus) -> bool {
    matches!(
        status,
        BookingStatus::Requested
            | BookingStatus::Approved
            | BookingStatus::CheckedIn
            | BookingStatus::CheckedOut
    )
}

fn overlap(a: (Secs, Secs), b: (Secs, Secs)) -> i64 {
    (a.1.min(b.1) - a.0.max(b.0)).max(0)
}

/// The load of `resource` on the day `bounds` (seconds, local midnight to
/// midnight) from the bookings of that window.
pub fn day_load(
    resource: &Resource,
    project: &Project,
    bounds: (Secs, Secs),
    bookings: &[Booking],
) -> DayLoad {
    let open_minutes = rules::open_intervals(&resource.rules(project), bounds.0, bounds.1)
        .into_iter()
        .map(|i| overlap(i, bounds))
        .sum::<i64>()
        / 60;
    let booked_minutes = bookings
        .iter()
        .filter(|b| loads(b.status) && b.resource_ids.contains(&resource.resource_id))
        .map(|b| overlap((b.start.as_second(), b.end.as_second()), bounds))
        .sum::<i64>()
        / 60;
    DayLoad {
        booked_minutes,
        open_minutes,
        level: load_level(booked_minutes, open_minutes, resource.capacity),
    }
}

/// Local midnight to midnight of `date` in the project's time zone.
pub fn day_bounds(date: Date, project: &Project) -> Result<(Secs, Secs), StoreError> {
    let tz = project.time_zone.tz();
    let at = |d: Date| {
        d.at(0, 0, 0, 0)
            .to_zoned_datetime(tz.clone())
            .map(|z| z.timestamp().as_second())
            .map_err(StoreError::internal)
    };
    Ok((
        at(date)?,
        at(date.tomorrow().map_err(StoreError::internal)?)?,
    ))
}

/// Every booking that may touch the day `bounds`: bookings are at most a
/// day long, so those starting a day early may reach in.
pub async fn bookings_of_day(
    store: &dyn DocumentStore,
    project: &ProjectId,
    bounds: (Secs, Secs),
) -> Result<Vec<Booking>, DomainError> {
    let ts = |s: Secs| Timestamp::from_second(s).map_err(StoreError::internal);
    bookings::all_between(
        store,
        project,
        ts(bounds.0 - 86_400)?,
        ts(bounds.1)?,
        DAY_BOOKINGS_MAX,
    )
    .await
}

/// Takes off `resources` every place on a plan the caller may not see: a
/// restricted plan, and where things sit on it, is for managers (P7).
pub async fn hide_unseen_placements(
    store: &dyn DocumentStore,
    project: &ProjectId,
    may_see_restricted: bool,
    resources: &mut [Resource],
) -> Result<(), DomainError> {
    if may_see_restricted || resources.iter().all(|r| r.placement.is_none()) {
        return Ok(());
    }
    let shown = files::site_plans(store, project, false).await?;
    resources::keep_placements_on(resources, &shown);
    Ok(())
}

/// The site plan of a day: the plans, and every resource with its load.
pub struct SitePlanDay {
    pub date: Date,
    pub plans: Vec<files::Plan>,
    pub resources: Vec<(Resource, DayLoad)>,
}

/// The site plan of `date`, or of today on the site (in the project's
/// time zone) when no date is asked for.
pub async fn site_plan_day(
    store: &dyn DocumentStore,
    project: &Project,
    date: Option<Date>,
    may_see_restricted: bool,
) -> Result<SitePlanDay, DomainError> {
    let date = date.unwrap_or_else(|| {
        Timestamp::now()
            .to_zoned_datetime(project.time_zone.tz())
            .date()
    });
    let plans = files::site_plans(store, &project.project_id, may_see_restricted).await?;
    let bounds = day_bounds(date, project)?;
    let bookings = bookings_of_day(store, &project.project_id, bounds).await?;
    let mut resources = resources::all(store, &project.project_id).await?;
    resources.sort_by(|a, b| a.name.cmp(&b.name));
    resources::keep_placements_on(&mut resources, &plans);
    let resources = resources
        .into_iter()
        .map(|r| {
            let load = day_load(&r, project, bounds, &bookings);
            (r, load)
        })
        .collect();
    Ok(SitePlanDay {
        date,
        plans,
        resources,
    })
}

/// The writes that take every placement off `plan`, audited per resource,
/// for the batch that deletes the plan.
pub async fn unplace_ops(
    store: &dyn DocumentStore,
    project: &ProjectId,
    actor: &UserId,
    plan: &FileId,
) -> Result<Vec<BatchOp>, DomainError> {
    let pk = project.as_string();
    let plan = plan.as_string();
    let mut ops = Vec::new();
    for (mut r, etag) in resources::all_with_etags(store, project).await? {
        if r.placement.as_ref().is_none_or(|p| p.plan_id != plan) {
            continue;
        }
        r.placement = None;
        let id = r.resource_id.as_string();
        ops.push(BatchOp::Replace {
            doc: crate::store::NewDocument::from_record(
                &pk,
                resources::doc_id(&r.resource_id),
                &r,
            )?,
            if_match: Some(etag),
        });
        ops.push(BatchOp::Create(audit::entry(
            &pk,
            Some(actor),
            "resource.updated",
            "resource",
            &id,
            &["placement"],
        )?));
    }
    Ok(ops)
}

/// Operations of the placements that go in the plan's own batch: each
/// placement is two (the resource and its audit entry), and a batch holds
/// 100, two of them the file's delete and its audit entry.
const UNPLACE_OPS_PER_BATCH: usize = 98;

/// Delete a project file; a site plan takes its placements along, so no
/// resource ever points at a plan that is gone. Placements beyond one
/// batch are taken off first, in batches of their own.
pub async fn delete_file(
    store: &dyn DocumentStore,
    blobs: &dyn BlobStore,
    actor: &UserId,
    project: &ProjectId,
    file: &FileRecord,
) -> Result<(), DomainError> {
    if file.category != Category::SitePlan {
        return files::delete(store, blobs, actor, project, file, Vec::new()).await;
    }
    let pk = project.as_string();
    let pk = pk.as_str();
    retry_on_precondition("the plan's resources", || async move {
        let mut ops = unplace_ops(store, project, actor, &file.file_id).await?;
        while ops.len() > UNPLACE_OPS_PER_BATCH {
            let rest = ops.split_off(UNPLACE_OPS_PER_BATCH);
            match store.batch(PROJECTS, pk, ops).await {
                Ok(_) => ops = rest,
                Err(StoreError::PreconditionFailed) => return Ok(Attempt::Retry),
                Err(e) => return Err(e.into()),
            }
        }
        match files::delete(store, blobs, actor, project, file, ops).await {
            Ok(()) => Ok(Attempt::Done(())),
            Err(DomainError::Store(StoreError::PreconditionFailed)) => Ok(Attempt::Retry),
            Err(e) => Err(e),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_levels_follow_the_share_of_open_capacity() {
        assert_eq!(load_level(0, 0, 1), LoadLevel::Closed);
        assert_eq!(load_level(60, 0, 1), LoadLevel::Closed);
        assert_eq!(load_level(0, 600, 1), LoadLevel::Free);
        assert_eq!(load_level(299, 600, 1), LoadLevel::Light);
        assert_eq!(load_level(300, 600, 1), LoadLevel::Busy);
        assert_eq!(load_level(539, 600, 1), LoadLevel::Busy);
        assert_eq!(load_level(540, 600, 1), LoadLevel::Full);
        assert_eq!(load_level(900, 600, 1), LoadLevel::Full);
        // Capacity 2: the same minutes are half as much of it.
        assert_eq!(load_level(540, 600, 2), LoadLevel::Light);
        assert_eq!(load_level(900, 600, 2), LoadLevel::Busy);
    }
}
