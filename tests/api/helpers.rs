//! The black-box harness: `spawn_app()` starts the real application on a
//! random port with its own temporary data folder, and `TestApp` speaks HTTP
//! to it.

use std::collections::HashMap;

use insite_lms::config::Config;
use insite_lms::startup::Application;
use reqwest::Response;
use serde_json::Value;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub data_dir: tempfile::TempDir,
}

/// Start the app with default test settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Start the app with extra environment settings.
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        insite_lms::telemetry::init().expect("telemetry initializes");
    }
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut env: HashMap<String, String> = HashMap::from([
        ("FUNCTIONS_CUSTOMHANDLER_PORT".into(), "0".into()),
        ("LMS_DATA_DIR".into(), data_dir.path().display().to_string()),
        ("LMS_LOCAL_SCHEDULER".into(), "false".into()),
    ]);
    for (k, v) in extra {
        env.insert((*k).into(), (*v).into());
    }
    let config = Config::from_map(&env).expect("test config is valid");
    let app = Application::build(config).await.expect("app builds");
    let address = format!("http://{}", app.local_addr().expect("bound"));
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        data_dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request sent")
    }
}

/// Assert a problem+json response with the given status; return its body.
pub async fn assert_problem(resp: Response, status: u16) -> Value {
    assert_eq!(resp.status().as_u16(), status, "unexpected status");
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(ct, "application/problem+json");
    let body: Value = resp.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status);
    assert!(
        body["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("urn:insite-lms:problem:")),
        "problem type is a stable URI: {body}"
    );
    body
}
