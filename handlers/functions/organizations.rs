//! Organization route: what an admin sees of their organization, its users
//! and its projects. Deleting it is a privacy route (P11).

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::domain::accounts;
use crate::domain::ids::OrganizationId;
use crate::http::extract::ApiPath;
use crate::http::problem::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationUser {
    id: String,
    email: String,
    first_name: String,
    last_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationProject {
    id: String,
    name: String,
    address: Option<String>,
    time_zone: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationView {
    id: String,
    name: String,
    vat_id: Option<String>,
    country: Option<String>,
    created_at: String,
    /// The organization's users (its admins).
    users: Vec<OrganizationUser>,
    /// Its projects, by name.
    projects: Vec<OrganizationProject>,
}

/// The caller's organization with its users and projects (its admins).
#[utoipa::path(
    get,
    path = "/api/organizations/{organizationId}",
    operation_id = "get-organization",
    tag = "accounts",
    security(("bearer" = [])),
    params(("organizationId" = String, Path)),
    responses(
        (status = 200, body = OrganizationView),
        (status = 404, description = "No such organization, or not its admin", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get_organization(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(org): ApiPath<String>,
) -> Result<Json<OrganizationView>, ApiError> {
    let org = OrganizationId::parse(&org).ok_or(ApiError::NotFound)?;
    let o = accounts::organization_overview(state.stores.documents.as_ref(), &auth.user_id, &org)
        .await?;
    Ok(Json(OrganizationView {
        id: o.organization.organization_id.as_string(),
        name: o.organization.name,
        vat_id: o.organization.vat_id,
        country: o.organization.country,
        created_at: crate::domain::time::format(&o.organization.created_at),
        users: o
            .users
            .into_iter()
            .map(|u| OrganizationUser {
                id: u.user_id.as_string(),
                email: u.email,
                first_name: u.first_name,
                last_name: u.last_name,
            })
            .collect(),
        projects: o
            .projects
            .into_iter()
            .map(|p| OrganizationProject {
                id: p.project_id.as_string(),
                name: p.name,
                address: p.address,
                time_zone: p.time_zone.as_str().to_owned(),
            })
            .collect(),
    }))
}
