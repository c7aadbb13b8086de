//! Site data: access instructions, where resources sit on the project's
//! site plans, and the day's load of every resource for the plan view.
//! Placements are relative to the image (0..1 on both axes), so a plan
//! revision at another resolution keeps them.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit;
use super::bookings::resources::{self, Resource};
use super::bookings::rules::{self, Secs};
use super::bookings::{self, Booking, BookingStatus};
use super::error::{DomainError, Validator};
use super::files::{self, Category, FileRecord};
use super::ids::{FileId, ProjectId, UserId};
use super::projects::Project;
use super::retry::{Attempt, retry_on_precondition};
use super::text::is_format_char;
use crate::store::containers::PROJECTS;
use crate::store::{BatchOp, BlobStore, DocumentStore, Query, StoreError, query_all};

pub const ACCESS_INSTRUCTIONS_MAX: usize = 1000;
pub const POLYGON_MIN_POINTS: usize = 3;
pub const POLYGON_MAX_POINTS: usize = 64;
/// Bookings in a day's window: far more than a site takes.
const DAY_BOOKINGS_MAX: usize = 10_000;

/// Free text for drivers ("Zufahrt über Tor 2 ..."): trimmed, line breaks
/// kept, no other control or invisible format characters, at most 1000
/// characters; empty means none.
pub fn access_instructions(raw: Option<&str>) -> Result<Option<String>, String> {
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.replace("\r\n", "\n");
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > ACCESS_INSTRUCTIONS_MAX {
        return Err(format!(
            "is longer than {ACCESS_INSTRUCTIONS_MAX} characters"
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err("contains control characters".into());
    }
    if text.chars().any(is_format_char) {
        return Err("contains invisible formatting characters (such as bidi controls)".into());
    }
    Ok(Some(text.to_owned()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum PlacementShape {
    Point,
    Polygon,
}

/// A point on a plan, relative to its width (`x`) and height (`y`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanPoint {
    pub x: f64,
    pub y: f64,
}

/// Where a resource is on a site plan: one point, or a polygon of 3 to 64.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Placement {
    /// A `sitePlan` file of the same project.
    pub plan_id: String,
    pub shape: PlacementShape,
    pub points: Vec<PlanPoint>,
}

/// The shape rules of a placement (the plan's existence is checked
/// against the store by [`plan_problem`]).
pub fn check_placement(v: &mut Validator, p: &Placement) {
    if FileId::parse(&p.plan_id).is_none() {
        v.fail("placement.planId", "is not a file id");
    }
    let n = p.points.len();
    match p.shape {
        PlacementShape::Point if n != 1 => {
            v.fail("placement.points", "a point has exactly 1 point")
        }
        PlacementShape::Polygon if !(POLYGON_MIN_POINTS..=POLYGON_MAX_POINTS).contains(&n) => v
            .fail(
                "placement.points",
                format!("a polygon has {POLYGON_MIN_POINTS} to {POLYGON_MAX_POINTS} points"),
            ),
        _ => {}
    }
    let inside = |c: f64| c.is_finite() && (0.0..=1.0).contains(&c);
    for (i, pt) in p.points.iter().enumerate() {
        if !inside(pt.x) {
            v.fail(&format!("placement.points[{i}].x"), "must be 0 to 1");
        }
        if !inside(pt.y) {
            v.fail(&format!("placement.points[{i}].y"), "must be 0 to 1");
        }
    }
}

/// Why `plan_id` cannot carry a placement in `project`, if it cannot.
pub async fn plan_problem(
    store: &dyn DocumentStore,
    project: &ProjectId,
    plan_id: &str,
) -> Result<Option<&'static str>, DomainError> {
    let Some(id) = FileId::parse(plan_id) else {
        return Ok(None);
    };
    Ok(match files::load(store, project, &id).await? {
        Some(f) if f.category == Category::SitePlan => None,
        _ => Some("must be a site plan (file category sitePlan) of this project"),
    })
}

/// The media types a site plan may have.
pub fn is_plan_media_type(content_type: &str) -> bool {
    matches!(content_type, "image/png" | "image/jpeg")
}

/// How busy a resource is on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
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

/// A plan as listed: its file with the image's dimensions.
pub struct Plan {
    pub file: FileRecord,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// The project's site plans the caller may see, oldest first, with their
/// dimensions (from the upload, or else from the index entry).
pub async fn plans(
    store: &dyn DocumentStore,
    project: &ProjectId,
    may_see_restricted: bool,
) -> Result<Vec<Plan>, DomainError> {
    let docs = query_all(
        store,
        PROJECTS,
        &project.as_string(),
        Query::new()
            .eq("kind", files::FILE_KIND)
            .eq("category", Category::SitePlan.as_str()),
    )
    .await?;
    let mut out = Vec::new();
    for d in docs {
        let file: FileRecord = d.parse()?;
        if !file.visible(may_see_restricted) {
            continue;
        }
        let (mut width, mut height) = (file.width, file.height);
        if width.is_none() || height.is_none() {
            let index = files::load_index(store, project, &file.file_id).await?;
            width = index.as_ref().and_then(|i| i.width);
            height = index.as_ref().and_then(|i| i.height);
        }
        out.push(Plan {
            file,
            width,
            height,
        });
    }
    out.sort_by_key(|p| p.file.at);
    Ok(out)
}

/// The site plan of a day: the plans, and every resource with its load.
pub struct SitePlanDay {
    pub date: Date,
    pub plans: Vec<Plan>,
    pub resources: Vec<(Resource, DayLoad)>,
}

pub async fn site_plan_day(
    store: &dyn DocumentStore,
    project: &Project,
    date: Date,
    may_see_restricted: bool,
) -> Result<SitePlanDay, DomainError> {
    let plans = plans(store, &project.project_id, may_see_restricted).await?;
    let bounds = day_bounds(date, project)?;
    let bookings = bookings_of_day(store, &project.project_id, bounds).await?;
    let mut resources = resources::all(store, &project.project_id).await?;
    resources.sort_by(|a, b| a.name.cmp(&b.name));
    let shown: Vec<String> = plans.iter().map(|p| p.file.file_id.as_string()).collect();
    let resources = resources
        .into_iter()
        .map(|mut r| {
            // A placement on a plan deleted in the same moment, or one the
            // caller may not see, is not shown.
            if r.placement
                .as_ref()
                .is_some_and(|p| !shown.contains(&p.plan_id))
            {
                r.placement = None;
            }
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

/// Delete a project file; a site plan takes its placements along in the
/// same batch, so no resource ever points at a plan that is gone.
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
    retry_on_precondition("the plan's resources", || async move {
        let ops = unplace_ops(store, project, actor, &file.file_id).await?;
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

    fn placement(shape: PlacementShape, points: &[(f64, f64)]) -> Placement {
        Placement {
            plan_id: FileId::generate().as_string(),
            shape,
            points: points.iter().map(|&(x, y)| PlanPoint { x, y }).collect(),
        }
    }

    fn fields(p: &Placement) -> Vec<String> {
        let mut v = Validator::default();
        check_placement(&mut v, p);
        match v.finish() {
            Ok(()) => Vec::new(),
            Err(DomainError::Validation(errors)) => errors.into_iter().map(|e| e.field).collect(),
            Err(e) => panic!("unexpected {e}"),
        }
    }

    #[test]
    fn a_point_has_one_point_inside_the_plan() {
        assert!(fields(&placement(PlacementShape::Point, &[(0.0, 1.0)])).is_empty());
        assert_eq!(
            fields(&placement(PlacementShape::Point, &[(0.1, 0.1), (0.2, 0.2)])),
            ["placement.points"]
        );
        assert_eq!(
            fields(&placement(PlacementShape::Point, &[(1.01, -0.1)])),
            ["placement.points[0].x", "placement.points[0].y"]
        );
    }

    #[test]
    fn a_polygon_has_3_to_64_points() {
        let tri = [(0.1, 0.1), (0.5, 0.1), (0.3, 0.4)];
        assert!(fields(&placement(PlacementShape::Polygon, &tri)).is_empty());
        assert_eq!(
            fields(&placement(PlacementShape::Polygon, &tri[..2])),
            ["placement.points"]
        );
        let many: Vec<(f64, f64)> = (0..65).map(|i| (f64::from(i) / 65.0, 0.5)).collect();
        assert_eq!(
            fields(&placement(PlacementShape::Polygon, &many)),
            ["placement.points"]
        );
        assert!(fields(&placement(PlacementShape::Polygon, &many[..64])).is_empty());
    }

    #[test]
    fn the_plan_id_must_be_a_file_id() {
        let mut p = placement(PlacementShape::Point, &[(0.5, 0.5)]);
        p.plan_id = "nonsense".into();
        assert_eq!(fields(&p), ["placement.planId"]);
    }

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
        // Two cranes: the same minutes are half as much of the capacity.
        assert_eq!(load_level(540, 600, 2), LoadLevel::Busy);
    }

    #[test]
    fn access_instructions_keep_lines_and_refuse_hidden_characters() {
        assert_eq!(access_instructions(None), Ok(None));
        assert_eq!(access_instructions(Some("   ")), Ok(None));
        assert_eq!(
            access_instructions(Some(" Tor 2\r\nWarnweste Pflicht ")),
            Ok(Some("Tor 2\nWarnweste Pflicht".into()))
        );
        assert!(access_instructions(Some(&"x".repeat(1001))).is_err());
        assert!(access_instructions(Some(&"x".repeat(1000))).is_ok());
        assert!(access_instructions(Some("Tor\u{7}2")).is_err());
        assert!(access_instructions(Some("Tor \u{202E}2")).is_err());
    }
}
