//! The blob-store conformance suite on the Azure Blob Storage adapter,
//! against Azurite over https with a bearer token: the production code path
//! (token credential, TLS), with a test CA and an unsigned JWT that Azurite's
//! `--oauth basic` mode checks for audience, issuer and lifetime.
//!
//! `scripts/test` starts Azurite (`scripts/with-azurite`) and exports `LMS_TEST_AZURITE_URL` (the
//! account URL) and `LMS_TEST_AZURITE_CA` (the CA certificate, PEM). Without
//! them these tests fail, unless `LMS_SKIP_AZURITE=1` skips them on purpose.

use azure_core::http::Url;
use azure_storage_blob::{BlobContainerClient, BlobContainerClientOptions};
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt, stream};
use insite_lms::store::azure::AzureBlobStore;
use insite_lms::store::{BlobName, BlobStore, ByteStream, StoreError};
use std::sync::Arc;
use testkit::azurite::{CA_VAR, STORAGE_AUDIENCE, URL_VAR, UnsignedJwt};

const SKIP_VAR: &str = "LMS_SKIP_AZURITE";

struct Azurite {
    account_url: Url,
    options: BlobContainerClientOptions,
}

/// Azurite's coordinates from the environment; `None` only when skipping
/// was asked for, so a forgotten Azurite can never pass silently.
fn azurite() -> Option<Azurite> {
    let (Ok(url), Ok(ca)) = (std::env::var(URL_VAR), std::env::var(CA_VAR)) else {
        if std::env::var(SKIP_VAR).as_deref() == Ok("1") {
            eprintln!("{SKIP_VAR}=1: skipping a test that needs Azurite");
            return None;
        }
        panic!(
            "Azurite is not running: {URL_VAR} and {CA_VAR} are unset. Run ./scripts/test, \
             which starts Azurite, or set {SKIP_VAR}=1 to skip the Azurite tests on purpose."
        );
    };
    let pem = std::fs::read(&ca).unwrap_or_else(|e| panic!("{CA_VAR}={ca}: {e}"));
    let options = testkit::azurite::client_options(&pem);
    Some(Azurite {
        account_url: Url::parse(&url).expect("account url"),
        options,
    })
}

impl Azurite {
    /// A fresh container per test, so tests never see each other's blobs.
    fn container_url(&self) -> Url {
        testkit::azurite::fresh_container_url(&self.account_url)
    }

    fn store(&self, url: Url, audience: &'static str) -> AzureBlobStore {
        AzureBlobStore::new(
            url,
            Arc::new(UnsignedJwt { audience }),
            Some(self.options.clone()),
        )
        .expect("store")
    }
}

async fn blobs(azurite: Azurite) -> (Arc<dyn BlobStore>, ()) {
    let store = azurite.store(azurite.container_url(), STORAGE_AUDIENCE);
    store
        .create_container_if_missing()
        .await
        .expect("container");
    (Arc::new(store), ())
}

/// `None` ends the test early, for the skip case.
fn azurite_blobs() -> Option<impl Future<Output = (Arc<dyn BlobStore>, ())>> {
    azurite().map(blobs)
}

mod blobs {
    use super::*;
    blob_store_conformance!(
        (match azurite_blobs() {
            Some(store) => store,
            None => return,
        })
    );
}

fn name(s: &str) -> BlobName {
    BlobName::parse(s).expect("name")
}

fn chunks(data: &[u8]) -> ByteStream {
    let chunks: Vec<Result<Bytes, std::io::Error>> = data
        .chunks(64 * 1024)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    stream::iter(chunks).boxed()
}

async fn read_all(body: ByteStream) -> Vec<u8> {
    body.try_fold(Vec::new(), |mut all, chunk| async move {
        all.extend_from_slice(&chunk);
        Ok(all)
    })
    .await
    .expect("body")
}

/// Several staged blocks (4 MiB each) and a short last one come back as one
/// blob; a stream that fails after a block was staged leaves the previous
/// version untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multi_block_upload_commits_all_or_nothing() {
    let Some(azurite) = azurite() else { return };
    let (store, ()) = blobs(azurite).await;
    let data: Vec<u8> = (0..9 * 1024 * 1024 + 5).map(|i| (i % 253) as u8).collect();
    let props = store
        .put(&name("big/one"), chunks(&data))
        .await
        .expect("put");
    assert_eq!(props.size, data.len() as u64);
    let got = store.get(&name("big/one"), None).await.expect("get");
    assert_eq!(got.properties.size, data.len() as u64);
    assert!(read_all(got.body).await == data, "identical bytes");

    let failing: ByteStream = stream::iter(vec![
        Ok(Bytes::from(vec![9u8; 5 * 1024 * 1024])),
        Err(std::io::Error::other("client went away")),
    ])
    .boxed();
    let r = store.put(&name("big/one"), failing).await;
    assert!(matches!(r, Err(StoreError::Invalid(_))), "{r:?}");
    let kept = store.get(&name("big/one"), None).await.expect("get");
    assert_eq!(kept.properties.size, data.len() as u64, "old version kept");

    store
        .put(&name("big/empty"), chunks(&[]))
        .await
        .expect("empty put");
    let empty = store.get(&name("big/empty"), None).await.expect("get");
    assert!(read_all(empty.body).await.is_empty());
}

/// Azurite really checks the token: without one, or for another audience,
/// the same requests are refused.
#[tokio::test]
async fn requests_without_a_valid_token_are_refused() {
    let Some(azurite) = azurite() else { return };
    let url = azurite.container_url();
    let good = azurite.store(url.clone(), STORAGE_AUDIENCE);
    good.create_container_if_missing().await.expect("container");
    good.ping().await.expect("the token works");

    let wrong_audience = azurite.store(url.clone(), "https://vault.azure.net");
    assert!(
        wrong_audience.ping().await.is_err(),
        "wrong audience refused"
    );

    let anonymous =
        BlobContainerClient::new(url, None, Some(azurite.options.clone())).expect("client");
    let e = anonymous.exists().await.expect_err("anonymous refused");
    assert!(
        matches!(e.http_status().map(u16::from), Some(401 | 403)),
        "{e}"
    );
}
