//! Project files (P7, P8): a file is a blob under the project's prefix plus
//! a metadata document in the project's partition; `index-document` adds an
//! index entry and term documents (see `search`). The blob is written first
//! and the metadata after it, so no metadata ever points at a missing blob;
//! deleting removes term documents, metadata, index entry and blob. Until
//! the index entry exists, a pending marker names the file, so that an
//! upload whose blob event was lost is found again (`stale_pending`).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::audit;
use super::error::DomainError;
use super::ids::{FileId, ProjectId, UserId};
use super::indexing::{Analysis, Outcome};
use super::projects::blob_prefix;
use super::search::{self, SearchWords, TERM_KIND};
use super::text::is_format_char;
use crate::store::containers::PROJECTS;
use crate::store::{
    BatchOp, BlobName, BlobStore, DocumentStore, NewDocument, Order, Query, StoreError, query_all,
    read_record,
};

/// The blob container of project files, as the blob trigger names it.
pub const FILES_CONTAINER: &str = "project-files";
pub const FILE_KIND: &str = "file";
pub const INDEX_KIND: &str = "fileIndex";
/// A file waiting for its index entry.
const PENDING_KIND: &str = "indexPending";
pub const NAME_MAX_CHARS: usize = 255;
/// Terms taken from a file's name, written with its metadata in one batch.
const NAME_TERMS_MAX: usize = 50;
/// Operations per store batch (the Cosmos limit).
const BATCH_MAX: usize = 100;

/// A file name as shown and offered for download: the last segment of what
/// the client sent (no folders), without control and format characters
/// (a U+202E would show `rechnung\u{202E}txt.exe` as `rechnungexe.txt`),
/// trimmed, at most 255 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FileName(String);

impl FileName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
        let clean: String = base
            .chars()
            .filter(|c| !c.is_control() && !is_format_char(*c))
            .collect();
        let clean = clean.trim();
        if clean.is_empty() || clean == "." || clean == ".." {
            Err("needs a file name".into())
        } else if clean.chars().count() > NAME_MAX_CHARS {
            Err(format!(
                "the file name is longer than {NAME_MAX_CHARS} characters"
            ))
        } else {
            Ok(FileName(clean.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for FileName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<FileName> for String {
    fn from(n: FileName) -> String {
        n.0
    }
}

/// What a file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Logistics,
    Photo,
    #[default]
    Document,
    /// A site plan image (PNG or JPEG) that resources are placed on; only
    /// owners and managers upload it.
    #[serde(rename = "sitePlan")]
    SitePlan,
}

impl Category {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        match s.trim() {
            "logistics" => Ok(Category::Logistics),
            "photo" => Ok(Category::Photo),
            "document" => Ok(Category::Document),
            "sitePlan" => Ok(Category::SitePlan),
            _ => Err("must be one of logistics, photo, document, sitePlan"),
        }
    }

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Logistics => "logistics",
            Category::Photo => "photo",
            Category::Document => "document",
            Category::SitePlan => "sitePlan",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IndexStatus {
    /// Uploaded; `index-document` has not run yet.
    Pending,
    Indexed,
    /// The bytes could not be parsed as the format they claim.
    Unindexable,
}

/// The metadata document of a file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileRecord {
    pub kind: String,
    pub file_id: FileId,
    pub name: FileName,
    pub category: Category,
    pub restricted: bool,
    pub size: u64,
    /// Sniffed from the bytes at upload, never taken from the client.
    pub content_type: String,
    pub sha256: String,
    /// Image dimensions read at upload (site plans), so a plan lists them
    /// before indexing has run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Upload time; named `at` to share the partition's time index.
    #[serde(with = "crate::domain::time::fixed")]
    pub at: Timestamp,
    pub uploaded_by: UserId,
}

impl FileRecord {
    /// Restricted files exist only for roles that may see them (P7).
    pub fn visible(&self, may_see_restricted: bool) -> bool {
        !self.restricted || may_see_restricted
    }
}

/// The index entry `index-document` writes, one per file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexEntry {
    pub kind: String,
    pub file_id: FileId,
    pub status: IndexStatus,
    /// Why the file is `unindexable`, or why no text was extracted.
    pub reason: Option<String>,
    pub size: u64,
    pub sha256: String,
    /// Sniffed from the stored bytes.
    pub media_type: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Distinct searchable words of the extracted text.
    pub terms: usize,
    /// More than 5,000 distinct words: the rest is not searchable.
    pub terms_truncated: bool,
    /// The beginning of the extracted text.
    pub excerpt: Option<String>,
    #[serde(with = "crate::domain::time::fixed")]
    pub indexed_at: Timestamp,
}

