//! The file workflows a request drives (P7, P8): an upload, a site plan's
//! revision, reading a file's bytes, and who may put files up and take
//! them down.
//!
//! An upload streams its bytes into the blob store while counting, hashing
//! and keeping the first bytes (nothing else of it stays in memory), sniffs
//! the media type from those bytes, checks a site plan's image, and records
//! the metadata; when any step fails, the blob goes again. A revision
//! streams into a staging blob and puts it under the plan's name only once
//! it is a valid image, so a refused revision leaves the plan as it was.
//!
//! The wire format stays with the handler: it reads the parts of its form
//! and hands each over as it comes, so a refused part stops the upload
//! before the file's bytes when it comes first.

use bytes::Bytes;
use futures::{SinkExt, Stream, StreamExt};
use sha2::{Digest, Sha256};

use super::actor::Actor;
use super::error::DomainError;
use super::files::{self, Category, FileName, FileRecord, NewFile, Revision};
use super::ids::{FileId, ProjectId};
use super::indexing;
use super::roles::Action;
use super::site;
use crate::store::blob::{BlobDownload, ByteRange};
use crate::store::{BlobName, BlobStore, ByteStream, DocumentStore, StoreError};

/// Bytes of an upload kept to sniff its media type and read an image's
/// dimensions.
const SNIFF_BYTES: usize = indexing::HEAD_BYTES;
/// Chunks in flight between the request and the blob store.
const PIPE_DEPTH: usize = 8;

/// Only owners and managers put up site plans.
pub fn require_plan_rights(actor: &Actor, category: Category) -> Result<(), DomainError> {
    if category == Category::SitePlan && !actor.may(Action::ManageResources) {
        return Err(DomainError::Forbidden(
            "only owners and managers may upload site plans",
        ));
    }
    Ok(())
}

/// Only owners and managers upload restricted files.
pub fn require_restricted_rights(actor: &Actor, restricted: bool) -> Result<(), DomainError> {
    if restricted && !actor.may(Action::ViewRestrictedFiles) {
        return Err(DomainError::Forbidden(
            "only owners and managers may upload restricted files",
        ));
    }
    Ok(())
}

/// The uploader, managers and owners may delete a file.
pub fn require_delete_rights(actor: &Actor, file: &FileRecord) -> Result<(), DomainError> {
    if file.uploaded_by != actor.user_id && !actor.may(Action::DeleteAnyFile) {
        return Err(DomainError::Forbidden(
            "only the uploader, managers and owners may delete a file",
        ));
    }
    Ok(())
}

