//! Typed records: each kind of document is a Rust type that knows its
//! container, its `kind`, how its partition key is made and its id, so the
//! layout of a document is written down once, beside the type, by the
//! module that owns it. A record's partition comes from its `Owner`: the
//! project a booking belongs to, the user a login record is of, or the
//! record itself. Other modules ask the type (`Booking::KIND`,
//! `Booking::of_kind()`) instead of repeating string literals, and a record
//! is written with its `kind` filled in by [`Record::document`], so a body
//! can never carry the wrong one.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::store::{
    BatchOp, Container, Document, DocumentStore, ETag, NewDocument, Query, StoreError,
};

/// The field every document uses to say what it is.
pub const KIND_FIELD: &str = "kind";

/// A kind of document: where it lives and how it is addressed.
pub trait Record: Serialize + DeserializeOwned {
    /// The container that holds it.
    const CONTAINER: Container;
    /// The value of its `kind` field, unique within its container.
    const KIND: &'static str;
    /// What its partition is derived from.
    type Owner: ?Sized;

    /// The partition a record of `owner` is stored in.
    fn partition_key(owner: &Self::Owner) -> String;

    /// Its id within the partition.
    fn id(&self) -> String;

    /// The document to write: the record's fields plus its `kind`.
    fn document(&self, owner: &Self::Owner) -> Result<NewDocument, StoreError> {
        let mut doc = NewDocument::from_record(Self::partition_key(owner), self.id(), self)?;
        if let Some(body) = doc.body.as_object_mut() {
            body.insert(KIND_FIELD.to_owned(), Self::KIND.into());
        }
        Ok(doc)
    }

    /// A batch operation creating it (fails if the id exists).
    fn create_op(&self, owner: &Self::Owner) -> Result<BatchOp, StoreError> {
        Ok(BatchOp::Create(self.document(owner)?))
    }

    /// A batch operation replacing the version read as `etag`.
    fn replace_op(&self, owner: &Self::Owner, etag: ETag) -> Result<BatchOp, StoreError> {
        Ok(BatchOp::Replace {
            doc: self.document(owner)?,
            if_match: Some(etag),
        })
    }

    /// Whether a document of its container is one of these.
    fn is_kind(doc: &Document) -> bool {
        doc.body.get(KIND_FIELD).and_then(|k| k.as_str()) == Some(Self::KIND)
    }

    /// A query for the documents of this kind in a partition.
    fn of_kind() -> Query {
        Query::new().eq(KIND_FIELD, Self::KIND)
    }
}

/// A point read of one record of `owner` with its ETag; `None` when absent.
pub async fn load<R: Record>(
    store: &dyn DocumentStore,
    owner: &R::Owner,
    id: &str,
) -> Result<Option<(R, ETag)>, StoreError> {
    crate::store::read_record(store, R::CONTAINER, &R::partition_key(owner), id).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::containers::SYSTEM;
    use serde::Deserialize;

    #[derive(Serialize, Deserialize)]
    struct Probe {
        name: String,
    }

    impl Record for Probe {
        const CONTAINER: Container = SYSTEM;
        const KIND: &'static str = "probe";
        type Owner = str;
        fn partition_key(owner: &str) -> String {
            format!("probes-{owner}")
        }
        fn id(&self) -> String {
            format!("probe-{}", self.name)
        }
    }

    #[test]
    fn a_record_is_written_with_its_kind_id_and_partition() {
        let doc = Probe { name: "a".into() }
            .document("x")
            .expect("a JSON object");
        assert_eq!(doc.id, "probe-a");
        assert_eq!(doc.partition_key, "probes-x");
        assert_eq!(doc.body["kind"], "probe");
        assert_eq!(doc.body["name"], "a");
    }

    #[test]
    fn a_record_recognizes_its_own_kind_only() {
        let doc = |kind: &str| Document {
            id: "x".into(),
            partition_key: "p".into(),
            body: serde_json::json!({ "kind": kind }),
            etag: ETag("e".into()),
        };
        assert!(Probe::is_kind(&doc("probe")));
        assert!(!Probe::is_kind(&doc("slot")));
    }
}
