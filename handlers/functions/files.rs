//! Project file routes (P7, P8): streamed upload, list and search, metadata,
//! ranged download, delete, a site plan's revision. The upload is parsed
//! with `multer` straight from the request body and each part handed to the
//! domain's upload workflow (`domain::uploads`) as it comes; the file part
//! streams through it into the blob store, so the bytes never sit whole in
//! memory.

use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::project_access::ProjectAccess;
use crate::domain::files::{self, FileRecord, IndexEntry};
use crate::domain::ids::{FileId, ProjectId};
use crate::domain::roles::Action;
use crate::domain::search::SearchWords;
use crate::domain::site;
use crate::domain::uploads::{self, FileStores, PlanRevision, StreamError, Upload};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::http::paging::{DEFAULT_LIMIT, MAX_LIMIT, Paged};
use crate::http::problem::{ApiError, Problem};
use crate::state::AppState;
use crate::store::blob::{BlobDownload, ByteRange};

/// Multipart framing and the small parts around the file.
const MULTIPART_OVERHEAD: u64 = 64 * 1024;
const SMALL_PART_MAX: u64 = 1024;
/// File responses are bytes to save, never a page to render.
const FILE_CSP: &str = "default-src 'none'; sandbox; frame-ancestors 'none'";

/// What a file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Logistics,
    Photo,
    Document,
    /// A site plan image (PNG or JPEG) that resources are placed on; only
    /// owners and managers upload it.
    #[serde(rename = "sitePlan")]
    SitePlan,
}

