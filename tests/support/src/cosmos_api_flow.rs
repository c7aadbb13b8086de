//! The whole API on the Cosmos DB adapter: the real application (router,
//! extractors, domain, adapter, SDK pipeline) on the SDK's in-process
//! emulator, driven over HTTP through a user's day: register, log in, set up
//! a project, book, look at the day, upload, index, search. Each step keeps
//! the charges the adapter logged while it ran, so the test can check how
//! the requests use the partitions and `benches/cosmos_api_ru.rs` can print
//! request units and round trips per API operation. Files go to the
//! embedded blob store: only Cosmos DB is measured here.
//!
//! The adapter sits behind `Waves`, which counts the *sequential steps* of
//! each request (store calls that overlap count as one) and can add a fixed
//! delay to every call, standing in for the network round trip to Cosmos DB.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use insite_lms::config::Config;
use insite_lms::startup::Application;
use insite_lms::store::Stores;
use insite_lms::store::azure::CosmosDocumentStore;
use insite_lms::store::embedded::FileBlobStore;
use insite_lms::store::{
    BatchOp, Container, Document, DocumentStore, ETag, NewDocument, Page, Query, StoreError,
};
use jiff::{Timestamp, ToSpan};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::cosmos_emulator::{Charge, DATABASE, Emulator, RuLog};

/// Bookings on the resource on the day the day view reads.
pub const DAY_BOOKINGS: usize = 50;

/// One API operation and the store calls it made.
pub struct Step {
    pub operation: &'static str,
    pub charges: Vec<Charge>,
    /// Store calls one after another: a group of overlapping calls is one.
    pub sequential: u64,
    /// Request sent to response read, as the client saw it.
    pub elapsed: Duration,
}

impl Step {
    pub fn ru(&self) -> f64 {
        self.charges.iter().map(|c| c.ru).sum()
    }

    /// HTTP round trips to Cosmos DB (a query page is one).
    pub fn round_trips(&self) -> u64 {
        self.charges.iter().map(|c| c.requests).sum()
    }
}

#[derive(Default)]
struct WaveCount {
    in_flight: u64,
    waves: u64,
}

/// A document store that counts waves of calls (a wave begins when a call
/// starts while none is in flight) and delays each call by a fixed time.
struct Waves {
    inner: Arc<dyn DocumentStore>,
    delay: Duration,
    count: Arc<Mutex<WaveCount>>,
}

impl Waves {
    async fn enter(&self) {
        {
            let mut c = self.count.lock().expect("wave count");
            if c.in_flight == 0 {
                c.waves += 1;
            }
            c.in_flight += 1;
        }
        // Always give way once, so that calls issued together are all in
        // flight before the first one finishes, even with no delay.
        if self.delay.is_zero() {
            tokio::task::yield_now().await;
        } else {
            tokio::time::sleep(self.delay).await;
        }
    }

    fn leave<T>(&self, r: T) -> T {
        self.count.lock().expect("wave count").in_flight -= 1;
        r
    }
}

#[async_trait::async_trait]
impl DocumentStore for Waves {
    async fn create(&self, c: Container, doc: NewDocument) -> Result<ETag, StoreError> {
        self.enter().await;
        self.leave(self.inner.create(c, doc).await)
    }
    async fn upsert(&self, c: Container, doc: NewDocument) -> Result<ETag, StoreError> {
        self.enter().await;
        self.leave(self.inner.upsert(c, doc).await)
    }
    async fn replace(
        &self,
        c: Container,
        doc: NewDocument,
        if_match: Option<&ETag>,
    ) -> Result<ETag, StoreError> {
        self.enter().await;
        self.leave(self.inner.replace(c, doc, if_match).await)
    }
    async fn read(&self, c: Container, pk: &str, id: &str) -> Result<Option<Document>, StoreError> {
        self.enter().await;
        self.leave(self.inner.read(c, pk, id).await)
    }
    async fn delete(
        &self,
        c: Container,
        pk: &str,
        id: &str,
        if_match: Option<&ETag>,
    ) -> Result<(), StoreError> {
        self.enter().await;
        self.leave(self.inner.delete(c, pk, id, if_match).await)
    }
    async fn query(&self, c: Container, pk: &str, q: Query) -> Result<Page, StoreError> {
        self.enter().await;
        self.leave(self.inner.query(c, pk, q).await)
    }
    async fn query_all_partitions(&self, c: Container, q: Query) -> Result<Page, StoreError> {
        self.enter().await;
        self.leave(self.inner.query_all_partitions(c, q).await)
    }
    async fn batch(
        &self,
        c: Container,
        pk: &str,
        ops: Vec<BatchOp>,
    ) -> Result<Vec<Option<ETag>>, StoreError> {
        self.enter().await;
        self.leave(self.inner.batch(c, pk, ops).await)
    }
    async fn remove_expired(&self) -> Result<u64, StoreError> {
        self.inner.remove_expired().await
    }
    async fn compact(&self) -> Result<(), StoreError> {
        self.inner.compact().await
    }
    async fn ping(&self) -> Result<(), StoreError> {
        self.enter().await;
        self.leave(self.inner.ping().await)
    }
}

