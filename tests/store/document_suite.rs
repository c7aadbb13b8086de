//! The document-store contract (Cosmos DB semantics). Each case takes a
//! fresh store; `document_store_conformance!` turns every case into a test
//! for one backend.

use insite_lms::store::containers::SYSTEM;
use insite_lms::store::{BatchOp, DocumentStore, NewDocument, Order, Query, StoreError};
use serde_json::json;
use std::sync::Arc;

pub type Store = Arc<dyn DocumentStore>;

fn doc(pk: &str, id: &str, body: serde_json::Value) -> NewDocument {
    NewDocument::new(pk, id, body)
}

pub async fn create_then_read_returns_the_body(s: Store) {
    let etag = s
        .create(
            SYSTEM,
            doc("p1", "a", json!({"kind": "x", "seq": 1, "name": "Kran 1"})),
        )
        .await
        .expect("create");
    let got = s
        .read(SYSTEM, "p1", "a")
        .await
        .expect("read")
        .expect("present");
    assert_eq!(got.etag, etag);
    assert_eq!(got.id, "a");
    assert_eq!(got.partition_key, "p1");
    assert_eq!(got.body["name"], "Kran 1");
    assert_eq!(got.body["id"], "a");
    assert_eq!(got.body["pk"], "p1");
    assert!(
        s.read(SYSTEM, "p2", "a").await.expect("read").is_none(),
        "partitions are separate"
    );
    assert!(s.read(SYSTEM, "p1", "b").await.expect("read").is_none());
}

pub async fn create_is_create_if_absent(s: Store) {
    s.create(SYSTEM, doc("p1", "a", json!({"v": 1})))
        .await
        .expect("first");
    let again = s.create(SYSTEM, doc("p1", "a", json!({"v": 2}))).await;
    assert!(matches!(again, Err(StoreError::Conflict)), "{again:?}");
    let got = s
        .read(SYSTEM, "p1", "a")
        .await
        .expect("read")
        .expect("present");
    assert_eq!(got.body["v"], 1, "a conflicting create changes nothing");
    s.create(SYSTEM, doc("p2", "a", json!({"v": 3})))
        .await
        .expect("same id in another partition");
}

pub async fn replace_honours_if_match(s: Store) {
    let e1 = s
        .create(SYSTEM, doc("p", "a", json!({"v": 1})))
        .await
        .expect("create");
    let e2 = s
        .replace(SYSTEM, doc("p", "a", json!({"v": 2})), Some(&e1))
        .await
        .expect("replace with current etag");
    assert_ne!(e1, e2, "every change changes the etag");
    let stale = s
        .replace(SYSTEM, doc("p", "a", json!({"v": 3})), Some(&e1))
        .await;
    assert!(
        matches!(stale, Err(StoreError::PreconditionFailed)),
        "{stale:?}"
    );
    let got = s
        .read(SYSTEM, "p", "a")
        .await
        .expect("read")
        .expect("present");
    assert_eq!(got.body["v"], 2);
    assert_eq!(got.etag, e2);
    s.replace(SYSTEM, doc("p", "a", json!({"v": 4})), None)
        .await
        .expect("unconditional replace");
    let missing = s.replace(SYSTEM, doc("p", "zz", json!({})), None).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
}

pub async fn upsert_creates_and_replaces(s: Store) {
    s.upsert(SYSTEM, doc("p", "a", json!({"v": 1})))
        .await
        .expect("insert");
    s.upsert(SYSTEM, doc("p", "a", json!({"v": 2})))
        .await
        .expect("update");
    let got = s
        .read(SYSTEM, "p", "a")
        .await
        .expect("read")
        .expect("present");
    assert_eq!(got.body["v"], 2);
}

pub async fn delete_honours_if_match_and_reports_missing(s: Store) {
    let e1 = s
        .create(SYSTEM, doc("p", "a", json!({})))
        .await
        .expect("create");
    let e2 = s
        .replace(SYSTEM, doc("p", "a", json!({"v": 1})), None)
        .await
        .expect("replace");
    let stale = s.delete(SYSTEM, "p", "a", Some(&e1)).await;
    assert!(
        matches!(stale, Err(StoreError::PreconditionFailed)),
        "{stale:?}"
    );
    s.delete(SYSTEM, "p", "a", Some(&e2)).await.expect("delete");
    assert!(s.read(SYSTEM, "p", "a").await.expect("read").is_none());
    let again = s.delete(SYSTEM, "p", "a", None).await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
}

