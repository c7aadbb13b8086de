//! The blob store on Azure Blob Storage (block blobs in one container).
//! A put stages the incoming stream as blocks of `BLOCK_SIZE` bytes and
//! commits the block list at the end: only one block is ever buffered, and
//! a failed stream commits nothing, so the previous blob (if any) stays and
//! the staged blocks are garbage-collected by the service.

use async_trait::async_trait;
use azure_core::Bytes;
use azure_core::credentials::TokenCredential;
use azure_core::http::{NoFormat, RequestContent, StatusCode, Url};
use azure_storage_blob::models::{
    BlobClientDownloadOptions, BlobClientGetPropertiesResultHeaders,
    BlobContainerClientListBlobsOptions, BlockBlobClientCommitBlockListResultHeaders,
    BlockLookupList, HttpRange,
};
use azure_storage_blob::{BlobContainerClient, BlobContainerClientOptions, BlockBlobClient};
use bytes::BytesMut;
use futures::{StreamExt, TryStreamExt};
use std::num::NonZero;
use std::sync::Arc;

use crate::store::StoreError;
use crate::store::blob::{
    BlobDownload, BlobName, BlobProperties, BlobStore, ByteRange, ByteStream,
};

/// Staged block size: large enough for few round trips (a 1 GiB file is 256
/// blocks, far below the 50,000-block limit), small enough to buffer.
const BLOCK_SIZE: usize = 4 * 1024 * 1024;

/// Download in 4 MiB partitions, two at a time: at most four buffers (16 MiB)
/// per download instead of the SDK's default of 8+ parallel partitions.
const DOWNLOAD_PARTITION: NonZero<usize> = NonZero::new(4 * 1024 * 1024).expect("non-zero");
const DOWNLOAD_PARALLEL: NonZero<usize> = NonZero::new(2).expect("non-zero");

pub struct AzureBlobStore {
    container: BlobContainerClient,
}

impl AzureBlobStore {
    /// A store on the container at `container_url`
    /// (`https://<account>.blob.core.windows.net/<container>`).
    pub fn new(
        container_url: Url,
        credential: Arc<dyn TokenCredential>,
        options: Option<BlobContainerClientOptions>,
    ) -> Result<Self, StoreError> {
        let container = BlobContainerClient::new(container_url, Some(credential), options)
            .map_err(|e| StoreError::Invalid(format!("blob container client: {e}")))?;
        Ok(AzureBlobStore { container })
    }

    /// Create the container when it is missing: for emulators; in Azure the
    /// Bicep creates it.
    pub async fn create_container_if_missing(&self) -> Result<(), StoreError> {
        if self.container.exists().await.map_err(blob_err)? {
            return Ok(());
        }
        match self.container.create(None).await {
            Ok(_) => Ok(()),
            Err(e) if e.http_status() == Some(StatusCode::Conflict) => Ok(()),
            Err(e) => Err(blob_err(e)),
        }
    }
}

fn blob_err(e: azure_core::Error) -> StoreError {
    match e.http_status().map(u16::from) {
        Some(404) => StoreError::NotFound,
        Some(416) => StoreError::Invalid("range not satisfiable".into()),
        Some(408 | 429 | 500 | 502 | 503 | 504) => StoreError::Unavailable(e.to_string()),
        Some(_) => StoreError::Internal(format!("blob storage: {e}")),
        // No HTTP status: the request never got an answer.
        None => StoreError::Unavailable(format!("blob storage: {e}")),
    }
}

