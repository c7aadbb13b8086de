//! The Azure stores: documents in Cosmos DB, blobs in Blob Storage, both
//! reached with one token credential from `azure_identity`.

mod blob;
mod cosmos;
mod cosmos_query;
mod credentials;
mod settings;

pub use blob::AzureBlobStore;
pub use cosmos::{CosmosDocumentStore, indexing_policy};
pub use credentials::credential;
pub use settings::{AzureCredential, AzureSettings};

use azure_data_cosmos::options::{OperationOptionsBuilder, Region, ThrottlingRetryOptionsBuilder};
use azure_data_cosmos::{AccountReference, CosmosClient, RoutingStrategy};
use std::sync::Arc;
use std::time::Duration;

use crate::store::{StoreError, Stores};

/// How long one operation may wait out throttling (429) in total before it
/// fails as unavailable. The SDK's default (270 s) outlasts the Functions
/// host's HTTP timeout (230 s); a caller is better served by a quick 503.
const MAX_THROTTLE_WAIT: Duration = Duration::from_secs(30);

/// Connect to the configured Cosmos DB account and blob container.
pub async fn open_azure_stores(settings: &AzureSettings) -> Result<Stores, StoreError> {
    let credential = credential(
        settings.credential,
        settings.managed_identity_client_id.as_deref(),
    )?;
    let account = AccountReference::with_credential(
        settings.cosmos_endpoint.clone().into(),
        credential.clone(),
    );
    let throttling = ThrottlingRetryOptionsBuilder::new()
        .with_max_retry_wait_time(MAX_THROTTLE_WAIT)
        .build();
    let client = CosmosClient::builder()
        .with_default_operation_options(
            OperationOptionsBuilder::new()
                .with_throttling_retry_options(throttling)
                .build(),
        )
        .build(
            account,
            RoutingStrategy::ProximityTo(Region::from(settings.cosmos_region.clone())),
        )
        .await
        .map_err(|e| StoreError::Unavailable(format!("Cosmos DB client: {e}")))?;
    let documents = CosmosDocumentStore::open(
        &client,
        &settings.cosmos_database,
        settings.create_resources,
    )
    .await?;
    let blobs = AzureBlobStore::new(settings.blob_container_url(), credential, None)?;
    if settings.create_resources {
        blobs.create_container_if_missing().await?;
    }
    Ok(Stores {
        documents: Arc::new(documents),
        blobs: Arc::new(blobs),
    })
}

/// Every container's indexing policy as ARM JSON, keyed by container name:
/// the Bicep loads it, so Azure gets the composite indexes that the
/// adapter's sorted queries need.
pub fn indexing_policies_json() -> Result<String, StoreError> {
    let map: serde_json::Map<String, serde_json::Value> = crate::store::containers::ALL
        .iter()
        .map(|c| serde_json::to_value(indexing_policy(c)).map(|v| (c.name.to_owned(), v)))
        .collect::<Result<_, _>>()
        .map_err(StoreError::internal)?;
    let mut text = serde_json::to_string_pretty(&map).map_err(StoreError::internal)?;
    text.push('\n');
    Ok(text)
}

/// Where the Bicep expects the indexing policies.
pub const INDEXING_POLICIES_FILE: &str = "infra/modules/cosmos-indexing.json";
