//! Durability: a writer process acknowledges each write on stdout only after
//! the store returned; the test SIGKILLs it mid-stream and proves every
//! acknowledged document is there after reopening. The writer is this very
//! test binary, re-run with `LMS_CRASH_WRITER` set.

use insite_lms::store::containers::SYSTEM;
use insite_lms::store::embedded::{FileBlobStore, SqliteDocumentStore};
use insite_lms::store::{BlobName, BlobStore, DocumentStore, NewDocument};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const WRITER_ENV: &str = "LMS_CRASH_WRITER";

/// In the child: write documents and blobs forever, acknowledging each.
#[tokio::test]
async fn crash_writer_child() {
    let Ok(dir) = std::env::var(WRITER_ENV) else {
        return; // only meaningful as the child of the test below
    };
    let dir = std::path::PathBuf::from(dir);
    let docs = SqliteDocumentStore::open(&dir.join("db.sqlite3")).expect("open");
    let blobs = FileBlobStore::open(&dir.join("blobs")).expect("open");
    let mut out = std::io::stdout();
    for i in 0u64.. {
        let id = format!("doc-{i}");
        docs.create(
            SYSTEM,
            NewDocument::new("crash", &id, serde_json::json!({"seq": i})),
        )
        .await
        .expect("create");
        let name = BlobName::parse(&format!("crash/{id}")).expect("name");
        let body = futures::stream::iter(vec![Ok(bytes::Bytes::from(vec![(i % 256) as u8; 4096]))]);
        blobs.put(&name, Box::pin(body)).await.expect("put");
        writeln!(out, "ack {i}").expect("stdout");
        out.flush().expect("flush");
    }
}

#[tokio::test]
async fn sigkill_during_acknowledged_writes_loses_none() {
    let dir = tempfile::tempdir().expect("tmp");
    let exe = std::env::current_exe().expect("test binary");
    let mut child = Command::new(exe)
        .args(["crash::crash_writer_child", "--exact", "--nocapture"])
        .env(WRITER_ENV, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn writer");
    let stdout = child.stdout.take().expect("stdout");
    let mut acked = Vec::new();
    let started = Instant::now();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        if let Some(n) = line.strip_prefix("ack ") {
            acked.push(n.parse::<u64>().expect("seq"));
        }
        if acked.len() >= 150 || started.elapsed() > Duration::from_secs(30) {
            break;
        }
    }
    // SIGKILL: no destructors, no flushes, no graceful anything.
    child.kill().expect("kill");
    child.wait().expect("reap");
    assert!(
        acked.len() >= 20,
        "the writer made progress ({} acks)",
        acked.len()
    );

    let docs = SqliteDocumentStore::open(&dir.path().join("db.sqlite3")).expect("reopen");
    let blobs = FileBlobStore::open(&dir.path().join("blobs")).expect("reopen");
    for i in acked {
        let id = format!("doc-{i}");
        assert!(
            docs.read(SYSTEM, "crash", &id)
                .await
                .expect("read")
                .is_some(),
            "{id} lost"
        );
        let name = BlobName::parse(&format!("crash/{id}")).expect("name");
        let props = blobs
            .properties(&name)
            .await
            .expect("props")
            .expect("blob present");
        assert_eq!(props.size, 4096, "{id} blob complete");
    }
}
