//! The blob-store contract: streaming put and get (a large file never sits in
//! memory), ranged reads, delete, properties and listing by prefix.

use async_trait::async_trait;
use bytes::Bytes;
use futures::Stream;
use std::fmt;
use std::pin::Pin;

use super::document::StoreError;

/// A stream of body chunks, in or out.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>;

/// A blob name: `/`-separated segments of `[A-Za-z0-9._-]`, none of them
/// `.` or `..`, so it can never escape a folder or a container.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobName(String);

impl BlobName {
    pub fn parse(name: &str) -> Result<Self, StoreError> {
        let valid = !name.is_empty()
            && name.len() <= 1024
            && name.split('/').all(|seg| {
                !seg.is_empty()
                    && seg != "."
                    && seg != ".."
                    && !seg.starts_with(".tmp-")
                    && seg
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
            });
        if valid {
            Ok(BlobName(name.to_owned()))
        } else {
            Err(StoreError::Invalid(format!("invalid blob name {name:?}")))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BlobName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobProperties {
    pub name: BlobName,
    pub size: u64,
    pub last_modified: jiff::Timestamp,
}

/// A byte range `start..=end` (inclusive, as in HTTP `Range`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub start: u64,
    pub end_inclusive: u64,
}

pub struct BlobDownload {
    pub properties: BlobProperties,
    /// The range actually served, when one was asked for.
    pub range: Option<ByteRange>,
    pub body: ByteStream,
}

#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Store the stream under `name`, replacing any blob there. The blob
    /// becomes visible only when the whole stream was written; when the
    /// stream fails, nothing is left under `name`.
    async fn put(&self, name: &BlobName, body: ByteStream) -> Result<BlobProperties, StoreError>;
    /// `NotFound` when absent; `Invalid` when the range starts past the end.
    async fn get(
        &self,
        name: &BlobName,
        range: Option<ByteRange>,
    ) -> Result<BlobDownload, StoreError>;
    async fn properties(&self, name: &BlobName) -> Result<Option<BlobProperties>, StoreError>;
    /// Returns whether a blob was there.
    async fn delete(&self, name: &BlobName) -> Result<bool, StoreError>;
    /// Every blob whose name starts with `prefix`, in name order.
    async fn list(&self, prefix: &str) -> Result<Vec<BlobProperties>, StoreError>;
    async fn ping(&self) -> Result<(), StoreError>;
}
