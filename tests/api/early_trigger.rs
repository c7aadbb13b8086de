//! No upload stays unindexed. The upload commits the blob before its
//! metadata, and in Azure the blob event can reach `index-document` in
//! between. These tests replay exactly that moment: a blob store wrapper
//! sends the host's invocation right after the blob's commit, before the
//! upload writes the metadata. The early invocation must fail (so the host
//! delivers it again) rather than answer "gone" and leave the file pending.

use std::sync::{Arc, Mutex, OnceLock};

use async_trait::async_trait;
use insite_lms::store::{
    BlobName, BlobProperties, BlobStore, ByteStream, StoreError, Stores,
    blob::{BlobDownload, ByteRange},
};
use serde_json::Value;

use testkit::app::{TestApp, spawn_app_on, spawn_app_with};
use testkit::files::{host_blob_payload, search, upload};

/// Sends the blob trigger's invocation to the app as soon as a blob is
/// committed, and records the status each invocation got.
struct TriggerOnCommit {
    inner: Arc<dyn BlobStore>,
    app: Arc<OnceLock<String>>,
    statuses: Arc<Mutex<Vec<u16>>>,
}

#[async_trait]
impl BlobStore for TriggerOnCommit {
    async fn put(&self, name: &BlobName, body: ByteStream) -> Result<BlobProperties, StoreError> {
        let stored = self.inner.put(name, body).await?;
        if let Some(address) = self.app.get()
            && let Some(rest) = name.as_str().strip_prefix("projects/")
            && let Some((project, file)) = rest.split_once("/files/")
        {
            let status = reqwest::Client::new()
                .post(format!("{address}/index-document"))
                .json(&host_blob_payload(project, file, b""))
                .send()
                .await
                .expect("invocation sent")
                .status()
                .as_u16();
            self.statuses.lock().expect("lock").push(status);
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

#[tokio::test]
async fn a_blob_event_before_the_metadata_fails_so_the_host_delivers_it_again_and_the_file_is_indexed()
 {
    let address = Arc::new(OnceLock::new());
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let (a, s) = (address.clone(), statuses.clone());
    let app = spawn_app_on(&[("LMS_INDEX_IN_PROCESS", "false")], move |stores| Stores {
        documents: stores.documents,
        blobs: Arc::new(TriggerOnCommit {
            inner: stores.blobs,
            app: a,
            statuses: s,
        }),
    })
    .await;
    address.set(app.address.clone()).expect("set once");
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;

    let file = upload(
        &app,
        &token,
        &project,
        "lieferschein.txt",
        b"Betonpumpe kommt am Donnerstag".to_vec(),
        &[],
    )
    .await;
    let id = file["id"].as_str().expect("id").to_owned();
    let early = statuses.lock().expect("lock").clone();
    assert_eq!(
        early.len(),
        1,
        "the event arrived between blob and metadata"
    );
    assert!(
        early[0] >= 500,
        "an early event must fail so the host retries, got {}",
        early[0]
    );
    assert!(
        search(&app, &token, &project, "betonpumpe")
            .await
            .is_empty()
    );

    // The host's next delivery of the same event.
    let resp = app
        .post_json("/index-document", &host_blob_payload(&project, &id, b""))
        .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["ReturnValue"]["outcome"], "indexed");
    assert_eq!(search(&app, &token, &project, "betonpumpe").await, vec![id]);
}

#[tokio::test]
async fn a_file_whose_blob_events_were_all_lost_is_indexed_by_the_purge_sweep() {
    let app = spawn_app_with(&[
        ("LMS_INDEX_IN_PROCESS", "false"),
        ("LMS_PENDING_INDEX_RETRY_MINUTES", "0"),
    ])
    .await;
    let (token, project, id) = pending_upload(&app, "Turmdrehkran Montag").await;
    assert!(
        search(&app, &token, &project, "turmdrehkran")
            .await
            .is_empty()
    );

    let report = app.run_timer("purge-expired").await;
    assert_eq!(report["reindexedFiles"], 1, "{report}");
    assert_eq!(
        search(&app, &token, &project, "turmdrehkran").await,
        vec![id]
    );
    let again = app.run_timer("purge-expired").await;
    assert_eq!(again["reindexedFiles"], 0, "indexed files leave the sweep");
}

#[tokio::test]
async fn a_fresh_pending_file_is_left_to_its_blob_event_by_the_sweep() {
    let app = spawn_app_with(&[("LMS_INDEX_IN_PROCESS", "false")]).await;
    pending_upload(&app, "Hubsteiger").await;
    let report = app.run_timer("purge-expired").await;
    assert_eq!(report["reindexedFiles"], 0, "within the hour: {report}");
}

/// An owner's project with one uploaded text file that no blob event has
/// indexed yet: (token, project, file id).
async fn pending_upload(app: &TestApp, text: &str) -> (String, String, String) {
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let file = upload(
        app,
        &token,
        &project,
        "notiz.txt",
        text.as_bytes().to_vec(),
        &[],
    )
    .await;
    let id = file["id"].as_str().expect("id").to_owned();
    (token, project, id)
}
