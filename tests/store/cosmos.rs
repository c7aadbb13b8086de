//! The document-store conformance suite on the Cosmos DB adapter, run
//! against the SDK's in-process emulator (`azure_data_cosmos_driver`'s
//! `InMemoryEmulatorHttpClient`): the full SDK pipeline with only the HTTP
//! layer replaced. The emulator does not model TTL expiry, so instead of the
//! expiry case these tests prove that the adapter writes the item's `ttl` and
//! that the containers it creates have TTL on without a default.

use azure_core::credentials::Secret;
use azure_core::http::Url;
use azure_data_cosmos::models::TimeToLive;
use azure_data_cosmos::options::{OperationOptionsBuilder, Region, ThrottlingRetryOptionsBuilder};
use azure_data_cosmos::{
    AccountReference, CosmosClient, CosmosClientBuilder, CosmosRuntimeBuilder, RoutingStrategy,
};
use azure_data_cosmos_driver::in_memory_emulator::{
    ConsistencyLevel, ContainerConfig, InMemoryEmulatorHttpClient, VirtualAccountConfig,
    VirtualRegion,
};
use insite_lms::store::azure::CosmosDocumentStore;
use insite_lms::store::containers::{self, SYSTEM};
use insite_lms::store::{DocumentStore, NewDocument, StoreError};
use serde_json::{Value, json};
use std::sync::Arc;

/// The emulator answers for this made-up gateway; nothing leaves the process.
const GATEWAY: &str = "https://westeurope.emulator.local";
const DATABASE: &str = "lms";

struct Emulator {
    http: Arc<InMemoryEmulatorHttpClient>,
}

impl Emulator {
    fn new(throttling: bool) -> Self {
        let region = VirtualRegion::new("West Europe", Url::parse(GATEWAY).expect("url"));
        let config = VirtualAccountConfig::new(vec![region])
            .expect("account")
            .with_consistency(ConsistencyLevel::Session)
            .with_throttling_enabled(throttling);
        Emulator {
            http: Arc::new(InMemoryEmulatorHttpClient::new(config)),
        }
    }

    /// A client with an account key: key auth exists only in test builds
    /// (the `key_auth` feature comes with the emulator dev-dependency).
    async fn client(&self, builder: CosmosClientBuilder) -> CosmosClient {
        let runtime = CosmosRuntimeBuilder::from(self.http.runtime_builder())
            .build()
            .await
            .expect("runtime");
        let account = AccountReference::with_authentication_key(
            GATEWAY.parse().expect("endpoint"),
            Secret::new("dGVzdGtleQ=="),
        );
        builder
            .with_runtime(runtime)
            .build(account, RoutingStrategy::ProximityTo(Region::WEST_EUROPE))
            .await
            .expect("client")
    }
}

/// A fresh emulator with the database and containers created by the
/// adapter's control-plane path. The emulator is the guard.
async fn documents() -> (Arc<dyn DocumentStore>, Emulator) {
    let emulator = Emulator::new(false);
    let client = emulator.client(CosmosClient::builder()).await;
    let store = CosmosDocumentStore::open(&client, DATABASE, true)
        .await
        .expect("open");
    (Arc::new(store), emulator)
}

mod documents {
    use super::*;
    document_store_conformance!(documents());
}

#[tokio::test]
async fn the_adapter_writes_the_ttl_property_and_hides_it() {
    let emulator = Emulator::new(false);
    let client = emulator.client(CosmosClient::builder()).await;
    let store = CosmosDocumentStore::open(&client, DATABASE, true)
        .await
        .expect("open");
    store
        .create(
            SYSTEM,
            NewDocument::new("t", "short", json!({"v": 1})).with_ttl(3600),
        )
        .await
        .expect("create");
    store
        .create(SYSTEM, NewDocument::new("t", "forever", json!({"v": 2})))
        .await
        .expect("create");

    let container = client
        .database_client(DATABASE)
        .container_client(SYSTEM.name, None)
        .await
        .expect("container");
    let raw: Value = container
        .read_item("t", "short", None)
        .await
        .expect("raw read")
        .into_model()
        .expect("json");
    assert_eq!(raw["ttl"], 3600, "Cosmos expires the item by its ttl");
    let raw: Value = container
        .read_item("t", "forever", None)
        .await
        .expect("raw read")
        .into_model()
        .expect("json");
    assert!(raw.get("ttl").is_none(), "no ttl: the item never expires");

    let doc = store
        .read(SYSTEM, "t", "short")
        .await
        .expect("read")
        .expect("present");
    assert_eq!(
        doc.body,
        json!({"v": 1, "id": "short", "pk": "t"}),
        "system fields stripped"
    );
    assert_eq!(
        store.remove_expired().await.expect("purge"),
        0,
        "Cosmos purges by itself"
    );
}

