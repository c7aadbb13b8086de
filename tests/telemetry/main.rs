//! P12: what the handler exports to Application Insights. A binary of its
//! own because it installs the process-wide tracing subscriber.
//!
//! The app runs with a connection string whose ingestion endpoint is a
//! loopback capture server; the test drives requests that carry personal
//! data (an email in the URL, names in a body, a bearer token, a forwarded
//! client IP) and then reads every byte that would have left for Azure.

mod ingestion;

use std::time::Duration;

use insite_lms::telemetry::{self, Telemetry};
use serde_json::{Value, json};

use ingestion::IngestionServer;
use testkit::app::{TestApp, spawn_app};

const EMAIL: &str = "alice.liddell@example.com";
const FIRST_NAME: &str = "Alice";
const LAST_NAME: &str = "Liddell";
const PASSWORD: &str = "correct horse battery staple";
const TOKEN: &str = "secret-token-123";
const FORWARDED_IP: &str = "203.0.113.7";
/// A W3C trace context as the Functions host sends it.
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN_ID: &str = "00f067aa0ba902b7";

/// What the scenario did: the request names (method + route template) it
/// must produce, and every personal or secret value that must never appear
/// in exported telemetry.
struct Scenario {
    requests: Vec<&'static str>,
    secrets: Vec<String>,
}

impl Scenario {
    fn new() -> Self {
        let sent = [
            "127.0.0.1",
            FORWARDED_IP,
            EMAIL,
            "alice.liddell%40example.com",
            FIRST_NAME,
            LAST_NAME,
            PASSWORD,
            TOKEN,
            "Bearer",
        ];
        Scenario {
            requests: Vec::new(),
            secrets: sent.iter().map(|s| (*s).to_owned()).collect(),
        }
    }
}

/// The user's story the telemetry must describe. To cover a new endpoint,
/// send it here and push its request name; for registration and login use
/// EMAIL, FIRST_NAME, LAST_NAME and PASSWORD, push the issued access and
/// refresh tokens into `secrets`, and call an endpoint with the token.
async fn drive_scenario(app: &TestApp) -> Scenario {
    let mut scenario = Scenario::new();

    let health = app
        .client
        .get(app.url("/api/health"))
        .header("traceparent", format!("00-{TRACE_ID}-{PARENT_SPAN_ID}-01"))
        .header("x-forwarded-for", FORWARDED_IP)
        .send()
        .await
        .expect("request sent");
    assert_eq!(health.status(), 200);
    scenario.requests.push("GET /api/health");

    let openapi = app.get("/api/openapi.json").await;
    assert_eq!(openapi.status(), 200);
    scenario.requests.push("GET /api/openapi.json");

    // Personal data where a careless span would pick it up: path, query,
    // Authorization header, body.
    let unknown = app
        .client
        .post(app.url(&format!(
            "/api/no-such/{EMAIL}?email=alice.liddell%40example.com"
        )))
        .bearer_auth(TOKEN)
        .header("x-forwarded-for", FORWARDED_IP)
        .json(&json!({
            "email": EMAIL,
            "firstName": FIRST_NAME,
            "lastName": LAST_NAME,
            "password": PASSWORD,
        }))
        .send()
        .await
        .expect("request sent");
    assert_eq!(unknown.status(), 404);
    scenario.requests.push("POST unmatched");

    let version = app.policy_version().await;
    let registered = app
        .post_json(
            "/api/organizations/register",
            &json!({
                "organization": {"name": "Wunderland Bau GmbH"},
                "admin": {"email": EMAIL, "firstName": FIRST_NAME, "lastName": LAST_NAME, "password": PASSWORD},
                "acceptedPolicyVersion": version
            }),
        )
        .await;
    assert_eq!(registered.status(), 201);
    scenario.requests.push("POST /api/organizations/register");

    let login = app.login_response(EMAIL, PASSWORD).await;
    assert_eq!(login.status(), 200);
    let tokens: Value = login.json().await.expect("json");
    let access = tokens["accessToken"]
        .as_str()
        .expect("access token")
        .to_owned();
    let refresh = tokens["refreshToken"]
        .as_str()
        .expect("refresh token")
        .to_owned();
    scenario.requests.push("POST /api/auth/login");
    let wrong = app.login_response(EMAIL, "not the password at all").await;
    assert_eq!(wrong.status(), 401);

    let me = app.get_auth("/api/me", &access).await;
    assert_eq!(me.status(), 200);
    scenario.requests.push("GET /api/me");
    scenario.secrets.push(access);
    scenario.secrets.push(refresh);

    scenario
}

/// Flush until every expected request has arrived: a span ends only when
/// the server has dropped the response, which can trail the client a bit.
async fn flush_until_requests(
    telemetry: Telemetry,
    ingestion: &IngestionServer,
    expected: &[&str],
) -> Telemetry {
    let mut telemetry = telemetry;
    for _ in 0..50 {
        telemetry = tokio::task::spawn_blocking(move || {
            telemetry.flush();
            telemetry
        })
        .await
        .expect("flush thread");
        let names = request_names(ingestion);
        if expected.iter().all(|e| names.iter().any(|n| n == e)) {
            return telemetry;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "expected requests {expected:?}, got {:?}",
        request_names(ingestion)
    );
}

fn request_names(ingestion: &IngestionServer) -> Vec<String> {
    ingestion
        .requests()
        .iter()
        .filter_map(|r| r["data"]["baseData"]["name"].as_str().map(str::to_owned))
        .collect()
}

fn request_named<'a>(requests: &'a [Value], name: &str) -> &'a Value {
    requests
        .iter()
        .find(|r| r["data"]["baseData"]["name"] == name)
        .unwrap_or_else(|| panic!("no request telemetry named {name}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p12_exported_telemetry_names_routes_and_holds_nothing_personal() {
    let ingestion = IngestionServer::start().await;
    let telemetry = telemetry::init_with_client(&ingestion.connection_string(), ingestion.client())
        .expect("telemetry initializes");
    assert!(telemetry.is_exporting(), "the exporter is installed");

    let app = spawn_app().await;
    let scenario = drive_scenario(&app).await;
    let telemetry = flush_until_requests(telemetry, &ingestion, &scenario.requests).await;

    let requests = ingestion.requests();
    // Requests by route template, with status and duration.
    let health = request_named(&requests, "GET /api/health");
    assert_eq!(health["data"]["baseData"]["responseCode"], "200");
    assert_eq!(health["data"]["baseData"]["success"], true);
    assert!(
        health["data"]["baseData"]["duration"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "duration recorded: {health}"
    );
    let unknown = request_named(&requests, "POST unmatched");
    assert_eq!(unknown["data"]["baseData"]["responseCode"], "404");

    // The host's traceparent is continued: same operation, host span as parent.
    assert_eq!(health["tags"]["ai.operation.id"], TRACE_ID);
    assert_eq!(health["tags"]["ai.operation.parentId"], PARENT_SPAN_ID);

    // Nothing personal, anywhere in what was sent.
    for request in &requests {
        let data = &request["data"]["baseData"];
        assert!(data.get("source").is_none(), "no client source: {request}");
        assert!(data.get("url").is_none(), "no concrete URL: {request}");
        assert!(
            request["tags"].get("ai.location.ip").is_none(),
            "no client IP tag: {request}"
        );
    }
    let raw = ingestion.raw();
    for needle in &scenario.secrets {
        assert!(
            !raw.contains(needle.as_str()),
            "exported telemetry contains {needle:?}:\n{raw}"
        );
    }

    tokio::task::spawn_blocking(move || telemetry.shutdown())
        .await
        .expect("shutdown thread");
}
