//! Support requests (P14): the anonymous contact form stores the request
//! and its contact data to handle it and follow-up questions; support staff
//! list and close them; closed requests are purged after the retention
//! period. All requests share one partition: the volume is small and the
//! staff list is then a single-partition query.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::accounts::{self, SUPPORT_ROLE};
use super::email::EmailAddress;
use super::error::{DomainError, Validator};
use super::ids::{RecordId, UserId};
use super::record::{self, Record};
use super::text::{Name, PERSON_NAME_MAX};
use crate::store::containers::SUPPORT;
use crate::store::{Container, Document, DocumentStore, Order, Query, StoreError};

pub const PARTITION: &str = "requests";
const SUBJECT_MAX: usize = 200;
const MESSAGE_MAX: usize = 5000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SupportStatus {
    Open,
    Answered,
    Closed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SupportRequest {
    pub id: String,
    pub name: String,
    pub email: String,
    /// Hash of the address, so erasure (P11) finds the person's requests.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email_key: String,
    pub subject: String,
    pub message: String,
    pub status: SupportStatus,
    #[serde(with = "crate::domain::time::fixed")]
    pub at: Timestamp,
    #[serde(with = "crate::domain::time::fixed_option", default)]
    pub closed_at: Option<Timestamp>,
}

impl Record for SupportRequest {
    const CONTAINER: Container = SUPPORT;
    const KIND: &'static str = "supportRequest";
    /// All requests share one partition.
    type Owner = ();
    fn partition_key(_: &()) -> String {
        PARTITION.into()
    }
    fn id(&self) -> String {
        self.id.clone()
    }
}

pub struct ContactForm<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub subject: &'a str,
    pub message: &'a str,
}

fn bounded_text(v: &mut Validator, field: &str, raw: &str, max: usize) -> Option<String> {
    let t = raw.trim();
    if t.is_empty() {
        v.fail(field, "is required");
        None
    } else if t.chars().count() > max {
        v.fail(field, format!("is longer than {max} characters"));
        None
    } else {
        Some(t.to_owned())
    }
}

pub async fn submit(
    store: &dyn DocumentStore,
    form: ContactForm<'_>,
) -> Result<SupportRequest, DomainError> {
    let mut v = Validator::default();
    let name = v.check("name", Name::parse(form.name, PERSON_NAME_MAX));
    let email = v.check("email", EmailAddress::parse(form.email));
    let subject = bounded_text(&mut v, "subject", form.subject, SUBJECT_MAX);
    let message = bounded_text(&mut v, "message", form.message, MESSAGE_MAX);
    v.finish()?;
    let (Some(name), Some(email), Some(subject), Some(message)) = (name, email, subject, message)
    else {
        return Err(DomainError::Validation(Vec::new()));
    };
    let request = SupportRequest {
        id: format!("support-{}", RecordId::generate()),
        name: name.as_str().to_owned(),
        email: email.as_str().to_owned(),
        email_key: email.key(),
        subject,
        message,
        status: SupportStatus::Open,
        at: Timestamp::now(),
        closed_at: None,
    };
    store.create(SUPPORT, request.document(&())?).await?;
    Ok(request)
}

pub async fn list(
    store: &dyn DocumentStore,
    status: Option<SupportStatus>,
    limit: u32,
    next: Option<String>,
) -> Result<(Vec<SupportRequest>, Option<String>), DomainError> {
    let mut q = SupportRequest::of_kind();
    if let Some(s) = status {
        q = q.eq(
            "status",
            serde_json::to_value(s).map_err(crate::store::StoreError::internal)?,
        );
    }
    let page = store
        .query(
            SUPPORT,
            PARTITION,
            q.order_by("at", Order::Desc)
                .limit(limit)
                .continuation(next),
        )
        .await?;
    let items = page
        .items
        .iter()
        .map(|d| d.parse())
        .collect::<Result<_, _>>()?;
    Ok((items, page.continuation))
}

/// Mark a request answered or closed; closing starts its retention clock.
pub async fn set_status(
    store: &dyn DocumentStore,
    id: &str,
    status: SupportStatus,
    retention: jiff::SignedDuration,
) -> Result<SupportRequest, DomainError> {
    let (mut request, etag) = record::load::<SupportRequest>(store, &(), id)
        .await?
        .ok_or(DomainError::NotFound)?;
    request.status = status;
    request.closed_at = (status == SupportStatus::Closed).then(Timestamp::now);
    let mut next = request.document(&())?;
    if status == SupportStatus::Closed {
        // Cosmos TTL removes it too; the purge job is the guarantee.
        next = next.with_ttl(
            u64::try_from(retention.as_secs())
                .unwrap_or(u64::MAX)
                .max(1),
        );
    }
    store.replace(SUPPORT, next, Some(&etag)).await?;
    Ok(request)
}

/// Only support staff list and answer requests.
pub async fn require_staff(store: &dyn DocumentStore, user: &UserId) -> Result<(), DomainError> {
    let (user, _) = accounts::require_user(store, user).await?;
    if user.platform_roles.iter().any(|r| r == SUPPORT_ROLE) {
        Ok(())
    } else {
        Err(DomainError::Forbidden("support staff only"))
    }
}

/// The requests sent from an address, by its key, as stored.
pub async fn requests_of(
    store: &dyn DocumentStore,
    email_key: &str,
) -> Result<Vec<Document>, StoreError> {
    crate::store::query_all(
        store,
        SUPPORT,
        PARTITION,
        SupportRequest::of_kind().eq("emailKey", email_key),
    )
    .await
}

/// Forget every request sent from an address (P11).
pub async fn erase_requests_of(
    store: &dyn DocumentStore,
    email_key: &str,
) -> Result<(), StoreError> {
    for d in requests_of(store, email_key).await? {
        match store.delete(SUPPORT, PARTITION, &d.id, None).await {
            Ok(()) | Err(StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Closed requests past their retention, for the purge job (P14).
pub fn closed_before(before: &str, batch: u32) -> (Container, Query) {
    (
        SupportRequest::CONTAINER,
        SupportRequest::of_kind()
            .eq("status", "closed")
            .lt("closedAt", before)
            .limit(batch),
    )
}
