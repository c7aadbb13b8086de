//! Site resources (unloading zones, cranes, hoists, gates, storage areas):
//! their booking rules, and the schedule version that every booking of the
//! resource bumps with If-Match, which is what makes double booking
//! impossible across processes.

use std::collections::BTreeSet;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::model::Booking;
use super::rules::{self, MAX_SLOT_MINUTES, OpeningHours, ResourceRules};
use crate::domain::audit;
use crate::domain::error::{DomainError, Validator};
use crate::domain::files::{self, Category};
use crate::domain::ids::{FileId, ProjectId, ResourceId, UserId};
use crate::domain::projects::Project;
use crate::domain::record::Record;
use crate::domain::retry::{Attempt, retry_on_precondition};
use crate::domain::text::{Name, access_instructions};
use crate::store::containers::PROJECTS;
use crate::store::{
    BatchOp, DocumentStore, ETag, NewDocument, Query, StoreError, query_all, read_record,
};

pub const KIND: &str = "resource";
const NAME_MAX: usize = 200;
const MAX_CAPACITY: u32 = 100;
const MAX_BUFFER_MINUTES: u32 = 240;
const MAX_CLOSED_DATES: usize = 400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ResourceKind {
    UnloadingZone,
    Crane,
    Hoist,
    Gate,
    StorageArea,
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    pub kind: String,
    pub resource_id: ResourceId,
    pub resource_kind: ResourceKind,
    pub name: String,
    pub capacity: u32,
    /// `None`: always open.
    pub opening_hours: Option<OpeningHours>,
    pub closed_dates: BTreeSet<Date>,
    pub buffer_minutes: u32,
    pub min_booking_minutes: u32,
    pub max_booking_minutes: u32,
    /// Bumped by every booking that claims the resource.
    pub schedule_version: u64,
    /// The longest booking ever placed; bounds the conflict range query even
    /// after `max_booking_minutes` is lowered.
    pub longest_booking_minutes: u32,
    #[serde(with = "crate::domain::time::fixed")]
    pub created_at: Timestamp,
    /// For drivers: how to get there, what to wear.
    #[serde(default)]
    pub access_instructions: Option<String>,
    /// Where it is on a site plan.
    #[serde(default)]
    pub placement: Option<Placement>,
}

impl Record for Resource {
    const CONTAINER: crate::store::Container = PROJECTS;
    const KIND: &'static str = KIND;
    type Owner = ProjectId;

    fn partition_key(project: &ProjectId) -> String {
        project.as_string()
    }

    fn id(&self) -> String {
        doc_id(&self.resource_id)
    }
}

impl Resource {
    pub fn rules(&self, project: &Project) -> ResourceRules {
        ResourceRules {
            capacity: self.capacity,
            buffer_minutes: self.buffer_minutes,
            min_minutes: self.min_booking_minutes,
            max_minutes: self.max_booking_minutes,
            opening_hours: self.opening_hours.clone(),
            closed_dates: self.closed_dates.clone(),
            tz: project.time_zone.tz(),
        }
    }
}

pub const POLYGON_MIN_POINTS: usize = 3;
pub const POLYGON_MAX_POINTS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PlacementShape {
    Point,
    Polygon,
}

/// A point on a plan, relative to its width (`x`) and height (`y`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanPoint {
    pub x: f64,
    pub y: f64,
}

/// Where a resource is on a site plan: one point, or a polygon of 3 to 64.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
async fn plan_problem_of(
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

/// A new resource or a change; absent fields (`None`) keep their value
/// (or take the default on create), `Some(None)` removes an optional one.
#[derive(Debug, Default, Clone)]
pub struct ResourceInput {
    pub kind: Option<ResourceKind>,
    pub name: Option<String>,
    pub capacity: Option<u32>,
    pub opening_hours: Option<Option<OpeningHours>>,
    pub closed_dates: Option<BTreeSet<Date>>,
    pub buffer_minutes: Option<u32>,
    pub min_booking_minutes: Option<u32>,
    pub max_booking_minutes: Option<u32>,
    pub access_instructions: Option<Option<String>>,
    pub placement: Option<Option<Placement>>,
}

/// Takes off every placement on a plan that is not among `shown` (one the
/// reader may not see, or one deleted in the same moment).
pub fn keep_placements_on(resources: &mut [Resource], shown: &[files::Plan]) {
    for r in resources {
        if r.placement.as_ref().is_some_and(|p| {
            !shown
                .iter()
                .any(|plan| plan.file.file_id.as_string() == p.plan_id)
        }) {
            r.placement = None;
        }
    }
}

/// Why the plan a change places the resource on cannot take it, if so:
/// checked against the store before the change is applied.
async fn plan_problem(
    store: &dyn DocumentStore,
    project: &ProjectId,
    input: &ResourceInput,
) -> Result<Option<&'static str>, DomainError> {
    match &input.placement {
        Some(Some(p)) => plan_problem_of(store, project, &p.plan_id).await,
        _ => Ok(None),
    }
}

