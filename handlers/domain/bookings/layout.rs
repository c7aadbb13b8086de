//! The bookings' document layout, owned here alone. A project's partition
//! holds, per booking, the booking document (`booking-<id>`) and one slot
//! record per resource (`slot-<booking>-<resource>`). A slot record carries
//! `slotKey = "<resourceId>|<fixed-width start>"`, an indexed field, so
//! what occupies a resource is one index range scan (O(log n + k)).
//! Claiming time writes the slot records in the batch that bumps each
//! resource's schedule version with If-Match (`resources`); releasing
//! deletes the slot records. Everything else in `bookings` asks this module.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::model::Booking;
use super::rules::{Occupied, Secs};
use crate::domain::audit;
use crate::domain::error::DomainError;
use crate::domain::ids::{BookingId, ProjectId, ResourceId, UserId};
use crate::domain::record::{self, Record};
use crate::domain::time;
use crate::store::containers::PROJECTS;
use crate::store::{BatchOp, DocumentStore, ETag, NewDocument, Order, Query, StoreError};

pub const KIND: &str = "booking";

impl Record for Booking {
    const CONTAINER: crate::store::Container = PROJECTS;
    const KIND: &'static str = KIND;
    type Owner = ProjectId;

    fn partition_key(project: &ProjectId) -> String {
        project.as_string()
    }

    fn id(&self) -> String {
        doc_id(&self.booking_id)
    }
}

/// One resource's share of a booking: what the conflict check reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Slot {
    slot_key: String,
    booking_id: BookingId,
    resource_id: ResourceId,
    #[serde(with = "crate::domain::time::fixed")]
    slot_start: Timestamp,
    #[serde(with = "crate::domain::time::fixed")]
    slot_end: Timestamp,
}

impl Record for Slot {
    const CONTAINER: crate::store::Container = PROJECTS;
    const KIND: &'static str = "slot";
    type Owner = ProjectId;

    fn partition_key(project: &ProjectId) -> String {
        project.as_string()
    }

    fn id(&self) -> String {
        slot_id(&self.booking_id, &self.resource_id)
    }
}

pub fn doc_id(id: &BookingId) -> String {
    format!("booking-{id}")
}

fn slot_id(booking: &BookingId, resource: &ResourceId) -> String {
    format!("slot-{booking}-{resource}")
}

fn slot_key(resource: &ResourceId, at: Secs) -> Result<String, StoreError> {
    let ts = Timestamp::from_second(at).map_err(StoreError::internal)?;
    Ok(format!("{resource}|{}", time::format(&ts)))
}

/// The bookings holding time on `resource` that start in `[from, to)`.
pub(crate) async fn occupied(
    store: &dyn DocumentStore,
    project: &ProjectId,
    resource: &ResourceId,
    from: Secs,
    to: Secs,
) -> Result<Vec<Occupied>, StoreError> {
    // Beyond every TimeSlot (years 2000 to 2199): 2200-01-01T00:00:00Z.
    let clamp = |t: Secs| t.clamp(0, 7_258_118_400);
    let pk = Slot::partition_key(project);
    let mut out = Vec::new();
    let mut next = None;
    loop {
        let page = store
            .query(
                PROJECTS,
                &pk,
                Query::new()
                    .ge("slotKey", slot_key(resource, clamp(from))?)
                    .lt("slotKey", slot_key(resource, clamp(to))?)
                    // Ordered like the index, so the store walks just the range.
                    .order_by("slotKey", Order::Asc)
                    .limit(1000)
                    .continuation(next),
            )
            .await?;
        for d in &page.items {
            let s: Slot = d.parse()?;
            out.push(Occupied {
                booking_id: s.booking_id.as_string(),
                start: s.slot_start.as_second(),
                end: s.slot_end.as_second(),
            });
        }
        match page.continuation {
            Some(t) => next = Some(t),
            None => return Ok(out),
        }
    }
}

