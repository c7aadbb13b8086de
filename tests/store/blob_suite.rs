//! The blob-store contract. `blob_store_conformance!` turns every case into
//! a test for one backend.

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt, stream};
use insite_lms::store::blob::ByteRange;
use insite_lms::store::{BlobName, BlobStore, ByteStream, StoreError};
use std::sync::Arc;

pub type Store = Arc<dyn BlobStore>;

fn name(s: &str) -> BlobName {
    BlobName::parse(s).expect("valid name")
}

/// `n` bytes of a repeating, position-dependent pattern, in 64 KiB chunks.
fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

fn chunked(data: Vec<u8>) -> ByteStream {
    let chunks: Vec<Result<Bytes, std::io::Error>> = data
        .chunks(64 * 1024)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    stream::iter(chunks).boxed()
}

async fn read_all(body: ByteStream) -> Vec<u8> {
    body.try_fold(Vec::new(), |mut acc, chunk| async move {
        acc.extend_from_slice(&chunk);
        Ok(acc)
    })
    .await
    .expect("read body")
}

pub async fn put_then_get_streams_identical_bytes(s: Store) {
    let data = pattern(3 * 1024 * 1024 + 17);
    let props = s
        .put(&name("p1/files/a.bin"), chunked(data.clone()))
        .await
        .expect("put");
    assert_eq!(props.size, data.len() as u64);
    let got = s.get(&name("p1/files/a.bin"), None).await.expect("get");
    assert_eq!(got.properties.size, data.len() as u64);
    assert_eq!(read_all(got.body).await, data);
    let p = s
        .properties(&name("p1/files/a.bin"))
        .await
        .expect("props")
        .expect("present");
    assert_eq!(p.size, data.len() as u64);
}

pub async fn missing_blobs_are_reported(s: Store) {
    let r = s.get(&name("nope/x"), None).await;
    assert!(matches!(r, Err(StoreError::NotFound)), "not found");
    assert!(
        s.properties(&name("nope/x"))
            .await
            .expect("props")
            .is_none()
    );
    assert!(!s.delete(&name("nope/x")).await.expect("delete"));
}

pub async fn ranged_get_returns_the_slice(s: Store) {
    let data = pattern(100_000);
    s.put(&name("r/blob"), chunked(data.clone()))
        .await
        .expect("put");
    let got = s
        .get(
            &name("r/blob"),
            Some(ByteRange {
                start: 1000,
                end_inclusive: 1999,
            }),
        )
        .await
        .expect("get");
    assert_eq!(
        got.range,
        Some(ByteRange {
            start: 1000,
            end_inclusive: 1999
        })
    );
    assert_eq!(read_all(got.body).await, data[1000..2000].to_vec());
    let tail = s
        .get(
            &name("r/blob"),
            Some(ByteRange {
                start: 99_990,
                end_inclusive: u64::MAX - 1,
            }),
        )
        .await
        .expect("get tail");
    assert_eq!(read_all(tail.body).await, data[99_990..].to_vec());
}

pub async fn put_replaces_an_existing_blob(s: Store) {
    s.put(&name("x/b"), chunked(b"first version".to_vec()))
        .await
        .expect("put");
    s.put(&name("x/b"), chunked(b"second".to_vec()))
        .await
        .expect("put");
    let got = s.get(&name("x/b"), None).await.expect("get");
    assert_eq!(read_all(got.body).await, b"second".to_vec());
}

pub async fn a_failed_upload_leaves_nothing(s: Store) {
    let failing: ByteStream = stream::iter(vec![
        Ok(Bytes::from(vec![1u8; 300_000])),
        Err(std::io::Error::other("client went away")),
    ])
    .boxed();
    assert!(s.put(&name("f/broken"), failing).await.is_err());
    assert!(
        s.properties(&name("f/broken"))
            .await
            .expect("props")
            .is_none()
    );
    assert!(
        s.list("f/").await.expect("list").is_empty(),
        "no partial blob listed"
    );
}

pub async fn delete_removes_the_blob(s: Store) {
    s.put(&name("d/b"), chunked(vec![7; 10]))
        .await
        .expect("put");
    assert!(s.delete(&name("d/b")).await.expect("delete"));
    assert!(s.properties(&name("d/b")).await.expect("props").is_none());
    assert!(!s.delete(&name("d/b")).await.expect("delete twice"));
}

pub async fn list_by_prefix_in_name_order(s: Store) {
    for n in ["proj-b/2", "proj-a/2", "proj-a/1", "proj-ab/1"] {
        s.put(&name(n), chunked(vec![1, 2, 3])).await.expect("put");
    }
    let listed: Vec<String> = s
        .list("proj-a/")
        .await
        .expect("list")
        .into_iter()
        .map(|p| p.name.as_str().to_owned())
        .collect();
    assert_eq!(listed, vec!["proj-a/1", "proj-a/2"]);
    assert_eq!(s.list("proj-").await.expect("list").len(), 4);
}

pub async fn ping_answers(s: Store) {
    s.ping().await.expect("ping");
}

/// Instantiate every blob-store case for one backend.
macro_rules! blob_store_conformance {
    ($make:expr) => {
        blob_store_conformance!(@cases $make;
            put_then_get_streams_identical_bytes,
            missing_blobs_are_reported,
            ranged_get_returns_the_slice,
            put_replaces_an_existing_blob,
            a_failed_upload_leaves_nothing,
            delete_removes_the_blob,
            list_by_prefix_in_name_order,
            ping_answers
        );
    };
    (@cases $make:expr; $($case:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let (store, _guard) = $make.await;
                crate::blob_suite::$case(store).await;
            }
        )*
    };
}