impl From<files::Category> for Category {
    fn from(c: files::Category) -> Self {
        match c {
            files::Category::Logistics => Category::Logistics,
            files::Category::Photo => Category::Photo,
            files::Category::Document => Category::Document,
            files::Category::SitePlan => Category::SitePlan,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum IndexStatus {
    /// Uploaded; `index-document` has not run yet.
    Pending,
    Indexed,
    /// The bytes could not be parsed as the format they claim.
    Unindexable,
}

impl From<files::IndexStatus> for IndexStatus {
    fn from(s: files::IndexStatus) -> Self {
        match s {
            files::IndexStatus::Pending => IndexStatus::Pending,
            files::IndexStatus::Indexed => IndexStatus::Indexed,
            files::IndexStatus::Unindexable => IndexStatus::Unindexable,
        }
    }
}

/// The multipart form of an upload.
#[derive(ToSchema)]
#[allow(dead_code)] // describes the form for OpenAPI only
pub struct UploadForm {
    /// The file; its filename is the file's name.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Defaults to `document`.
    category: Option<Category>,
    /// `true`: only owners and managers see the file; only they may set it.
    restricted: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileView {
    id: String,
    name: String,
    category: Category,
    restricted: bool,
    size: u64,
    /// Sniffed from the bytes at upload.
    content_type: String,
    sha256: String,
    uploaded_at: String,
    uploaded_by: String,
    index_status: IndexStatus,
    /// What `index-document` found; absent while pending.
    index: Option<IndexView>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IndexView {
    status: IndexStatus,
    /// Why the file is `unindexable`, or why no text was extracted.
    reason: Option<String>,
    size: u64,
    sha256: String,
    /// Sniffed from the stored bytes.
    media_type: String,
    width: Option<u32>,
    height: Option<u32>,
    /// Distinct searchable words of the extracted text.
    terms: usize,
    /// More than 5,000 distinct words: the rest is not searchable.
    terms_truncated: bool,
    /// The beginning of the extracted text.
    excerpt: Option<String>,
    indexed_at: String,
}

impl From<IndexEntry> for IndexView {
    fn from(e: IndexEntry) -> Self {
        IndexView {
            status: e.status.into(),
            reason: e.reason,
            size: e.size,
            sha256: e.sha256,
            media_type: e.media_type,
            width: e.width,
            height: e.height,
            terms: e.terms,
            terms_truncated: e.terms_truncated,
            excerpt: e.excerpt,
            indexed_at: crate::domain::time::format(&e.indexed_at),
        }
    }
}

fn view(f: FileRecord, index: Option<IndexEntry>) -> FileView {
    FileView {
        id: f.file_id.as_string(),
        name: f.name.as_str().to_owned(),
        category: f.category.into(),
        restricted: f.restricted,
        size: f.size,
        content_type: f.content_type,
        sha256: f.sha256,
        uploaded_at: crate::domain::time::format(&f.at),
        uploaded_by: f.uploaded_by.as_string(),
        index_status: index
            .as_ref()
            .map_or(IndexStatus::Pending, |i| i.status.into()),
        index: index.map(IndexView::from),
    }
}

async fn view_with_index(
    state: &AppState,
    project: &ProjectId,
    f: FileRecord,
) -> Result<FileView, ApiError> {
    let index = files::load_index(state.stores.documents.as_ref(), project, &f.file_id).await?;
    Ok(view(f, index))
}

#[derive(Debug, Deserialize)]
pub struct FilePath {
    #[serde(rename = "projectId")]
    _project_id: String,
    #[serde(rename = "fileId")]
    file_id: String,
}

impl FilePath {
    fn file_id(&self) -> Result<FileId, ApiError> {
        FileId::parse(&self.file_id).ok_or(ApiError::NotFound)
    }
}

fn multipart_error(e: multer::Error, max: u64) -> ApiError {
    use multer::Error as E;
    match e {
        E::FieldSizeExceeded { limit, field_name } => ApiError::PayloadTooLarge(format!(
            "the part {:?} exceeds {limit} bytes",
            field_name.unwrap_or_default()
        )),
        E::StreamSizeExceeded { .. } => {
            ApiError::PayloadTooLarge(format!("files may be at most {max} bytes"))
        }
        E::UnknownField { field_name } => ApiError::field(
            field_name.unwrap_or_else(|| "body".into()),
            "unknown part; expected file, category, restricted",
        ),
        other => ApiError::BadRequest(format!("malformed multipart body: {other}")),
    }
}

fn stream_error(e: StreamError<multer::Error>, max: u64) -> ApiError {
    match e {
        StreamError::Source(e) => multipart_error(e, max),
        StreamError::Refused(e) => e.into(),
    }
}

fn file_stores(state: &AppState) -> FileStores<'_> {
    FileStores {
        documents: state.stores.documents.as_ref(),
        blobs: state.stores.blobs.as_ref(),
        max: state.config.max_upload_bytes,
    }
}

/// Hand the parts of an upload's form to the upload as they come.
async fn read_upload(
    upload: &mut Upload<'_>,
    mut form: multer::Multipart<'static>,
    max: u64,
) -> Result<(), ApiError> {
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| multipart_error(e, max))?
    {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                upload
                    .file(&name, field)
                    .await
                    .map_err(|e| stream_error(e, max))?;
            }
            Some("category") => {
                let text = field.text().await.map_err(|e| multipart_error(e, max))?;
                upload.category(&text)?;
            }
            Some("restricted") => {
                let text = field.text().await.map_err(|e| multipart_error(e, max))?;
                upload.restricted(&text)?;
            }
            // `allowed_fields` already refused other names.
            _ => return Err(ApiError::field("body", "every part needs a name")),
        }
    }
    Ok(())
}

/// The multipart stream of an upload with `fields`, at most `max` bytes of
/// file; a declared oversize body is refused before any of it is read.
fn multipart_form(
    request: Request,
    max: u64,
    fields: Vec<&'static str>,
) -> Result<multer::Multipart<'static>, ApiError> {
    let whole_max = max + MULTIPART_OVERHEAD;
    if let Some(len) = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > whole_max
    {
        return Err(ApiError::PayloadTooLarge(format!(
            "files may be at most {max} bytes"
        )));
    }
    let boundary = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| multer::parse_boundary(ct).ok())
        .ok_or_else(|| {
            ApiError::UnsupportedMediaType(
                "expected Content-Type: multipart/form-data with a boundary".into(),
            )
        })?;
    let constraints = multer::Constraints::new()
        .allowed_fields(fields)
        .size_limit(
            multer::SizeLimit::new()
                .whole_stream(whole_max)
                .per_field(SMALL_PART_MAX)
                .for_field("file", max),
        );
    Ok(multer::Multipart::with_constraints(
        request.into_body().into_data_stream(),
        boundary,
        constraints,
    ))
}

