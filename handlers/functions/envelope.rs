//! The invocation envelope of non-HTTP triggers. The Functions host POSTs
//! `{"Data": {...}, "Metadata": {...}}` to `/<FunctionName>` and reads
//! `{"Outputs": {...}, "Logs": [...], "ReturnValue": ...}`; any non-2xx
//! answer fails the invocation, and the host retries per its policy.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct InvocationRequest {
    #[serde(default)]
    pub data: Map<String, Value>,
    #[serde(default)]
    pub metadata: Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize, Serialize, Default, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct InvocationResponse {
    pub outputs: Map<String, Value>,
    pub logs: Vec<String>,
    pub return_value: Value,
}

impl InvocationResponse {
    pub fn new(logs: Vec<String>, return_value: Value) -> Self {
        InvocationResponse {
            outputs: Map::new(),
            logs,
            return_value,
        }
    }
}

/// What a timer trigger's binding carries.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct TimerInfo {
    #[serde(default)]
    pub is_past_due: bool,
    #[serde(default)]
    pub schedule_status: Option<Value>,
}

impl InvocationRequest {
    /// The timer payload under the binding `name`.
    pub fn timer(&self, name: &str) -> Option<TimerInfo> {
        self.data
            .get(name)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
    }

    /// A string of the trigger metadata. The host may JSON-encode strings
    /// twice (`"\"file.txt\""`); both forms are accepted.
    pub fn metadata_str(&self, key: &str) -> Option<String> {
        let s = self.metadata.get(key)?.as_str()?;
        match serde_json::from_str::<String>(s) {
            Ok(inner) => Some(inner),
            Err(_) => Some(s.to_owned()),
        }
    }

    /// A timer invocation shaped exactly as the host sends it.
    pub fn host_timer(function: &str, binding: &str, now: jiff::Timestamp) -> Self {
        let body = serde_json::json!({
            "Data": {
                binding: {
                    "Schedule": {"AdjustForDST": true},
                    "ScheduleStatus": null,
                    "IsPastDue": false
                }
            },
            "Metadata": {
                "sys": {
                    "MethodName": function,
                    "UtcNow": now.to_string(),
                    "RandGuid": uuid::Uuid::new_v4().to_string()
                }
            }
        });
        serde_json::from_value(body).unwrap_or_default()
    }

    /// A blob-trigger invocation shaped as the host sends it, strings of
    /// the metadata JSON-encoded twice as the host does. The content the
    /// host would inline under `Data` is left out: `index-document` reads
    /// the blob itself, and inlining it would hold the file in memory.
    pub fn host_blob(
        function: &str,
        binding: &str,
        container: &str,
        name: &str,
        now: jiff::Timestamp,
    ) -> Self {
        let twice = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let body = serde_json::json!({
            "Data": { binding: null },
            "Metadata": {
                "Uri": twice(&format!("local:///{container}/{name}")),
                "name": twice(name),
                "Properties": {},
                "Metadata": {},
                "sys": {
                    "MethodName": function,
                    "UtcNow": now.to_string(),
                    "RandGuid": uuid::Uuid::new_v4().to_string()
                }
            }
        });
        serde_json::from_value(body).unwrap_or_default()
    }
}

/// An invocation envelope without its `Data`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MetadataOnly {
    #[serde(default, rename = "Data")]
    _data: serde::de::IgnoredAny,
    #[serde(default)]
    metadata: Map<String, Value>,
}

/// Read an invocation whose `Data` the function never uses: a blob
/// trigger's, where the host inlines the whole blob as base64. The body is
/// parsed while it streams in and `Data` is skipped unread, so memory stays
/// constant however large the blob.
pub async fn read_metadata_only(
    body: axum::body::Body,
) -> Result<InvocationRequest, crate::http::problem::ApiError> {
    use crate::http::problem::ApiError;
    use futures::TryStreamExt;
    let stream = body.into_data_stream().map_err(std::io::Error::other);
    let reader = tokio_util::io::SyncIoBridge::new(tokio_util::io::StreamReader::new(stream));
    let parsed = tokio::task::spawn_blocking(move || {
        serde_json::from_reader::<_, MetadataOnly>(std::io::BufReader::new(reader))
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|e| ApiError::BadRequest(format!("invalid invocation body: {e}")))?;
    Ok(InvocationRequest {
        data: Map::new(),
        metadata: parsed.metadata,
    })
}
