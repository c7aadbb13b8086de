//! `deliver-notifications`: the timer function that sends queued mails to
//! users who opted in (P6), see `domain::notifications`.

use lettre::message::Mailbox;

use super::envelope::{InvocationRequest, InvocationResponse};
use crate::domain::notifications::{self, MailContext};
use crate::http::problem::ApiError;
use crate::state::AppState;

pub const NAME: &str = "deliver-notifications";

pub async fn run(state: AppState, _req: InvocationRequest) -> Result<InvocationResponse, ApiError> {
    let from: Mailbox = state.config.mail_from.parse().map_err(ApiError::internal)?;
    let ctx = MailContext {
        from: &from,
        app_url: &state.config.app_url,
        invitation_links: &state.invitation_links,
        pass_key: &state.pass_key,
    };
    let report = notifications::deliver(
        state.stores.documents.as_ref(),
        state.mailer.as_ref(),
        &ctx,
        100,
    )
    .await?;
    tracing::info!(?report, "deliver-notifications finished");
    let value = serde_json::to_value(&report).map_err(ApiError::internal)?;
    Ok(InvocationResponse::new(
        vec![format!("delivered: {value}")],
        value,
    ))
}
