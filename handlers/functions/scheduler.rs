//! The local scheduler: without a Functions host, the binary fires its own
//! timer functions on the schedules their function.json declares, and its
//! blob-triggered functions after each upload, by sending the router the
//! very request the host would send.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use std::str::FromStr;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;
use tower::ServiceExt;

use super::background::BACKGROUND;
use super::envelope::InvocationRequest;
use super::trigger::Trigger;
use crate::domain::files::FILES_CONTAINER;
use crate::store::BlobName;

/// Tries of a blob function per upload, as the host's blob trigger makes
/// them; the waits between them double from one second.
const BLOB_TRIES: u32 = 5;

/// Spawn one task per timer function; they end with the runtime.
pub fn start(router: Router) {
    for f in BACKGROUND {
        let Trigger::Timer { schedule } = f.trigger else {
            continue;
        };
        let schedule = match cron::Schedule::from_str(schedule) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(function = f.name, error = %e, "invalid timer schedule");
                continue;
            }
        };
        let router = router.clone();
        let name = f.name;
        tokio::spawn(async move {
            for next in schedule.upcoming(chrono::Utc) {
                let wait = (next - chrono::Utc::now()).to_std().unwrap_or_default();
                tokio::time::sleep(wait).await;
                invoke(&router, name).await;
            }
        });
    }
}

/// Raise every blob function for each blob an upload announces; the task
/// ends with the runtime.
pub fn start_blob_triggers(router: Router, mut events: UnboundedReceiver<BlobName>) {
    tokio::spawn(async move {
        while let Some(blob) = events.recv().await {
            for f in BACKGROUND {
                if let Trigger::Blob { .. } = f.trigger {
                    tokio::spawn(invoke_blob(router.clone(), f.name, blob.clone()));
                }
            }
        }
    });
}

async fn invoke_blob(router: Router, name: &'static str, blob: BlobName) {
    let mut wait = Duration::from_secs(1);
    for attempt in 1..=BLOB_TRIES {
        let payload = InvocationRequest::host_blob(
            name,
            super::index_document::BINDING,
            FILES_CONTAINER,
            blob.as_str(),
            jiff::Timestamp::now(),
        );
        if send(&router, name, &payload).await {
            return;
        }
        if attempt < BLOB_TRIES {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
    tracing::error!(function = name, "blob function failed after every retry");
}

/// Invoke a timer function the way the host does.
pub async fn invoke(router: &Router, name: &str) {
    let payload = InvocationRequest::host_timer(name, "timer", jiff::Timestamp::now());
    send(router, name, &payload).await;
}

/// Send one invocation; whether the function succeeded.
async fn send(router: &Router, name: &str, payload: &InvocationRequest) -> bool {
    let body = match serde_json::to_vec(payload) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(function = name, error = %e, "cannot encode the payload");
            return false;
        }
    };
    let request = Request::post(format!("/{name}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body));
    match request {
        Ok(request) => match router.clone().oneshot(request).await {
            Ok(resp) if resp.status().is_success() => {
                tracing::info!(function = name, "function succeeded");
                true
            }
            Ok(resp) => {
                tracing::warn!(
                    function = name,
                    status = resp.status().as_u16(),
                    "function failed"
                );
                false
            }
            Err(e) => match e {},
        },
        Err(e) => {
            tracing::error!(function = name, error = %e, "cannot build the request");
            false
        }
    }
}
