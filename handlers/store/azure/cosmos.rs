//! The document store on Azure Cosmos DB (NoSQL API). Every container of
//! `containers::ALL` is partitioned on its partition key field; bodies carry
//! `id` and that field, and per-item TTL is the item's `ttl` property (the
//! containers have `defaultTtl: -1`). Cosmos system properties never reach
//! callers, so bodies equal the embedded store's.
//!
//! Throttling (429) and unavailability (503) are retried inside the SDK: its
//! driver retries 429 up to 18 times honouring `x-ms-retry-after-ms` (with
//! jittered exponential backoff when absent; `open_azure_stores` caps the
//! total wait), and retries 503 and transport failures in another region or
//! replica. What still fails after that becomes `StoreError::Unavailable`.

use async_trait::async_trait;
use azure_core::http::{Etag, StatusCode};
use azure_data_cosmos::clients::{ContainerClient, DatabaseClient};
use azure_data_cosmos::models::{
    BatchResponse, CompositeIndex, CompositeIndexOrder, CompositeIndexProperty,
    ContainerProperties, IndexingMode, IndexingPolicy, PropertyPath, ResponseHeaders, TimeToLive,
};
use azure_data_cosmos::options::{
    BatchDeleteOptions, BatchReplaceOptions, ItemWriteOptions, Precondition,
};
use azure_data_cosmos::{CosmosClient, CosmosError, FeedScope, TransactionalBatch};
use futures::StreamExt;
use serde_json::{Map, Value};
use std::collections::HashMap;

use super::cosmos_query::{self, QueryPlan};
use crate::store::containers::{self, Container};
use crate::store::document::{
    BatchOp, Document, DocumentStore, ETag, NewDocument, Page, Query, StoreError,
};
use crate::store::paging::encode_token;

/// Properties Cosmos DB adds to every item; `ttl` is ours but is stored as
/// an item property, so it is stripped on read as well.
const SYSTEM_PROPERTIES: &[&str] = &["_rid", "_self", "_etag", "_attachments", "_ts", "ttl"];

/// The largest transactional batch Cosmos DB accepts.
const MAX_BATCH: usize = 100;

/// An id Cosmos accepts as a point-read target but no document has; reading
/// it is the cheapest data-plane round trip (1 RU) for `ping`.
const PING_ID: &str = "~ping";

pub struct CosmosDocumentStore {
    containers: HashMap<&'static str, ContainerClient>,
}

impl CosmosDocumentStore {
    /// Resolve every container of the database. With `create_resources`
    /// (emulators, never in Azure, where the Bicep owns the resources and
    /// the data-plane role cannot create them) the database and missing
    /// containers are created first.
    pub async fn open(
        client: &CosmosClient,
        database: &str,
        create_resources: bool,
    ) -> Result<Self, StoreError> {
        let db = client.database_client(database);
        if create_resources {
            create_database_and_containers(client, &db, database).await?;
        }
        // Each container's metadata is a round trip of its own; resolved
        // together, a cold start waits for one of them, not for seven.
        let resolved = futures::future::join_all(containers::ALL.iter().map(|c| {
            let db = &db;
            async move {
                db.container_client(c.name, None)
                    .await
                    .map(|container| (c.name, container))
                    .map_err(|e| {
                        StoreError::Unavailable(format!(
                            "Cosmos DB container {database}/{} is not usable: {e}",
                            c.name
                        ))
                    })
            }
        }))
        .await
        .into_iter()
        .collect::<Result<HashMap<_, _>, _>>()?;
        Ok(CosmosDocumentStore {
            containers: resolved,
        })
    }

    fn container(&self, c: Container) -> Result<&ContainerClient, StoreError> {
        self.containers
            .get(c.name)
            .ok_or_else(|| StoreError::Invalid(format!("unknown container {:?}", c.name)))
    }

