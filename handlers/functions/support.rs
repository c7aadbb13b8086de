//! Support routes (P14): the anonymous contact form, rate-limited per
//! client address in memory; support staff list requests and close them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::domain::accounts::{self, SUPPORT_ROLE};
use crate::domain::support::{self, ContactForm, SupportRequest, SupportStatus};
use crate::http::client_address::ClientAddress;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::paging::{MAX_LIMIT, Paged};
use crate::http::problem::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ContactRequest {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Received {
    id: String,
}

/// Send a support request (no account needed).
#[utoipa::path(
    post,
    path = "/api/support/requests",
    operation_id = "create-support-request",
    tag = "support",
    request_body = ContactRequest,
    responses(
        (status = 201, body = Received),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create_support_request(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    ApiJson(req): ApiJson<ContactRequest>,
) -> Result<(StatusCode, Json<Received>), ApiError> {
    if let Some(ip) = client {
        state.contact_limiter.check(ip)?;
    }
    let created = support::submit(
        state.stores.documents.as_ref(),
        ContactForm {
            name: &req.name,
            email: &req.email,
            subject: &req.subject,
            message: &req.message,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Received { id: created.id })))
}

async fn require_support_staff(state: &AppState, auth: &AuthUser) -> Result<(), ApiError> {
    let (user, _) = accounts::require_user(state.stores.documents.as_ref(), &auth.user_id).await?;
    if user.platform_roles.iter().any(|r| r == SUPPORT_ROLE) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("support staff only"))
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SupportListParams {
    status: Option<SupportStatus>,
    limit: Option<u32>,
    next: Option<String>,
}

/// Support requests, newest first (support staff).
#[utoipa::path(
    get,
    path = "/api/support/requests",
    operation_id = "list-support-requests",
    tag = "support",
    security(("bearer" = [])),
    params(SupportListParams),
    responses((status = 200, body = Paged<SupportRequest>), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
pub async fn list_support_requests(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(p): ApiQuery<SupportListParams>,
) -> Result<Json<Paged<SupportRequest>>, ApiError> {
    require_support_staff(&state, &auth).await?;
    let (items, next) = support::list(
        state.stores.documents.as_ref(),
        p.status,
        p.limit.unwrap_or(50).clamp(1, MAX_LIMIT),
        p.next,
    )
    .await?;
    Ok(Json(Paged { items, next }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    status: SupportStatus,
}

/// Mark a support request answered or closed (support staff).
#[utoipa::path(
    patch,
    path = "/api/support/requests/{requestId}",
    operation_id = "update-support-request",
    tag = "support",
    security(("bearer" = [])),
    params(("requestId" = String, Path)),
    request_body = StatusChange,
    responses(
        (status = 200, body = SupportRequest),
        (status = 403, description = "Support staff only", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update_support_request(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<StatusChange>,
) -> Result<Json<SupportRequest>, ApiError> {
    require_support_staff(&state, &auth).await?;
    let updated = support::set_status(
        state.stores.documents.as_ref(),
        &id,
        req.status,
        jiff::SignedDuration::from_hours(24 * state.config.support_retention_days),
    )
    .await?;
    Ok(Json(updated))
}
