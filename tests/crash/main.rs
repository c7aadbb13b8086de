//! Crash safety over HTTP: the real binary serves a stream of mutating
//! requests from several clients, is SIGKILLed mid-stream, and restarts on
//! the same data folder. Every request it acknowledged (2xx) must still be
//! there, and no file metadata may point at a missing blob.
//!
//! The streams are the variants of `Stream`: project creations, profile
//! changes, bookings and file uploads, all at once.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use insite_lms::store::containers::PROJECTS;
use insite_lms::store::embedded::{FileBlobStore, SqliteDocumentStore, database_path};
use insite_lms::store::{BlobStore, DocumentStore, Query};
use serde_json::{Value, json};
use testkit::process::{free_port, healthy_within};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

const PASSWORD: &str = "Absturz-Baustelle-2026";
/// Acknowledgements to collect before the SIGKILL.
const KILL_AFTER: usize = 60;
/// Upper bound of requests per client, so a stream ends even if the kill
/// never came.
const MAX_REQUESTS_PER_CLIENT: u64 = 2_000;
const PROJECT_CLIENTS: u64 = 3;

/// A kind of mutating request sent in a stream.
#[derive(Debug, Clone, Copy)]
enum Stream {
    /// `POST /api/projects`: each acknowledged project must exist.
    CreateProject,
    /// `PATCH /api/me` with a sequence number in the last name: the name
    /// after restart must be the last acknowledged one or the one in flight.
    PatchProfile,
    /// `POST .../bookings` on consecutive, non-overlapping hours: each
    /// acknowledged booking must be readable after restart.
    CreateBooking,
    /// `POST .../files` with numbered content: each acknowledged file must
    /// download with exactly its bytes after restart.
    Upload,
}

/// The project and crane that bookings and uploads go to.
#[derive(Clone)]
struct Site {
    project: String,
    crane: String,
}

/// What a client needs to talk to the server.
struct Conn {
    client: reqwest::Client,
    base: String,
    token: String,
    site: Site,
}

fn upload_bytes(i: u64) -> Vec<u8> {
    format!("Lieferschein Nummer {i}\n")
        .repeat(200)
        .into_bytes()
}

/// What the server acknowledged.
#[derive(Debug)]
enum Ack {
    Project(String),
    Profile(u64),
    Booking(String),
    File(String, u64),
}

struct Server {
    child: Child,
    base: String,
}