#[tokio::test]
async fn created_containers_have_ttl_on_without_a_default() {
    let emulator = Emulator::new(false);
    let client = emulator.client(CosmosClient::builder()).await;
    CosmosDocumentStore::open(&client, DATABASE, true)
        .await
        .expect("open");
    for c in containers::ALL {
        let props = client
            .database_client(DATABASE)
            .container_client(c.name, None)
            .await
            .expect("container")
            .read(None)
            .await
            .expect("read container")
            .into_model()
            .expect("properties");
        assert_eq!(props.default_ttl, TimeToLive::NoDefault, "{}", c.name);
        assert_eq!(
            props.partition_key.paths(),
            [c.partition_key_path()],
            "{}",
            c.name
        );
    }
}

#[tokio::test]
async fn without_create_resources_missing_containers_stop_the_start() {
    let emulator = Emulator::new(false);
    let client = emulator.client(CosmosClient::builder()).await;
    let r = CosmosDocumentStore::open(&client, DATABASE, false).await;
    assert!(
        matches!(r, Err(StoreError::Unavailable(_))),
        "{:?}",
        r.err()
    );
}

/// One small partition with 400 RU/s and a large item that uses up its
/// budget: the next write gets 429 from the emulator.
fn provision_throttled(emulator: &Emulator) {
    let store = emulator.http.store();
    store.create_database(DATABASE);
    for c in containers::ALL {
        store.create_container_with_config(
            DATABASE,
            c.name,
            serde_json::from_value(
                json!({"paths": [c.partition_key_path()], "kind": "Hash", "version": 2}),
            )
            .expect("pk definition"),
            ContainerConfig::new()
                .with_partition_count(1)
                .with_throughput(400)
                .build()
                .expect("container config"),
        );
    }
}

fn padded(bytes: usize) -> Value {
    json!({"padding": "x".repeat(bytes)})
}

#[tokio::test]
async fn throttling_is_retried_by_the_sdk_honouring_retry_after() {
    let emulator = Emulator::new(true);
    provision_throttled(&emulator);
    let client = emulator.client(CosmosClient::builder()).await;
    let store = CosmosDocumentStore::open(&client, DATABASE, false)
        .await
        .expect("open");
    store
        .create(SYSTEM, NewDocument::new("p", "seed", padded(40 * 1024)))
        .await
        .expect("seed");
    let started = std::time::Instant::now();
    store
        .create(SYSTEM, NewDocument::new("p", "next", padded(8 * 1024)))
        .await
        .expect("succeeds after the SDK's retries");
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(200),
        "the write waited for the RU budget to refill"
    );
}

#[tokio::test]
async fn throttling_that_outlasts_the_retries_is_unavailable() {
    let emulator = Emulator::new(true);
    provision_throttled(&emulator);
    let no_retries = OperationOptionsBuilder::new()
        .with_throttling_retry_options(
            ThrottlingRetryOptionsBuilder::new()
                .with_max_retry_count(0)
                .build(),
        )
        .build();
    let client = emulator
        .client(CosmosClient::builder().with_default_operation_options(no_retries))
        .await;
    let store = CosmosDocumentStore::open(&client, DATABASE, false)
        .await
        .expect("open");
    store
        .create(SYSTEM, NewDocument::new("p", "seed", padded(40 * 1024)))
        .await
        .expect("seed");
    let r = store
        .create(SYSTEM, NewDocument::new("p", "next", padded(8 * 1024)))
        .await;
    assert!(matches!(r, Err(StoreError::Unavailable(_))), "{r:?}");
}
