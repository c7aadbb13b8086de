//! Resources and bookings.

use reqwest::Method;
use serde_json::{Value, json};

use crate::app::TestApp;

/// Create a resource from `body`; its id.
pub async fn resource(app: &TestApp, token: &str, project: &str, body: Value) -> String {
    let resp = app
        .send_auth(
            Method::POST,
            &format!("/api/projects/{project}/resources"),
            token,
            Some(&body),
        )
        .await;
    assert_eq!(resp.status(), 201, "resource created");
    let v: Value = resp.json().await.expect("json");
    v["id"].as_str().expect("id").to_owned()
}

pub async fn book(
    app: &TestApp,
    token: &str,
    project: &str,
    resources: &[&str],
    start: &str,
    end: &str,
) -> reqwest::Response {
    app.send_auth(
        Method::POST,
        &format!("/api/projects/{project}/bookings"),
        token,
        Some(&json!({"resourceIds": resources, "start": start, "end": end,
                     "company": "Beton Huber GmbH", "material": "Transportbeton C25/30", "quantity": "8 m³"})),
    )
    .await
}
