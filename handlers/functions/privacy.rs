//! Privacy routes (P11): export everything held about me, withdraw consent
//! (erase me), and delete a whole organization.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::domain::erasure;
use crate::domain::export;
use crate::domain::ids::OrganizationId;
use crate::domain::passes::PassLinks;
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::problem::{ApiError, Problem};
use crate::state::AppState;

/// Everything held about the caller, as one JSON document.
#[utoipa::path(
    get,
    path = "/api/me/export",
    operation_id = "export-me",
    tag = "privacy",
    security(("bearer" = [])),
    responses((status = 200, description = "The export", content_type = "application/json"))
)]
pub async fn export_me(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<Json<serde_json::Value>, ApiError> {
    let links = PassLinks {
        key: &state.pass_key,
        app_url: &state.config.app_url,
    };
    Ok(Json(
        export::export_for(state.stores.documents.as_ref(), &auth.user_id, links).await?,
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct Withdrawal {
    /// The current password, to confirm.
    #[serde(default)]
    password: String,
}

/// Withdraw consent: erase the caller's personal data; the account ends.
#[utoipa::path(
    delete,
    path = "/api/me",
    operation_id = "delete-me",
    tag = "privacy",
    security(("bearer" = [])),
    request_body = Withdrawal,
    responses(
        (status = 204, description = "Erased"),
        (status = 403, description = "Password wrong", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Last owner or only admin: what to do first", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn delete_me(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<Withdrawal>,
) -> Result<StatusCode, ApiError> {
    erasure::withdraw(
        state.stores.documents.as_ref(),
        &state.passwords,
        state.mailer.as_ref(),
        &auth.user_id,
        &req.password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Delete the organization with all its projects, data and users.
#[utoipa::path(
    delete,
    path = "/api/organizations/{organizationId}",
    operation_id = "delete-organization",
    tag = "privacy",
    security(("bearer" = [])),
    params(("organizationId" = String, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
pub async fn delete_organization(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(org): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let org = OrganizationId::parse(&org).ok_or(ApiError::NotFound)?;
    erasure::delete_organization(
        state.stores.documents.as_ref(),
        state.stores.blobs.as_ref(),
        state.mailer.as_ref(),
        &auth.user_id,
        &org,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