/// A file's bytes, or the `range` of them; `None` when the range starts
/// past the end.
pub async fn content(
    blobs: &dyn BlobStore,
    project: &ProjectId,
    file: &FileRecord,
    range: Option<ByteRange>,
) -> Result<Option<BlobDownload>, DomainError> {
    let blob = files::blob_name(project, &file.file_id)?;
    match blobs.get(&blob, range).await {
        Ok(d) => Ok(Some(d)),
        Err(StoreError::Invalid(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Why a file's bytes did not get stored: the source failed (the handler
/// knows what its errors mean), or the domain refused or failed.
#[derive(Debug)]
pub enum StreamError<E> {
    Source(E),
    Refused(DomainError),
}

impl<E> From<DomainError> for StreamError<E> {
    fn from(e: DomainError) -> Self {
        StreamError::Refused(e)
    }
}

/// What the bytes of a file told while they streamed past.
struct Received {
    size: u64,
    sha256: String,
    head: Vec<u8>,
}

enum PumpError<E> {
    TooLarge,
    Source(E),
    /// The blob store stopped reading.
    StoreClosed,
}

/// The stores and the limit an upload works with.
#[derive(Clone, Copy)]
pub struct FileStores<'a> {
    pub documents: &'a dyn DocumentStore,
    pub blobs: &'a dyn BlobStore,
    /// Bytes a file may have at most.
    pub max: u64,
}

impl FileStores<'_> {
    /// Pipe `chunks` into `blob`, counting, hashing and keeping the first
    /// bytes; beyond `max` bytes the blob is refused and removed.
    async fn store<E: Send>(
        &self,
        blob: &BlobName,
        mut chunks: impl Stream<Item = Result<Bytes, E>> + Send + Unpin,
    ) -> Result<Received, StreamError<E>> {
        let max = self.max;
        let (mut tx, rx) =
            futures::channel::mpsc::channel::<Result<Bytes, std::io::Error>>(PIPE_DEPTH);
        let body: ByteStream = rx.boxed();
        let pump = async move {
            let mut received = Received {
                size: 0,
                sha256: String::new(),
                head: Vec::new(),
            };
            let mut hasher = Sha256::new();
            while let Some(chunk) = chunks.next().await {
                let chunk = match chunk {
                    Ok(c) => c,
                    Err(e) => {
                        let _ = tx.send(Err(std::io::Error::other("upload aborted"))).await;
                        return Err(PumpError::Source(e));
                    }
                };
                received.size += chunk.len() as u64;
                if received.size > max {
                    let _ = tx
                        .send(Err(std::io::Error::other("upload too large")))
                        .await;
                    return Err(PumpError::TooLarge);
                }
                hasher.update(&chunk);
                if received.head.len() < SNIFF_BYTES {
                    let take = (SNIFF_BYTES - received.head.len()).min(chunk.len());
                    received.head.extend_from_slice(&chunk[..take]);
                }
                if tx.send(Ok(chunk)).await.is_err() {
                    return Err(PumpError::StoreClosed);
                }
            }
            received.sha256 = hex::encode(hasher.finalize());
            Ok(received)
        };
        let (stored, pumped) = tokio::join!(self.blobs.put(blob, body), pump);
        let failed = match (stored, pumped) {
            (Ok(_), Ok(received)) => return Ok(received),
            (_, Err(PumpError::TooLarge)) => StreamError::Refused(DomainError::TooLarge { max }),
            (_, Err(PumpError::Source(e))) => StreamError::Source(e),
            (Err(e), _) => StreamError::Refused(e.into()),
            (Ok(_), Err(PumpError::StoreClosed)) => StreamError::Refused(
                StoreError::Internal("the blob store stopped reading".into()).into(),
            ),
        };
        // A failed put leaves nothing under the name; delete anyway in case a
        // store committed before the failure surfaced.
        self.discard(blob).await;
        Err(failed)
    }

    async fn discard(&self, blob: &BlobName) {
        if let Err(e) = self.blobs.delete(blob).await {
            tracing::warn!(error = %e, "could not remove the blob of a failed upload");
        }
    }

    /// Replace `to` with the bytes of `from`; a put is all or nothing.
    async fn copy(&self, from: &BlobName, to: &BlobName) -> Result<(), DomainError> {
        let download = self.blobs.get(from, None).await?;
        self.blobs.put(to, download.body).await?;
        Ok(())
    }
}

/// A site plan's bytes must be a PNG or JPEG image; its dimensions.
fn plan_image(content_type: &str, head: &[u8]) -> Result<Option<(u32, u32)>, DomainError> {
    if !site::is_plan_media_type(content_type) {
        return Err(DomainError::WrongMediaType(format!(
            "a site plan must be a PNG or JPEG image, not {content_type}; render a PDF's first page to an image first"
        )));
    }
    Ok(imagesize::blob_size(head)
        .ok()
        .and_then(|s| Some((u32::try_from(s.width).ok()?, u32::try_from(s.height).ok()?))))
}

/// A new file on its way in: the handler gives it the parts of its form
/// as they come, then `finish`es it, or `abandon`s it when reading the
/// form failed.
pub struct Upload<'a> {
    stores: FileStores<'a>,
    actor: &'a Actor,
    file_id: FileId,
    blob: BlobName,
    file: Option<(FileName, Received)>,
    category: Category,
    restricted: bool,
}

impl<'a> Upload<'a> {
    /// Forbidden unless the actor may upload.
    pub fn begin(stores: FileStores<'a>, actor: &'a Actor) -> Result<Self, DomainError> {
        actor.require(Action::UploadFile)?;
        let file_id = FileId::generate();
        let blob = files::blob_name(&actor.project_id, &file_id)?;
        Ok(Upload {
            stores,
            actor,
            file_id,
            blob,
            file: None,
            category: Category::default(),
            restricted: false,
        })
    }

    /// The `category` part; a site plan is refused as soon as it is read.
    pub fn category(&mut self, text: &str) -> Result<(), DomainError> {
        let category = Category::parse(text).map_err(|e| DomainError::field("category", e))?;
        require_plan_rights(self.actor, category)?;
        self.category = category;
        Ok(())
    }

    /// The `restricted` part (`true` or `false`); refused as soon as it is
    /// read, so before the file's bytes when it comes first.
    pub fn restricted(&mut self, text: &str) -> Result<(), DomainError> {
        let restricted = match text.trim() {
            "true" => true,
            "false" => false,
            _ => return Err(DomainError::field("restricted", "must be true or false")),
        };
        require_restricted_rights(self.actor, restricted)?;
        self.restricted = restricted;
        Ok(())
    }

    /// The file part: its name as the client sent it, and its bytes.
    pub async fn file<E: Send>(
        &mut self,
        name: &str,
        chunks: impl Stream<Item = Result<Bytes, E>> + Send + Unpin,
    ) -> Result<(), StreamError<E>> {
        if self.file.is_some() {
            return Err(DomainError::field("file", "only one file per upload").into());
        }
        let name = FileName::parse(name).map_err(|e| DomainError::field("file", e))?;
        let received = self.stores.store(&self.blob, chunks).await?;
        self.file = Some((name, received));
        Ok(())
    }

    /// Drop what was stored of an upload whose form could not be read.
    pub async fn abandon(self) {
        self.stores.discard(&self.blob).await;
    }

    /// Sniff the type, check a site plan's image and record the file;
    /// when that fails, its blob goes again.
    pub async fn finish(self) -> Result<FileRecord, DomainError> {
        let (stores, blob) = (self.stores, self.blob.clone());
        let recorded = self.record().await;
        if recorded.is_err() {
            stores.discard(&blob).await;
        }
        recorded
    }

    async fn record(self) -> Result<FileRecord, DomainError> {
        let (name, received) = self
            .file
            .ok_or_else(|| DomainError::field("file", "is required"))?;
        let content_type = indexing::sniff(&received.head, name.as_str());
        let dimensions = match self.category {
            Category::SitePlan => {
                require_plan_rights(self.actor, self.category)?;
                plan_image(&content_type, &received.head)?
            }
            _ => None,
        };
        files::record_upload(
            self.stores.documents,
            &self.actor.user_id,
            &self.actor.project_id,
            NewFile {
                file_id: self.file_id,
                name,
                category: self.category,
                restricted: self.restricted,
                size: received.size,
                content_type,
                sha256: received.sha256,
                dimensions,
            },
        )
        .await
    }
}

/// A new image for a site plan on its way in (owners and managers): same
/// id, new bytes, size, hash and dimensions; placements stay, being
/// relative to the image.
pub struct PlanRevision<'a> {
    stores: FileStores<'a>,
    actor: &'a Actor,
    plan: FileRecord,
    staging: BlobName,
    received: Option<Received>,
}

