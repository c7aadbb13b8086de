//! Privacy routes (P11): export everything held about me, withdraw consent
//! (erase me), and delete a whole organization.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::domain::accounts;
use crate::domain::erasure;
use crate::domain::export;
use crate::domain::ids::OrganizationId;
use crate::domain::password::Verified;
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
    Ok(Json(
        export::export_for(state.stores.documents.as_ref(), &auth.user_id).await?,
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
    let store = state.stores.documents.as_ref();
    let (user, _) = accounts::require_user(store, &auth.user_id).await?;
    let ok = state
        .passwords
        .verify(&req.password, Some(&user.password_hash))
        .await
        .map_err(ApiError::internal)?;
    if ok == Verified::No {
        return Err(ApiError::Forbidden("the password is wrong"));
    }
    erasure::check_can_withdraw(store, &user).await?;
    erasure::erase_user(store, &user).await?;
    state
        .mailer
        .forget(&user.email, &user.user_id.as_string())
        .await
        .map_err(ApiError::internal)?;
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
    let store = state.stores.documents.as_ref();
    let admins: Vec<String> = match store
        .read(
            crate::store::containers::ORGANIZATIONS,
            &org.as_string(),
            &org.as_string(),
        )
        .await?
    {
        Some(d) => d
            .parse::<accounts::Organization>()?
            .admin_ids
            .iter()
            .map(|u| u.as_string())
            .collect(),
        None => return Err(ApiError::NotFound),
    };
    let people: Vec<(String, String)> = {
        let mut out = Vec::new();
        for a in &admins {
            if let Some(id) = crate::domain::ids::UserId::parse(a)
                && let Some((u, _)) = accounts::load_user(store, &id).await?
            {
                out.push((u.email, a.clone()));
            }
        }
        out
    };
    erasure::delete_organization(store, state.stores.blobs.as_ref(), &auth.user_id, &org).await?;
    for (email, id) in people {
        state
            .mailer
            .forget(&email, &id)
            .await
            .map_err(ApiError::internal)?;
    }
    Ok(StatusCode::NO_CONTENT)
}
