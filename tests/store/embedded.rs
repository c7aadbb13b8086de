//! The conformance suites on the embedded stores (SQLite and files), plus
//! what only they must prove: TTL expiry, names that cannot escape the
//! folder, and durability across processes.

use insite_lms::store::embedded::{FileBlobStore, SqliteDocumentStore};
use insite_lms::store::{BlobName, BlobStore, DocumentStore};
use std::sync::Arc;

async fn documents() -> (Arc<dyn DocumentStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tmp");
    let store = SqliteDocumentStore::open(&dir.path().join("db.sqlite3")).expect("open");
    (Arc::new(store), dir)
}

async fn blobs() -> (Arc<dyn BlobStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tmp");
    let store = FileBlobStore::open(&dir.path().join("blobs")).expect("open");
    (Arc::new(store), dir)
}

mod documents {
    use super::*;
    document_store_conformance!(documents());

    #[tokio::test]
    async fn ttl_expires_documents() {
        let (store, _guard) = documents().await;
        crate::document_suite::ttl_expires_documents(store).await;
    }

    /// Two store instances on one file behave like two processes sharing a
    /// data folder: If-Match still loses no update.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_instances_on_one_file_lose_no_update() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("db.sqlite3");
        let a: Arc<dyn DocumentStore> = Arc::new(SqliteDocumentStore::open(&path).expect("a"));
        let b: Arc<dyn DocumentStore> = Arc::new(SqliteDocumentStore::open(&path).expect("b"));
        a.create(
            insite_lms::store::containers::SYSTEM,
            insite_lms::store::NewDocument::new("c", "counter", serde_json::json!({"n": 0})),
        )
        .await
        .expect("create");
        let mut tasks = Vec::new();
        for store in [a.clone(), b.clone(), a, b] {
            tasks.push(tokio::spawn(async move {
                for _ in 0..10 {
                    loop {
                        let c = insite_lms::store::containers::SYSTEM;
                        let cur = store.read(c, "c", "counter").await.expect("r").expect("p");
                        let n = cur.body["n"].as_i64().expect("n");
                        let next = insite_lms::store::NewDocument::new(
                            "c",
                            "counter",
                            serde_json::json!({"n": n + 1}),
                        );
                        if store.replace(c, next, Some(&cur.etag)).await.is_ok() {
                            break;
                        }
                    }
                }
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
        let (store, _g) = (SqliteDocumentStore::open(&path).expect("reopen"), ());
        let got = store
            .read(insite_lms::store::containers::SYSTEM, "c", "counter")
            .await
            .expect("read")
            .expect("present");
        assert_eq!(got.body["n"], 40);
    }
}

mod blobs {
    use super::*;
    blob_store_conformance!(blobs());

    #[test]
    fn blob_names_cannot_escape_the_folder() {
        for bad in [
            "../etc/passwd",
            "a/../../b",
            "/abs",
            "a//b",
            "a/./b",
            "",
            "a\\b",
            "x/.tmp-1",
        ] {
            assert!(BlobName::parse(bad).is_err(), "{bad:?} must be rejected");
        }
        assert!(BlobName::parse("proj-1/files/0193.pdf").is_ok());
    }

    #[tokio::test]
    async fn a_failed_upload_leaves_no_temporary_file() {
        use futures::StreamExt;
        let (store, dir) = blobs().await;
        let failing: insite_lms::store::ByteStream = futures::stream::iter(vec![
            Ok(bytes::Bytes::from_static(b"partial")),
            Err(std::io::Error::other("cut")),
        ])
        .boxed();
        let name = BlobName::parse("p/x").expect("name");
        assert!(store.put(&name, failing).await.is_err());
        let leftovers = std::fs::read_dir(dir.path().join("blobs/p"))
            .expect("dir")
            .count();
        assert_eq!(leftovers, 0, "the temporary file is removed");
    }
}
