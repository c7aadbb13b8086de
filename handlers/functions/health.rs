//! `GET /api/health`: the handler is up and both stores answer.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::problem::ApiError;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    status: &'static str,
    version: &'static str,
}

/// Liveness and store reachability.
#[utoipa::path(
    get,
    path = "/api/health",
    operation_id = "health",
    tag = "system",
    responses(
        (status = 200, description = "Up, stores reachable", body = Health),
        (status = 503, description = "A store does not answer", body = crate::http::problem::Problem, content_type = "application/problem+json")
    )
)]
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    let (docs, blobs) = tokio::join!(state.stores.documents.ping(), state.stores.blobs.ping());
    docs.and(blobs)
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    Ok(Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    }))
}
