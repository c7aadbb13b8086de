//! `purge-expired`: the timer function that removes data past its retention
//! (see `domain::retention`). Idempotent: a second run right after the
//! first finds nothing to remove.

use jiff::SignedDuration;

use super::envelope::{InvocationRequest, InvocationResponse};
use crate::domain::retention::{self, RetentionPolicy};
use crate::http::problem::ApiError;
use crate::state::AppState;

pub const NAME: &str = "purge-expired";

pub async fn run(state: AppState, req: InvocationRequest) -> Result<InvocationResponse, ApiError> {
    let past_due = req.timer("timer").is_some_and(|t| t.is_past_due);
    let c = &state.config;
    let policy = RetentionPolicy {
        login_records: SignedDuration::from_hours(24 * c.login_retention_days),
        closed_support_requests: SignedDuration::from_hours(24 * c.support_retention_days),
        orphan_blob_grace: SignedDuration::from_hours(c.orphan_blob_grace_hours),
        pending_index_retry: SignedDuration::from_mins(c.pending_index_retry_minutes),
        batch: 500,
    };
    let report = retention::purge(
        state.stores.documents.as_ref(),
        state.stores.blobs.as_ref(),
        &policy,
    )
    .await?;
    // Kept copies of delivered mail (the local `.eml` folder).
    let mails = state
        .mailer
        .purge_older_than(std::time::Duration::from_secs(
            3600 * c.mail_retention_hours.unsigned_abs(),
        ))
        .await
        .map_err(ApiError::internal)?;
    tracing::info!(?report, mails, past_due, "purge-expired finished");
    let mut value = serde_json::to_value(&report).map_err(ApiError::internal)?;
    value["mails"] = mails.into();
    Ok(InvocationResponse::new(
        vec![format!("purged: {value}")],
        value,
    ))
}