    async fn run_query(
        &self,
        c: Container,
        pk: Option<&str>,
        q: &Query,
    ) -> Result<Page, StoreError> {
        let QueryPlan {
            sql,
            params,
            key_fields,
            limit,
        } = cosmos_query::plan(c, pk, q)?;
        let mut query = azure_data_cosmos::Query::from(sql);
        for (name, value) in params {
            query = query.with_parameter(name, value).map_err(cosmos_err)?;
        }
        let scope = match pk {
            Some(pk) => FeedScope::partition(pk.to_owned()),
            None => FeedScope::full_container(),
        };
        let mut pages = Box::pin(self.container(c)?.query_items::<Value>(query, scope, None))
            .await
            .map_err(cosmos_err)?
            .into_pages();
        let mut rows = Vec::new();
        let mut ru = 0.0;
        let mut requests = 0;
        while let Some(page) = pages.next().await {
            let page = page.map_err(cosmos_err)?;
            requests += 1;
            ru += charge(page.headers());
            rows.extend(page.into_items());
            if rows.len() > limit {
                break;
            }
        }
        log_charge(
            if pk.is_some() {
                "query"
            } else {
                "query_all_partitions"
            },
            c,
            ru,
            requests,
        );
        let more = rows.len() > limit;
        rows.truncate(limit);
        let continuation = match (more, rows.last()) {
            (true, Some(last)) => {
                let key: Vec<Value> = key_fields
                    .iter()
                    .map(|f| last.get(f).cloned().unwrap_or(Value::Null))
                    .collect();
                Some(encode_token(&key)?)
            }
            _ => None,
        };
        let items = rows
            .into_iter()
            .map(|body| to_document(c, body, None))
            .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            continuation,
        })
    }
}

async fn create_database_and_containers(
    client: &CosmosClient,
    db: &DatabaseClient,
    database: &str,
) -> Result<(), StoreError> {
    ignore_conflict(client.create_database(database, None).await.map(|_| ()))?;
    for c in containers::ALL {
        let mut props = ContainerProperties::new(c.name, c.partition_key_path().into());
        props.default_ttl = TimeToLive::NoDefault;
        props.indexing_policy = Some(indexing_policy(c));
        ignore_conflict(db.create_container(props, None).await.map(|_| ()))?;
    }
    Ok(())
}

fn ignore_conflict(result: Result<(), CosmosError>) -> Result<(), StoreError> {
    match result {
        Err(e) if e.status().status_code() != StatusCode::Conflict => Err(cosmos_err(e)),
        _ => Ok(()),
    }
}

/// Everything indexed (the default), plus the composite indexes that the
/// keyset queries' multi-field `ORDER BY` needs: (field, id) within a
/// partition, (field, pk, id) and (pk, id) across partitions. One ascending
/// composite index also serves the fully descending order.
pub fn indexing_policy(c: &Container) -> IndexingPolicy {
    let composite = |fields: &[&str]| {
        fields.iter().fold(CompositeIndex::default(), |index, f| {
            index.with_property(CompositeIndexProperty::new(
                format!("/{f}"),
                CompositeIndexOrder::Ascending,
            ))
        })
    };
    let mut policy = IndexingPolicy::default()
        .with_indexing_mode(IndexingMode::Consistent)
        .with_included_path(PropertyPath::default().with_path("/*"))
        .with_composite_index(composite(&[c.partition_key, "id"]));
    policy.automatic = true;
    for field in c.indexed_fields {
        policy = policy
            .with_composite_index(composite(&[field, "id"]))
            .with_composite_index(composite(&[field, c.partition_key, "id"]));
    }
    policy
}

fn charge(headers: &ResponseHeaders) -> f64 {
    headers.request_charge().map_or(0.0, |c| c.value())
}

/// `requests`: the HTTP round trips the operation took (pages of a query).
fn log_charge(op: &'static str, c: Container, ru: f64, requests: u64) {
    tracing::debug!(
        ru,
        op,
        container = c.name,
        requests,
        "cosmos request charge"
    );
}

fn error_charge(e: &CosmosError) -> f64 {
    e.response()
        .and_then(|r| r.headers().request_charge)
        .map_or(0.0, |c| c.value())
}

/// Run one operation, logging its charge whether it succeeds or fails.
async fn charged<T>(
    op: &'static str,
    c: Container,
    call: impl Future<Output = Result<T, CosmosError>>,
    headers: impl FnOnce(&T) -> &ResponseHeaders,
) -> Result<T, CosmosError> {
    let result = call.await;
    let ru = match &result {
        Ok(r) => charge(headers(r)),
        Err(e) => error_charge(e),
    };
    log_charge(op, c, ru, 1);
    result
}