/// Starts the binary on `data_dir` and waits (bounded) for its health check.
async fn start(data_dir: &Path, client: &reqwest::Client) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_insite-lms"))
        .env("FUNCTIONS_CUSTOMHANDLER_PORT", port.to_string())
        .env("LMS_BIND_ADDRESS", "127.0.0.1")
        .env("LMS_DATA_DIR", data_dir)
        .env("LMS_LOCAL_SCHEDULER", "false")
        // Cheap hashing: the hash cost is not what is under test.
        .env("LMS_ARGON2_MEMORY_KIB", "64")
        .env("LMS_ARGON2_ITERATIONS", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn insite-lms");
    let base = format!("http://127.0.0.1:{port}");
    assert!(
        healthy_within(client, &base, Duration::from_secs(30)).await,
        "insite-lms did not answer /api/health on {base}"
    );
    Server { child, base }
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: Option<Value>,
) -> reqwest::Result<reqwest::Response> {
    let mut req = client.request(method, url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await
}

async fn login(client: &reqwest::Client, base: &str, email: &str) -> String {
    let resp = call(
        client,
        reqwest::Method::POST,
        format!("{base}/api/auth/login"),
        None,
        Some(json!({"email": email, "password": PASSWORD})),
    )
    .await
    .expect("login sent");
    assert_eq!(resp.status(), 200, "login succeeds");
    let body: Value = resp.json().await.expect("json");
    body["accessToken"]
        .as_str()
        .expect("accessToken")
        .to_owned()
}

/// A sequence number spelled in letters, since names take no digits.
fn letters(mut n: u64) -> String {
    let mut out = Vec::new();
    loop {
        out.push(char::from(b'a' + u8::try_from(n % 26).unwrap_or(0)));
        n /= 26;
        if n == 0 {
            break;
        }
    }
    out.iter().rev().collect()
}

fn from_letters(s: &str) -> Option<u64> {
    s.bytes().try_fold(0u64, |n, b| {
        b.is_ascii_lowercase().then(|| n * 26 + u64::from(b - b'a'))
    })
}

/// One client: sends `stream` requests until the server goes away (or the
/// bound), reporting each acknowledgement. `in_flight` holds the highest
/// profile sequence number sent.
async fn client_loop(
    stream: Stream,
    client_no: u64,
    conn: Conn,
    acks: mpsc::UnboundedSender<Ack>,
    in_flight: Arc<AtomicU64>,
) {
    let Conn {
        client,
        base,
        token,
        site,
    } = conn;
    for i in 0..MAX_REQUESTS_PER_CLIENT {
        if let Stream::Upload = stream {
            let form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(upload_bytes(i))
                    .file_name(format!("lieferschein-{i}.txt")),
            );
            let sent = client
                .post(format!("{base}/api/projects/{}/files", site.project))
                .bearer_auth(&token)
                .multipart(form)
                .send()
                .await;
            let Ok(resp) = sent else { return };
            let status = resp.status();
            let Ok(answer) = resp.json::<Value>().await else {
                return;
            };
            assert!(status.is_success(), "upload answered {status}: {answer}");
            let id = answer["id"].as_str().expect("file id").to_owned();
            if acks.send(Ack::File(id, i)).is_err() {
                return;
            }
            continue;
        }
        let booking_path = format!("/api/projects/{}/bookings", site.project);
        let (method, path, body) = match stream {
            Stream::CreateProject => (
                reqwest::Method::POST,
                "/api/projects",
                json!({"name": format!("Absturz {client_no}-{i}"), "address": "Teststraße 1, 1220 Wien", "timeZone": "Europe/Vienna"}),
            ),
            Stream::PatchProfile => {
                in_flight.store(i, Ordering::SeqCst);
                (
                    reqwest::Method::PATCH,
                    "/api/me",
                    json!({"lastName": format!("Nachname{}", letters(i))}),
                )
            }
            Stream::CreateBooking => {
                let start = jiff::Timestamp::from_second(
                    1_924_992_000 + 3600 * i64::try_from(i).unwrap_or(0),
                )
                .expect("a valid time");
                let end = start + jiff::SignedDuration::from_mins(30);
                (
                    reqwest::Method::POST,
                    booking_path.as_str(),
                    json!({"resourceIds": [site.crane], "start": start.to_string(), "end": end.to_string(), "company": "Beton Huber GmbH"}),
                )
            }
            Stream::Upload => return,
        };
        let Ok(resp) = call(
            &client,
            method,
            format!("{base}{path}"),
            Some(&token),
            Some(body),
        )
        .await
        else {
            return; // the server is gone: the stream ends
        };
        let status = resp.status();
        let Ok(answer) = resp.json::<Value>().await else {
            return;
        };
        assert!(
            status.is_success(),
            "{stream:?} answered {status}: {answer}"
        );
        let ack = match stream {
            Stream::CreateProject => {
                Ack::Project(answer["id"].as_str().expect("project id").to_owned())
            }
            Stream::PatchProfile => Ack::Profile(i),
            Stream::CreateBooking => {
                Ack::Booking(answer["id"].as_str().expect("booking id").to_owned())
            }
            Stream::Upload => return,
        };
        if acks.send(ack).is_err() {
            return;
        }
    }
}

/// Every project id the caller sees, across pages.
async fn visible_projects(client: &reqwest::Client, base: &str, token: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut url = format!("{base}/api/projects?limit=200");
        if let Some(n) = &next {
            url.push_str("&next=");
            url.push_str(n);
        }
        let resp = call(client, reqwest::Method::GET, url, Some(token), None)
            .await
            .expect("list sent");
        assert_eq!(resp.status(), 200, "projects listed");
        let page: Value = resp.json().await.expect("json");
        ids.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .filter_map(|p| p["id"].as_str().map(str::to_owned)),
        );
        match page["next"].as_str() {
            Some(n) => next = Some(n.to_owned()),
            None => return ids,
        }
    }
}

