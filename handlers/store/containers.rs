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
    /// Indexed fields whose range queries return many whole documents (a
    /// day of bookings). The embedded store keeps the documents inside
    /// these fields' indexes, so such a range is read from neighbouring
    /// pages instead of one table page per document; Cosmos DB has no
    /// use for it. A subset of `indexed_fields`.
    pub clustered_fields: &'static [&'static str],
}

impl Container {
    /// The Cosmos partition key path, e.g. `/pk`.
    pub fn partition_key_path(&self) -> String {
        format!("/{}", self.partition_key)
    }
}

/// Every container, in creation order. All are partitioned on `/pk` and
/// have TTL enabled without a default (items expire only with their own
/// `ttl`).
pub const ALL: &[Container] = &[
    SYSTEM,
    IDENTITIES,
    ORGANIZATIONS,
    USERS,
    PROJECTS,
    OUTBOX,
    SUPPORT,
];

/// Process-wide records: health probes, schema markers, conformance tests.
pub const SYSTEM: Container = Container {
    name: "system",
    partition_key: "pk",
    indexed_fields: &["kind", "seq"],
    clustered_fields: &[],
};

/// Lookup keys with one document each, read by point reads: the normalized
/// email of an account (uniqueness by create-if-absent), invitation tokens,
/// login throttling. Partition = the key itself.
pub const IDENTITIES: Container = Container {
    name: "identities",
    partition_key: "pk",
    indexed_fields: &[],
    clustered_fields: &[],
};

/// One partition per organization: the organization and its admin list.
pub const ORGANIZATIONS: Container = Container {
    name: "organizations",
    partition_key: "pk",
    indexed_fields: &["kind"],
    clustered_fields: &[],
};

/// One partition per user: profile, login records, refresh tokens, the
/// user's project memberships (a copy for listing), account audit entries.
pub const USERS: Container = Container {
    name: "users",
    partition_key: "pk",
    indexed_fields: &["kind", "at"],
    clustered_fields: &[],
};

/// One partition per project: the project, members, invitations,
/// resources, schedules, bookings, files, index entries and audit entries.
/// Deleting a project deletes its partition.
pub const PROJECTS: Container = Container {
    name: "projects",
    partition_key: "pk",
    indexed_fields: &[
        "kind", "at", "start", "end", "status", "userId", "actorId", "term", "fileId", "slotKey",
    ],
    clustered_fields: &["start"],
};

/// Notification mails waiting for delivery; one partition per recipient.
pub const OUTBOX: Container = Container {
    name: "outbox",
    partition_key: "pk",
    indexed_fields: &["kind", "status", "at", "projectId"],
    clustered_fields: &[],
};

/// Contact-form requests; one partition per request.
pub const SUPPORT: Container = Container {
    name: "support",
    partition_key: "pk",
    indexed_fields: &["kind", "status", "at"],
    clustered_fields: &[],
};

#[cfg(test)]
mod tests {
    use super::ALL;

    #[test]
    fn clustered_fields_are_indexed_fields() {
        for c in ALL {
            for f in c.clustered_fields {
                assert!(c.indexed_fields.contains(f), "{}.{f}", c.name);
            }
        }
    }
}
