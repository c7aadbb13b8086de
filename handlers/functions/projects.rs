//! Project routes (P7, P8): create, list, read, change, delete.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::auth::project_access::ProjectAccess;
use crate::domain::project_removal;
use crate::domain::projects::{self, Project, ProjectInput};
use crate::domain::roles::{self, Action};
use crate::functions::members::Role;
use crate::http::extract::{ApiJson, ApiQuery};
use crate::http::paging::{PageParams, Paged};
use crate::http::problem::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectSettings {
    /// Members' bookings start as `requested` and need a manager's approval.
    booking_approval_required: bool,
    /// Members may not create or change bookings starting sooner than this.
    booking_cutoff_hours: u32,
    /// Minutes after an approved booking's end without check-in before it
    /// counts as a no-show.
    no_show_grace_minutes: u32,
}

impl Default for ProjectSettings {
    fn default() -> Self {
        projects::ProjectSettings::default().into()
    }
}

impl From<projects::ProjectSettings> for ProjectSettings {
    fn from(s: projects::ProjectSettings) -> Self {
        ProjectSettings {
            booking_approval_required: s.booking_approval_required,
            booking_cutoff_hours: s.booking_cutoff_hours,
            no_show_grace_minutes: s.no_show_grace_minutes,
        }
    }
}

impl From<ProjectSettings> for projects::ProjectSettings {
    fn from(s: ProjectSettings) -> Self {
        projects::ProjectSettings {
            booking_approval_required: s.booking_approval_required,
            booking_cutoff_hours: s.booking_cutoff_hours,
            no_show_grace_minutes: s.no_show_grace_minutes,
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewProject {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    address: Option<String>,
    /// IANA time zone of the site, e.g. `Europe/Vienna`.
    #[serde(default)]
    time_zone: Option<String>,
    #[serde(default)]
    settings: Option<ProjectSettings>,
    /// Site-wide instructions for drivers, at most 1000 characters.
    #[serde(default)]
    access_instructions: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProjectPatch {
    #[serde(default)]
    name: Option<String>,
    /// `null` removes the address.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    address: Option<Option<String>>,
    #[serde(default)]
    time_zone: Option<String>,
    #[serde(default)]
    settings: Option<ProjectSettings>,
    /// Site-wide instructions for drivers, at most 1000 characters;
    /// `null` or empty text removes them.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    access_instructions: Option<Option<String>>,
}

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`).
fn double_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProjectView {
    id: String,
    organization_id: String,
    name: String,
    address: Option<String>,
    time_zone: String,
    settings: ProjectSettings,
    /// Site-wide instructions for drivers.
    access_instructions: Option<String>,
    created_at: String,
    /// The caller's role in this project.
    role: Role,
}

fn view(p: Project, role: roles::Role) -> ProjectView {
    ProjectView {
        id: p.project_id.as_string(),
        organization_id: p.organization_id.as_string(),
        name: p.name,
        address: p.address,
        time_zone: p.time_zone.as_str().to_owned(),
        settings: p.settings.into(),
        access_instructions: p.access_instructions,
        created_at: crate::domain::time::format(&p.created_at),
        role: role.into(),
    }
}

/// Create a project; the organization's admins become its owners.
#[utoipa::path(
    post,
    path = "/api/projects",
    operation_id = "create-project",
    tag = "projects",
    security(("bearer" = [])),
    request_body = NewProject,
    responses(
        (status = 201, body = ProjectView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create_project(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<NewProject>,
) -> Result<(StatusCode, Json<ProjectView>), ApiError> {
    let project = projects::create(
        state.stores.documents.as_ref(),
        &auth.user_id,
        ProjectInput {
            name: req.name.as_deref(),
            address: Some(req.address.as_deref()),
            time_zone: req.time_zone.as_deref(),
            settings: req.settings.map(Into::into),
            access_instructions: Some(req.access_instructions.as_deref()),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view(project, roles::Role::Owner))))
}

/// The projects the caller is a member of.
#[utoipa::path(
    get,
    path = "/api/projects",
    operation_id = "list-projects",
    tag = "projects",
    security(("bearer" = [])),
    params(PageParams),
    responses((status = 200, body = Paged<ProjectView>))
)]
pub async fn list_projects(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Paged<ProjectView>>, ApiError> {
    let (items, next) = projects::list_for_user(
        state.stores.documents.as_ref(),
        &auth.user_id,
        page.limit(),
        page.next,
    )
    .await?;
    Ok(Json(Paged {
        items: items.into_iter().map(|(p, r)| view(p, r)).collect(),
        next,
    }))
}

/// One project.
#[utoipa::path(
    get,
    path = "/api/projects/{projectId}",
    operation_id = "get-project",
    tag = "projects",
    security(("bearer" = [])),
    params(("projectId" = String, Path)),
    responses((status = 200, body = ProjectView), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
pub async fn get_project(
    State(state): State<AppState>,
    access: ProjectAccess,
) -> Result<Json<ProjectView>, ApiError> {
    access.require(Action::ViewProject)?;
    let (project, _) =
        projects::require(state.stores.documents.as_ref(), &access.project_id).await?;
    Ok(Json(view(project, access.role)))
}

/// Change a project's name, address, time zone or settings.
#[utoipa::path(
    patch,
    path = "/api/projects/{projectId}",
    operation_id = "update-project",
    tag = "projects",
    security(("bearer" = [])),
    params(("projectId" = String, Path)),
    request_body = ProjectPatch,
    responses((status = 200, body = ProjectView), (status = 422, body = Problem, content_type = "application/problem+json"))
)]
pub async fn update_project(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiJson(req): ApiJson<ProjectPatch>,
) -> Result<Json<ProjectView>, ApiError> {
    access.require(Action::UpdateProject)?;
    let project = projects::update(
        state.stores.documents.as_ref(),
        &access.user_id,
        &access.project_id,
        ProjectInput {
            name: req.name.as_deref(),
            address: req.address.as_ref().map(|a| a.as_deref()),
            time_zone: req.time_zone.as_deref(),
            settings: req.settings.map(Into::into),
            access_instructions: req.access_instructions.as_ref().map(|a| a.as_deref()),
        },
    )
    .await?;
    Ok(Json(view(project, access.role)))
}

/// Delete a project with all its data: members, invitations, resources,
/// bookings, files and audit entries (P8).
#[utoipa::path(
    delete,
    path = "/api/projects/{projectId}",
    operation_id = "delete-project",
    tag = "projects",
    security(("bearer" = [])),
    params(("projectId" = String, Path)),
    responses((status = 204, description = "Deleted"), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
pub async fn delete_project(
    State(state): State<AppState>,
    access: ProjectAccess,
) -> Result<StatusCode, ApiError> {
    access.require(Action::DeleteProject)?;
    project_removal::delete_project(
        state.stores.documents.as_ref(),
        state.stores.blobs.as_ref(),
        &access.user_id,
        &access.project_id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
