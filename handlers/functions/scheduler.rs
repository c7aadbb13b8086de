//! The local scheduler: without a Functions host, the binary fires its own
//! timer functions on the schedules their function.json declares, by sending
//! the router the very request the host would send.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use std::str::FromStr;
use tower::ServiceExt;

use super::background::BACKGROUND;
use super::envelope::InvocationRequest;
use super::table::Trigger;

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

/// Invoke a timer function the way the host does.
pub async fn invoke(router: &Router, name: &str) {
    let payload = InvocationRequest::host_timer(name, "timer", jiff::Timestamp::now());
    let body = match serde_json::to_vec(&payload) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(function = name, error = %e, "cannot encode timer payload");
            return;
        }
    };
    let request = Request::post(format!("/{name}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body));
    match request {
        Ok(request) => match router.clone().oneshot(request).await {
            Ok(resp) if resp.status().is_success() => {
                tracing::info!(function = name, "timer function succeeded");
            }
            Ok(resp) => {
                tracing::warn!(
                    function = name,
                    status = resp.status().as_u16(),
                    "timer function failed"
                );
            }
            Err(e) => match e {},
        },
        Err(e) => tracing::error!(function = name, error = %e, "cannot build timer request"),
    }
}
