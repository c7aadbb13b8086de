//! The notification outbox: mails waiting for the `deliver-notifications`
//! timer. Items name users by id, not by name, so personal data is read at
//! send time and an erased user's details are never copied here. One
//! partition per recipient address (its hash), so erasure finds them.
//! This module owns the outbox's document layout.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::email::EmailAddress;
use super::ids::{ProjectId, RecordId, UserId};
use super::record::Record;
use crate::store::containers::OUTBOX;
use crate::store::{
    Container, Document, DocumentStore, NewDocument, Order, Page, Query, StoreError, query_all,
};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxItem {
    pub kind: String,
    pub id: String,
    /// Recipient account, when the recipient has one.
    pub recipient_user_id: Option<UserId>,
    /// The project the mail is about, so deleting the project drops it.
    pub project_id: Option<ProjectId>,
    pub to: String,
    /// Which mail: `invitation`, `booking-status`, ...
    pub template: String,
    /// Ids and values the template needs; no personal data.
    pub params: serde_json::Value,
    pub status: String,
    #[serde(with = "crate::domain::time::fixed")]
    pub at: Timestamp,
}

impl Record for OutboxItem {
    const CONTAINER: Container = OUTBOX;
    const KIND: &'static str = "mail";
    /// The recipient's address.
    type Owner = EmailAddress;

    fn partition_key(to: &EmailAddress) -> String {
        format!("mail-{}", to.key())
    }

    fn id(&self) -> String {
        self.id.clone()
    }
}

pub fn partition(to: &EmailAddress) -> String {
    OutboxItem::partition_key(to)
}

/// The oldest `limit` mails waiting, across recipients (for the delivery
/// job only).
pub async fn pending(store: &dyn DocumentStore, limit: u32) -> Result<Page, StoreError> {
    store
        .query_all_partitions(
            OUTBOX,
            OutboxItem::of_kind()
                .eq("status", "pending")
                .order_by("at", Order::Asc)
                .limit(limit),
        )
        .await
}

/// Queue a mail. `transactional` mails (invitations, addressed to people
/// without an account yet) are the only ones sent without an opt-in.
pub async fn enqueue(
    store: &dyn DocumentStore,
    to: &EmailAddress,
    recipient: Option<&UserId>,
    project: Option<&ProjectId>,
    template: &str,
    params: serde_json::Value,
) -> Result<String, StoreError> {
    let id = format!("mail-{}", RecordId::generate());
    let item = OutboxItem {
        kind: OutboxItem::KIND.into(),
        id: id.clone(),
        recipient_user_id: recipient.cloned(),
        project_id: project.cloned(),
        to: to.as_str().to_owned(),
        template: template.to_owned(),
        params,
        status: "pending".into(),
        at: Timestamp::now(),
    };
    store.create(OUTBOX, item.document(to)?).await?;
    Ok(id)
}

/// Queue a mail under a fixed `id`, so queuing it again while it waits is
/// refused with `Conflict` instead of sending it twice.
pub async fn enqueue_with_id(
    store: &dyn DocumentStore,
    id: &str,
    to: &EmailAddress,
    recipient: Option<&UserId>,
    project: Option<&ProjectId>,
    template: &str,
    params: serde_json::Value,
) -> Result<(), StoreError> {
    let item = OutboxItem {
        kind: OutboxItem::KIND.into(),
        id: id.to_owned(),
        recipient_user_id: recipient.cloned(),
        project_id: project.cloned(),
        to: to.as_str().to_owned(),
        template: template.to_owned(),
        params,
        status: "pending".into(),
        at: Timestamp::now(),
    };
    store.create(OUTBOX, item.document(to)?).await.map(|_| ())
}

/// Drop the queued mail of an invitation, if it has not gone out yet: a
/// withdrawn invitation's link would only answer 410. One recipient's
/// partition holds few mails, so they are filtered here.
pub async fn drop_invitation_mail(
    store: &dyn DocumentStore,
    to: &EmailAddress,
    invitation_id: &str,
) -> Result<(), StoreError> {
    let pk = partition(to);
    for d in query_all(store, OUTBOX, &pk, OutboxItem::of_kind()).await? {
        let item: OutboxItem = d.parse()?;
        if item.template == "invitation"
            && item.params.get("invitationId").and_then(|v| v.as_str()) == Some(invitation_id)
        {
            match store.delete(OUTBOX, &pk, &d.id, None).await {
                Ok(()) | Err(StoreError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// Drop every queued mail about a project. The outbox holds only pending
/// mails, so this cross-partition query stays small.
pub async fn drop_for_project(
    store: &dyn DocumentStore,
    project: &ProjectId,
) -> Result<(), StoreError> {
    loop {
        let page = store
            .query_all_partitions(
                OUTBOX,
                Query::new().eq("projectId", project.as_string()).limit(100),
            )
            .await?;
        if page.items.is_empty() {
            return Ok(());
        }
        for d in page.items {
            match store.delete(OUTBOX, &d.partition_key, &d.id, None).await {
                Ok(()) | Err(StoreError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// Take a mail out of the outbox (sent, or given up); gone already is fine.
pub async fn remove(store: &dyn DocumentStore, doc: &Document) -> Result<(), StoreError> {
    match store
        .delete(OUTBOX, &doc.partition_key, &doc.id, None)
        .await
    {
        Ok(()) | Err(StoreError::NotFound) => Ok(()),
        Err(e) => Err(e),
    }
}

/// How many times sending a queued mail has failed.
pub fn attempts(doc: &Document) -> u64 {
    doc.body
        .get("attempts")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0)
}

/// Remember a failed attempt. A mail removed or changed meanwhile is left
/// as it is.
pub async fn record_attempts(
    store: &dyn DocumentStore,
    doc: &Document,
    attempts: u64,
) -> Result<(), StoreError> {
    let mut body = doc.body.clone();
    body["attempts"] = serde_json::Value::from(attempts);
    let retry = NewDocument::new(&doc.partition_key, &doc.id, body);
    match store.replace(OUTBOX, retry, Some(&doc.etag)).await {
        Ok(_) | Err(StoreError::NotFound | StoreError::PreconditionFailed) => Ok(()),
        Err(e) => Err(e),
    }
}
