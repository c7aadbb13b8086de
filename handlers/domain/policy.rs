//! Privacy-policy versions (P3, P13). The texts ship with the code and are
//! stored as versions in the store; the newest published version is current.
//! Users record which version they accepted; an older one means
//! `policyUpdateRequired`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::error::DomainError;
use crate::store::containers::SYSTEM;
use crate::store::{DocumentStore, NewDocument, StoreError};

const PARTITION: &str = "privacy-policy";
const CURRENT: &str = "current";

/// The versions shipped with this build, oldest first.
pub const SHIPPED: &[(&str, &str)] = &[("2026-11-01", include_str!("policy/2026-11-01.de.txt"))];

/// A policy version label: 1 to 40 characters of `[A-Za-z0-9._-]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PolicyVersion(String);

impl PolicyVersion {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let ok = !raw.is_empty()
            && raw.len() <= 40
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if ok {
            Ok(PolicyVersion(raw.to_owned()))
        } else {
            Err("is not a policy version")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyText {
    pub version: PolicyVersion,
    pub text: String,
    #[serde(with = "crate::domain::time::fixed")]
    pub published_at: Timestamp,
}

#[derive(Serialize, Deserialize)]
struct CurrentPointer {
    version: PolicyVersion,
}

fn version_id(v: &PolicyVersion) -> String {
    format!("version-{}", v.as_str())
}

/// Make sure every shipped version is stored and the newest is current.
pub async fn ensure_shipped(store: &dyn DocumentStore) -> Result<(), DomainError> {
    for (version, text) in SHIPPED {
        let version = PolicyVersion::parse(version)
            .map_err(|e| StoreError::Internal(format!("shipped policy version {e}")))?;
        match publish(store, version, text).await {
            Ok(()) | Err(DomainError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Store a new version and make it current. `Conflict` when it exists.
pub async fn publish(
    store: &dyn DocumentStore,
    version: PolicyVersion,
    text: &str,
) -> Result<(), DomainError> {
    let doc = PolicyText {
        version: version.clone(),
        text: text.to_owned(),
        published_at: Timestamp::now(),
    };
    match store
        .create(
            SYSTEM,
            NewDocument::from_record(PARTITION, version_id(&version), &doc)?,
        )
        .await
    {
        Ok(_) => {}
        Err(StoreError::Conflict) => {
            return Err(DomainError::Conflict(format!(
                "policy version {} exists",
                version.as_str()
            )));
        }
        Err(e) => return Err(e.into()),
    }
    // Never move `current` backwards (an older build starting late).
    let current = store.read(SYSTEM, PARTITION, CURRENT).await?;
    let newer = match &current {
        Some(d) => d.parse::<CurrentPointer>()?.version < version,
        None => true,
    };
    if newer {
        let pointer = NewDocument::from_record(PARTITION, CURRENT, &CurrentPointer { version })?;
        match current {
            Some(d) => store.replace(SYSTEM, pointer, Some(&d.etag)).await?,
            None => store.create(SYSTEM, pointer).await?,
        };
    }
    Ok(())
}

/// The current version, without its text: one small point read.
pub async fn current_version(store: &dyn DocumentStore) -> Result<PolicyVersion, DomainError> {
    Ok(store
        .read(SYSTEM, PARTITION, CURRENT)
        .await?
        .ok_or_else(|| StoreError::Internal("no current privacy policy".into()))?
        .parse::<CurrentPointer>()?
        .version)
}

/// The current version and its text.
pub async fn current(store: &dyn DocumentStore) -> Result<PolicyText, DomainError> {
    let version = current_version(store).await?;
    store
        .read(SYSTEM, PARTITION, &version_id(&version))
        .await?
        .ok_or_else(|| StoreError::Internal("current privacy policy text missing".into()))?
        .parse::<PolicyText>()
        .map_err(Into::into)
}