/// The slot records that claim `bookings`' time, one per booking and
/// resource. They go in the batch that bumps the resources' schedule
/// versions (`resources::claim_ops`); the booking documents are the caller's.
pub(super) fn slot_ops(
    project: &ProjectId,
    bookings: &[&Booking],
) -> Result<Vec<BatchOp>, StoreError> {
    let mut ops = Vec::new();
    for b in bookings {
        for rid in &b.resource_ids {
            ops.push(BatchOp::Create(slot_doc(project, b, rid)?));
        }
    }
    Ok(ops)
}

fn slot_doc(project: &ProjectId, b: &Booking, rid: &ResourceId) -> Result<NewDocument, StoreError> {
    Slot {
        slot_key: slot_key(rid, b.start.as_second())?,
        booking_id: b.booking_id.clone(),
        resource_id: rid.clone(),
        slot_start: b.start,
        slot_end: b.end,
    }
    .document(project)
}

/// The batch operations that free a booking's time.
pub(super) fn release_ops(b: &Booking) -> Vec<BatchOp> {
    b.resource_ids
        .iter()
        .map(|rid| BatchOp::Delete {
            id: slot_id(&b.booking_id, rid),
            if_match: None,
        })
        .collect()
}

/// The documents of a new booking and its slots, as `create` writes them
/// (also used to seed the benchmark).
pub fn booking_docs(project: &ProjectId, b: &Booking) -> Result<Vec<NewDocument>, StoreError> {
    let mut docs = vec![b.document(project)?];
    for rid in &b.resource_ids {
        docs.push(slot_doc(project, b, rid)?);
    }
    Ok(docs)
}

/// The audit entry of a change, written in the change's batch.
pub(super) fn audit_op(
    project: &ProjectId,
    actor: &UserId,
    action: &str,
    target_type: &str,
    target_id: &str,
    changed: &[&str],
) -> Result<BatchOp, StoreError> {
    Ok(BatchOp::Create(audit::entry(
        &Booking::partition_key(project),
        Some(actor),
        action,
        target_type,
        target_id,
        changed,
    )?))
}

/// Write a batch of the project's partition, all or nothing.
pub(super) async fn commit(
    store: &dyn DocumentStore,
    project: &ProjectId,
    ops: Vec<BatchOp>,
) -> Result<Vec<Option<ETag>>, StoreError> {
    store
        .batch(PROJECTS, &Booking::partition_key(project), ops)
        .await
}

pub async fn load(
    store: &dyn DocumentStore,
    project: &ProjectId,
    id: &BookingId,
) -> Result<Option<(Booking, ETag)>, DomainError> {
    Ok(record::load(store, project, &doc_id(id)).await?)
}

pub(super) async fn require(
    store: &dyn DocumentStore,
    project: &ProjectId,
    id: &BookingId,
) -> Result<(Booking, ETag), DomainError> {
    load(store, project, id).await?.ok_or(DomainError::NotFound)
}

/// What a page of the booking list asks the store for.
pub(super) struct PageQuery<'a> {
    pub from: Option<&'a Timestamp>,
    pub to: Option<&'a Timestamp>,
    pub status: Option<&'static str>,
    pub limit: u32,
    pub next: Option<String>,
}

/// Bookings by start time: one single-partition range query on the indexed
/// `start`, with paging (other documents of the range are skipped).
pub(super) async fn page(
    store: &dyn DocumentStore,
    project: &ProjectId,
    q: PageQuery<'_>,
) -> Result<(Vec<Booking>, Option<String>), StoreError> {
    let mut query = Query::new().order_by("start", Order::Asc);
    if let Some(from) = q.from {
        query = query.ge("start", time::format(from));
    }
    if let Some(to) = q.to {
        query = query.lt("start", time::format(to));
    }
    if let Some(s) = q.status {
        query = query.eq("status", s);
    }
    // As stored text: each booking is parsed once, straight into its type.
    let page = store
        .query_raw(
            PROJECTS,
            &Booking::partition_key(project),
            query.limit(q.limit).continuation(q.next),
        )
        .await?;
    let mut items = Vec::with_capacity(page.items.len());
    for d in &page.items {
        if d.is_kind(Booking::KIND)? {
            items.push(d.parse()?);
        }
    }
    Ok((items, page.continuation))
}