struct Client {
    http: reqwest::Client,
    base: String,
    log: RuLog,
    waves: Arc<Mutex<WaveCount>>,
    token: Option<String>,
    steps: Vec<Step>,
}

impl Client {
    /// Send, require `expected`, and keep the charges as a step when named.
    async fn call(
        &mut self,
        step: Option<&'static str>,
        request: reqwest::RequestBuilder,
        expected: StatusCode,
    ) -> Value {
        self.log.take();
        *self.waves.lock().expect("wave count") = WaveCount::default();
        let request = match &self.token {
            Some(t) => request.bearer_auth(t),
            None => request,
        };
        let started = Instant::now();
        let resp = request.send().await.expect("request sent");
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        let elapsed = started.elapsed();
        assert_eq!(status, expected, "{step:?}: {body}");
        let charges = self.log.take();
        let sequential = self.waves.lock().expect("wave count").waves;
        if let Some(operation) = step {
            self.steps.push(Step {
                operation,
                charges,
                sequential,
                elapsed,
            });
        }
        body
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base))
    }
}

/// Run the day on a fresh emulator; every request must succeed.
/// Call on a current-thread runtime: the charges are collected from the
/// adapter's events on this thread, where the served application runs too.
pub async fn run() -> Vec<Step> {
    run_with_delay(Duration::ZERO).await
}

/// The same, with `delay` added to every call to Cosmos DB.
pub async fn run_with_delay(delay: Duration) -> Vec<Step> {
    let log = RuLog::default();
    let _guard = log.install();
    let emulator = Emulator::new(false);
    let cosmos = emulator
        .client(azure_data_cosmos::CosmosClient::builder())
        .await;
    let data_dir = tempfile::tempdir().expect("temp dir");
    let waves = Arc::new(Mutex::new(WaveCount::default()));
    let stores = Stores {
        documents: Arc::new(Waves {
            inner: Arc::new(
                CosmosDocumentStore::open(&cosmos, DATABASE, true)
                    .await
                    .expect("cosmos store"),
            ),
            delay,
            count: waves.clone(),
        }),
        blobs: Arc::new(FileBlobStore::open(&data_dir.path().join("blobs")).expect("blob store")),
    };
    let env: HashMap<String, String> = HashMap::from([
        ("FUNCTIONS_CUSTOMHANDLER_PORT".into(), "0".into()),
        ("LMS_DATA_DIR".into(), data_dir.path().display().to_string()),
        ("LMS_LOCAL_SCHEDULER".into(), "false".into()),
        ("LMS_INDEX_IN_PROCESS".into(), "false".into()),
        // Hashing cost does not touch the store.
        ("LMS_ARGON2_MEMORY_KIB".into(), "64".into()),
        ("LMS_ARGON2_ITERATIONS".into(), "1".into()),
    ]);
    let config = Config::from_map(&env).expect("config");
    let app = Application::build_on(config, stores)
        .await
        .expect("app builds on the emulator");
    let base = format!("http://{}", app.local_addr().expect("bound"));
    tokio::spawn(app.run_until_stopped());
    let mut c = Client {
        http: reqwest::Client::new(),
        base,
        log,
        waves,
        token: None,
        steps: Vec::new(),
    };
    day(&mut c).await;
    c.steps
}