fn cosmos_err(e: CosmosError) -> StoreError {
    let status = e.status();
    match u16::from(status.status_code()) {
        404 => StoreError::NotFound,
        409 => StoreError::Conflict,
        412 => StoreError::PreconditionFailed,
        400 | 413 => StoreError::Invalid(e.to_string()),
        _ if status.is_transient() => StoreError::Unavailable(e.to_string()),
        _ => StoreError::Internal(format!("Cosmos DB: {e}")),
    }
}

/// The item as written: the caller's fields, `id`, the partition key and,
/// when the document expires, `ttl` (seconds, at least 1, at most i32::MAX).
fn item_body(c: Container, doc: &NewDocument) -> Result<Value, StoreError> {
    if doc.id.is_empty() || doc.id.len() > 255 || doc.id.contains(['/', '\\', '?', '#']) {
        return Err(StoreError::Invalid(format!(
            "invalid document id {:?}",
            doc.id
        )));
    }
    let mut body: Map<String, Value> = doc
        .body
        .as_object()
        .cloned()
        .ok_or_else(|| StoreError::Invalid("a document body must be a JSON object".into()))?;
    // A caller's own `ttl` or system-looking field must not steer Cosmos.
    for key in SYSTEM_PROPERTIES {
        body.remove(*key);
    }
    body.insert("id".into(), Value::String(doc.id.clone()));
    body.insert(
        c.partition_key.into(),
        Value::String(doc.partition_key.clone()),
    );
    if let Some(seconds) = doc.ttl_seconds {
        let ttl = seconds.clamp(1, i32::MAX as u64);
        body.insert("ttl".into(), Value::from(ttl));
    }
    Ok(Value::Object(body))
}

/// A stored item as a `Document`: system properties stripped, the ETag
/// taken from `_etag` (or the response header when the body lacks it).
fn to_document(
    c: Container,
    body: Value,
    header_etag: Option<&Etag>,
) -> Result<Document, StoreError> {
    let Value::Object(mut body) = body else {
        return Err(StoreError::Internal(
            "Cosmos DB returned a non-object item".into(),
        ));
    };
    let etag = match body.get("_etag").and_then(Value::as_str) {
        Some(e) => e.to_owned(),
        None => header_etag
            .map(ToString::to_string)
            .ok_or_else(|| StoreError::Internal("Cosmos DB item without ETag".into()))?,
    };
    for key in SYSTEM_PROPERTIES {
        body.remove(*key);
    }
    let field = |name: &str| {
        body.get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| StoreError::Internal(format!("Cosmos DB item without {name}")))
    };
    Ok(Document {
        id: field("id")?,
        partition_key: field(c.partition_key)?,
        etag: ETag(etag),
        body: Value::Object(body),
    })
}

fn written_etag(headers: &ResponseHeaders) -> Result<ETag, StoreError> {
    headers
        .etag()
        .map(|e| ETag(e.to_string()))
        .ok_or_else(|| StoreError::Internal("Cosmos DB write returned no ETag".into()))
}

fn if_match(etag: Option<&ETag>) -> Option<Precondition> {
    etag.map(|e| Precondition::if_match(Etag::from(e.0.clone())))
}

fn write_options(etag: Option<&ETag>) -> Option<ItemWriteOptions> {
    if_match(etag).map(|p| ItemWriteOptions::default().with_precondition(p))
}

