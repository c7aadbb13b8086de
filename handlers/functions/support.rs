//! Support routes (P14): the anonymous contact form, rate-limited per
//! client address in memory; support staff list requests and close them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::domain::record::Record;
use crate::domain::support::{self, ContactForm};
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SupportStatus {
    Open,
    Answered,
    Closed,
}

impl From<SupportStatus> for support::SupportStatus {
    fn from(s: SupportStatus) -> Self {
        match s {
            SupportStatus::Open => support::SupportStatus::Open,
            SupportStatus::Answered => support::SupportStatus::Answered,
            SupportStatus::Closed => support::SupportStatus::Closed,
        }
    }
}

impl From<support::SupportStatus> for SupportStatus {
    fn from(s: support::SupportStatus) -> Self {
        match s {
            support::SupportStatus::Open => SupportStatus::Open,
            support::SupportStatus::Answered => SupportStatus::Answered,
            support::SupportStatus::Closed => SupportStatus::Closed,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SupportRequest {
    id: String,
    // The API has always sent the stored kind and address key along; the
    // schema never listed them.
    #[schema(ignore)]
    kind: &'static str,
    name: String,
    email: String,
    /// Hash of the address, so erasure (P11) finds the person's requests.
    #[schema(ignore)]
    #[serde(skip_serializing_if = "String::is_empty")]
    email_key: String,
    subject: String,
    message: String,
    status: SupportStatus,
    #[serde(with = "crate::domain::time::fixed")]
    #[schema(value_type = String, format = DateTime)]
    at: Timestamp,
    #[serde(with = "crate::domain::time::fixed_option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    closed_at: Option<Timestamp>,
}

impl From<support::SupportRequest> for SupportRequest {
    fn from(r: support::SupportRequest) -> Self {
        SupportRequest {
            id: r.id,
            kind: <support::SupportRequest as Record>::KIND,
            name: r.name,
            email: r.email,
            email_key: r.email_key,
            subject: r.subject,
            message: r.message,
            status: r.status.into(),
            at: r.at,
            closed_at: r.closed_at,
        }
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
    let store = state.stores.documents.as_ref();
    support::require_staff(store, &auth.user_id).await?;
    let (items, next) = support::list(
        store,
        p.status.map(Into::into),
        p.limit.unwrap_or(50).clamp(1, MAX_LIMIT),
        p.next,
    )
    .await?;
    Ok(Json(Paged {
        items: items.into_iter().map(Into::into).collect(),
        next,
    }))
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
    let store = state.stores.documents.as_ref();
    support::require_staff(store, &auth.user_id).await?;
    let updated = support::set_status(
        store,
        &id,
        req.status.into(),
        jiff::SignedDuration::from_hours(24 * state.config.support_retention_days),
    )
    .await?;
    Ok(Json(updated.into()))
}
