//! The black-box harness: `spawn_app()` starts the real application on a
//! random port with its own temporary data folder, and `TestApp` speaks HTTP
//! to it.

use std::collections::HashMap;

use insite_lms::config::Config;
use insite_lms::startup::{Application, open_embedded_stores};
use insite_lms::store::Stores;
use reqwest::Response;
use serde_json::Value;

use crate::data_folder::{self, StoredDocument};

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
    spawn_app_on(extra, |stores| stores).await
}

/// Start the app on its embedded stores as `wrap` returns them: a test can
/// act inside a store operation, e.g. between a blob's commit and the
/// metadata written after it.
pub async fn spawn_app_on(extra: &[(&str, &str)], wrap: impl FnOnce(Stores) -> Stores) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        insite_lms::telemetry::init().expect("telemetry initializes");
    }
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut env: HashMap<String, String> = HashMap::from([
        ("FUNCTIONS_CUSTOMHANDLER_PORT".into(), "0".into()),
        ("LMS_DATA_DIR".into(), data_dir.path().display().to_string()),
        ("LMS_LOCAL_SCHEDULER".into(), "false".into()),
        // Cheap hashing for speed; one unit test runs the production cost.
        ("LMS_ARGON2_MEMORY_KIB".into(), "64".into()),
        ("LMS_ARGON2_ITERATIONS".into(), "1".into()),
    ]);
    for (k, v) in extra {
        env.insert((*k).into(), (*v).into());
    }
    let config = Config::from_map(&env).expect("test config is valid");
    let stores = open_embedded_stores(&config).expect("stores open");
    let app = Application::build_on(config, wrap(stores))
        .await
        .expect("app builds");
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

/// A registered admin: ids and credentials.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub email: String,
    pub password: String,
    pub user_id: String,
    pub organization_id: Option<String>,
}

pub const PASSWORD: &str = "Sichere-Baustelle-2026";

impl TestApp {
    /// The current privacy-policy version, as the API reports it.
    pub async fn policy_version(&self) -> String {
        let body: Value = self
            .get("/api/privacy-policy")
            .await
            .json()
            .await
            .expect("json");
        body["version"].as_str().expect("version").to_owned()
    }

    /// A registration body for a fresh company and admin.
    pub async fn registration(&self, email: &str) -> Value {
        serde_json::json!({
            "organization": {"name": "Hochbau Muster GmbH", "vatId": "ATU12345678", "country": "AT"},
            "admin": {"email": email, "firstName": "Zenobia", "lastName": "Quirrelbach", "password": PASSWORD},
            "acceptedPolicyVersion": self.policy_version().await
        })
    }

    /// Register a company with an admin under `email`.
    pub async fn register(&self, email: &str) -> TestUser {
        let body = self.registration(email).await;
        let resp = self.post_json("/api/organizations/register", &body).await;
        assert_eq!(resp.status(), 201, "registration succeeds");
        let ids: Value = resp.json().await.expect("json");
        TestUser {
            email: email.to_owned(),
            password: PASSWORD.to_owned(),
            user_id: ids["userId"].as_str().expect("userId").to_owned(),
            organization_id: ids["organizationId"].as_str().map(str::to_owned),
        }
    }

    pub async fn login_response(&self, email: &str, password: &str) -> Response {
        self.post_json(
            "/api/auth/login",
            &serde_json::json!({"email": email, "password": password}),
        )
        .await
    }

    /// Log in and return the token response body.
    pub async fn login(&self, user: &TestUser) -> Value {
        let resp = self.login_response(&user.email, &user.password).await;
        assert_eq!(resp.status(), 200, "login succeeds");
        resp.json().await.expect("json")
    }

    /// Register and log in; returns the user and an access token.
    pub async fn signed_in(&self, email: &str) -> (TestUser, String) {
        let user = self.register(email).await;
        let tokens = self.login(&user).await;
        let access = tokens["accessToken"].as_str().expect("token").to_owned();
        (user, access)
    }

    pub async fn get_auth(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request sent")
    }

