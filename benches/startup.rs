//! Start-up on the Azure adapters against the emulators, side by side with
//! the embedded store (issue 20): from opening the stores to the first 200
//! on `GET /api/health`, which pings both stores, so the first Cosmos DB
//! request and the first Blob Storage request (its TLS handshake included)
//! are inside the figure.
//!
//! - **Azure**: a new Cosmos DB client on the SDK's in-process emulator
//!   (`testkit::cosmos_emulator`, key auth, which only test builds have),
//!   `CosmosDocumentStore::open` without creating resources (in Azure the
//!   Bicep owns them), the Blob Storage adapter on Azurite over https with
//!   a bearer token (`testkit::azurite`), then `Application::build_on`.
//! - **embedded**: `startup::open_embedded_stores` and
//!   `Application::build_on`, what `Application::build` does without Azure
//!   settings.
//!
//! Both are restarts: one untimed start first creates the database and its
//! containers, the blob container, SQLite's schema and the key files. Then
//! `BENCH_RUNS` (default 20) starts of each, alternating, in one process
//! (not `exec`: `scripts/bench-load` times the embedded binary from `exec`).
//! Production argon2 parameters, as in `scripts/bench-load`.
//!
//! Run: `./scripts/bench-startup` (starts Azurite; figures in
//! docs/PERFORMANCE.md).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use azure_core::http::Url;
use insite_lms::config::Config;
use insite_lms::startup::{self, Application};
use insite_lms::store::Stores;
use insite_lms::store::azure::{AzureBlobStore, CosmosDocumentStore};
use testkit::azurite::{self, CA_VAR, STORAGE_AUDIENCE, URL_VAR, UnsignedJwt};
use testkit::cosmos_emulator::{DATABASE, Emulator};

struct Azure {
    emulator: Emulator,
    container: Url,
    options: azure_storage_blob::BlobContainerClientOptions,
}

impl Azure {
    /// The stores as `store::azure::open_azure_stores` opens them, on the
    /// emulators.
    async fn open(&self, create_resources: bool) -> Stores {
        let cosmos = self
            .emulator
            .client(azure_data_cosmos::CosmosClient::builder())
            .await;
        let documents = CosmosDocumentStore::open(&cosmos, DATABASE, create_resources)
            .await
            .expect("Cosmos DB store");
        let blobs = AzureBlobStore::new(
            self.container.clone(),
            Arc::new(UnsignedJwt {
                audience: STORAGE_AUDIENCE,
            }),
            Some(self.options.clone()),
        )
        .expect("blob store");
        if create_resources {
            blobs
                .create_container_if_missing()
                .await
                .expect("container");
        }
        Stores {
            documents: Arc::new(documents),
            blobs: Arc::new(blobs),
        }
    }
}

fn config(data_dir: &std::path::Path) -> Config {
    let env: HashMap<String, String> = HashMap::from([
        ("FUNCTIONS_CUSTOMHANDLER_PORT".into(), "0".into()),
        ("LMS_BIND_ADDRESS".into(), "127.0.0.1".into()),
        ("LMS_DATA_DIR".into(), data_dir.display().to_string()),
        ("LMS_LOCAL_SCHEDULER".into(), "false".into()),
        ("LMS_INDEX_IN_PROCESS".into(), "false".into()),
    ]);
    Config::from_map(&env).expect("config")
}

/// Builds the application on `stores`, serves it and waits for the first
/// 200 on `/api/health`; the time since `start`. The server stops when
/// this returns.
async fn first_ok(
    start: Instant,
    config: Config,
    stores: Stores,
    http: &reqwest::Client,
) -> Duration {
    let app = Application::build_on(config, stores)
        .await
        .expect("the application builds");
    let url = format!("http://{}/api/health", app.local_addr().expect("bound"));
    let server = tokio::spawn(app.run_until_stopped());
    loop {
        match http.get(&url).send().await {
            Ok(r) if r.status() == reqwest::StatusCode::OK => break,
            Ok(r) if start.elapsed() > Duration::from_secs(30) => {
                panic!("no 200 within 30 s, last {}", r.status())
            }
            _ => tokio::time::sleep(Duration::from_millis(1)).await,
        }
    }
    let elapsed = start.elapsed();
    server.abort();
    // The aborted server drops the stores: the embedded writer thread ends
    // before the next start opens the same database.
    let _ = server.await;
    elapsed
}

fn summary(name: &str, starts: &[(Duration, Duration)]) {
    let figure = |pick: fn(&(Duration, Duration)) -> Duration| {
        let mut ms: Vec<f64> = starts
            .iter()
            .map(|s| pick(s).as_secs_f64() * 1000.0)
            .collect();
        ms.sort_by(f64::total_cmp);
        format!(
            "{:.1} ms ({:.1}, {:.1})",
            ms[ms.len() / 2],
            ms[0],
            ms[ms.len() - 1]
        )
    };
    println!("| {name} | {} | {} |", figure(|s| s.0), figure(|s| s.1));
}

#[tokio::main]
async fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
        .max(1);
    let (Ok(url), Ok(ca)) = (std::env::var(URL_VAR), std::env::var(CA_VAR)) else {
        panic!(
            "{URL_VAR} and {CA_VAR} are unset: run ./scripts/bench-startup, which starts Azurite"
        )
    };
    let pem = std::fs::read(&ca).unwrap_or_else(|e| panic!("{CA_VAR}={ca}: {e}"));
    let azure = Azure {
        emulator: Emulator::new(false),
        container: azurite::fresh_container_url(&Url::parse(&url).expect("account url")),
        options: azurite::client_options(&pem),
    };
    let (azure_dir, embedded_dir) = (
        tempfile::tempdir().expect("temp dir"),
        tempfile::tempdir().expect("temp dir"),
    );
    let http = reqwest::Client::new();

    // The first starts create what the timed ones find.
    let stores = azure.open(true).await;
    first_ok(Instant::now(), config(azure_dir.path()), stores, &http).await;
    let cfg = config(embedded_dir.path());
    let stores = startup::open_embedded_stores(&cfg).expect("embedded stores");
    first_ok(Instant::now(), cfg, stores, &http).await;

    // (stores open, first 200) of each start, both since the start.
    let (mut on_azure, mut embedded) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let start = Instant::now();
        let stores = azure.open(false).await;
        let opened = start.elapsed();
        let ok = first_ok(start, config(azure_dir.path()), stores, &http).await;
        on_azure.push((opened, ok));

        let start = Instant::now();
        let cfg = config(embedded_dir.path());
        let stores = startup::open_embedded_stores(&cfg).expect("embedded stores");
        let opened = start.elapsed();
        embedded.push((opened, first_ok(start, cfg, stores, &http).await));
    }
    println!("{runs} starts each, alternating; median (min, max):");
    println!();
    println!("| stores | stores open | first 200 on `/api/health` |");
    println!("|---|---:|---:|");
    summary(
        "Azure adapters: Cosmos DB (in-process emulator) + Blob Storage (Azurite, https)",
        &on_azure,
    );
    summary("embedded (SQLite + files)", &embedded);
}
