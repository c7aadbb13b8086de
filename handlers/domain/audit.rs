//! The audit trail (P10). Every mutating operation builds its entry here and
//! writes it in the same transactional batch as the change, in the same
//! partition, so a change never lands without its entry. Entries name the
//! fields that changed, never their values.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ids::{RecordId, UserId};
use crate::store::{NewDocument, StoreError};

pub const KIND: &str = "audit";

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: String,
    /// Always `audit`.
    pub kind: String,
    #[serde(with = "crate::domain::time::fixed")]
    #[schema(value_type = String, format = DateTime)]
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
