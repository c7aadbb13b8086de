//! Whom a notification may go to (P6): a mail about a booking is queued,
//! and later sent, only to a user who opted in to its kind. Kept apart from
//! the outbox, which stores mails and knows nothing of accounts.

use super::accounts::{self, NotificationKind};
use super::email::EmailAddress;
use super::error::DomainError;
use super::ids::{ProjectId, UserId};
use super::outbox;
use crate::store::DocumentStore;

/// The kind of notification a queued mail is, for the per-kind opt-in.
pub fn kind_of(template: &str, params: &serde_json::Value) -> Option<NotificationKind> {
    match template {
        "booking-status" => NotificationKind::of_booking_status(
            params.get("status").and_then(serde_json::Value::as_str)?,
        ),
        _ => None,
    }
}

/// Queue a booking mail for a user, only if they opted in to its kind (P6).
pub async fn enqueue_for_user(
    store: &dyn DocumentStore,
    user: &UserId,
    project: &ProjectId,
    template: &str,
    params: serde_json::Value,
) -> Result<bool, DomainError> {
    let Some((u, _)) = accounts::load_user(store, user).await? else {
        return Ok(false);
    };
    if !kind_of(template, &params).is_some_and(|k| u.wants(k)) {
        return Ok(false);
    }
    let Ok(to) = EmailAddress::parse(&u.email) else {
        return Ok(false);
    };
    outbox::enqueue(store, &to, Some(user), Some(project), template, params).await?;
    Ok(true)
}
