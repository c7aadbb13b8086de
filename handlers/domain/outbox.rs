//! The notification outbox: mails waiting for the `deliver-notifications`
//! timer. Items name users by id, not by name, so personal data is read at
//! send time and an erased user's details are never copied here. One
//! partition per recipient address (its hash), so erasure finds them.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::email::EmailAddress;
use super::ids::{ProjectId, RecordId, UserId};
use crate::store::containers::OUTBOX;
use crate::store::{DocumentStore, NewDocument, Query, StoreError, query_all};

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

pub fn partition(to: &EmailAddress) -> String {
    format!("mail-{}", to.key())
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
        kind: "mail".into(),
        id: id.clone(),
        recipient_user_id: recipient.cloned(),
        project_id: project.cloned(),
        to: to.as_str().to_owned(),
        template: template.to_owned(),
        params,
        status: "pending".into(),
        at: Timestamp::now(),
    };
    store
        .create(OUTBOX, NewDocument::from_record(partition(to), &id, &item)?)
        .await?;
    Ok(id)
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
    for d in query_all(store, OUTBOX, &pk, Query::new().eq("kind", "mail")).await? {
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
