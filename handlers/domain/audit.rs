//! The audit trail (P10). Every mutating operation builds its entry here and
//! writes it in the same transactional batch as the change, in the same
//! partition, so a change never lands without its entry. Entries name the
//! fields that changed, never their values.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::error::DomainError;
use super::ids::{ProjectId, RecordId, UserId};
use crate::store::containers::PROJECTS;
use crate::store::{DocumentStore, NewDocument, Order, Query, StoreError};

pub const KIND: &str = "audit";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: String,
    /// Always `audit`.
    pub kind: String,
    #[serde(with = "crate::domain::time::fixed")]
    pub at: Timestamp,
    /// The acting user; a pseudonym after that user withdrew consent.
    pub actor_id: Option<String>,
    /// e.g. `user.updated`, `booking.approved`.
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub changed_fields: Vec<String>,
}

/// The entry for one change, as a document of the changed partition.
pub fn entry(
    partition: &str,
    actor: Option<&UserId>,
    action: &str,
    target_type: &str,
    target_id: &str,
    changed_fields: &[&str],
) -> Result<NewDocument, StoreError> {
    let id = format!("audit-{}", RecordId::generate());
    let e = AuditEntry {
        id: id.clone(),
        kind: KIND.to_owned(),
        at: Timestamp::now(),
        actor_id: actor.map(UserId::as_string),
        action: action.to_owned(),
        target_type: target_type.to_owned(),
        target_id: target_id.to_owned(),
        changed_fields: changed_fields.iter().map(|f| (*f).to_owned()).collect(),
    };
    NewDocument::from_record(partition, id, &e)
}

/// Which entries of a project's log to list.
pub struct AuditFilter {
    /// Only entries by this user id.
    pub actor: Option<String>,
    /// Only this action, e.g. `booking.approved`.
    pub action: Option<String>,
}

/// One page of a project's log, newest first (P10).
pub async fn list(
    store: &dyn DocumentStore,
    project: &ProjectId,
    filter: AuditFilter,
    limit: u32,
    next: Option<String>,
) -> Result<(Vec<AuditEntry>, Option<String>), DomainError> {
    let mut q = Query::new().eq("kind", KIND);
    if let Some(actor) = filter.actor {
        q = q.eq("actorId", actor);
    }
    if let Some(action) = filter.action {
        q = q.eq("action", action);
    }
    let q = q
        .order_by("at", Order::Desc)
        .limit(limit)
        .continuation(next);
    let page = store.query(PROJECTS, &project.as_string(), q).await?;
    let entries = page
        .items
        .iter()
        .map(|d| d.parse())
        .collect::<Result<_, _>>()?;
    Ok((entries, page.continuation))
}