fn timestamp(t: Option<azure_core::time::OffsetDateTime>) -> jiff::Timestamp {
    t.and_then(|t| {
        let nanos = i32::try_from(t.nanosecond()).ok()?;
        jiff::Timestamp::new(t.unix_timestamp(), nanos).ok()
    })
    .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// Block ids must have one length within a blob; a random upload prefix
/// keeps concurrent uploads to one name from mixing blocks.
fn block_id(upload: &str, index: usize) -> Vec<u8> {
    format!("{upload}-{index:08}").into_bytes()
}

/// The blocks staged so far for one put; nothing is visible until `commit`.
struct Upload {
    client: BlockBlobClient,
    id: String,
    blocks: Vec<Vec<u8>>,
    size: u64,
}

impl Upload {
    async fn stage(&mut self, block: Bytes) -> Result<(), StoreError> {
        let id = block_id(&self.id, self.blocks.len());
        let len = block.len() as u64;
        let content: RequestContent<Bytes, NoFormat> = block.into();
        self.client
            .stage_block(&id, len, content, None)
            .await
            .map_err(blob_err)?;
        self.size += len;
        self.blocks.push(id);
        Ok(())
    }

    /// Make the staged blocks, in order, the blob's content (an empty list
    /// makes an empty blob).
    async fn commit(self, name: &BlobName) -> Result<BlobProperties, StoreError> {
        let list = BlockLookupList {
            latest: Some(self.blocks),
            ..Default::default()
        };
        let committed = self
            .client
            .commit_block_list(list.try_into().map_err(blob_err)?, None)
            .await
            .map_err(blob_err)?;
        Ok(BlobProperties {
            name: name.clone(),
            size: self.size,
            last_modified: timestamp(committed.last_modified().map_err(blob_err)?),
        })
    }
}

#[async_trait]
impl BlobStore for AzureBlobStore {
    async fn put(
        &self,
        name: &BlobName,
        mut body: ByteStream,
    ) -> Result<BlobProperties, StoreError> {
        let mut upload = Upload {
            client: self
                .container
                .blob_client(name.as_str())
                .block_blob_client(),
            id: uuid::Uuid::new_v4().simple().to_string(),
            blocks: Vec::new(),
            size: 0,
        };
        let mut buffer = BytesMut::with_capacity(BLOCK_SIZE);
        while let Some(chunk) = body.next().await {
            let mut chunk =
                chunk.map_err(|e| StoreError::Invalid(format!("upload stream failed: {e}")))?;
            while !chunk.is_empty() {
                let take = chunk.len().min(BLOCK_SIZE - buffer.len());
                buffer.extend_from_slice(&chunk.split_to(take));
                if buffer.len() == BLOCK_SIZE {
                    upload.stage(buffer.split().freeze()).await?;
                    buffer.reserve(BLOCK_SIZE);
                }
            }
        }
        if !buffer.is_empty() {
            upload.stage(buffer.freeze()).await?;
        }
        upload.commit(name).await
    }

    async fn get(
        &self,
        name: &BlobName,
        range: Option<ByteRange>,
    ) -> Result<BlobDownload, StoreError> {
        let client = self.container.blob_client(name.as_str());
        let head = client.get_properties(None).await.map_err(blob_err)?;
        let properties = BlobProperties {
            name: name.clone(),
            size: head.content_length().map_err(blob_err)?.unwrap_or(0),
            last_modified: timestamp(head.last_modified().map_err(blob_err)?),
        };
        let served = match range {
            None => None,
            Some(r) if r.start >= properties.size || r.start > r.end_inclusive => {
                return Err(StoreError::Invalid("range not satisfiable".into()));
            }
            Some(r) => Some(ByteRange {
                start: r.start,
                end_inclusive: r.end_inclusive.min(properties.size - 1),
            }),
        };
        if properties.size == 0 {
            return Ok(BlobDownload {
                properties,
                range: served,
                body: futures::stream::empty().boxed(),
            });
        }
        let options = BlobClientDownloadOptions {
            // The bytes must be the version whose properties we report.
            if_match: head.etag().map_err(blob_err)?,
            range: served.map(|r| HttpRange::new(r.start, r.end_inclusive - r.start + 1)),
            partition_size: Some(DOWNLOAD_PARTITION),
            parallel: Some(DOWNLOAD_PARALLEL),
            ..Default::default()
        };
        let download = match client.download(Some(options)).await {
            Ok(d) => d,
            // Replaced between the two requests: a retry reads the new one.
            Err(e) if e.http_status() == Some(StatusCode::PreconditionFailed) => {
                return Err(StoreError::Unavailable(
                    "the blob changed while it was being read".into(),
                ));
            }
            Err(e) => return Err(blob_err(e)),
        };
        let body = download.body.map_err(std::io::Error::other).boxed();
        Ok(BlobDownload {
            properties,
            range: served,
            body,
        })
    }

    async fn properties(&self, name: &BlobName) -> Result<Option<BlobProperties>, StoreError> {
        match self
            .container
            .blob_client(name.as_str())
            .get_properties(None)
            .await
        {
            Ok(head) => Ok(Some(BlobProperties {
                name: name.clone(),
                size: head.content_length().map_err(blob_err)?.unwrap_or(0),
                last_modified: timestamp(head.last_modified().map_err(blob_err)?),
            })),
            Err(e) if e.http_status() == Some(StatusCode::NotFound) => Ok(None),
            Err(e) => Err(blob_err(e)),
        }
    }

    async fn delete(&self, name: &BlobName) -> Result<bool, StoreError> {
        match self.container.blob_client(name.as_str()).delete(None).await {
            Ok(_) => Ok(true),
            Err(e) if e.http_status() == Some(StatusCode::NotFound) => Ok(false),
            Err(e) => Err(blob_err(e)),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<BlobProperties>, StoreError> {
        let options = BlobContainerClientListBlobsOptions {
            prefix: Some(prefix.to_owned()),
            ..Default::default()
        };
        let mut pages = self
            .container
            .list_blobs(Some(options))
            .map_err(blob_err)?
            .into_pages();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(blob_err)?.into_model().map_err(blob_err)?;
            for item in page.blob_items {
                // Names this store could not have written are not its blobs.
                let Some(name) = item.name.and_then(|n| BlobName::parse(&n).ok()) else {
                    continue;
                };
                let props = item.properties.unwrap_or_default();
                out.push(BlobProperties {
                    name,
                    size: props.content_length.unwrap_or(0),
                    last_modified: timestamp(props.last_modified),
                });
            }
        }
        // The service lists in name order already; sorting keeps the
        // contract independent of that.
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        if self.container.exists().await.map_err(blob_err)? {
            Ok(())
        } else {
            Err(StoreError::Unavailable(
                "the blob container is missing".into(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_ids_have_one_length() {
        let upload = uuid::Uuid::new_v4().simple().to_string();
        assert_eq!(block_id(&upload, 0).len(), block_id(&upload, 49_999).len());
    }
}
