//! Site resource routes: create, list, read, change, delete (managers
//! change, every member reads).

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::project_access::ProjectAccess;
use crate::domain::bookings::resources::{self, Resource};
use crate::domain::bookings::rules::OpeningHours;
use crate::domain::ids::ResourceId;
use crate::domain::roles::Action;
use crate::domain::site;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::paging::{PageParams, Paged};
use crate::http::problem::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum ResourceKind {
    UnloadingZone,
    Crane,
    Hoist,
    Gate,
    StorageArea,
    Other,
}

impl From<resources::ResourceKind> for ResourceKind {
    fn from(k: resources::ResourceKind) -> Self {
        use resources::ResourceKind as K;
        match k {
            K::UnloadingZone => ResourceKind::UnloadingZone,
            K::Crane => ResourceKind::Crane,
            K::Hoist => ResourceKind::Hoist,
            K::Gate => ResourceKind::Gate,
            K::StorageArea => ResourceKind::StorageArea,
            K::Other => ResourceKind::Other,
        }
    }
}

impl From<ResourceKind> for resources::ResourceKind {
    fn from(k: ResourceKind) -> Self {
        use resources::ResourceKind as K;
        match k {
            ResourceKind::UnloadingZone => K::UnloadingZone,
            ResourceKind::Crane => K::Crane,
            ResourceKind::Hoist => K::Hoist,
            ResourceKind::Gate => K::Gate,
            ResourceKind::StorageArea => K::StorageArea,
            ResourceKind::Other => K::Other,
        }
    }
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

impl From<resources::Placement> for Placement {
    fn from(p: resources::Placement) -> Self {
        Placement {
            plan_id: p.plan_id,
            shape: match p.shape {
                resources::PlacementShape::Point => PlacementShape::Point,
                resources::PlacementShape::Polygon => PlacementShape::Polygon,
            },
            points: p
                .points
                .into_iter()
                .map(|pt| PlanPoint { x: pt.x, y: pt.y })
                .collect(),
        }
    }
}

impl From<Placement> for resources::Placement {
    fn from(p: Placement) -> Self {
        resources::Placement {
            plan_id: p.plan_id,
            shape: match p.shape {
                PlacementShape::Point => resources::PlacementShape::Point,
                PlacementShape::Polygon => resources::PlacementShape::Polygon,
            },
            points: p
                .points
                .into_iter()
                .map(|pt| resources::PlanPoint { x: pt.x, y: pt.y })
                .collect(),
        }
    }
}

/// A new resource or a change, as received; absent fields keep their value
/// (or take the default on create).
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceInput {
    #[serde(default)]
    pub kind: Option<ResourceKind>,
    #[serde(default)]
    pub name: Option<String>,
    /// Concurrent bookings allowed (default 1).
    #[serde(default)]
    pub capacity: Option<u32>,
    /// Windows per weekday in the project's time zone; omitted or `null` =
    /// always open.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Object>)]
    pub opening_hours: Option<Option<OpeningHours>>,
    /// Local dates (`YYYY-MM-DD`) on which the resource is closed.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub closed_dates: Option<BTreeSet<jiff::civil::Date>>,
    /// Minutes kept free after each booking (default 0).
    #[serde(default)]
    pub buffer_minutes: Option<u32>,
    /// Default 15.
    #[serde(default)]
    pub min_booking_minutes: Option<u32>,
    /// Default 1440.
    #[serde(default)]
    pub max_booking_minutes: Option<u32>,
    /// For drivers, at most 1000 characters; empty or `null` removes them.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub access_instructions: Option<Option<String>>,
    /// Where the resource is on a site plan; `null` removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Placement>)]
    pub placement: Option<Option<Placement>>,
}

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`).
fn double_option<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

impl From<ResourceInput> for resources::ResourceInput {
    fn from(i: ResourceInput) -> Self {
        resources::ResourceInput {
            kind: i.kind.map(Into::into),
            name: i.name,
            capacity: i.capacity,
            opening_hours: i.opening_hours,
            closed_dates: i.closed_dates,
            buffer_minutes: i.buffer_minutes,
            min_booking_minutes: i.min_booking_minutes,
            max_booking_minutes: i.max_booking_minutes,
            access_instructions: i.access_instructions,
            placement: i.placement.map(|p| p.map(Into::into)),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceView {
    id: String,
    kind: ResourceKind,
    name: String,
    capacity: u32,
    /// `null`: always open.
    #[schema(value_type = Option<Object>)]
    opening_hours: Option<OpeningHours>,
    #[schema(value_type = Vec<String>)]
    closed_dates: BTreeSet<jiff::civil::Date>,
    buffer_minutes: u32,
    min_booking_minutes: u32,
    max_booking_minutes: u32,
    created_at: String,
    /// For drivers: how to get there, what to wear.
    access_instructions: Option<String>,
    /// Where the resource is on a site plan.
    placement: Option<Placement>,
}

pub fn view(r: Resource) -> ResourceView {
    ResourceView {
        id: r.resource_id.as_string(),
        kind: r.resource_kind.into(),
        name: r.name,
        capacity: r.capacity,
        opening_hours: r.opening_hours,
        closed_dates: r.closed_dates,
        buffer_minutes: r.buffer_minutes,
        min_booking_minutes: r.min_booking_minutes,
        max_booking_minutes: r.max_booking_minutes,
        created_at: crate::domain::time::format(&r.created_at),
        access_instructions: r.access_instructions,
        placement: r.placement.map(Into::into),
    }
}

fn resource_id(raw: &str) -> Result<ResourceId, ApiError> {
    ResourceId::parse(raw).ok_or(ApiError::NotFound)
}

/// Create a resource.
#[utoipa::path(
    post,
    path = "/api/projects/{projectId}/resources",
    operation_id = "create-resource",
    tag = "resources",
    security(("bearer" = [])),
    params(("projectId" = String, Path)),
    request_body = ResourceInput,
    responses(
        (status = 201, body = ResourceView),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create_resource(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiJson(req): ApiJson<ResourceInput>,
) -> Result<(StatusCode, Json<ResourceView>), ApiError> {
    access.require(Action::ManageResources)?;
    let r = resources::create(
        state.stores.documents.as_ref(),
        &access.project_id,
        &access.user_id,
        req.into(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view(r))))
}

/// The project's resources.
#[utoipa::path(
    get,
    path = "/api/projects/{projectId}/resources",
    operation_id = "list-resources",
    tag = "resources",
    security(("bearer" = [])),
    params(("projectId" = String, Path), PageParams),
    responses((status = 200, body = Paged<ResourceView>))
)]
pub async fn list_resources(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Paged<ResourceView>>, ApiError> {
    access.require(Action::ViewResources)?;
    let store = state.stores.documents.as_ref();
    let (mut items, next) =
        resources::list(store, &access.project_id, page.limit(), page.next).await?;
    let may_restricted = access.may(Action::ViewRestrictedFiles);
    site::hide_unseen_placements(store, &access.project_id, may_restricted, &mut items).await?;
    Ok(Json(Paged {
        items: items.into_iter().map(view).collect(),
        next,
    }))
}

/// One resource.
#[utoipa::path(
    get,
    path = "/api/projects/{projectId}/resources/{resourceId}",
    operation_id = "get-resource",
    tag = "resources",
    security(("bearer" = [])),
    params(("projectId" = String, Path), ("resourceId" = String, Path)),
    responses((status = 200, body = ResourceView))
)]
pub async fn get_resource(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiPath(path): ApiPath<(String, String)>,
) -> Result<Json<ResourceView>, ApiError> {
    access.require(Action::ViewResources)?;
    let store = state.stores.documents.as_ref();
    let (r, _) = resources::load(store, &access.project_id, &resource_id(&path.1)?)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut one = [r];
    let may_restricted = access.may(Action::ViewRestrictedFiles);
    site::hide_unseen_placements(store, &access.project_id, may_restricted, &mut one).await?;
    let [r] = one;
    Ok(Json(view(r)))
}

/// Change a resource's rules; existing bookings stay.
#[utoipa::path(
    patch,
    path = "/api/projects/{projectId}/resources/{resourceId}",
    operation_id = "update-resource",
    tag = "resources",
    security(("bearer" = [])),
    params(("projectId" = String, Path), ("resourceId" = String, Path)),
    request_body = ResourceInput,
    responses(
        (status = 200, body = ResourceView),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update_resource(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiPath(path): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<ResourceInput>,
) -> Result<Json<ResourceView>, ApiError> {
    access.require(Action::ManageResources)?;
    let r = resources::update(
        state.stores.documents.as_ref(),
        &access.project_id,
        &access.user_id,
        &resource_id(&path.1)?,
        req.into(),
    )
    .await?;
    Ok(Json(view(r)))
}

/// Delete a resource without current or upcoming bookings.
#[utoipa::path(
    delete,
    path = "/api/projects/{projectId}/resources/{resourceId}",
    operation_id = "delete-resource",
    tag = "resources",
    security(("bearer" = [])),
    params(("projectId" = String, Path), ("resourceId" = String, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "Has upcoming bookings", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn delete_resource(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiPath(path): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    access.require(Action::ManageResources)?;
    resources::delete(
        state.stores.documents.as_ref(),
        &access.project_id,
        &access.user_id,
        &resource_id(&path.1)?,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
