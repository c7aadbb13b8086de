//! The document-store contract, modelled on Cosmos DB: containers, a
//! partition key, ids, ETags for optimistic concurrency, per-item TTL,
//! single-partition queries with ordering and continuation, and a
//! transactional batch within one partition.

use async_trait::async_trait;
use serde_json::Value;
use std::fmt;

use super::containers::Container;

/// Errors every document store reports the same way.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("document not found")]
    NotFound,
    #[error("a document with this id already exists")]
    Conflict,
    #[error("the document changed since it was read (ETag mismatch)")]
    PreconditionFailed,
    #[error("invalid store request: {0}")]
    Invalid(String),
    #[error("the store is temporarily unavailable: {0}")]
    Unavailable(String),
    #[error("store failure: {0}")]
    Internal(String),
}

impl StoreError {
    pub fn internal(e: impl fmt::Display) -> Self {
        StoreError::Internal(e.to_string())
    }
}

/// An opaque version tag; any change to a document changes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ETag(pub String);

impl fmt::Display for ETag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A document as stored. `body` holds the caller's fields; the store also
/// writes `id` and the partition key field into it.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub id: String,
    pub partition_key: String,
    pub body: Value,
    pub etag: ETag,
}

impl Document {
    /// Deserialize the body into a typed record.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, StoreError> {
        // Straight from the borrowed value: cloning the whole tree first
        // showed in the day view's profile.
        T::deserialize(&self.body).map_err(StoreError::internal)
    }
}

/// A document as stored with its body still JSON text, so that a record
/// is parsed from the text in one pass: no generic `Value` tree in between
/// (building and dropping that tree was most of the day view's work).
#[derive(Debug, Clone, PartialEq)]
pub struct RawDocument {
    pub id: String,
    pub partition_key: String,
    pub body: String,
    pub etag: ETag,
}

impl RawDocument {
    /// Deserialize the body into a typed record.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, StoreError> {
        serde_json::from_str(&self.body).map_err(StoreError::internal)
    }

    /// Whether the body's `kind` field is `kind`, read without building
    /// the body.
    pub fn is_kind(&self, kind: &str) -> Result<bool, StoreError> {
        #[derive(serde::Deserialize)]
        struct Kind<'a> {
            #[serde(borrow)]
            kind: Option<std::borrow::Cow<'a, str>>,
        }
        let k: Kind<'_> = serde_json::from_str(&self.body).map_err(StoreError::internal)?;
        Ok(k.kind.as_deref() == Some(kind))
    }
}

impl TryFrom<Document> for RawDocument {
    type Error = StoreError;

    fn try_from(d: Document) -> Result<Self, StoreError> {
        Ok(RawDocument {
            body: serde_json::to_string(&d.body).map_err(StoreError::internal)?,
            id: d.id,
            partition_key: d.partition_key,
            etag: d.etag,
        })
    }
}

/// A document to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDocument {
    pub id: String,
    pub partition_key: String,
    pub body: Value,
    /// Seconds until the store removes the document by itself.
    pub ttl_seconds: Option<u64>,
}

impl NewDocument {
    pub fn new(partition_key: impl Into<String>, id: impl Into<String>, body: Value) -> Self {
        NewDocument {
            id: id.into(),
            partition_key: partition_key.into(),
            body,
            ttl_seconds: None,
        }
    }

    /// Serialize a typed record as the body.
    pub fn from_record<T: serde::Serialize>(
        partition_key: impl Into<String>,
        id: impl Into<String>,
        record: &T,
    ) -> Result<Self, StoreError> {
        let body = serde_json::to_value(record).map_err(StoreError::internal)?;
        if !body.is_object() {
            return Err(StoreError::Invalid(
                "a document body must be a JSON object".into(),
            ));
        }
        Ok(Self::new(partition_key, id, body))
    }

    pub fn with_ttl(mut self, seconds: u64) -> Self {
        self.ttl_seconds = Some(seconds);
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterOp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A condition on a top-level field of the body.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub field: String,
    pub op: FilterOp,
    pub value: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Asc,
    Desc,
}

/// A query within one partition (or, for background jobs only, across all).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    pub filters: Vec<Filter>,
    /// Field to order by; ties are broken by id in the same direction.
    pub order_by: Option<(String, Order)>,
    pub limit: Option<u32>,
    pub continuation: Option<String>,
}

impl Query {
    pub fn new() -> Self {
        Self::default()
    }

    fn filter(mut self, field: &str, op: FilterOp, value: impl Into<Value>) -> Self {
        self.filters.push(Filter {
            field: field.to_owned(),
            op,
            value: value.into(),
        });
        self
    }