/// No file metadata points at a missing blob: every document of kind
/// `file` in a project has its blob `projects/<projectId>/files/<fileId>`
/// (the naming that the orphan purge in `domain::retention` relies on).
/// Returns how many blobs were listed under `projects/`.
async fn assert_file_metadata_has_blobs(data_dir: &Path) -> usize {
    let docs = SqliteDocumentStore::open(&database_path(data_dir)).expect("open documents");
    let blobs = FileBlobStore::open(&data_dir.join("blobs")).expect("open blobs");
    let present: std::collections::HashSet<String> = blobs
        .list("projects/")
        .await
        .expect("list blobs")
        .into_iter()
        .map(|b| b.name.as_str().to_owned())
        .collect();
    let mut continuation = None;
    loop {
        let page = docs
            .query_all_partitions(
                PROJECTS,
                Query::new()
                    .eq("kind", "file")
                    .limit(1000)
                    .continuation(continuation),
            )
            .await
            .expect("query file metadata");
        for doc in &page.items {
            let file_id = doc
                .id
                .strip_prefix("file-")
                .expect("file documents are file-<id>");
            let blob = format!("projects/{}/files/{file_id}", doc.partition_key);
            assert!(
                present.contains(&blob),
                "metadata {doc:?} has no blob {blob}"
            );
        }
        match page.continuation {
            Some(c) => continuation = Some(c),
            None => return present.len(),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_stream_keeps_every_acknowledged_write() {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let client = reqwest::Client::new();
    let mut server = start(data_dir.path(), &client).await;

    let email = "kaputt@example.com";
    let policy: Value = client
        .get(format!("{}/api/privacy-policy", server.base))
        .send()
        .await
        .expect("policy sent")
        .json()
        .await
        .expect("json");
    let registered = call(
        &client,
        reqwest::Method::POST,
        format!("{}/api/organizations/register", server.base),
        None,
        Some(json!({
            "organization": {"name": "Absturz Bau GmbH", "vatId": "ATU12345678", "country": "AT"},
            "admin": {"email": email, "firstName": "Zenobia", "lastName": "Nachname", "password": PASSWORD},
            "acceptedPolicyVersion": policy["version"],
        })),
    )
    .await
    .expect("register sent");
    assert_eq!(registered.status(), 201, "registration succeeds");
    let token = login(&client, &server.base, email).await;
    let site = setup_site(&client, &server.base, &token).await;

    let in_flight = Arc::new(AtomicU64::new(0));
    let streams = (0..PROJECT_CLIENTS)
        .map(|n| (Stream::CreateProject, n))
        .chain([
            (Stream::PatchProfile, 0),
            (Stream::CreateBooking, 0),
            (Stream::Upload, 0),
        ])
        .collect();
    let conn = Conn {
        client: client.clone(),
        base: server.base.clone(),
        token: token.clone(),
        site: site.clone(),
    };
    let acked = acks_until_killed(&mut server, &conn, streams, &in_flight, KILL_AFTER).await;

    let mut server = start(data_dir.path(), &client).await;
    let token = login(&client, &server.base, email).await;
    let visible = visible_projects(&client, &server.base, &token).await;
    let projects: Vec<&String> = acked
        .iter()
        .filter_map(|a| match a {
            Ack::Project(id) => Some(id),
            _ => None,
        })
        .collect();
    assert!(!projects.is_empty(), "some projects were acknowledged");
    for id in &projects {
        assert!(visible.contains(id), "acknowledged project {id} survived");
    }

    let last_profile = acked
        .iter()
        .filter_map(|a| match a {
            Ack::Profile(n) => Some(*n),
            _ => None,
        })
        .max();
    let me: Value = call(
        &client,
        reqwest::Method::GET,
        format!("{}/api/me", server.base),
        Some(&token),
        None,
    )
    .await
    .expect("me sent")
    .json()
    .await
    .expect("json");
    let last_name = me["lastName"].as_str().expect("lastName");
    let stored = last_name.strip_prefix("Nachname").and_then(from_letters);
    if let Some(acked_seq) = last_profile {
        let stored = stored.expect("the last name carries a sequence number");
        assert!(
            (acked_seq..=in_flight.load(Ordering::SeqCst)).contains(&stored),
            "profile holds #{stored}: the last acknowledged (#{acked_seq}) or one sent after it"
        );
    }

    let mut bookings = 0;
    let mut files = 0;
    for a in &acked {
        match a {
            Ack::Booking(id) => {
                bookings += 1;
                let resp = call(
                    &client,
                    reqwest::Method::GET,
                    format!(
                        "{}/api/projects/{}/bookings/{id}",
                        server.base, site.project
                    ),
                    Some(&token),
                    None,
                )
                .await
                .expect("booking read sent");
                assert_eq!(resp.status(), 200, "acknowledged booking {id} survived");
            }
            Ack::File(id, i) => {
                files += 1;
                let resp = call(
                    &client,
                    reqwest::Method::GET,
                    format!(
                        "{}/api/projects/{}/files/{id}/content",
                        server.base, site.project
                    ),
                    Some(&token),
                    None,
                )
                .await
                .expect("download sent");
                assert_eq!(resp.status(), 200, "acknowledged file {id} survived");
                let bytes = resp.bytes().await.expect("body");
                assert_eq!(
                    bytes.as_ref(),
                    upload_bytes(*i).as_slice(),
                    "file {id} is complete"
                );
            }
            _ => {}
        }
    }
    assert!(
        bookings > 0 && files > 0,
        "bookings ({bookings}) and uploads ({files}) were acknowledged"
    );

    server.child.kill().await.expect("stopped");
    let blobs_listed = assert_file_metadata_has_blobs(data_dir.path()).await;
    assert!(
        blobs_listed >= files,
        "every acknowledged upload has its blob"
    );
}

/// A project with an always-open crane for the booking and upload streams.
async fn setup_site(client: &reqwest::Client, base: &str, token: &str) -> Site {
    let project: Value = call(
        client,
        reqwest::Method::POST,
        format!("{base}/api/projects"),
        Some(token),
        Some(json!({"name": "Absturz Baufeld", "timeZone": "Europe/Vienna"})),
    )
    .await
    .expect("project sent")
    .json()
    .await
    .expect("json");
    let project = project["id"].as_str().expect("project id").to_owned();
    let crane: Value = call(
        client,
        reqwest::Method::POST,
        format!("{base}/api/projects/{project}/resources"),
        Some(token),
        Some(json!({"kind": "crane", "name": "Turmdrehkran 1"})),
    )
    .await
    .expect("resource sent")
    .json()
    .await
    .expect("json");
    let crane = crane["id"].as_str().expect("crane id").to_owned();
    Site { project, crane }
}

/// Group commit: 32 clients create projects at once, so their write
/// transactions share commits. The server is SIGKILLed while groups are
/// being committed; every project it acknowledged must exist afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_among_32_concurrent_writers_keeps_every_acknowledged_write() {
    const WRITERS: u64 = 32;
    const KILL_AFTER_GROUPED: usize = 200;
    let data_dir = tempfile::tempdir().expect("temp dir");
    let client = reqwest::Client::new();
    let mut server = start(data_dir.path(), &client).await;
    let email = "gruppe@example.com";
    register(&client, &server.base, email).await;
    let token = login(&client, &server.base, email).await;
    let site = setup_site(&client, &server.base, &token).await;

    let conn = Conn {
        client: client.clone(),
        base: server.base.clone(),
        token: token.clone(),
        site,
    };
    let streams = (0..WRITERS).map(|n| (Stream::CreateProject, n)).collect();
    let in_flight = Arc::new(AtomicU64::new(0));
    let acked =
        acks_until_killed(&mut server, &conn, streams, &in_flight, KILL_AFTER_GROUPED).await;

    let mut server = start(data_dir.path(), &client).await;
    let token = login(&client, &server.base, email).await;
    let visible = visible_projects(&client, &server.base, &token).await;
    let mut checked = 0;
    for a in &acked {
        if let Ack::Project(id) = a {
            assert!(visible.contains(id), "acknowledged project {id} survived");
            checked += 1;
        }
    }
    assert!(checked >= KILL_AFTER_GROUPED, "{checked} projects checked");
    server.child.kill().await.expect("stopped");
}

/// Register an organization whose admin signs in with `PASSWORD`.
async fn register(client: &reqwest::Client, base: &str, email: &str) {
    let policy: Value = client
        .get(format!("{base}/api/privacy-policy"))
        .send()
        .await
        .expect("policy sent")
        .json()
        .await
        .expect("json");
    let registered = call(
        client,
        reqwest::Method::POST,
        format!("{base}/api/organizations/register"),
        None,
        Some(json!({
            "organization": {"name": "Gruppe Bau GmbH"},
            "admin": {"email": email, "firstName": "Greta", "lastName": "Gruppe", "password": PASSWORD},
            "acceptedPolicyVersion": policy["version"],
        })),
    )
    .await
    .expect("register sent");
    assert_eq!(registered.status(), 201, "registration succeeds");
}

/// Runs one client per stream against the server, SIGKILLs it after
/// `kill_after` acknowledgements while the other requests are in flight,
/// and returns every acknowledgement, those that raced the kill included.
async fn acks_until_killed(
    server: &mut Server,
    conn: &Conn,
    streams: Vec<(Stream, u64)>,
    in_flight: &Arc<AtomicU64>,
    kill_after: usize,
) -> Vec<Ack> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut clients = Vec::new();
    for (stream, n) in streams {
        let conn = Conn {
            client: conn.client.clone(),
            base: conn.base.clone(),
            token: conn.token.clone(),
            site: conn.site.clone(),
        };
        clients.push(tokio::spawn(client_loop(
            stream,
            n,
            conn,
            tx.clone(),
            in_flight.clone(),
        )));
    }
    drop(tx);
    let mut acked = Vec::new();
    while acked.len() < kill_after {
        acked.push(rx.recv().await.expect("clients acknowledge until the kill"));
    }
    server.child.start_kill().expect("SIGKILL");
    server.child.wait().await.expect("reaped");
    for c in clients {
        c.await.expect("client task");
    }
    while let Ok(a) = rx.try_recv() {
        acked.push(a);
    }
    acked
}