async fn seed_sequence(s: &Store, pk: &str, n: i64) {
    for i in 0..n {
        let kind = if i % 2 == 0 { "even" } else { "odd" };
        s.create(
            SYSTEM,
            doc(pk, &format!("d{i:03}"), json!({"kind": kind, "seq": i})),
        )
        .await
        .expect("seed");
    }
}

async fn collect_pages(s: &Store, pk: &str, q: Query) -> (Vec<i64>, usize) {
    let mut seqs = Vec::new();
    let mut pages = 0;
    let mut token = None;
    loop {
        let page = s
            .query(SYSTEM, pk, q.clone().continuation(token))
            .await
            .expect("query");
        pages += 1;
        seqs.extend(
            page.items
                .iter()
                .map(|d| d.body["seq"].as_i64().expect("seq")),
        );
        match page.continuation {
            Some(t) => token = Some(t),
            None => break,
        }
        assert!(pages < 100, "continuation must end");
    }
    (seqs, pages)
}

pub async fn query_filters_orders_and_pages(s: Store) {
    seed_sequence(&s, "q", 25).await;
    seed_sequence(&s, "other", 5).await;
    let q = Query::new()
        .eq("kind", "even")
        .ge("seq", 4)
        .lt("seq", 21)
        .order_by("seq", Order::Asc)
        .limit(3);
    let (seqs, pages) = collect_pages(&s, "q", q).await;
    assert_eq!(seqs, vec![4, 6, 8, 10, 12, 14, 16, 18, 20]);
    assert!(pages >= 3, "limit 3 needs several pages, got {pages}");

    let desc = Query::new().order_by("seq", Order::Desc).limit(10);
    let (seqs, _) = collect_pages(&s, "q", desc).await;
    let expected: Vec<i64> = (0..25).rev().collect();
    assert_eq!(
        seqs, expected,
        "descending, every item once, only this partition"
    );

    let gt_le = Query::new()
        .gt("seq", 20)
        .le("seq", 22)
        .order_by("seq", Order::Asc);
    let (seqs, _) = collect_pages(&s, "q", gt_le).await;
    assert_eq!(seqs, vec![21, 22]);
}

