//! No double booking across processes: two real handler processes share one
//! data folder, as two Function instances share one Cosmos account, and 64
//! concurrent requests for overlapping slots on one resource go to both.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use testkit::app::TestApp;
use testkit::bookings::resource;
use testkit::process::{free_port, healthy_within};

const SIGNING_KEY: &str = "aW5zaXRlLWxtcy1jb25jdXJyZW5jeS10ZXN0LWtleSE=";

/// The handler processes; killed when the test ends, however it ends.
struct Processes(Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn start(dir: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_insite-lms"))
        .env("FUNCTIONS_CUSTOMHANDLER_PORT", port.to_string())
        .env("LMS_DATA_DIR", dir)
        .env("LMS_LOCAL_SCHEDULER", "false")
        .env("LMS_ARGON2_MEMORY_KIB", "64")
        .env("LMS_ARGON2_ITERATIONS", "1")
        .env("LMS_TOKEN_SIGNING_KEY", SIGNING_KEY)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the handler")
}

async fn handler(dir: &std::path::Path, procs: &mut Processes) -> TestApp {
    let port = free_port();
    procs.0.push(start(dir, port));
    let app = TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::new(),
        data_dir: tempfile::tempdir().expect("unused"),
    };
    assert!(
        healthy_within(&app.client, &app.address, Duration::from_secs(60)).await,
        "{} did not become healthy",
        app.address
    );
    app
}

/// 64 requests, alternating between the two processes, for slots that all
/// overlap each other; returns how many were accepted.
async fn race(a: &TestApp, b: &TestApp, token: &str, project: &str, resource: &str) -> usize {
    let requests = (0..64).map(|i| {
        let app = if i % 2 == 0 { a } else { b };
        let start = format!("2027-02-01T08:{:02}:00Z", i % 30);
        let end = format!("2027-02-01T09:{:02}:00Z", i % 30);
        async move {
            app.send_auth(
                Method::POST,
                &format!("/api/projects/{project}/bookings"),
                token,
                Some(&json!({"resourceIds": [resource], "start": start, "end": end})),
            )
            .await
            .status()
            .as_u16()
        }
    });
    let statuses = futures::future::join_all(requests).await;
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "only accepted or conflict: {statuses:?}"
    );
    statuses.iter().filter(|s| **s == 201).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_concurrent_requests_from_two_processes_never_double_book() {
    let dir = tempfile::tempdir().expect("data dir");
    let mut procs = Processes(Vec::new());
    let a = handler(dir.path(), &mut procs).await;
    let b = handler(dir.path(), &mut procs).await;
    let (_owner, token) = a.signed_in("owner@bau.example").await;
    let project = a.create_project(&token).await;
    let single = resource(
        &a,
        &token,
        &project,
        json!({"kind": "crane", "name": "Kran 1"}),
    )
    .await;
    let triple = resource(
        &b,
        &token,
        &project,
        json!({"kind": "unloadingZone", "name": "Zone A", "capacity": 3}),
    )
    .await;

    assert_eq!(
        race(&a, &b, &token, &project, &single).await,
        1,
        "capacity 1"
    );
    assert_eq!(
        race(&a, &b, &token, &project, &triple).await,
        3,
        "capacity 3"
    );

    // Both processes see the same bookings.
    for app in [&a, &b] {
        let list: serde_json::Value = app
            .get_json(
                &format!("/api/projects/{project}/bookings?limit=200"),
                &token,
            )
            .await;
        assert_eq!(list["items"].as_array().expect("items").len(), 4);
    }
    drop(procs);
}

/// `writers` clients at once, each booking `each` free half hours one
/// after another on the same resource; the count of answers per status.
async fn contend(writers: usize, each: usize) -> std::collections::BTreeMap<u16, usize> {
    let app = testkit::app::spawn_app().await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let crane = resource(
        &app,
        &token,
        &project,
        json!({"kind": "crane", "name": "Kran 1"}),
    )
    .await;
    // 2030-01-01T00:00Z
    let base = 1_893_456_000i64;
    let writer = |w: usize| {
        let (app, token, project, crane) = (&app, &token, &project, &crane);
        async move {
            let mut statuses = Vec::new();
            for i in 0..each {
                let n = i64::try_from(w * each + i).expect("small");
                let at = |s: i64| {
                    jiff::Timestamp::from_second(base + s)
                        .expect("in range")
                        .to_string()
                };
                let resp = testkit::bookings::book(
                    app,
                    token,
                    project,
                    &[crane],
                    &at(n * 1800),
                    &at(n * 1800 + 1800),
                )
                .await;
                statuses.push(resp.status().as_u16());
            }
            statuses
        }
    };
    let mut counts = std::collections::BTreeMap::new();
    for statuses in futures::future::join_all((0..writers).map(writer)).await {
        for s in statuses {
            *counts.entry(s).or_insert(0) += 1;
        }
    }
    counts
}

/// L9: writers on one resource queue in the process, so under 48 at once,
/// each booking a free slot, every one is accepted and none refused as
/// busy: the one that waited longest goes first.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn l9_forty_eight_writers_on_one_resource_are_all_served() {
    let counts = contend(48, 10).await;
    assert_eq!(counts.get(&201), Some(&480), "{counts:?}");
}

/// L9's measurement (not run by default; takes a minute or more):
/// `LMS_SKIP_AZURITE=1 cargo nextest run --test api --run-ignored only -E 'test(/l9_measure/)' --no-capture`
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a measurement, run by hand"]
async fn l9_measure_busy_answers_under_48_writers() {
    let started = Instant::now();
    let counts = contend(48, 30).await;
    eprintln!(
        "L9: 48 writers x 30 bookings on one resource in {:.1} s: {counts:?}",
        started.elapsed().as_secs_f64()
    );
}
