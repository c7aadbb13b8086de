//! Replays of what the Functions host sends to non-HTTP functions, shaped
//! exactly as the host's DefaultHttpWorkerService builds them.

use serde_json::json;

use testkit::app::spawn_app;

fn host_timer_payload() -> serde_json::Value {
    json!({
        "Data": {
            "timer": {
                "Schedule": {"AdjustForDST": true},
                "ScheduleStatus": {
                    "Last": "2026-11-28T02:17:00+00:00",
                    "Next": "2026-11-28T03:17:00+00:00",
                    "LastUpdated": "2026-11-28T02:17:00+00:00"
                },
                "IsPastDue": false
            }
        },
        "Metadata": {
            "sys": {
                "MethodName": "purge-expired",
                "UtcNow": "2026-11-28T03:17:00.0123456Z",
                "RandGuid": "0f8fad5b-d9cb-469f-a165-70867728950e"
            }
        }
    })
}

#[tokio::test]
async fn purge_timer_answers_with_the_invocation_envelope() {
    let app = spawn_app().await;
    let resp = app.post_json("/purge-expired", &host_timer_payload()).await;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert!(body["Outputs"].is_object());
    assert!(body["Logs"].as_array().is_some_and(|l| !l.is_empty()));
    assert_eq!(body["ReturnValue"]["expiredDocuments"], 0);
}

#[tokio::test]
async fn purge_timer_is_idempotent() {
    let app = spawn_app().await;
    for _ in 0..3 {
        let resp = app.post_json("/purge-expired", &host_timer_payload()).await;
        assert_eq!(resp.status(), 200);
    }
}