/// Apply `input` to `r`; returns the names of the changed fields.
/// `plan_problem` is why the placement's plan cannot take it.
fn apply(
    r: &mut Resource,
    input: ResourceInput,
    plan_problem: Option<&'static str>,
) -> Result<Vec<&'static str>, DomainError> {
    let mut v = Validator::default();
    let mut changed = Vec::new();
    if let Some(text) = input.access_instructions
        && let Some(text) = v.check("accessInstructions", access_instructions(text.as_deref()))
    {
        r.access_instructions = text;
        changed.push("accessInstructions");
    }
    if let Some(placement) = input.placement {
        if let Some(p) = &placement {
            check_placement(&mut v, p);
        }
        if let Some(problem) = plan_problem {
            v.fail("placement.planId", problem);
        }
        r.placement = placement;
        changed.push("placement");
    }
    if let Some(k) = input.kind {
        r.resource_kind = k;
        changed.push("kind");
    }
    if let Some(name) = input.name
        && let Some(n) = v.check("name", Name::parse(&name, NAME_MAX))
    {
        r.name = n.as_str().to_owned();
        changed.push("name");
    }
    if let Some(c) = input.capacity {
        if (1..=MAX_CAPACITY).contains(&c) {
            r.capacity = c;
            changed.push("capacity");
        } else {
            v.fail("capacity", format!("must be 1 to {MAX_CAPACITY}"));
        }
    }
    if let Some(hours) = input.opening_hours {
        for (day, windows) in hours.iter().flatten() {
            if let Err(e) = rules::check_windows(windows) {
                v.fail(&format!("openingHours.{}", weekday_field(*day)), e);
            }
        }
        r.opening_hours = hours.map(|mut h| {
            h.values_mut().for_each(|w| w.sort_by_key(|w| w.from));
            h
        });
        changed.push("openingHours");
    }
    if let Some(dates) = input.closed_dates {
        if dates.len() > MAX_CLOSED_DATES {
            v.fail("closedDates", format!("at most {MAX_CLOSED_DATES} dates"));
        }
        r.closed_dates = dates;
        changed.push("closedDates");
    }
    if let Some(b) = input.buffer_minutes {
        if b <= MAX_BUFFER_MINUTES {
            r.buffer_minutes = b;
            changed.push("bufferMinutes");
        } else {
            v.fail(
                "bufferMinutes",
                format!("must be 0 to {MAX_BUFFER_MINUTES}"),
            );
        }
    }
    if let Some(m) = input.min_booking_minutes {
        r.min_booking_minutes = m;
        changed.push("minBookingMinutes");
    }
    if let Some(m) = input.max_booking_minutes {
        r.max_booking_minutes = m;
        changed.push("maxBookingMinutes");
    }
    if r.min_booking_minutes == 0 || r.min_booking_minutes > r.max_booking_minutes {
        v.fail(
            "minBookingMinutes",
            "must be at least 1 and at most maxBookingMinutes",
        );
    }
    if r.max_booking_minutes > MAX_SLOT_MINUTES {
        v.fail(
            "maxBookingMinutes",
            format!("must be at most {MAX_SLOT_MINUTES}"),
        );
    }
    v.finish()?;
    Ok(changed)
}

