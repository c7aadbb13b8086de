//! Site resource routes: create, list, read, change, delete (managers
//! change, every member reads).

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::project_access::ProjectAccess;
use crate::domain::bookings::resources::{self, Placement, Resource, ResourceInput, ResourceKind};
use crate::domain::bookings::rules::OpeningHours;
use crate::domain::ids::ResourceId;
use crate::domain::roles::Action;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::paging::{PageParams, Paged};
use crate::http::problem::{ApiError, Problem};
use crate::state::AppState;

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
        kind: r.resource_kind,
        name: r.name,
        capacity: r.capacity,
        opening_hours: r.opening_hours,
        closed_dates: r.closed_dates,
        buffer_minutes: r.buffer_minutes,
        min_booking_minutes: r.min_booking_minutes,
        max_booking_minutes: r.max_booking_minutes,
        created_at: crate::domain::time::format(&r.created_at),
        access_instructions: r.access_instructions,
        placement: r.placement,
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
        req,
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
    let (items, next) = resources::list(
        state.stores.documents.as_ref(),
        &access.project_id,
        page.limit(),
        page.next,
    )
    .await?;
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
    let (r, _) = resources::load(
        state.stores.documents.as_ref(),
        &access.project_id,
        &resource_id(&path.1)?,
    )
    .await?
    .ok_or(ApiError::NotFound)?;
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
        req,
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