async fn day(c: &mut Client) {
    let policy = c
        .call(
            Some("read the privacy policy"),
            c.request(Method::GET, "/api/privacy-policy"),
            StatusCode::OK,
        )
        .await;
    let email = "disponentin@hochbau-muster.example";
    let password = "Sichere-Baustelle-2026";
    c.call(
        Some("register (organization + admin)"),
        c.request(Method::POST, "/api/organizations/register").json(&json!({
            "organization": {"name": "Hochbau Muster GmbH", "country": "AT"},
            "admin": {"email": email, "firstName": "Zenobia", "lastName": "Quirrelbach", "password": password},
            "acceptedPolicyVersion": policy["version"],
        })),
        StatusCode::CREATED,
    )
    .await;
    let tokens = c
        .call(
            Some("log in"),
            c.request(Method::POST, "/api/auth/login")
                .json(&json!({"email": email, "password": password})),
            StatusCode::OK,
        )
        .await;
    c.token = Some(tokens["accessToken"].as_str().expect("token").to_owned());
    c.call(
        Some("read own profile (GET /api/me)"),
        c.request(Method::GET, "/api/me"),
        StatusCode::OK,
    )
    .await;
    let project = c
        .call(
            Some("create project"),
            c.request(Method::POST, "/api/projects").json(&json!({
                "name": "Wohnanlage Seestadt", "timeZone": "Europe/Vienna"
            })),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_str()
        .expect("project id")
        .to_owned();
    let p = format!("/api/projects/{project}");
    let resource = c
        .call(
            Some("create resource"),
            c.request(Method::POST, &format!("{p}/resources"))
                .json(&json!({"kind": "unloadingZone", "name": "Abladezone Nord"})),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_str()
        .expect("resource id")
        .to_owned();

    c.call(
        Some("read project (GET /api/projects/{id})"),
        c.request(Method::GET, &p),
        StatusCode::OK,
    )
    .await;

    // A day a week ahead (UTC), in quarter hours from 05:00.
    let start_of_day =
        Timestamp::from_second((Timestamp::now().as_second() / 86_400 + 7) * 86_400).expect("day");
    let slot = |i: i64| {
        let s = start_of_day
            .checked_add((5 * 60 + 15 * i).minutes())
            .expect("slot");
        (s, s.checked_add(15.minutes()).expect("slot end"))
    };
    for i in 0..DAY_BOOKINGS as i64 {
        let (s, e) = slot(i);
        let name = match i {
            0 => Some("create booking (empty resource)"),
            i if i == DAY_BOOKINGS as i64 - 1 => Some("create booking (resource with 49 that day)"),
            _ => None,
        };
        c.call(
            name,
            c.request(Method::POST, &format!("{p}/bookings"))
                .json(&json!({
                    "resourceIds": [resource], "start": s, "end": e,
                    "company": "Beton Huber GmbH", "material": "Transportbeton C25/30"
                })),
            StatusCode::CREATED,
        )
        .await;
    }
    let (s, e) = slot(0);
    c.call(
        Some("create booking, slot taken (409)"),
        c.request(Method::POST, &format!("{p}/bookings"))
            .json(&json!({"resourceIds": [resource], "start": s, "end": e})),
        StatusCode::CONFLICT,
    )
    .await;
    let end_of_day = start_of_day.checked_add(24.hours()).expect("end");
    let view = c
        .call(
            Some("day view (50 bookings)"),
            c.request(
                Method::GET,
                &format!("{p}/bookings?from={start_of_day}&to={end_of_day}&limit={DAY_BOOKINGS}"),
            ),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        view["items"].as_array().map(Vec::len),
        Some(DAY_BOOKINGS),
        "the day view shows every booking of the day"
    );

    let text = "Lieferschein Bewehrungsstahl Kranstellfläche Nord\n".repeat(200);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(text.clone().into_bytes()).file_name("lieferschein.txt"),
    );
    let file = c
        .call(
            Some("upload file metadata (10 KiB text)"),
            c.request(Method::POST, &format!("{p}/files"))
                .multipart(form),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_str()
        .expect("file id")
        .to_owned();
    let blob = format!("projects/{project}/files/{file}");
    let twice = |s: &str| serde_json::to_string(s).expect("encode");
    c.call(
        Some("index-document (blob trigger)"),
        c.request(Method::POST, "/index-document").json(&json!({
            "Data": {"blob": base64::engine::general_purpose::STANDARD.encode(&text)},
            "Metadata": {
                "Uri": twice(&format!("https://lmsfiles.blob.core.windows.net/project-files/{blob}")),
                "name": twice(&blob),
                "Properties": {"Length": text.len(), "ContentType": "text/plain"},
                "Metadata": {},
            }
        })),
        StatusCode::OK,
    )
    .await;
    let found = c
        .call(
            Some("search files (one word)"),
            c.request(Method::GET, &format!("{p}/files?q=bewehrungsstahl")),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        found["items"][0]["id"].as_str(),
        Some(file.as_str()),
        "search finds the indexed file"
    );
}
