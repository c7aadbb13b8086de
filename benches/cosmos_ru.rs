//! Request units (RU) per document-store operation on the Cosmos DB
//! adapter, measured on the SDK's in-process emulator from the charges the
//! adapter logs. The emulator's RU model is a documented stand-in (point
//! read 1 RU/KB, writes by size and property count, queries often flat):
//! good for comparing designs, not for billing forecasts.
//!
//! Run: `cargo bench --bench cosmos_ru` (figures in docs/PERFORMANCE.md).

use insite_lms::store::azure::CosmosDocumentStore;
use insite_lms::store::containers::PROJECTS;
use insite_lms::store::{BatchOp, DocumentStore, NewDocument, Order, Query};
use serde_json::{Value, json};
use testkit::cosmos_emulator::{DATABASE, Emulator, RuLog};

/// A booking as the application stores it: about 300 bytes, 9 properties.
fn booking(i: usize) -> Value {
    json!({
        "kind": "booking",
        "resourceId": "crane-1",
        "userId": format!("user-{}", i % 7),
        "start": format!("2026-12-01T{:02}:00:00Z", 6 + i % 12),
        "end": format!("2026-12-01T{:02}:30:00Z", 6 + i % 12),
        "status": if i.is_multiple_of(3) { "cancelled" } else { "confirmed" },
        "note": "Delivery of rebar, 2 trucks, gate 3",
        "at": format!("2026-11-20T10:{:02}:00Z", i % 60),
    })
}

/// A larger record with padding to `bytes`.
fn padded(bytes: usize) -> Value {
    json!({"kind": "file", "name": "plan.pdf", "description": "x".repeat(bytes)})
}

fn report(log: &RuLog, label: &str) {
    let charges = log.take();
    let total: f64 = charges.iter().map(|c| c.ru).sum();
    let trips: u64 = charges.iter().map(|c| c.requests).sum();
    let ops: Vec<&str> = charges.iter().map(|c| c.op.as_str()).collect();
    println!("| {label} | {} | {trips} | {total:.2} |", ops.join(", "));
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let emulator = Emulator::new(false);
    let client = emulator
        .client(azure_data_cosmos::CosmosClient::builder())
        .await;
    let store = CosmosDocumentStore::open(&client, DATABASE, true)
        .await
        .expect("open");
    let log = RuLog::default();
    let _guard = log.install();
    let c = PROJECTS;
    let pk = "project-1";
    for i in 0..50 {
        store
            .create(c, NewDocument::new(pk, format!("b{i:03}"), booking(i)))
            .await
            .expect("seed");
    }
    log.take();

    println!("| operation | adapter calls | round trips | RU |");
    println!("|---|---|---:|---:|");
    let etag = store
        .create(c, NewDocument::new(pk, "new", booking(1)))
        .await
        .expect("create");
    report(&log, "create, booking (~300 B, 9 properties)");
    store
        .create(c, NewDocument::new(pk, "big1k", padded(1024)))
        .await
        .expect("create 1k");
    report(&log, "create, 1 KiB document");
    store
        .create(c, NewDocument::new(pk, "big4k", padded(4096)))
        .await
        .expect("create 4k");
    report(&log, "create, 4 KiB document");
    let conflict = store
        .create(c, NewDocument::new(pk, "new", booking(1)))
        .await;
    assert!(conflict.is_err());
    report(&log, "create, id taken (409)");
    store.read(c, pk, "new").await.expect("read");
    report(&log, "point read, booking");
    store.read(c, pk, "big4k").await.expect("read 4k");
    report(&log, "point read, 4 KiB document");
    store.read(c, pk, "missing").await.expect("read missing");
    report(&log, "point read, missing (404)");
    store
        .replace(c, NewDocument::new(pk, "new", booking(2)), Some(&etag))
        .await
        .expect("replace");
    report(&log, "replace with If-Match, booking");
    let stale = store
        .replace(c, NewDocument::new(pk, "new", booking(3)), Some(&etag))
        .await;
    assert!(stale.is_err());
    report(&log, "replace, stale ETag (412)");
    store
        .upsert(c, NewDocument::new(pk, "new", booking(4)))
        .await
        .expect("upsert");
    report(&log, "upsert (replace), booking");
    store
        .create(c, NewDocument::new(pk, "ttl", booking(5)).with_ttl(3600))
        .await
        .expect("create ttl");
    report(&log, "create with ttl, booking");
    let page = store
        .query(
            c,
            pk,
            Query::new()
                .eq("kind", "booking")
                .ge("start", "2026-12-01T08:00:00Z")
                .order_by("start", Order::Asc)
                .limit(10),
        )
        .await
        .expect("query");
    report(&log, "query, 1 partition, filter + order, page of 10");
    store
        .query(
            c,
            pk,
            Query::new()
                .eq("kind", "booking")
                .ge("start", "2026-12-01T08:00:00Z")
                .order_by("start", Order::Asc)
                .limit(10)
                .continuation(page.continuation),
        )
        .await
        .expect("next page");
    report(&log, "query, next page (continuation token)");
    store
        .query_all_partitions(c, Query::new().eq("status", "cancelled").limit(10))
        .await
        .expect("cross-partition query");
    report(&log, "query across partitions, page of 10");
    store
        .batch(
            c,
            pk,
            vec![
                BatchOp::Create(NewDocument::new(pk, "batch-1", booking(6))),
                BatchOp::Replace {
                    doc: NewDocument::new(pk, "new", booking(7)),
                    if_match: None,
                },
                BatchOp::Delete {
                    id: "ttl".into(),
                    if_match: None,
                },
            ],
        )
        .await
        .expect("batch");
    report(&log, "batch: create + replace + delete");
    store.delete(c, pk, "big4k", None).await.expect("delete");
    report(&log, "delete, 4 KiB document");
    store.delete(c, pk, "batch-1", None).await.expect("delete");
    report(&log, "delete, booking");
    store.ping().await.expect("ping");
    report(&log, "ping (point read of a missing id)");
}
