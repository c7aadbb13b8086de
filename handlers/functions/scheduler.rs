//! The local scheduler: without a Functions host, the binary fires its own
//! timer functions on the schedules their function.json declares, and its
//! blob-triggered functions after each blob written, by sending the router
//! the very request the host would send. The blob events come from
//! `NotifyingBlobStore`, the stand-in for Blob Storage's Event Grid events.

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tower::ServiceExt;

use super::background::BACKGROUND;
use super::envelope::InvocationRequest;
use super::trigger::Trigger;
use crate::domain::files::FILES_CONTAINER;
use crate::store::blob::{BlobDownload, ByteRange};
use crate::store::{BlobName, BlobProperties, BlobStore, ByteStream, StoreError};

/// Tries of a blob function per upload, as the host's blob trigger makes
/// them; the waits between them double from one second.
const BLOB_TRIES: u32 = 5;

/// Spawn one task per timer function; they end with the runtime.
pub fn start(router: Router) {
    for f in BACKGROUND {
        let Trigger::Timer { schedule } = f.trigger else {
            continue;
        };
        let schedule = match cron::Schedule::from_str(schedule) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(function = f.name, error = %e, "invalid timer schedule");
                continue;
            }
        };
        let router = router.clone();
        let name = f.name;
        tokio::spawn(async move {
            for next in schedule.upcoming(chrono::Utc) {
                let wait = (next - chrono::Utc::now()).to_std().unwrap_or_default();
                tokio::time::sleep(wait).await;
                invoke(&router, name).await;
            }
        });
    }
}

/// A blob store that announces each blob written to it, as Blob Storage
/// tells Event Grid: without a Functions host, the events that
/// `start_blob_triggers` turns into blob-function invocations. Like the
/// real events, one can come before the upload has recorded the file; the
/// blob function then fails and is invoked again.
pub struct NotifyingBlobStore {
    inner: Arc<dyn BlobStore>,
    events: UnboundedSender<BlobName>,
}

impl NotifyingBlobStore {
    /// `inner`, announcing; and where its announcements arrive.
    pub fn wrap(inner: Arc<dyn BlobStore>) -> (Arc<dyn BlobStore>, UnboundedReceiver<BlobName>) {
        let (events, received) = unbounded_channel();
        (Arc::new(NotifyingBlobStore { inner, events }), received)
    }
}

#[async_trait]
impl BlobStore for NotifyingBlobStore {
    async fn put(&self, name: &BlobName, body: ByteStream) -> Result<BlobProperties, StoreError> {
        let stored = self.inner.put(name, body).await?;
        if self.events.send(name.clone()).is_err() {
            tracing::warn!("local indexing has stopped; the file stays pending");
        }
        Ok(stored)
    }

    async fn get(
        &self,
        name: &BlobName,
        range: Option<ByteRange>,
    ) -> Result<BlobDownload, StoreError> {
        self.inner.get(name, range).await
    }

    async fn properties(&self, name: &BlobName) -> Result<Option<BlobProperties>, StoreError> {
        self.inner.properties(name).await
    }

    async fn delete(&self, name: &BlobName) -> Result<bool, StoreError> {
        self.inner.delete(name).await
    }

    async fn list(&self, prefix: &str) -> Result<Vec<BlobProperties>, StoreError> {
        self.inner.list(prefix).await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.inner.ping().await
    }
}

/// Raise every blob function for each blob the `NotifyingBlobStore`
/// announces; the task ends with the runtime.
pub fn start_blob_triggers(router: Router, mut events: UnboundedReceiver<BlobName>) {
    tokio::spawn(async move {
        while let Some(blob) = events.recv().await {
            for f in BACKGROUND {
                if let Trigger::Blob { .. } = f.trigger {
                    tokio::spawn(invoke_blob(router.clone(), f.name, blob.clone()));
                }
            }
        }
    });
}

async fn invoke_blob(router: Router, name: &'static str, blob: BlobName) {
    let mut wait = Duration::from_secs(1);
    for attempt in 1..=BLOB_TRIES {
        let payload = InvocationRequest::host_blob(
            name,
            super::index_document::BINDING,
            FILES_CONTAINER,
            blob.as_str(),
            jiff::Timestamp::now(),
        );
        if send(&router, name, &payload).await {
            return;
        }
        if attempt < BLOB_TRIES {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
    tracing::error!(function = name, "blob function failed after every retry");
}

/// Invoke a timer function the way the host does.
pub async fn invoke(router: &Router, name: &str) {
    let payload = InvocationRequest::host_timer(name, "timer", jiff::Timestamp::now());
    send(router, name, &payload).await;
}

/// Send one invocation; whether the function succeeded.
async fn send(router: &Router, name: &str, payload: &InvocationRequest) -> bool {
    let body = match serde_json::to_vec(payload) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(function = name, error = %e, "cannot encode the payload");
            return false;
        }
    };
    let request = Request::post(format!("/{name}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body));
    match request {
        Ok(request) => match router.clone().oneshot(request).await {
            Ok(resp) if resp.status().is_success() => {
                tracing::info!(function = name, "function succeeded");
                true
            }
            Ok(resp) => {
                tracing::warn!(
                    function = name,
                    status = resp.status().as_u16(),
                    "function failed"
                );
                false
            }
            Err(e) => match e {},
        },
        Err(e) => {
            tracing::error!(function = name, error = %e, "cannot build the request");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::embedded::FileBlobStore;
    use bytes::Bytes;
    use futures::StreamExt;

    fn body(chunks: Vec<Result<Bytes, std::io::Error>>) -> ByteStream {
        futures::stream::iter(chunks).boxed()
    }

    #[tokio::test]
    async fn the_notifying_store_announces_each_blob_written_and_nothing_else() {
        let dir = tempfile::tempdir().expect("temp dir");
        let inner = Arc::new(FileBlobStore::open(dir.path()).expect("blob store"));
        let (blobs, mut events) = NotifyingBlobStore::wrap(inner);
        let name = BlobName::parse("projects/p/files/f").expect("name");

        blobs
            .put(&name, body(vec![Ok(Bytes::from_static(b"plan"))]))
            .await
            .expect("put");
        assert_eq!(events.try_recv().ok(), Some(name.clone()));

        // Reading and deleting are no news; a put that fails leaves no blob
        // and announces none.
        blobs.get(&name, None).await.expect("get");
        blobs.delete(&name).await.expect("delete");
        let failed = blobs
            .put(&name, body(vec![Err(std::io::Error::other("aborted"))]))
            .await;
        assert!(failed.is_err());
        assert!(events.try_recv().is_err());
    }
}
