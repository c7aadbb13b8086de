//! `index-document`: the blob-trigger function on the project-files
//! container. It takes the blob's path from the invocation metadata (`name`,
//! else `Uri`), never the content the host inlines, reads the blob itself
//! as a stream and writes the file's index entry. Answers: 2xx when done,
//! when the file can't be parsed (`unindexable`: a retry would not help)
//! and when the file is gone; non-2xx on a store failure, so the host
//! retries.

use serde_json::json;

use super::envelope::{InvocationRequest, InvocationResponse};
use crate::domain::files::{self, FILES_CONTAINER};
use crate::domain::indexing;
use crate::http::problem::ApiError;
use crate::state::AppState;
use crate::store::StoreError;

pub const NAME: &str = "index-document";
/// The trigger's binding name, under which the host inlines the blob.
pub const BINDING: &str = "blob";

/// The blob path relative to the container.
fn blob_path(req: &InvocationRequest) -> Option<String> {
    if let Some(name) = req.metadata_str("name") {
        return Some(name);
    }
    let uri = req.metadata_str("Uri")?;
    let marker = format!("/{FILES_CONTAINER}/");
    let (_, rest) = uri.split_once(&marker)?;
    Some(rest.split(['?', '#']).next().unwrap_or(rest).to_owned())
}

fn done(log: String, value: serde_json::Value) -> InvocationResponse {
    tracing::info!(outcome = %value["outcome"], "index-document finished");
    InvocationResponse::new(vec![log], value)
}

pub async fn run(state: AppState, req: InvocationRequest) -> Result<InvocationResponse, ApiError> {
    let Some((project, file_id)) = blob_path(&req).and_then(|p| files::parse_blob_path(&p)) else {
        return Ok(done(
            "not a project file; ignored".into(),
            json!({"outcome": "ignored"}),
        ));
    };
    let store = state.stores.documents.as_ref();
    let Some(file) = files::load(store, &project, &file_id).await? else {
        return Ok(done(
            "the file was deleted; nothing to index".into(),
            json!({"outcome": "gone"}),
        ));
    };
    let blob = files::blob_name(&project, &file_id)?;
    let download = match state.stores.blobs.get(&blob, None).await {
        Ok(d) => d,
        Err(StoreError::NotFound) => {
            return Ok(done(
                "the blob is gone; nothing to index".into(),
                json!({"outcome": "gone"}),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let analysis = indexing::analyze(download.body, file.name.as_str())
        .await
        .map_err(|e| ApiError::Unavailable(format!("reading the blob failed: {e}")))?;
    match files::record_index(store, &project, &file_id, analysis).await? {
        Some(entry) => Ok(done(
            format!("indexed as {:?}", entry.status),
            json!({"outcome": entry.status, "fileId": file_id.as_string()}),
        )),
        None => Ok(done(
            "the file was deleted while indexing; cleaned up".into(),
            json!({"outcome": "gone"}),
        )),
    }
}
