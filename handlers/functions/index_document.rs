//! `index-document`: the blob-trigger function on the project-files
//! container. It takes the blob's path from the invocation metadata (`name`,
//! else `Uri`), never the content the host inlines, reads the blob itself
//! as a stream and writes the file's index entry (`domain::indexer`).
//! Answers: 2xx when done, when the file can't be parsed (`unindexable`: a
//! retry would not help) and when the file is gone; non-2xx on a store
//! failure and for a young blob whose metadata is not written yet, so the
//! host delivers the event again.

use jiff::SignedDuration;
use serde_json::json;

use super::envelope::{InvocationRequest, InvocationResponse};
use crate::domain::files::{self, FILES_CONTAINER};
use crate::domain::indexer::{self, IndexRun};
use crate::http::problem::ApiError;
use crate::state::AppState;

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
    let grace = SignedDuration::from_hours(state.config.orphan_blob_grace_hours);
    let run = indexer::index_file(
        state.stores.documents.as_ref(),
        state.stores.blobs.as_ref(),
        &project,
        &file_id,
        grace,
    )
    .await?;
    match run {
        IndexRun::Done(status) => Ok(done(
            format!("indexed as {status:?}"),
            json!({"outcome": status, "fileId": file_id.as_string()}),
        )),
        IndexRun::Gone => Ok(done(
            "the file is gone; nothing to index".into(),
            json!({"outcome": "gone"}),
        )),
        // Failing the invocation makes the host deliver the event again.
        IndexRun::NotYetRecorded => Err(ApiError::Unavailable(
            "the upload's metadata is not written yet; retry".into(),
        )),
    }
}