fn weekday_field(d: rules::WeekdayName) -> String {
    serde_json::to_value(d)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub fn doc_id(id: &ResourceId) -> String {
    format!("resource-{id}")
}

pub async fn create(
    store: &dyn DocumentStore,
    project: &ProjectId,
    actor: &UserId,
    input: ResourceInput,
) -> Result<Resource, DomainError> {
    let mut v = Validator::default();
    if input.kind.is_none() {
        v.fail("kind", "is required");
    }
    if input.name.is_none() {
        v.fail("name", "is required");
    }
    v.finish()?;
    let mut r = Resource {
        kind: KIND.into(),
        resource_id: ResourceId::generate(),
        resource_kind: ResourceKind::Other,
        name: String::new(),
        capacity: 1,
        opening_hours: None,
        closed_dates: BTreeSet::new(),
        buffer_minutes: 0,
        min_booking_minutes: 15,
        max_booking_minutes: MAX_SLOT_MINUTES,
        schedule_version: 0,
        longest_booking_minutes: 0,
        created_at: Timestamp::now(),
        access_instructions: None,
        placement: None,
    };
    let problem = plan_problem(store, project, &input).await?;
    let changed = apply(&mut r, input, problem)?;
    let pk = project.as_string();
    let id = r.resource_id.as_string();
    store
        .batch(
            PROJECTS,
            &pk,
            vec![
                BatchOp::Create(NewDocument::from_record(&pk, doc_id(&r.resource_id), &r)?),
                BatchOp::Create(audit::entry(
                    &pk,
                    Some(actor),
                    "resource.created",
                    "resource",
                    &id,
                    &changed,
                )?),
            ],
        )
        .await?;
    Ok(r)
}

pub async fn load(
    store: &dyn DocumentStore,
    project: &ProjectId,
    id: &ResourceId,
) -> Result<Option<(Resource, ETag)>, DomainError> {
    Ok(read_record(store, PROJECTS, &project.as_string(), &doc_id(id)).await?)
}

pub async fn list(
    store: &dyn DocumentStore,
    project: &ProjectId,
    limit: u32,
    next: Option<String>,
) -> Result<(Vec<Resource>, Option<String>), DomainError> {
    let page = store
        .query(
            PROJECTS,
            &project.as_string(),
            Query::new()
                .eq("kind", KIND)
                .limit(limit)
                .continuation(next),
        )
        .await?;
    let items = page
        .items
        .iter()
        .map(|d| d.parse::<Resource>())
        .collect::<Result<_, _>>()?;
    Ok((items, page.continuation))
}

/// Every resource of the project with its ETag.
pub async fn all_with_etags(
    store: &dyn DocumentStore,
    project: &ProjectId,
) -> Result<Vec<(Resource, ETag)>, DomainError> {
    let docs = query_all(
        store,
        PROJECTS,
        &project.as_string(),
        Query::new().eq("kind", KIND),
    )
    .await?;
    Ok(docs
        .iter()
        .map(|d| d.parse::<Resource>().map(|r| (r, d.etag.clone())))
        .collect::<Result<_, _>>()?)
}

/// Every resource of the project.
pub async fn all(
    store: &dyn DocumentStore,
    project: &ProjectId,
) -> Result<Vec<Resource>, DomainError> {
    Ok(all_with_etags(store, project)
        .await?
        .into_iter()
        .map(|(r, _)| r)
        .collect())
}

/// The batch operations that mark `resources` as claimed by `bookings`:
/// each one's schedule version bumped with If-Match, so that of two writers
/// that read the same version one fails, and its longest booking kept, which
/// bounds the conflict check's range query.
pub(super) fn claim_ops(
    project: &ProjectId,
    resources: &[(Resource, ETag)],
    bookings: &[&Booking],
) -> Result<Vec<BatchOp>, StoreError> {
    let mut ops = Vec::new();
    for (r, etag) in resources {
        let mut r = r.clone();
        r.schedule_version += 1;
        for b in bookings {
            if b.resource_ids.contains(&r.resource_id) {
                let minutes = u32::try_from(b.slot()?.minutes()).unwrap_or(u32::MAX);
                r.longest_booking_minutes = r.longest_booking_minutes.max(minutes);
            }
        }
        ops.push(r.replace_op(project, etag.clone())?);
    }
    Ok(ops)
}

/// Change a resource. Writes with If-Match and retries on a concurrent
/// booking, so rule changes and bookings serialize on the schedule version.
pub async fn update(
    store: &dyn DocumentStore,
    project: &ProjectId,
    actor: &UserId,
    id: &ResourceId,
    input: ResourceInput,
) -> Result<Resource, DomainError> {
    let pk = &project.as_string();
    let input = &input;
    let problem = plan_problem(store, project, input).await?;
    retry_on_precondition(super::model::SCHEDULE, || async move {
        let (mut r, etag) = load(store, project, id)
            .await?
            .ok_or(DomainError::NotFound)?;
        let changed = apply(&mut r, input.clone(), problem)?;
        if changed.is_empty() {
            return Ok(Attempt::Done(r));
        }
        r.schedule_version += 1;
        let ops = vec![
            BatchOp::Replace {
                doc: NewDocument::from_record(pk, doc_id(id), &r)?,
                if_match: Some(etag),
            },
            BatchOp::Create(audit::entry(
                pk,
                Some(actor),
                "resource.updated",
                "resource",
                &id.as_string(),
                &changed,
            )?),
        ];
        Attempt::of_write(store.batch(PROJECTS, pk, ops).await, r)
    })
    .await
}

/// Delete a resource that has no current or future bookings (409
/// otherwise). Past bookings keep naming it, as history.
pub async fn delete(
    store: &dyn DocumentStore,
    project: &ProjectId,
    actor: &UserId,
    id: &ResourceId,
) -> Result<(), DomainError> {
    let pk = project.as_string();
    let (r, etag) = load(store, project, id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let now = Timestamp::now().as_second();
    let from = now - i64::from(r.longest_booking_minutes) * 60;
    let upcoming = super::layout::occupied(store, project, id, from, i64::MAX / 4).await?;
    if upcoming.iter().any(|o| o.end > now) {
        return Err(DomainError::Conflict(
            "the resource has current or upcoming bookings; cancel or move them first".into(),
        ));
    }
    let ops = vec![
        BatchOp::Delete {
            id: doc_id(id),
            if_match: Some(etag),
        },
        BatchOp::Create(audit::entry(
            &pk,
            Some(actor),
            "resource.deleted",
            "resource",
            &id.as_string(),
            &[],
        )?),
    ];
    match store.batch(PROJECTS, &pk, ops).await {
        Ok(_) => Ok(()),
        Err(crate::store::StoreError::PreconditionFailed) => Err(DomainError::Conflict(
            "the resource was just booked or changed; try again".into(),
        )),
        Err(e) => Err(e.into()),
    }
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
}
