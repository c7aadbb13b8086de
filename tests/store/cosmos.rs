//! The document-store conformance suite on the Cosmos DB adapter, run
//! against the SDK's in-process emulator (see `cosmos_emulator`). The
//! emulator does not model TTL expiry, so instead of the expiry case these
//! tests prove that the adapter writes the item's `ttl` and that the
//! containers it creates have TTL on without a default.
//!
//! Two emulator gaps shape the adapter's query text; neither skips a case.
//! Its SQL lexer reads a double-quoted `"end"` as an identifier where Cosmos
//! DB reads a string, so bracket paths use single quotes. Its query-plan
//! endpoint, which the SDK calls for every cross-partition query, cannot plan
//! `ORDER BY` on a bracket path (`400/20115`, `NEEDS_GATEWAY_FALLBACK`), so
//! plain field names are written as dot paths. A cross-partition query
//! ordered by a keyword-named field (`end`, `value`) therefore fails on the
//! emulator only; the service's gateway plans it.

use azure_data_cosmos::CosmosClient;
use azure_data_cosmos::models::TimeToLive;
use azure_data_cosmos::options::{OperationOptionsBuilder, ThrottlingRetryOptionsBuilder};
use azure_data_cosmos_driver::in_memory_emulator::ContainerConfig;
use insite_lms::store::azure::CosmosDocumentStore;
use insite_lms::store::containers::{self, SYSTEM};
use insite_lms::store::{BatchOp, DocumentStore, NewDocument, Query, StoreError};
use serde_json::{Value, json};
use std::sync::Arc;

use testkit::cosmos_emulator::{DATABASE, Emulator, RuLog};

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

/// Every operation logs its request charge at debug level.
#[tokio::test(flavor = "current_thread")]
async fn every_operation_logs_its_request_charge() {
    let (store, _emulator) = documents().await;
    let log = RuLog::default();
    let _guard = log.install();
    let etag = store
        .create(SYSTEM, NewDocument::new("p", "a", json!({"v": 1})))
        .await
        .expect("create");
    store.read(SYSTEM, "p", "a").await.expect("read");
    store
        .replace(
            SYSTEM,
            NewDocument::new("p", "a", json!({"v": 2})),
            Some(&etag),
        )
        .await
        .expect("replace");
    store.query(SYSTEM, "p", Query::new()).await.expect("query");
    store
        .batch(
            SYSTEM,
            "p",
            vec![BatchOp::Upsert(NewDocument::new("p", "b", json!({})))],
        )
        .await
        .expect("batch");
    store.delete(SYSTEM, "p", "a", None).await.expect("delete");
    let ops: Vec<String> = log
        .take()
        .into_iter()
        .map(|c| {
            assert!(c.ru > 0.0, "{} charged {}", c.op, c.ru);
            assert_eq!(c.requests, 1, "{} took one round trip", c.op);
            c.op
        })
        .collect();
    assert_eq!(
        ops,
        ["create", "read", "replace", "query", "batch", "delete"]
    );
}