/// A file's metadata as received with the upload.
pub struct NewFile {
    pub file_id: FileId,
    pub name: FileName,
    pub category: Category,
    pub restricted: bool,
    pub size: u64,
    pub content_type: String,
    pub sha256: String,
    pub dimensions: Option<(u32, u32)>,
}

pub fn file_doc_id(file: &FileId) -> String {
    format!("file-{file}")
}

fn index_doc_id(file: &FileId) -> String {
    format!("index-{file}")
}

fn pending_doc_id(file: &FileId) -> String {
    format!("index-pending-{file}")
}

/// The marker of a file not indexed yet; `at` is the upload time, so the
/// sweep finds markers older than its bound through the time index.
fn pending_doc(pk: &str, file: &FileId, at: &Timestamp) -> NewDocument {
    NewDocument::new(
        pk,
        pending_doc_id(file),
        json!({
            "kind": PENDING_KIND,
            "fileId": file.as_string(),
            "at": super::time::format(at),
        }),
    )
}

async fn delete_pending(
    store: &dyn DocumentStore,
    pk: &str,
    file: &FileId,
) -> Result<(), StoreError> {
    match store
        .delete(PROJECTS, pk, &pending_doc_id(file), None)
        .await
    {
        Ok(()) | Err(StoreError::NotFound) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Drop the pending marker of a file that is gone.
pub async fn forget_pending(
    store: &dyn DocumentStore,
    project: &ProjectId,
    file: &FileId,
) -> Result<(), StoreError> {
    delete_pending(store, &project.as_string(), file).await
}

/// Files uploaded before `uploaded_before` that still have no index entry,
/// across all projects (a background job's query), at most `limit`.
pub async fn stale_pending(
    store: &dyn DocumentStore,
    uploaded_before: Timestamp,
    limit: u32,
) -> Result<Vec<(ProjectId, FileId)>, StoreError> {
    let page = store
        .query_all_partitions(
            PROJECTS,
            Query::new()
                .eq("kind", PENDING_KIND)
                .lt("at", super::time::format(&uploaded_before))
                .limit(limit),
        )
        .await?;
    Ok(page
        .items
        .iter()
        .filter_map(|d| {
            let project = ProjectId::parse(&d.partition_key)?;
            let file = FileId::parse(d.body.get("fileId")?.as_str()?)?;
            Some((project, file))
        })
        .collect())
}

/// Where a file's bytes live: `projects/<projectId>/files/<fileId>`.
pub fn blob_name(project: &ProjectId, file: &FileId) -> Result<BlobName, StoreError> {
    BlobName::parse(&format!("{}files/{file}", blob_prefix(project)))
}

/// The project and file of a blob path as the blob trigger reports it,
/// with or without the container in front.
pub fn parse_blob_path(path: &str) -> Option<(ProjectId, FileId)> {
    let path = path
        .strip_prefix(FILES_CONTAINER)
        .and_then(|p| p.strip_prefix('/'))
        .unwrap_or(path);
    let mut segments = path.split('/');
    match (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) {
        (Some("projects"), Some(p), Some("files"), Some(f), None) => {
            Some((ProjectId::parse(p)?, FileId::parse(f)?))
        }
        _ => None,
    }
}

fn term_doc(pk: &str, file: &FileRecord, term: &str) -> NewDocument {
    NewDocument::new(
        pk,
        search::term_doc_id(&file.file_id, term),
        json!({
            "kind": TERM_KIND,
            "term": term,
            "fileId": file.file_id.as_string(),
            "restricted": file.restricted,
        }),
    )
}

/// Record an uploaded file whose blob is already stored: metadata, the
/// terms of its name and the audit entry, in one batch.
pub async fn record_upload(
    store: &dyn DocumentStore,
    actor: &UserId,
    project: &ProjectId,
    new: NewFile,
) -> Result<FileRecord, DomainError> {
    let record = FileRecord {
        kind: FILE_KIND.into(),
        file_id: new.file_id,
        name: new.name,
        category: new.category,
        restricted: new.restricted,
        size: new.size,
        content_type: new.content_type,
        sha256: new.sha256,
        width: new.dimensions.map(|d| d.0),
        height: new.dimensions.map(|d| d.1),
        at: Timestamp::now(),
        uploaded_by: actor.clone(),
    };
    let pk = project.as_string();
    let mut name_terms: Vec<String> = search::terms(record.name.as_str()).collect();
    name_terms.sort();
    name_terms.dedup();
    name_terms.truncate(NAME_TERMS_MAX);
    let mut ops = vec![BatchOp::Create(NewDocument::from_record(
        &pk,
        file_doc_id(&record.file_id),
        &record,
    )?)];
    ops.push(BatchOp::Create(pending_doc(
        &pk,
        &record.file_id,
        &record.at,
    )));
    ops.extend(
        name_terms
            .iter()
            .map(|t| BatchOp::Upsert(term_doc(&pk, &record, t))),
    );
    ops.push(BatchOp::Create(audit::entry(
        &pk,
        Some(actor),
        "file.uploaded",
        "file",
        &record.file_id.as_string(),
        &["name", "category", "restricted"],
    )?));
    store.batch(PROJECTS, &pk, ops).await?;
    Ok(record)
}

/// The bytes of a new revision of a file, already stored under its name.
pub struct Revision {
    pub size: u64,
    pub content_type: String,
    pub sha256: String,
    pub dimensions: Option<(u32, u32)>,
}

/// Record a file's new revision (a site plan's new image): same id, new
/// size, hash, type and dimensions, audited; its index entry is dropped,
/// as it described the old bytes, and the blob event writes it anew (a
/// pending marker lets the sweep find the file should that event be lost).
pub async fn record_revision(
    store: &dyn DocumentStore,
    actor: &UserId,
    project: &ProjectId,
    file: &FileId,
    revision: Revision,
) -> Result<FileRecord, DomainError> {
    let pk = project.as_string();
    let (mut record, etag): (FileRecord, _) = read_record(store, PROJECTS, &pk, &file_doc_id(file))
        .await?
        .ok_or(DomainError::NotFound)?;
    record.size = revision.size;
    record.content_type = revision.content_type;
    record.sha256 = revision.sha256;
    record.width = revision.dimensions.map(|d| d.0);
    record.height = revision.dimensions.map(|d| d.1);
    store
        .batch(
            PROJECTS,
            &pk,
            vec![
                BatchOp::Replace {
                    doc: NewDocument::from_record(&pk, file_doc_id(file), &record)?,
                    if_match: Some(etag),
                },
                BatchOp::Create(audit::entry(
                    &pk,
                    Some(actor),
                    "file.revised",
                    "file",
                    &file.as_string(),
                    &["size", "sha256", "contentType", "dimensions"],
                )?),
                BatchOp::Upsert(pending_doc(&pk, file, &Timestamp::now())),
            ],
        )
        .await?;
    match store.delete(PROJECTS, &pk, &index_doc_id(file), None).await {
        Ok(()) | Err(StoreError::NotFound) => Ok(record),
        Err(e) => Err(e.into()),
    }
}

pub async fn load(
    store: &dyn DocumentStore,
    project: &ProjectId,
    file: &FileId,
) -> Result<Option<FileRecord>, DomainError> {
    let found = read_record(store, PROJECTS, &project.as_string(), &file_doc_id(file)).await?;
    Ok(found.map(|(record, _)| record))
}

/// The file if it exists and the caller may see it; `NotFound` otherwise,
/// so a restricted file's existence does not leak.
pub async fn require_visible(
    store: &dyn DocumentStore,
    project: &ProjectId,
    file: &FileId,
    may_see_restricted: bool,
) -> Result<FileRecord, DomainError> {
    load(store, project, file)
        .await?
        .filter(|f| f.visible(may_see_restricted))
        .ok_or(DomainError::NotFound)
}

pub async fn load_index(
    store: &dyn DocumentStore,
    project: &ProjectId,
    file: &FileId,
) -> Result<Option<IndexEntry>, DomainError> {
    let found = read_record(store, PROJECTS, &project.as_string(), &index_doc_id(file)).await?;
    Ok(found.map(|(entry, _)| entry))
}

/// The files the caller may see, newest first.
pub async fn list(
    store: &dyn DocumentStore,
    project: &ProjectId,
    may_see_restricted: bool,
    limit: u32,
    next: Option<String>,
) -> Result<(Vec<FileRecord>, Option<String>), DomainError> {
    let mut q = Query::new().eq("kind", FILE_KIND);
    if !may_see_restricted {
        q = q.eq("restricted", false);
    }
    let page = store
        .query(
            PROJECTS,
            &project.as_string(),
            q.order_by("at", Order::Desc)
                .limit(limit)
                .continuation(next),
        )
        .await?;
    let files = page
        .items
        .iter()
        .map(|d| d.parse())
        .collect::<Result<_, _>>()?;
    Ok((files, page.continuation))
}

/// Files containing every word, by name or extracted text: one equality
/// query on the first word's term documents (a page of at most `limit`),
/// then a point read per other word and hit. A page may hold fewer than
/// `limit` files while `next` still continues.
pub async fn search(
    store: &dyn DocumentStore,
    project: &ProjectId,
    may_see_restricted: bool,
    words: &SearchWords,
    limit: u32,
    next: Option<String>,
) -> Result<(Vec<FileRecord>, Option<String>), DomainError> {
    let pk = project.as_string();
    let mut q = Query::new().eq("kind", TERM_KIND).eq("term", words.first());
    if !may_see_restricted {
        q = q.eq("restricted", false);
    }
    let page = store
        .query(PROJECTS, &pk, q.limit(limit).continuation(next))
        .await?;
    let mut out = Vec::new();
    'hits: for d in &page.items {
        let Some(file_id) = d
            .body
            .get("fileId")
            .and_then(|v| v.as_str())
            .and_then(FileId::parse)
        else {
            continue;
        };
        for w in words.rest() {
            if store
                .read(PROJECTS, &pk, &search::term_doc_id(&file_id, w))
                .await?
                .is_none()
            {
                continue 'hits;
            }
        }
        // A term whose file is being deleted is skipped.
        if let Some(f) = load(store, project, &file_id).await?
            && f.visible(may_see_restricted)
        {
            out.push(f);
        }
    }
    Ok((out, page.continuation))
}

/// Remove every term document of a file and its index entry.
async fn purge_derived(
    store: &dyn DocumentStore,
    pk: &str,
    file: &FileId,
) -> Result<(), StoreError> {
    loop {
        let page = store
            .query(
                PROJECTS,
                pk,
                Query::new()
                    .eq("kind", TERM_KIND)
                    .eq("fileId", file.as_string())
                    .limit(BATCH_MAX as u32),
            )
            .await?;
        if page.items.is_empty() {
            break;
        }
        let ops = page
            .items
            .into_iter()
            .map(|d| BatchOp::Delete {
                id: d.id,
                if_match: None,
            })
            .collect();
        store.batch(PROJECTS, pk, ops).await?;
    }
    delete_pending(store, pk, file).await?;
    match store.delete(PROJECTS, pk, &index_doc_id(file), None).await {
        Ok(()) | Err(StoreError::NotFound) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Delete a file (P8): its term documents and index entry, its metadata
/// with the audit entry, then its blob. Terms are purged before the
/// metadata goes (a failure leaves a file the user can delete again) and
/// once more after it, which catches terms an indexing run still wrote;
/// an indexing run that finishes later sees the file gone and cleans up.
/// `with` joins the batch that removes the metadata (a plan's placements
/// go with the plan); its precondition failing fails the delete with
/// `PreconditionFailed` before anything of the file is gone but derived
/// data, which the caller may retry.
pub async fn delete(
    store: &dyn DocumentStore,
    blobs: &dyn BlobStore,
    actor: &UserId,
    project: &ProjectId,
    file: &FileRecord,
    with: Vec<BatchOp>,
) -> Result<(), DomainError> {
    let pk = project.as_string();
    purge_derived(store, &pk, &file.file_id).await?;
    let mut ops = vec![
        BatchOp::Delete {
            id: file_doc_id(&file.file_id),
            if_match: None,
        },
        BatchOp::Create(audit::entry(
            &pk,
            Some(actor),
            "file.deleted",
            "file",
            &file.file_id.as_string(),
            &[],
        )?),
    ];
    ops.extend(with);
    store.batch(PROJECTS, &pk, ops).await?;
    purge_derived(store, &pk, &file.file_id).await?;
    blobs.delete(&blob_name(project, &file.file_id)?).await?;
    Ok(())
}

/// A site plan: its file with the image's dimensions.
pub struct Plan {
    pub file: FileRecord,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// The project's site plans the caller may see, oldest first, with their
/// dimensions (from the upload, or else from the index entry).
pub async fn site_plans(
    store: &dyn DocumentStore,
    project: &ProjectId,
    may_see_restricted: bool,
) -> Result<Vec<Plan>, DomainError> {
    let docs = query_all(
        store,
        PROJECTS,
        &project.as_string(),
        Query::new()
            .eq("kind", FILE_KIND)
            .eq("category", Category::SitePlan.as_str()),
    )
    .await?;
    let mut out = Vec::new();
    for d in docs {
        let file: FileRecord = d.parse()?;
        if !file.visible(may_see_restricted) {
            continue;
        }
        let (mut width, mut height) = (file.width, file.height);
        if width.is_none() || height.is_none() {
            let index = load_index(store, project, &file.file_id).await?;
            width = index.as_ref().and_then(|i| i.width);
            height = index.as_ref().and_then(|i| i.height);
        }
        out.push(Plan {
            file,
            width,
            height,
        });
    }
    out.sort_by_key(|p| p.file.at);
    Ok(out)
}

/// Write the index entry of a file from an analysis of its blob.
/// Idempotent: term documents, the entry and its audit entry have
/// deterministic ids and are upserted, so a redelivered event rewrites the
/// same documents. `None` when the file no longer exists.
pub async fn record_index(
    store: &dyn DocumentStore,
    project: &ProjectId,
    file_id: &FileId,
    analysis: Analysis,
) -> Result<Option<IndexEntry>, DomainError> {
    let Some(file) = load(store, project, file_id).await? else {
        return Ok(None);
    };
    let pk = project.as_string();
    let mut entry = IndexEntry {
        kind: INDEX_KIND.into(),
        file_id: file_id.clone(),
        status: IndexStatus::Indexed,
        reason: None,
        size: analysis.size,
        sha256: analysis.sha256,
        media_type: analysis.media_type,
        width: None,
        height: None,
        terms: 0,
        terms_truncated: false,
        excerpt: None,
        indexed_at: Timestamp::now(),
    };
    match analysis.outcome {
        Outcome::Unindexable { reason } => {
            entry.status = IndexStatus::Unindexable;
            entry.reason = Some(reason);
        }
        Outcome::Indexed {
            text,
            dimensions,
            note,
        } => {
            entry.reason = note;
            if let Some((w, h)) = dimensions {
                entry.width = Some(w);
                entry.height = Some(h);
            }
            if let Some(text) = text {
                entry.terms = text.terms.len();
                entry.terms_truncated = text.truncated;
                entry.excerpt = Some(text.excerpt).filter(|e| !e.trim().is_empty());
                let docs: Vec<NewDocument> =
                    text.terms.iter().map(|t| term_doc(&pk, &file, t)).collect();
                for chunk in docs.chunks(BATCH_MAX) {
                    let ops = chunk.iter().cloned().map(BatchOp::Upsert).collect();
                    store.batch(PROJECTS, &pk, ops).await?;
                }
            }
        }
    }
    let mut audit_doc = audit::entry(
        &pk,
        None,
        "file.indexed",
        "file",
        &file_id.as_string(),
        &["index"],
    )?;
    // One entry per file however often the event is delivered.
    audit_doc.id = format!("audit-indexed-{file_id}");
    store
        .batch(
            PROJECTS,
            &pk,
            vec![
                BatchOp::Upsert(NewDocument::from_record(
                    &pk,
                    index_doc_id(file_id),
                    &entry,
                )?),
                BatchOp::Upsert(audit_doc),
            ],
        )
        .await?;
    delete_pending(store, &pk, file_id).await?;
    if load(store, project, file_id).await?.is_none() {
        purge_derived(store, &pk, file_id).await?;
        return Ok(None);
    }
    Ok(Some(entry))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_folders_and_control_characters() {
        let n = FileName::parse("C:\\Users\\bau\\Lieferschein\u{7}.pdf").expect("valid");
        assert_eq!(n.as_str(), "Lieferschein.pdf");
        assert_eq!(
            FileName::parse("../../etc/passwd").expect("valid").as_str(),
            "passwd"
        );
        assert!(FileName::parse("a/..").is_err());
        assert!(FileName::parse("  ").is_err());
        assert!(FileName::parse(&"x".repeat(256)).is_err());
    }

    #[test]
    fn blob_paths_parse_with_or_without_the_container() {
        let p = ProjectId::generate();
        let f = FileId::generate();
        let name = blob_name(&p, &f).expect("valid");
        assert_eq!(parse_blob_path(name.as_str()), Some((p.clone(), f.clone())));
        assert_eq!(
            parse_blob_path(&format!("{FILES_CONTAINER}/{name}")),
            Some((p, f))
        );
        assert_eq!(parse_blob_path("projects/x/files/y"), None);
        assert_eq!(parse_blob_path("other/thing"), None);
    }
}
