//! Support requests (P14): the anonymous contact form stores the request
//! and its contact data to handle it and follow-up questions; support staff
//! list and close them; closed requests are purged after the retention
//! period. All requests share one partition: the volume is small and the
//! staff list is then a single-partition query.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::email::EmailAddress;
use super::error::{DomainError, Validator};
use super::ids::RecordId;
use super::text::{Name, PERSON_NAME_MAX};
use crate::store::containers::SUPPORT;
use crate::store::{DocumentStore, NewDocument, Order, Query};

pub const PARTITION: &str = "requests";
const SUBJECT_MAX: usize = 200;
const MESSAGE_MAX: usize = 5000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SupportStatus {
    Open,
    Answered,
    Closed,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SupportRequest {
    pub id: String,
    #[schema(ignore)]
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    pub name: String,
    pub email: String,
    /// Hash of the address, so erasure (P11) finds the person's requests.
    #[schema(ignore)]
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email_key: String,
    pub subject: String,
    pub message: String,
    pub status: SupportStatus,
    #[serde(with = "crate::domain::time::fixed")]
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    #[serde(with = "crate::domain::time::fixed_option", default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<Timestamp>,
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
        kind: "supportRequest".into(),
        name: name.as_str().to_owned(),
        email: email.as_str().to_owned(),
        email_key: email.key(),
        subject,
        message,
        status: SupportStatus::Open,
        at: Timestamp::now(),
        closed_at: None,
    };
    store
        .create(
            SUPPORT,
            NewDocument::from_record(PARTITION, &request.id, &request)?,
        )
        .await?;
    Ok(request)
}

pub async fn list(
    store: &dyn DocumentStore,
    status: Option<SupportStatus>,
    limit: u32,
    next: Option<String>,
) -> Result<(Vec<SupportRequest>, Option<String>), DomainError> {
    let mut q = Query::new().eq("kind", "supportRequest");
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
    let doc = store
        .read(SUPPORT, PARTITION, id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let mut request: SupportRequest = doc.parse()?;
    request.status = status;
    request.closed_at = (status == SupportStatus::Closed).then(Timestamp::now);
    let mut next = NewDocument::from_record(PARTITION, id, &request)?;
    if status == SupportStatus::Closed {
        // Cosmos TTL removes it too; the purge job is the guarantee.
        next = next.with_ttl(
            u64::try_from(retention.as_secs())
                .unwrap_or(u64::MAX)
                .max(1),
        );
    }
    store.replace(SUPPORT, next, Some(&doc.etag)).await?;
    Ok(request)
}