impl<'a> PlanRevision<'a> {
    /// Forbidden unless the actor manages resources; `NotFound` unless
    /// `file` is a site plan of the project (`None`: what the client sent
    /// is no file id).
    pub async fn begin(
        stores: FileStores<'a>,
        actor: &'a Actor,
        file: Option<FileId>,
    ) -> Result<Self, DomainError> {
        actor.require(Action::ManageResources)?;
        let file = file.ok_or(DomainError::NotFound)?;
        let plan = files::require_visible(stores.documents, &actor.project_id, &file, true).await?;
        if plan.category != Category::SitePlan {
            return Err(DomainError::NotFound);
        }
        let staging = files::blob_name(&actor.project_id, &FileId::generate())?;
        Ok(PlanRevision {
            stores,
            actor,
            plan,
            staging,
            received: None,
        })
    }

    /// The new image's bytes, into the staging blob.
    pub async fn file<E: Send>(
        &mut self,
        chunks: impl Stream<Item = Result<Bytes, E>> + Send + Unpin,
    ) -> Result<(), StreamError<E>> {
        if self.received.is_some() {
            return Err(DomainError::field("file", "only one file per upload").into());
        }
        self.received = Some(self.stores.store(&self.staging, chunks).await?);
        Ok(())
    }

    /// Drop the staging blob of a revision whose form could not be read.
    pub async fn abandon(self) {
        self.stores.discard(&self.staging).await;
    }

    /// Check that the bytes are a PNG or JPEG, put them under the plan's
    /// name and record the revision; the staging blob goes either way.
    pub async fn finish(self) -> Result<FileRecord, DomainError> {
        let Some(received) = self.received else {
            self.stores.discard(&self.staging).await;
            return Err(DomainError::field("file", "is required"));
        };
        let project = &self.actor.project_id;
        let target = files::blob_name(project, &self.plan.file_id)?;
        let content_type = indexing::sniff(&received.head, self.plan.name.as_str());
        let copied = match plan_image(&content_type, &received.head) {
            Ok(dimensions) => self
                .stores
                .copy(&self.staging, &target)
                .await
                .map(|()| dimensions),
            Err(e) => Err(e),
        };
        self.stores.discard(&self.staging).await;
        files::record_revision(
            self.stores.documents,
            &self.actor.user_id,
            project,
            &self.plan.file_id,
            Revision {
                size: received.size,
                content_type,
                sha256: received.sha256,
                dimensions: copied?,
            },
        )
        .await
    }
}