    pub fn eq(self, field: &str, value: impl Into<Value>) -> Self {
        self.filter(field, FilterOp::Eq, value)
    }
    pub fn lt(self, field: &str, value: impl Into<Value>) -> Self {
        self.filter(field, FilterOp::Lt, value)
    }
    pub fn le(self, field: &str, value: impl Into<Value>) -> Self {
        self.filter(field, FilterOp::Le, value)
    }
    pub fn gt(self, field: &str, value: impl Into<Value>) -> Self {
        self.filter(field, FilterOp::Gt, value)
    }
    pub fn ge(self, field: &str, value: impl Into<Value>) -> Self {
        self.filter(field, FilterOp::Ge, value)
    }
    pub fn order_by(mut self, field: &str, order: Order) -> Self {
        self.order_by = Some((field.to_owned(), order));
        self
    }
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }
    pub fn continuation(mut self, token: Option<String>) -> Self {
        self.continuation = token;
        self
    }
}

/// One page of query results; `continuation` is `Some` while more remain.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub items: Vec<Document>,
    pub continuation: Option<String>,
}

/// A page of query results as stored text (see [`RawDocument`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RawPage {
    pub items: Vec<RawDocument>,
    pub continuation: Option<String>,
}

/// One operation of a transactional batch.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchOp {
    Create(NewDocument),
    Upsert(NewDocument),
    Replace {
        doc: NewDocument,
        if_match: Option<ETag>,
    },
    Delete {
        id: String,
        if_match: Option<ETag>,
    },
}

/// The document store. All methods address one container; every method but
/// `query_all_partitions` stays within one partition.
#[async_trait]
pub trait DocumentStore: Send + Sync + 'static {
    /// Create-if-absent: `Conflict` when the id exists in the partition.
    async fn create(&self, c: Container, doc: NewDocument) -> Result<ETag, StoreError>;
    async fn upsert(&self, c: Container, doc: NewDocument) -> Result<ETag, StoreError>;
    /// Replace an existing document; `PreconditionFailed` on a stale ETag.
    async fn replace(
        &self,
        c: Container,
        doc: NewDocument,
        if_match: Option<&ETag>,
    ) -> Result<ETag, StoreError>;
    async fn read(&self, c: Container, pk: &str, id: &str) -> Result<Option<Document>, StoreError>;
    /// `read` with the body as stored text, for parsing straight into a
    /// record. Stores that hold text override it; the default re-encodes.
    async fn read_raw(
        &self,
        c: Container,
        pk: &str,
        id: &str,
    ) -> Result<Option<RawDocument>, StoreError> {
        self.read(c, pk, id)
            .await?
            .map(RawDocument::try_from)
            .transpose()
    }
    /// `NotFound` when absent; `PreconditionFailed` on a stale ETag.
    async fn delete(
        &self,
        c: Container,
        pk: &str,
        id: &str,
        if_match: Option<&ETag>,
    ) -> Result<(), StoreError>;
    async fn query(&self, c: Container, pk: &str, q: Query) -> Result<Page, StoreError>;
    /// `query` with the bodies as stored text (see `read_raw`).
    async fn query_raw(&self, c: Container, pk: &str, q: Query) -> Result<RawPage, StoreError> {
        let page = self.query(c, pk, q).await?;
        Ok(RawPage {
            items: page
                .items
                .into_iter()
                .map(RawDocument::try_from)
                .collect::<Result<_, _>>()?,
            continuation: page.continuation,
        })
    }
    /// Cross-partition query: for background jobs, never on a request path.
    async fn query_all_partitions(&self, c: Container, q: Query) -> Result<Page, StoreError>;
    /// All operations succeed together or none takes effect. Returns the
    /// resulting ETag of each operation (`None` for deletes).
    async fn batch(
        &self,
        c: Container,
        pk: &str,
        ops: Vec<BatchOp>,
    ) -> Result<Vec<Option<ETag>>, StoreError>;
    /// Physically remove documents whose TTL has passed (reads hide them
    /// already). Cosmos DB does this by itself and reports 0.
    async fn remove_expired(&self) -> Result<u64, StoreError>;
    /// Make deleted data unrecoverable from the store's own files (the
    /// embedded store folds and truncates its write-ahead log). A no-op
    /// where the service handles this.
    async fn compact(&self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Cheap liveness probe of the backing service.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// A point read deserialized into a record, with its ETag.
pub async fn read_record<T: serde::de::DeserializeOwned>(
    store: &dyn DocumentStore,
    c: Container,
    pk: &str,
    id: &str,
) -> Result<Option<(T, ETag)>, StoreError> {
    store
        .read_raw(c, pk, id)
        .await?
        .map(|d| d.parse::<T>().map(|r| (r, d.etag)))
        .transpose()
}

/// Every document of one partition that matches `q`, page after page. For
/// cascades, exports and counts over one partition; lists that clients page
/// through use `query` with their own continuation.
pub async fn query_all(
    store: &dyn DocumentStore,
    c: Container,
    pk: &str,
    q: Query,
) -> Result<Vec<Document>, StoreError> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = store
            .query(c, pk, q.clone().limit(500).continuation(token))
            .await?;
        out.extend(page.items);
        match page.continuation {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
}
