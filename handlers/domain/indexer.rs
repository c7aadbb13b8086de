//! Indexing one uploaded file, the workflow that the `index-document` blob
//! trigger and the `purge-expired` sweep share: read the blob as a stream,
//! analyze it, write the index entry (see `files::record_index`).
//!
//! The upload commits the blob before its metadata, so a blob event can
//! arrive while the metadata is still being written. Such a blob is young:
//! the run answers `NotYetRecorded`, the trigger fails, and the host
//! delivers the event again. The same goes for a site plan's revision,
//! whose new bytes arrive while the metadata still describes the old ones. A blob without metadata older than the orphan
//! grace is a dead upload that the purge removes.

use jiff::{SignedDuration, Timestamp};

use super::error::DomainError;
use super::files::{self, IndexStatus};
use super::ids::{FileId, ProjectId};
use super::indexing;
use crate::store::{BlobStore, DocumentStore, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexRun {
    /// The index entry is written with this status.
    Done(IndexStatus),
    /// Neither file nor blob remains, or the blob is an old orphan.
    Gone,
    /// The blob exists but its metadata does not yet, or does not describe
    /// these bytes yet: retry later.
    NotYetRecorded,
}

pub async fn index_file(
    store: &dyn DocumentStore,
    blobs: &dyn BlobStore,
    project: &ProjectId,
    file_id: &FileId,
    orphan_grace: SignedDuration,
) -> Result<IndexRun, DomainError> {
    let blob = files::blob_name(project, file_id)?;
    let Some(file) = files::load(store, project, file_id).await? else {
        let young = blobs
            .properties(&blob)
            .await?
            .is_some_and(|p| p.last_modified > Timestamp::now() - orphan_grace);
        return Ok(if young {
            IndexRun::NotYetRecorded
        } else {
            IndexRun::Gone
        });
    };
    let download = match blobs.get(&blob, None).await {
        Ok(d) => d,
        Err(StoreError::NotFound) => return Ok(IndexRun::Gone),
        Err(e) => return Err(e.into()),
    };
    let analysis = indexing::analyze(download.body, file.name.as_str())
        .await
        .map_err(|e| StoreError::Unavailable(format!("reading the blob failed: {e}")))?;
    // A site plan's revision puts its new bytes before it records them: an
    // index of bytes the metadata does not describe yet would be dropped by
    // that record.
    if analysis.sha256 != file.sha256 {
        return Ok(IndexRun::NotYetRecorded);
    }
    Ok(
        match files::record_index(store, project, file_id, analysis).await? {
            Some(entry) => IndexRun::Done(entry.status),
            None => IndexRun::Gone,
        },
    )
}

/// Index again the files still pending after `bound`: their blob event was
/// lost, or every delivery failed. Returns how many got an index entry.
pub async fn retry_stale(
    store: &dyn DocumentStore,
    blobs: &dyn BlobStore,
    bound: SignedDuration,
    orphan_grace: SignedDuration,
    limit: u32,
) -> Result<u64, DomainError> {
    let mut indexed = 0;
    for (project, file) in files::stale_pending(store, Timestamp::now() - bound, limit).await? {
        match index_file(store, blobs, &project, &file, orphan_grace).await? {
            IndexRun::Done(_) => indexed += 1,
            IndexRun::Gone | IndexRun::NotYetRecorded => {
                files::forget_pending(store, &project, &file).await?;
            }
        }
    }
    Ok(indexed)
}