    /// A signed-in GET's body as JSON, whatever its status.
    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        self.get_auth(path, token).await.json().await.expect("json")
    }

    pub async fn send_auth(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> Response {
        let mut req = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await.expect("request sent")
    }

    /// A second handle on the app's document store, as another process
    /// sharing the data folder would have: for setting up what no API
    /// reaches (an operator's act, a clock moved back). Observe through
    /// the API or `all_documents`/`blobs` instead.
    pub fn store(&self) -> insite_lms::store::embedded::SqliteDocumentStore {
        insite_lms::store::embedded::SqliteDocumentStore::open(
            &insite_lms::store::embedded::database_path(self.data_dir.path()),
        )
        .expect("open store")
    }

    /// Every document of `container` (its name, e.g. `"outbox"`) in the
    /// data folder.
    pub fn all_documents(&self, container: &str) -> Vec<StoredDocument> {
        data_folder::documents(self.data_dir.path())
            .into_iter()
            .filter(|d| d.container == container)
            .collect()
    }

    /// Every document in the data folder.
    pub fn every_document(&self) -> Vec<StoredDocument> {
        data_folder::documents(self.data_dir.path())
    }

    /// The blobs in the data folder whose names start with `prefix`.
    pub fn blobs(&self, prefix: &str) -> Vec<String> {
        data_folder::blobs(self.data_dir.path(), prefix)
    }

    /// Create a project; returns its id.
    pub async fn create_project(&self, token: &str) -> String {
        let resp = self
            .send_auth(
                reqwest::Method::POST,
                "/api/projects",
                token,
                Some(&serde_json::json!({"name": "Wohnanlage Seestadt", "address": "Seestadtstraße 1, 1220 Wien", "timeZone": "Europe/Vienna"})),
            )
            .await;
        assert_eq!(resp.status(), 201, "project created");
        let body: Value = resp.json().await.expect("json");
        body["id"].as_str().expect("id").to_owned()
    }

    /// Invite `email` with `role`; returns the invitation token that the
    /// mail job will put into the link. The outbox holds no token (L6): it
    /// is rebuilt from the invitation's id with the key in the data folder.
    pub async fn invite(&self, token: &str, project: &str, email: &str, role: &str) -> String {
        let resp = self
            .send_auth(
                reqwest::Method::POST,
                &format!("/api/projects/{project}/invitations"),
                token,
                Some(&serde_json::json!({"email": email, "role": role, "consentConfirmed": true})),
            )
            .await;
        assert_eq!(resp.status(), 201, "invitation created");
        let body: Value = resp.json().await.expect("json");
        let id = body["id"].as_str().expect("id").to_owned();
        let mail = self
            .all_documents("outbox")
            .into_iter()
            .find(|d| d.body["params"]["invitationId"] == id.as_str())
            .expect("invitation mail queued");
        let key = insite_lms::auth::keys::load_or_create_local_key(self.data_dir.path())
            .expect("the local signing key");
        insite_lms::domain::invitations::InvitationLinks::new((key.kid, key.secret), [])
            .token(mail.body["params"]["keyId"].as_str().expect("keyId"), &id)
            .expect("the key rebuilds the token")
    }

    /// Invite a new person into the project with `role`, accept as them,
    /// and log in; returns their user id and access token.
    pub async fn join_as(
        &self,
        owner_token: &str,
        project: &str,
        email: &str,
        role: &str,
    ) -> (String, String) {
        let invite = self.invite(owner_token, project, email, role).await;
        let resp = self
            .post_json(
                &format!("/api/invitations/{invite}/accept"),
                &serde_json::json!({
                    "firstName": "Ottokar", "lastName": "Zwiebelmeier", "password": PASSWORD,
                    "companyName": "Elektro Blitz KG", "acceptedPolicyVersion": self.policy_version().await
                }),
            )
            .await;
        assert_eq!(resp.status(), 200, "invitation accepted");
        let body: Value = resp.json().await.expect("json");
        let user_id = body["userId"].as_str().expect("user").to_owned();
        let user = TestUser {
            email: email.to_owned(),
            password: PASSWORD.to_owned(),
            user_id: user_id.clone(),
            organization_id: None,
        };
        let tokens = self.login(&user).await;
        (
            user_id,
            tokens["accessToken"].as_str().expect("token").to_owned(),
        )
    }

    /// Invoke a timer function exactly as the Functions host does.
    pub async fn run_timer(&self, function: &str) -> Value {
        let payload = serde_json::json!({
            "Data": {"timer": {"Schedule": {"AdjustForDST": true}, "ScheduleStatus": null, "IsPastDue": false}},
            "Metadata": {"sys": {"MethodName": function, "UtcNow": "2026-11-28T03:17:00Z", "RandGuid": "0f8fad5b-d9cb-469f-a165-70867728950e"}}
        });
        let resp = self.post_json(&format!("/{function}"), &payload).await;
        assert_eq!(resp.status(), 200, "{function} succeeds");
        let body: Value = resp.json().await.expect("json");
        body["ReturnValue"].clone()
    }

    /// How many audit entries the data folder holds.
    pub fn audit_count(&self) -> usize {
        self.every_document()
            .iter()
            .filter(|d| d.body["kind"] == "audit")
            .count()
    }
}

/// The fields a problem+json body's `errors` name, in order.
pub fn problem_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|f| f["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
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