fn build_batch(c: Container, pk: &str, ops: &[BatchOp]) -> Result<TransactionalBatch, StoreError> {
    let same_partition = |doc: &NewDocument| {
        if doc.partition_key == pk {
            Ok(())
        } else {
            Err(StoreError::Invalid(
                "batch operations must share one partition".into(),
            ))
        }
    };
    let invalid = |e: CosmosError| StoreError::Invalid(e.to_string());
    let mut batch = TransactionalBatch::new(pk.to_owned());
    for op in ops {
        batch = match op {
            BatchOp::Create(doc) => {
                same_partition(doc)?;
                batch.create_item(item_body(c, doc)?).map_err(invalid)?
            }
            BatchOp::Upsert(doc) => {
                same_partition(doc)?;
                batch
                    .upsert_item(item_body(c, doc)?, None)
                    .map_err(invalid)?
            }
            BatchOp::Replace {
                doc,
                if_match: etag,
            } => {
                same_partition(doc)?;
                let options = if_match(etag.as_ref())
                    .map(|p| BatchReplaceOptions::default().with_precondition(p));
                batch
                    .replace_item(doc.id.clone(), item_body(c, doc)?, options)
                    .map_err(invalid)?
            }
            BatchOp::Delete { id, if_match: etag } => {
                let options = if_match(etag.as_ref())
                    .map(|p| BatchDeleteOptions::default().with_precondition(p));
                batch.delete_item(id.clone(), options)
            }
        };
    }
    Ok(batch)
}

/// The outcome of an executed batch: the ETags, or the error of the
/// operation that failed (the others report 424 Failed Dependency).
fn batch_outcome(
    ops: &[BatchOp],
    response: BatchResponse,
) -> Result<Vec<Option<ETag>>, StoreError> {
    let results = response.into_model().map_err(cosmos_err)?;
    let results = results.results();
    if let Some(failed) = results
        .iter()
        .find(|r| !r.is_success() && r.status_code() != 424)
    {
        return Err(match failed.status_code() {
            404 => StoreError::NotFound,
            409 => StoreError::Conflict,
            412 => StoreError::PreconditionFailed,
            400 | 413 => StoreError::Invalid("Cosmos DB rejected a batch operation".into()),
            429 | 503 | 408 => StoreError::Unavailable("Cosmos DB batch throttled".into()),
            code => StoreError::Internal(format!("Cosmos DB batch operation failed with {code}")),
        });
    }
    if results.len() != ops.len() || results.iter().any(|r| !r.is_success()) {
        return Err(StoreError::Internal("Cosmos DB batch failed".into()));
    }
    ops.iter()
        .zip(results)
        .map(|(op, r)| match op {
            BatchOp::Delete { .. } => Ok(None),
            _ => r
                .etag()
                .map(|e| Some(ETag(e.to_owned())))
                .ok_or_else(|| StoreError::Internal("Cosmos DB batch returned no ETag".into())),
        })
        .collect()
}

#[async_trait]
impl DocumentStore for CosmosDocumentStore {
    async fn create(&self, c: Container, doc: NewDocument) -> Result<ETag, StoreError> {
        let body = item_body(c, &doc)?;
        let container = self.container(c)?;
        let call = container.create_item(doc.partition_key.clone(), &doc.id, body, None);
        let r = charged("create", c, call, |r| r.headers())
            .await
            .map_err(cosmos_err)?;
        written_etag(r.headers())
    }

    async fn upsert(&self, c: Container, doc: NewDocument) -> Result<ETag, StoreError> {
        let body = item_body(c, &doc)?;
        let container = self.container(c)?;
        let call = container.upsert_item(doc.partition_key.clone(), &doc.id, body, None);
        let r = charged("upsert", c, call, |r| r.headers())
            .await
            .map_err(cosmos_err)?;
        written_etag(r.headers())
    }

    async fn replace(
        &self,
        c: Container,
        doc: NewDocument,
        if_match: Option<&ETag>,
    ) -> Result<ETag, StoreError> {
        let body = item_body(c, &doc)?;
        let container = self.container(c)?;
        let call = container.replace_item(
            doc.partition_key.clone(),
            &doc.id,
            body,
            write_options(if_match),
        );
        let r = charged("replace", c, call, |r| r.headers())
            .await
            .map_err(cosmos_err)?;
        written_etag(r.headers())
    }

    async fn read(&self, c: Container, pk: &str, id: &str) -> Result<Option<Document>, StoreError> {
        let container = self.container(c)?;
        let call = container.read_item(pk.to_owned(), id, None);
        match charged("read", c, call, |r| r.headers()).await {
            Ok(r) => {
                let etag = r.headers().etag().cloned();
                let body: Value = r.into_model().map_err(cosmos_err)?;
                to_document(c, body, etag.as_ref()).map(Some)
            }
            Err(e) if e.status().status_code() == StatusCode::NotFound => Ok(None),
            Err(e) => Err(cosmos_err(e)),
        }
    }