/// Upload a file as `multipart/form-data` (P7): part `file` (its filename
/// is the file's name), optional `category` and `restricted`. The bytes
/// stream into the blob store; beyond `LMS_MAX_UPLOAD_BYTES` the upload is
/// refused with 413 and nothing is kept.
#[utoipa::path(
    post,
    path = "/api/projects/{projectId}/files",
    operation_id = "upload-file",
    tag = "files",
    security(("bearer" = [])),
    params(("projectId" = String, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = FileView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn upload_file(
    State(state): State<AppState>,
    access: ProjectAccess,
    request: Request,
) -> Result<Response, ApiError> {
    let max = state.config.max_upload_bytes;
    let mut upload = Upload::begin(file_stores(&state), &access)?;
    let form = multipart_form(request, max, vec!["file", "category", "restricted"])?;
    if let Err(e) = read_upload(&mut upload, form, max).await {
        upload.abandon().await;
        return Err(e);
    }
    let record = upload.finish().await?;
    let location = format!(
        "/api/projects/{}/files/{}",
        access.project_id, record.file_id
    );
    let mut response = (StatusCode::CREATED, Json(view(record, None))).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words that must all occur in the file's name or extracted text.
    q: Option<String>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<u32>,
    /// The `next` token of the previous page.
    next: Option<String>,
}

/// The files the caller may see, newest first; with `q`, the files whose
/// name or extracted text contains every word of it.
#[utoipa::path(
    get,
    path = "/api/projects/{projectId}/files",
    operation_id = "list-files",
    tag = "files",
    security(("bearer" = [])),
    params(("projectId" = String, Path), ListParams),
    responses(
        (status = 200, body = Paged<FileView>),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list_files(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<Paged<FileView>>, ApiError> {
    access.require(Action::ViewFiles)?;
    let store = state.stores.documents.as_ref();
    let may_restricted = access.may(Action::ViewRestrictedFiles);
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let (found, next) = match p.q.as_deref() {
        Some(q) => {
            let words = SearchWords::parse(q).map_err(|e| ApiError::field("q", e))?;
            files::search(
                store,
                &access.project_id,
                may_restricted,
                &words,
                limit,
                p.next,
            )
            .await?
        }
        None => files::list(store, &access.project_id, may_restricted, limit, p.next).await?,
    };
    let mut items = Vec::with_capacity(found.len());
    for f in found {
        items.push(view_with_index(&state, &access.project_id, f).await?);
    }
    Ok(Json(Paged { items, next }))
}

/// A file's metadata with its index status.
#[utoipa::path(
    get,
    path = "/api/projects/{projectId}/files/{fileId}",
    operation_id = "get-file",
    tag = "files",
    security(("bearer" = [])),
    params(("projectId" = String, Path), ("fileId" = String, Path)),
    responses(
        (status = 200, body = FileView),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get_file(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiPath(path): ApiPath<FilePath>,
) -> Result<Json<FileView>, ApiError> {
    access.require(Action::ViewFiles)?;
    let f = files::require_visible(
        state.stores.documents.as_ref(),
        &access.project_id,
        &path.file_id()?,
        access.may(Action::ViewRestrictedFiles),
    )
    .await?;
    Ok(Json(view_with_index(&state, &access.project_id, f).await?))
}

/// What a `Range` header asks of a file of `size` bytes.
#[derive(Debug, PartialEq)]
enum RangeRequest {
    Whole,
    Part(ByteRange),
    Unsatisfiable,
}

/// One `bytes=` range (RFC 9110 §14.1.2). Several ranges or a malformed
/// header are answered with the whole file, as the RFC allows.
fn parse_range(header: Option<&str>, size: u64) -> RangeRequest {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return RangeRequest::Whole;
    };
    if spec.contains(',') {
        return RangeRequest::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeRequest::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    let range = if first.is_empty() {
        match last.parse::<u64>() {
            Ok(0) => return RangeRequest::Unsatisfiable,
            Ok(n) if size > 0 => (size.saturating_sub(n), size - 1),
            Ok(_) => return RangeRequest::Unsatisfiable,
            Err(_) => return RangeRequest::Whole,
        }
    } else {
        let Ok(start) = first.parse::<u64>() else {
            return RangeRequest::Whole;
        };
        let end = if last.is_empty() {
            size.saturating_sub(1)
        } else {
            match last.parse::<u64>() {
                Ok(e) if e >= start => e.min(size.saturating_sub(1)),
                _ => return RangeRequest::Whole,
            }
        };
        if start >= size {
            return RangeRequest::Unsatisfiable;
        }
        (start, end)
    };
    RangeRequest::Part(ByteRange {
        start: range.0,
        end_inclusive: range.1,
    })
}

/// `attachment` with an ASCII fallback name and the exact name as
/// RFC 8187 `filename*` (RFC 6266), so no name can break the header.
fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

fn header(v: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(v).map_err(ApiError::internal)
}

/// Download a file's bytes, streamed, with `Range` support for resuming.
#[utoipa::path(
    get,
    path = "/api/projects/{projectId}/files/{fileId}/content",
    operation_id = "download-file",
    tag = "files",
    security(("bearer" = [])),
    params(
        ("projectId" = String, Path),
        ("fileId" = String, Path),
        ("Range" = Option<String>, Header, description = "One range, e.g. bytes=1048576-")
    ),
    responses(
        (status = 200, description = "The whole file", content_type = "application/octet-stream"),
        (status = 206, description = "The requested range", content_type = "application/octet-stream"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 416, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn download_file(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiPath(path): ApiPath<FilePath>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    access.require(Action::ViewFiles)?;
    let f = files::require_visible(
        state.stores.documents.as_ref(),
        &access.project_id,
        &path.file_id()?,
        access.may(Action::ViewRestrictedFiles),
    )
    .await?;
    let etag = format!("\"{}\"", f.sha256);
    let range = match wanted_range(&headers, &etag, f.size) {
        RangeRequest::Whole => None,
        RangeRequest::Part(r) => Some(r),
        RangeRequest::Unsatisfiable => return Err(ApiError::RangeNotSatisfiable { size: f.size }),
    };
    match uploads::content(state.stores.blobs.as_ref(), &access.project_id, &f, range).await? {
        Some(download) => file_response(&f, &etag, download),
        None => Err(ApiError::RangeNotSatisfiable { size: f.size }),
    }
}

/// The range the client asks for, unless it holds another version than
/// `etag` (`If-Range`): a range of that is no use to it.
fn wanted_range(headers: &HeaderMap, etag: &str, size: u64) -> RangeRequest {
    let range_header = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let if_range_ok = headers
        .get(header::IF_RANGE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v == etag);
    if if_range_ok {
        parse_range(range_header, size)
    } else {
        RangeRequest::Whole
    }
}

/// A file's bytes as a response: a file to save, never a page to render.
fn file_response(f: &FileRecord, etag: &str, download: BlobDownload) -> Result<Response, ApiError> {
    let size = download.properties.size;
    let (status, length) = match download.range {
        Some(r) => (StatusCode::PARTIAL_CONTENT, r.end_inclusive - r.start + 1),
        None => (StatusCode::OK, size),
    };
    let content_type = if f.content_type.starts_with("text/") {
        format!("{}; charset=utf-8", f.content_type)
    } else {
        f.content_type.clone()
    };
    let mut response = Response::new(Body::from_stream(download.body));
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, header(&content_type)?);
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::ETAG, header(etag)?);
    h.insert(
        header::CONTENT_DISPOSITION,
        header(&content_disposition(f.name.as_str()))?,
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(FILE_CSP),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Some(r) = download.range {
        h.insert(
            header::CONTENT_RANGE,
            header(&format!("bytes {}-{}/{size}", r.start, r.end_inclusive))?,
        );
    }
    Ok(response)
}

/// Delete a file: blob, metadata, index entry and search terms (P8). The
/// uploader, managers and owners may.
#[utoipa::path(
    delete,
    path = "/api/projects/{projectId}/files/{fileId}",
    operation_id = "delete-file",
    tag = "files",
    security(("bearer" = [])),
    params(("projectId" = String, Path), ("fileId" = String, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn delete_file(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiPath(path): ApiPath<FilePath>,
) -> Result<StatusCode, ApiError> {
    access.require(Action::ViewFiles)?;
    let store = state.stores.documents.as_ref();
    let f = files::require_visible(
        store,
        &access.project_id,
        &path.file_id()?,
        access.may(Action::ViewRestrictedFiles),
    )
    .await?;
    uploads::require_delete_rights(&access, &f)?;
    site::delete_file(
        store,
        state.stores.blobs.as_ref(),
        &access.user_id,
        &access.project_id,
        &f,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The multipart form of a plan revision.
#[derive(ToSchema)]
#[allow(dead_code)] // describes the form for OpenAPI only
pub struct RevisionForm {
    /// The new image, PNG or JPEG.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// A new image for a site plan (owners and managers): same id, new bytes,
/// size, hash and dimensions. Placements stay, being relative to the
/// image. The bytes stream into a staging blob first, so a refused or
/// broken upload leaves the current image as it was.
#[utoipa::path(
    post,
    path = "/api/projects/{projectId}/site-plans/{fileId}/revision",
    operation_id = "revise-site-plan",
    tag = "site",
    security(("bearer" = [])),
    params(("projectId" = String, Path), ("fileId" = String, Path)),
    request_body(content = RevisionForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, body = FileView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn revise_site_plan(
    State(state): State<AppState>,
    access: ProjectAccess,
    ApiPath(path): ApiPath<FilePath>,
    request: Request,
) -> Result<Json<FileView>, ApiError> {
    let max = state.config.max_upload_bytes;
    let plan = FileId::parse(&path.file_id);
    let mut revision = PlanRevision::begin(file_stores(&state), &access, plan).await?;
    let form = multipart_form(request, max, vec!["file"])?;
    if let Err(e) = read_revision(&mut revision, form, max).await {
        revision.abandon().await;
        return Err(e);
    }
    let record = revision.finish().await?;
    Ok(Json(view(record, None)))
}

/// Hand the one `file` part of a revision's form to the revision.
async fn read_revision(
    revision: &mut PlanRevision<'_>,
    mut form: multer::Multipart<'static>,
    max: u64,
) -> Result<(), ApiError> {
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| multipart_error(e, max))?
    {
        revision
            .file(field)
            .await
            .map_err(|e| stream_error(e, max))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(start: u64, end_inclusive: u64) -> RangeRequest {
        RangeRequest::Part(ByteRange {
            start,
            end_inclusive,
        })
    }

    #[test]
    fn ranges_follow_rfc_9110() {
        assert_eq!(parse_range(None, 100), RangeRequest::Whole);
        assert_eq!(parse_range(Some("bytes=0-9"), 100), part(0, 9));
        assert_eq!(parse_range(Some("bytes=90-"), 100), part(90, 99));
        assert_eq!(parse_range(Some("bytes=90-500"), 100), part(90, 99));
        assert_eq!(parse_range(Some("bytes=-10"), 100), part(90, 99));
        assert_eq!(parse_range(Some("bytes=-500"), 100), part(0, 99));
        assert_eq!(
            parse_range(Some("bytes=100-"), 100),
            RangeRequest::Unsatisfiable
        );
        assert_eq!(
            parse_range(Some("bytes=-0"), 100),
            RangeRequest::Unsatisfiable
        );
        assert_eq!(parse_range(Some("bytes=5-1"), 100), RangeRequest::Whole);
        assert_eq!(parse_range(Some("bytes=0-1,5-6"), 100), RangeRequest::Whole);
        assert_eq!(parse_range(Some("items=0-1"), 100), RangeRequest::Whole);
        assert_eq!(
            parse_range(Some("bytes=0-"), 0),
            RangeRequest::Unsatisfiable
        );
    }

    #[test]
    fn content_disposition_cannot_be_broken_by_a_name() {
        let h = content_disposition("Plan \"A\"\\ Größe;.pdf");
        assert_eq!(
            h,
            "attachment; filename=\"Plan _A__ Gr__e;.pdf\"; filename*=UTF-8''Plan%20%22A%22%5C%20Gr%C3%B6%C3%9Fe%3B.pdf"
        );
        assert!(HeaderValue::from_str(&h).is_ok());
    }
}
