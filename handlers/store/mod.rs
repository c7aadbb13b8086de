//! The storage layer: a document store with Cosmos DB semantics and a blob
//! store, each a narrow trait with an embedded implementation (SQLite and the
//! filesystem) and an Azure one. The domain only ever sees the traits.

pub mod azure;
pub mod blob;
pub mod containers;
pub mod document;
pub mod embedded;
mod paging;

pub use blob::{BlobName, BlobProperties, BlobStore, ByteStream};
pub use containers::Container;
pub use document::{
    BatchOp, Document, DocumentStore, ETag, Filter, FilterOp, NewDocument, Order, Page, Query,
    RawDocument, RawPage, StoreError, query_all, read_record,
};

use std::sync::Arc;

/// The pair of stores the application runs on.
#[derive(Clone)]
pub struct Stores {
    pub documents: Arc<dyn DocumentStore>,
    pub blobs: Arc<dyn BlobStore>,
}