pub async fn cross_partition_query_sees_every_partition(s: Store) {
    seed_sequence(&s, "a", 3).await;
    seed_sequence(&s, "b", 4).await;
    let mut total = 0;
    let mut token = None;
    loop {
        let page = s
            .query_all_partitions(
                SYSTEM,
                Query::new().eq("kind", "even").limit(2).continuation(token),
            )
            .await
            .expect("query");
        total += page.items.len();
        match page.continuation {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert_eq!(total, 2 + 2);
}

pub async fn a_forged_continuation_token_is_rejected(s: Store) {
    seed_sequence(&s, "q", 3).await;
    let r = s
        .query(
            SYSTEM,
            "q",
            Query::new().continuation(Some("not-a-token!".into())),
        )
        .await;
    assert!(matches!(r, Err(StoreError::Invalid(_))), "{r:?}");
}

pub async fn batch_is_all_or_nothing(s: Store) {
    s.create(SYSTEM, doc("b", "taken", json!({"v": 0})))
        .await
        .expect("seed");
    let failing = vec![
        BatchOp::Create(doc("b", "new1", json!({"v": 1}))),
        BatchOp::Upsert(doc("b", "new2", json!({"v": 2}))),
        BatchOp::Create(doc("b", "taken", json!({"v": 3}))),
    ];
    let r = s.batch(SYSTEM, "b", failing).await;
    assert!(matches!(r, Err(StoreError::Conflict)), "{r:?}");
    assert!(
        s.read(SYSTEM, "b", "new1").await.expect("read").is_none(),
        "rolled back"
    );
    assert!(
        s.read(SYSTEM, "b", "new2").await.expect("read").is_none(),
        "rolled back"
    );

    let taken = s
        .read(SYSTEM, "b", "taken")
        .await
        .expect("read")
        .expect("present");
    let ok = vec![
        BatchOp::Create(doc("b", "new1", json!({"v": 1}))),
        BatchOp::Replace {
            doc: doc("b", "taken", json!({"v": 9})),
            if_match: Some(taken.etag.clone()),
        },
    ];
    let etags = s.batch(SYSTEM, "b", ok).await.expect("batch");
    assert_eq!(etags.len(), 2);
    assert!(etags.iter().all(Option::is_some));
    assert_eq!(
        s.read(SYSTEM, "b", "taken")
            .await
            .expect("r")
            .expect("p")
            .body["v"],
        9
    );

    let stale = vec![
        BatchOp::Delete {
            id: "new1".into(),
            if_match: None,
        },
        BatchOp::Replace {
            doc: doc("b", "taken", json!({"v": 10})),
            if_match: Some(taken.etag),
        },
    ];
    let r = s.batch(SYSTEM, "b", stale).await;
    assert!(matches!(r, Err(StoreError::PreconditionFailed)), "{r:?}");
    assert!(
        s.read(SYSTEM, "b", "new1").await.expect("read").is_some(),
        "delete rolled back"
    );
}

pub async fn ttl_expires_documents(s: Store) {
    s.create(SYSTEM, doc("t", "short", json!({})).with_ttl(1))
        .await
        .expect("create");
    s.create(SYSTEM, doc("t", "long", json!({})).with_ttl(3600))
        .await
        .expect("create");
    assert!(s.read(SYSTEM, "t", "short").await.expect("read").is_some());
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert!(
        s.read(SYSTEM, "t", "short").await.expect("read").is_none(),
        "expired"
    );
    assert!(s.read(SYSTEM, "t", "long").await.expect("read").is_some());
    let page = s.query(SYSTEM, "t", Query::new()).await.expect("query");
    assert_eq!(page.items.len(), 1, "queries hide expired documents too");
    assert_eq!(s.remove_expired().await.expect("purge"), 1);
    assert_eq!(s.remove_expired().await.expect("purge"), 0, "idempotent");
    s.create(SYSTEM, doc("t", "short", json!({})))
        .await
        .expect("id is free again");
}

/// N tasks each add to one counter with read-modify-write under If-Match;
/// no increment may be lost.
pub async fn concurrent_if_match_updates_lose_nothing(s: Store) {
    const TASKS: i64 = 8;
    const EACH: i64 = 10;
    s.create(SYSTEM, doc("c", "counter", json!({"n": 0})))
        .await
        .expect("create");
    let mut handles = Vec::new();
    for _ in 0..TASKS {
        let s = s.clone();
        handles.push(tokio::spawn(async move {
            for _ in 0..EACH {
                loop {
                    let cur = s
                        .read(SYSTEM, "c", "counter")
                        .await
                        .expect("read")
                        .expect("present");
                    let n = cur.body["n"].as_i64().expect("n");
                    match s
                        .replace(
                            SYSTEM,
                            doc("c", "counter", json!({"n": n + 1})),
                            Some(&cur.etag),
                        )
                        .await
                    {
                        Ok(_) => break,
                        Err(StoreError::PreconditionFailed) => continue,
                        Err(e) => panic!("unexpected {e:?}"),
                    }
                }
            }
        }));
    }
    for h in handles {
        h.await.expect("task");
    }
    let got = s
        .read(SYSTEM, "c", "counter")
        .await
        .expect("read")
        .expect("present");
    assert_eq!(got.body["n"], TASKS * EACH);
}

/// Instantiate every document-store case for one backend. `$make` is an
/// async block yielding `(Store, guard)`; the guard lives for the test.
macro_rules! document_store_conformance {
    ($make:expr) => {
        document_store_conformance!(@cases $make;
            create_then_read_returns_the_body,
            create_is_create_if_absent,
            replace_honours_if_match,
            upsert_creates_and_replaces,
            delete_honours_if_match_and_reports_missing,
            query_filters_orders_and_pages,
            cross_partition_query_sees_every_partition,
            a_forged_continuation_token_is_rejected,
            batch_is_all_or_nothing,
            concurrent_if_match_updates_lose_nothing
        );
    };
    (@cases $make:expr; $($case:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let (store, _guard) = $make.await;
                crate::document_suite::$case(store).await;
            }
        )*
    };
}
