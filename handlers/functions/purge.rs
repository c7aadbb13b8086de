//! `purge-expired`: the timer function that removes data past its retention.
//! Idempotent: a second run right after the first finds nothing to remove.

use serde_json::json;

use super::envelope::{InvocationRequest, InvocationResponse};
use crate::http::problem::ApiError;
use crate::state::AppState;

pub const NAME: &str = "purge-expired";

pub async fn run(state: AppState, req: InvocationRequest) -> Result<InvocationResponse, ApiError> {
    let past_due = req.timer("timer").is_some_and(|t| t.is_past_due);
    let expired = state.stores.documents.remove_expired().await?;
    tracing::info!(expired, past_due, "purge-expired finished");
    Ok(InvocationResponse::new(
        vec![format!("removed {expired} expired documents")],
        json!({ "expiredDocuments": expired }),
    ))
}