    async fn delete(
        &self,
        c: Container,
        pk: &str,
        id: &str,
        if_match: Option<&ETag>,
    ) -> Result<(), StoreError> {
        let container = self.container(c)?;
        let call = container.delete_item(pk.to_owned(), id, write_options(if_match));
        charged("delete", c, call, |r| r.headers())
            .await
            .map(|_| ())
            .map_err(cosmos_err)
    }

    async fn query(&self, c: Container, pk: &str, q: Query) -> Result<Page, StoreError> {
        self.run_query(c, Some(pk), &q).await
    }

    async fn query_all_partitions(&self, c: Container, q: Query) -> Result<Page, StoreError> {
        self.run_query(c, None, &q).await
    }

    async fn batch(
        &self,
        c: Container,
        pk: &str,
        ops: Vec<BatchOp>,
    ) -> Result<Vec<Option<ETag>>, StoreError> {
        if ops.len() > MAX_BATCH {
            return Err(StoreError::Invalid(
                "a batch holds at most 100 operations".into(),
            ));
        }
        if ops.is_empty() {
            return Ok(Vec::new());
        }
        let batch = build_batch(c, pk, &ops)?;
        let container = self.container(c)?;
        let call = container.execute_transactional_batch(batch, None);
        let response = charged("batch", c, call, |r| r.headers())
            .await
            .map_err(cosmos_err)?;
        batch_outcome(&ops, response)
    }

    /// Cosmos DB removes expired items by itself (and hides them at once).
    async fn remove_expired(&self) -> Result<u64, StoreError> {
        Ok(0)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.read(containers::SYSTEM, PING_ID, PING_ID)
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::containers::SYSTEM;
    use serde_json::json;

    #[test]
    fn the_item_carries_id_pk_and_ttl_and_no_caller_system_fields() {
        let doc = NewDocument::new("p", "a", json!({"v": 1, "ttl": 99, "_etag": "x"})).with_ttl(0);
        let body = item_body(SYSTEM, &doc).expect("body");
        assert_eq!(body, json!({"v": 1, "id": "a", "pk": "p", "ttl": 1}));
        let long = NewDocument::new("p", "a", json!({})).with_ttl(u64::MAX);
        assert_eq!(item_body(SYSTEM, &long).expect("body")["ttl"], i32::MAX);
        let no_ttl = NewDocument::new("p", "a", json!({"ttl": 5}));
        assert!(
            item_body(SYSTEM, &no_ttl)
                .expect("body")
                .get("ttl")
                .is_none()
        );
        let bad_id = NewDocument::new("p", "a/b", json!({}));
        assert!(matches!(
            item_body(SYSTEM, &bad_id),
            Err(StoreError::Invalid(_))
        ));
    }

    #[test]
    fn a_read_item_loses_its_system_properties() {
        let stored = json!({
            "id": "a", "pk": "p", "v": 1, "ttl": 60,
            "_rid": "r", "_self": "s", "_etag": "\"e1\"", "_attachments": "a/", "_ts": 1
        });
        let doc = to_document(SYSTEM, stored, None).expect("document");
        assert_eq!(doc.body, json!({"id": "a", "pk": "p", "v": 1}));
        assert_eq!(doc.etag, ETag("\"e1\"".into()));
        assert_eq!((doc.id.as_str(), doc.partition_key.as_str()), ("a", "p"));
    }

    #[test]
    fn every_container_gets_the_composite_indexes_its_queries_need() {
        let policy = indexing_policy(&containers::PROJECTS);
        assert!(policy.automatic);
        assert_eq!(
            policy.composite_indexes.len(),
            1 + 2 * containers::PROJECTS.indexed_fields.len()
        );
        let paths: Vec<Vec<String>> = policy
            .composite_indexes
            .iter()
            .map(|i| i.properties.iter().map(|p| p.path.clone()).collect())
            .collect();
        assert!(paths.contains(&vec!["/end".to_owned(), "/id".to_owned()]));
        assert!(paths.contains(&vec!["/end".to_owned(), "/pk".to_owned(), "/id".to_owned()]));
    }
}
