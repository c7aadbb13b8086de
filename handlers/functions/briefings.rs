//! `send-briefings`: the timer function that queues the daily briefing of
//! every project whose 16:00 has passed, once per project and day (see
//! `domain::briefing`); `deliver-notifications` sends the mails.

use super::envelope::{InvocationRequest, InvocationResponse};
use crate::domain::briefing;
use crate::http::problem::ApiError;
use crate::state::AppState;

pub const NAME: &str = "send-briefings";

pub async fn run(state: AppState, _req: InvocationRequest) -> Result<InvocationResponse, ApiError> {
    let report =
        briefing::send_due(state.stores.documents.as_ref(), jiff::Timestamp::now()).await?;
    tracing::info!(?report, "send-briefings finished");
    let value = serde_json::to_value(&report).map_err(ApiError::internal)?;
    Ok(InvocationResponse::new(
        vec![format!("briefings: {value}")],
        value,
    ))
}
