//! Member routes: list, change role, remove (effective on the next request).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::project_access::ProjectAccess;
use crate::domain::accounts;
use crate::domain::ids::UserId;
use crate::domain::member_changes;
use crate::domain::members::{self, Member};
use crate::domain::roles::{self, Action};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::paging::{PageParams, Paged};
use crate::http::problem::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The customer organization's admins.
    Owner,
    /// Logistics coordinator: resources, approvals, invitations, audit.
    Manager,
    /// Subcontractor: books, uploads, reads.
    Member,
    /// Reads.
    Viewer,
}

impl From<roles::Role> for Role {
    fn from(r: roles::Role) -> Self {
        match r {
            roles::Role::Owner => Role::Owner,
            roles::Role::Manager => Role::Manager,
            roles::Role::Member => Role::Member,
            roles::Role::Viewer => Role::Viewer,
        }
    }
}

impl From<Role> for roles::Role {
    fn from(r: Role) -> Self {
        match r {
            Role::Owner => roles::Role::Owner,
            Role::Manager => roles::Role::Manager,
            Role::Member => roles::Role::Member,
            Role::Viewer => roles::Role::Viewer,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberView {
    user_id: String,
    role: Role,
    first_name: String,
    last_name: String,
    email: String,
    /// The company the member works for: the organization's name for its
    /// admins, the company an invited person named otherwise.
    company_name: Option<String>,
    since: String,
}

async fn member_view(state: &AppState, m: Member) -> Result<Option<MemberView>, ApiError> {
    let store = state.stores.documents.as_ref();
    let Some((user, _)) = accounts::load_user(store, &m.user_id).await? else {
        return Ok(None);
    };
    // An organization's admin works for the organization.
    let company_name = match user.company_name {
        Some(c) => Some(c),
        None => accounts::organization_name(store, user.organization_id.as_ref()).await?,
    };
    Ok(Some(MemberView {
        user_id: m.user_id.as_string(),
        role: m.role.into(),
        first_name: user.first_name,
        last_name: user.last_name,
        email: user.email,
        company_name,
        since: crate::domain::time::format(&m.at),
    }))
}

/// The project's members.
#[utoipa::path(
    get,
    path = "/api/projects/{projectId}/members",
    operation_id = "list-members",
    tag = "members",
    security(("bearer" = [])),
    params(("projectId" = String, Path), PageParams),
    responses((status = 200, body = Paged<MemberView>))
)]
pub async fn list_members(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Paged<MemberView>>, ApiError> {
    access.require(Action::ViewMembers)?;
    let (list, next) = members::list(
        state.stores.documents.as_ref(),
        &access.project_id,
        page.limit(),
        page.next,
    )
    .await?;
    let mut items = Vec::with_capacity(list.len());
    for m in list {
        if let Some(v) = member_view(&state, m).await? {
            items.push(v);
        }
    }
    Ok(Json(Paged { items, next }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    role: Role,
}

fn target(raw: &str) -> Result<UserId, ApiError> {
    UserId::parse(raw).ok_or(ApiError::NotFound)
}

/// Change a member's role. Only owners grant or take the owner role; the
/// last owner cannot be demoted.
#[utoipa::path(
    patch,
    path = "/api/projects/{projectId}/members/{userId}",
    operation_id = "update-member",
    tag = "members",
    security(("bearer" = [])),
    params(("projectId" = String, Path), ("userId" = String, Path)),
    request_body = RoleChange,
    responses(
        (status = 200, body = MemberView),
        (status = 409, description = "Last owner", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update_member(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiPath(path): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<RoleChange>,
) -> Result<Json<MemberView>, ApiError> {
    access.require(Action::ManageMembers)?;
    let member = member_changes::change_role(
        state.stores.documents.as_ref(),
        &access.project_id,
        &access.user_id,
        access.role,
        &target(&path.1)?,
        req.role.into(),
    )
    .await?;
    member_view(&state, member)
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound)
}

/// Remove a member; their next request to the project is a 404.
#[utoipa::path(
    delete,
    path = "/api/projects/{projectId}/members/{userId}",
    operation_id = "remove-member",
    tag = "members",
    security(("bearer" = [])),
    params(("projectId" = String, Path), ("userId" = String, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 409, description = "Last owner", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn remove_member(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiPath(path): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    access.require(Action::ManageMembers)?;
    member_changes::remove(
        state.stores.documents.as_ref(),
        &access.project_id,
        &access.user_id,
        access.role,
        &target(&path.1)?,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Leave the project yourself, whatever your role. The last owner cannot:
/// a 409 whose `extensions.reason` is `last-owner`.
#[utoipa::path(
    post,
    path = "/api/projects/{projectId}/leave",
    operation_id = "leave-project",
    tag = "members",
    security(("bearer" = [])),
    params(("projectId" = String, Path)),
    responses(
        (status = 204, description = "Left; the project is no longer listed"),
        (status = 409, description = "Last owner (`extensions.reason` = `last-owner`)", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn leave_project(
    State(state): State<AppState>,
    access: ProjectAccess,
) -> Result<StatusCode, ApiError> {
    member_changes::leave(
        state.stores.documents.as_ref(),
        &access.project_id,
        &access.user_id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
