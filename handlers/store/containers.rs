//! Every document container the application uses, declared once. The Cosmos
//! adapter creates them from here, the Bicep declares the same names and
//! partition key paths (a test compares the two), and the embedded store
//! builds its expression indexes from `indexed_fields`.

/// A container: its name, the document field that is its partition key, and
/// the fields that single-partition queries filter or order on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Container {
    pub name: &'static str,
    /// Field (top-level, camelCase) holding the partition key value.
    pub partition_key: &'static str,
    pub indexed_fields: &'static [&'static str],
}

impl Container {
    /// The Cosmos partition key path, e.g. `/pk`.
    pub fn partition_key_path(&self) -> String {
        format!("/{}", self.partition_key)
    }
}

/// Every container, in creation order.
pub const ALL: &[Container] = &[SYSTEM];

/// Process-wide records: health probes, schema markers, conformance tests.
pub const SYSTEM: Container = Container {
    name: "system",
    partition_key: "pk",
    indexed_fields: &["kind", "seq"],
};
