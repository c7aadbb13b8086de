//! Retention (P9, P12, P14, and the README's table): what the
//! `purge-expired` job removes, category by category. Each category works
//! in bounded batches, so a large backlog finishes over several runs, and
//! removing what is already gone is not an error, so runs are idempotent.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::erasure;
use super::error::DomainError;
use super::files;
use super::indexer;
use super::invitations;
use super::sessions;
use super::support;
use super::time;
use crate::store::containers::PROJECTS;
use crate::store::{BlobStore, Container, DocumentStore, Query, StoreError};

#[derive(Debug, Clone, Copy)]
pub struct RetentionPolicy {
    pub login_records: SignedDuration,
    pub closed_support_requests: SignedDuration,
    pub orphan_blob_grace: SignedDuration,
    /// Files still without an index entry after this are indexed again.
    pub pending_index_retry: SignedDuration,
    /// Items per category and run.
    pub batch: u32,
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PurgeReport {
    pub expired_documents: u64,
    pub invitations: u64,
    pub refresh_tokens: u64,
    pub login_records: u64,
    pub support_requests: u64,
    pub orphan_blobs: u64,
    pub erasures_completed: u64,
    /// Pending files the sweep indexed (their blob event was lost).
    pub reindexed_files: u64,
}

/// Delete what an owner's query finds, across partitions.
async fn delete_matching(
    store: &dyn DocumentStore,
    (c, q): (Container, Query),
) -> Result<u64, StoreError> {
    let page = store.query_all_partitions(c, q).await?;
    let mut n = 0;
    for d in page.items {
        match store.delete(c, &d.partition_key, &d.id, None).await {
            Ok(()) => n += 1,
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Blobs that no document points at: an upload that died between blob and
/// metadata, or a project whose deletion was interrupted. `is_referenced`
/// answers for a blob name.
async fn orphan_blobs(
    store: &dyn DocumentStore,
    blobs: &dyn BlobStore,
    grace: SignedDuration,
    batch: u32,
) -> Result<u64, StoreError> {
    let cutoff = Timestamp::now() - grace;
    let mut n = 0;
    for blob in blobs.list("projects/").await? {
        if n >= u64::from(batch) || blob.last_modified > cutoff {
            continue;
        }
        if !is_referenced(store, blob.name.as_str()).await? {
            blobs.delete(&blob.name).await?;
            n += 1;
        }
    }
    Ok(n)
}

/// A file blob is referenced while its metadata document exists.
async fn is_referenced(store: &dyn DocumentStore, name: &str) -> Result<bool, StoreError> {
    let Some((project, file)) = files::parse_blob_path(name) else {
        return Ok(false);
    };
    Ok(store
        .read(PROJECTS, &project.as_string(), &files::file_doc_id(&file))
        .await?
        .is_some())
}

pub async fn purge(
    store: &dyn DocumentStore,
    blobs: &dyn BlobStore,
    policy: &RetentionPolicy,
) -> Result<PurgeReport, DomainError> {
    let now = Timestamp::now();
    let ts = |t: Timestamp| time::format(&t);
    let b = policy.batch;
    let report = PurgeReport {
        expired_documents: store.remove_expired().await?,
        invitations: invitations::purge_expired(store, &ts(now), b).await?,
        refresh_tokens: delete_matching(store, sessions::expired_refresh_tokens(&ts(now), b))
            .await?,
        login_records: delete_matching(
            store,
            sessions::old_login_records(&ts(now - policy.login_records), b),
        )
        .await?,
        support_requests: delete_matching(
            store,
            support::closed_before(&ts(now - policy.closed_support_requests), b),
        )
        .await?,
        orphan_blobs: orphan_blobs(store, blobs, policy.orphan_blob_grace, b).await?,
        erasures_completed: erasure::finish_pending(store, b).await?,
        reindexed_files: indexer::retry_stale(
            store,
            blobs,
            policy.pending_index_retry,
            policy.orphan_blob_grace,
            b,
        )
        .await?,
    };
    store.compact().await?;
    Ok(report)
}
