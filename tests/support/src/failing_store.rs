//! A document store that refuses the writes a test picks: to see what the
//! application does when one write of a workflow fails and the rest work.

use std::sync::Arc;

use insite_lms::store::{
    BatchOp, Container, Document, DocumentStore, ETag, NewDocument, Page, Query, StoreError,
};

/// Decides, for each create or upsert, whether the store refuses it.
pub type Refuse = dyn Fn(Container, &NewDocument) -> bool + Send + Sync;

/// The inner store, except that a create or upsert `refuse` picks answers
/// `Unavailable` and writes nothing.
pub struct FailingStore {
    inner: Arc<dyn DocumentStore>,
    refuse: Box<Refuse>,
}

impl FailingStore {
    pub fn new(
        inner: Arc<dyn DocumentStore>,
        refuse: impl Fn(Container, &NewDocument) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self {
            inner,
            refuse: Box::new(refuse),
        }
    }

    fn check(&self, c: Container, doc: &NewDocument) -> Result<(), StoreError> {
        if (self.refuse)(c, doc) {
            Err(StoreError::Unavailable("refused by the test".into()))
        } else {
            Ok(())
        }
    }
}

#[async_trait::async_trait]
impl DocumentStore for FailingStore {
    async fn create(&self, c: Container, doc: NewDocument) -> Result<ETag, StoreError> {
        self.check(c, &doc)?;
        self.inner.create(c, doc).await
    }
    async fn upsert(&self, c: Container, doc: NewDocument) -> Result<ETag, StoreError> {
        self.check(c, &doc)?;
        self.inner.upsert(c, doc).await
    }
    async fn replace(
        &self,
        c: Container,
        doc: NewDocument,
        if_match: Option<&ETag>,
    ) -> Result<ETag, StoreError> {
        self.inner.replace(c, doc, if_match).await
    }
    async fn read(&self, c: Container, pk: &str, id: &str) -> Result<Option<Document>, StoreError> {
        self.inner.read(c, pk, id).await
    }
    async fn delete(
        &self,
        c: Container,
        pk: &str,
        id: &str,
        if_match: Option<&ETag>,
    ) -> Result<(), StoreError> {
        self.inner.delete(c, pk, id, if_match).await
    }
    async fn query(&self, c: Container, pk: &str, q: Query) -> Result<Page, StoreError> {
        self.inner.query(c, pk, q).await
    }
    async fn query_all_partitions(&self, c: Container, q: Query) -> Result<Page, StoreError> {
        self.inner.query_all_partitions(c, q).await
    }
    async fn batch(
        &self,
        c: Container,
        pk: &str,
        ops: Vec<BatchOp>,
    ) -> Result<Vec<Option<ETag>>, StoreError> {
        self.inner.batch(c, pk, ops).await
    }
    async fn remove_expired(&self) -> Result<u64, StoreError> {
        self.inner.remove_expired().await
    }
    async fn compact(&self) -> Result<(), StoreError> {
        self.inner.compact().await
    }
    async fn ping(&self) -> Result<(), StoreError> {
        self.inner.ping().await
    }
}
