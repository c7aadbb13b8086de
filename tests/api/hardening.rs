//! What the security probe of issue 15 found, kept fixed: connection
//! timeouts and the connection cap (M2), file modes of the data folder
//! (L7), whose forwarding headers count for the contact form's rate limit
//! (L8), and who may call the invocation routes (L10).
//!
//! Timeouts are configured at 1 s and waited for with wide margins, so a
//! loaded machine does not make these tests flaky.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use futures::StreamExt;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use testkit::app::{TestApp, assert_problem, spawn_app_with};

fn socket_addr(app: &TestApp) -> SocketAddr {
    app.address
        .trim_start_matches("http://")
        .parse()
        .expect("the app's address")
}

/// Whether the server closes the connection within `within`: a read
/// returns end of file or an error (a reset).
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 512];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            // A response (e.g. 408) before the close is fine; keep reading.
            Ok(Ok(_)) => {}
        }
    }
}

async fn health_status(app: &TestApp, within: Duration) -> Option<u16> {
    let client = reqwest::Client::builder()
        .timeout(within)
        .build()
        .expect("client");
    client
        .get(app.url("/api/health"))
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16())
}

#[tokio::test]
async fn m2_silent_connections_beyond_the_cap_are_closed_and_health_still_answers() {
    let app = spawn_app_with(&[
        ("LMS_MAX_CONNECTIONS", "4"),
        ("LMS_HEADER_READ_TIMEOUT_SECS", "1"),
        ("LMS_KEEP_ALIVE_TIMEOUT_SECS", "1"),
    ])
    .await;
    let addr = socket_addr(&app);
    let mut silent = Vec::new();
    for _ in 0..12 {
        silent.push(TcpStream::connect(addr).await.expect("connect"));
    }
    assert_eq!(
        health_status(&app, Duration::from_secs(20)).await,
        Some(200),
        "a normal client is served while silent connections exceed the cap"
    );
    for (i, s) in silent.iter_mut().enumerate() {
        assert!(
            closed_within(s, Duration::from_secs(20)).await,
            "silent connection {i} was closed"
        );
    }
}

#[tokio::test]
async fn m2_over_the_cap_a_client_waits_until_a_connection_ends() {
    let app = spawn_app_with(&[
        ("LMS_MAX_CONNECTIONS", "2"),
        ("LMS_HEADER_READ_TIMEOUT_SECS", "60"),
        ("LMS_KEEP_ALIVE_TIMEOUT_SECS", "60"),
    ])
    .await;
    let addr = socket_addr(&app);
    let first = TcpStream::connect(addr).await.expect("connect");
    let _second = TcpStream::connect(addr).await.expect("connect");
    assert_eq!(
        health_status(&app, Duration::from_secs(2)).await,
        None,
        "a third connection is not served while two are open"
    );
    drop(first);
    assert_eq!(
        health_status(&app, Duration::from_secs(20)).await,
        Some(200),
        "served once a connection ended"
    );
}

#[tokio::test]
async fn m2_headers_sent_one_byte_at_a_time_do_not_hold_a_connection_open() {
    let app = spawn_app_with(&[("LMS_HEADER_READ_TIMEOUT_SECS", "1")]).await;
    let mut stream = TcpStream::connect(socket_addr(&app))
        .await
        .expect("connect");
    let head = b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    let mut closed = false;
    // One byte every 250 ms: the head is far from complete after the
    // timeout, but bytes keep arriving.
    for byte in head {
        if stream.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        closed || closed_within(&mut stream, Duration::from_secs(5)).await,
        "the server closed the connection of a slow head"
    );
}

#[tokio::test]
async fn m2_a_body_that_trickles_below_the_floor_is_cut_off() {
    let app = spawn_app_with(&[
        ("LMS_BODY_TIMEOUT_SECS", "1"),
        ("LMS_MIN_BODY_BYTES_PER_SEC", "1000"),
    ])
    .await;
    let mut stream = TcpStream::connect(socket_addr(&app))
        .await
        .expect("connect");
    stream
        .write_all(
            b"POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{",
        )
        .await
        .expect("head sent");
    let mut closed = false;
    for _ in 0..40 {
        if stream.write_all(b" ").await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        closed || closed_within(&mut stream, Duration::from_secs(5)).await,
        "the server gave up on a body arriving at 4 bytes per second"
    );
}

#[tokio::test]
async fn m2_a_slow_but_steady_upload_is_accepted() {
    // 64 KiB at about 16 KiB/s, above a floor of 4 KiB/s.
    let app = spawn_app_with(&[
        ("LMS_BODY_TIMEOUT_SECS", "1"),
        ("LMS_MIN_BODY_BYTES_PER_SEC", "4096"),
    ])
    .await;
    let (_user, token) = app.signed_in("phone@bau.example").await;
    let project = app.create_project(&token).await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..16).map(|_| Ok(vec![b'x'; 4096])).collect();
    let body = futures::stream::iter(chunks).then(|c| async move {
        tokio::time::sleep(Duration::from_millis(250)).await;
        c
    });
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(body))
            .file_name("lieferschein.txt"),
    );
    let resp = app
        .client
        .post(app.url(&format!("/api/projects/{project}/files")))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 201);
}

/// Modes of the data folder and everything in it (L7).
#[cfg(unix)]
#[tokio::test]
async fn l7_the_data_folder_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app_with(&[]).await;
    let (_user, token) = app.signed_in("modes@bau.example").await;
    let project = app.create_project(&token).await;
    testkit::files::upload(
        &app,
        &token,
        &project,
        "plan.txt",
        b"Kranstandort".to_vec(),
        &[],
    )
    .await;
    app.invite(&token, &project, "gast@bau.example", "viewer")
        .await;
    app.run_timer("deliver-notifications").await;

    let mut seen = Vec::new();
    let mut stack = vec![app.data_dir.path().to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mode = std::fs::metadata(&dir).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{} is {mode:o}", dir.display());
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{} is {mode:o}", path.display());
                seen.push(
                    path.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                );
            }
        }
    }
    for expected in ["token-signing-key", ".eml", "-wal", "-shm"] {
        assert!(
            seen.iter().any(|n| n.contains(expected)),
            "a {expected} file was checked: {seen:?}"
        );
    }
}

async fn contact_from(app: &TestApp, forwarded_for: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/support/requests"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"name": "Rita Rotation", "email": "rita@x.example", "subject": "Tor", "message": "Wann?"}))
        .send()
        .await
        .expect("sent")
}

#[tokio::test]
async fn l8_forwarding_headers_from_an_untrusted_peer_do_not_move_the_rate_limit() {
    let app = spawn_app_with(&[("LMS_TRUSTED_PROXIES", "none")]).await;
    for i in 0..5 {
        let resp = contact_from(&app, &format!("203.0.113.{i}")).await;
        assert_eq!(resp.status(), 201);
    }
    let limited = contact_from(&app, "203.0.113.99").await;
    assert_problem(limited, 429).await;
}

#[tokio::test]
async fn l8_a_configured_front_end_is_trusted_for_the_address_it_appends() {
    let app = spawn_app_with(&[("LMS_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")]).await;
    // The client's own claim (left) is ignored, the front end's entry
    // (right-most untrusted) counts.
    for i in 0..5 {
        let resp = contact_from(&app, &format!("198.51.100.{i}, 203.0.113.7, 10.1.2.3")).await;
        assert_eq!(resp.status(), 201);
    }
    let limited = contact_from(&app, "198.51.100.99, 203.0.113.7, 10.1.2.3").await;
    assert_problem(limited, 429).await;
    let other = contact_from(&app, "203.0.113.8").await;
    assert_eq!(other.status(), 201, "another client has its own budget");
}

/// An address of this machine that is not loopback, if it has one.
fn non_loopback_address() -> Option<IpAddr> {
    // Connecting a UDP socket sends nothing; it only picks the route.
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn l10_invocation_routes_refuse_callers_not_on_loopback() {
    let app = spawn_app_with(&[("LMS_BIND_ADDRESS", "0.0.0.0")]).await;
    let port = socket_addr(&app).port();
    let Some(ip) = non_loopback_address() else {
        eprintln!("skipped: this machine has no non-loopback address");
        return;
    };
    let payload = json!({"Data": {}, "Metadata": {}});
    for function in [
        "purge-expired",
        "deliver-notifications",
        "send-briefings",
        "index-document",
    ] {
        let resp = app
            .client
            .post(format!("http://{ip}:{port}/{function}"))
            .json(&payload)
            .send()
            .await
            .expect("sent");
        assert_problem(resp, 403).await;
    }
    // The API itself answers on that address, and the host's loopback
    // still reaches the functions.
    let health = app
        .client
        .get(format!("http://{ip}:{port}/api/health"))
        .send()
        .await
        .expect("sent");
    assert_eq!(health.status(), 200);
    app.run_timer("purge-expired").await;
}

#[tokio::test]
async fn m2_a_kept_alive_connection_is_closed_after_the_idle_timeout() {
    let app = spawn_app_with(&[
        ("LMS_HEADER_READ_TIMEOUT_SECS", "60"),
        ("LMS_KEEP_ALIVE_TIMEOUT_SECS", "1"),
    ])
    .await;
    let mut stream = TcpStream::connect(socket_addr(&app))
        .await
        .expect("connect");
    stream
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("request sent");
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).await.expect("response");
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "served first");
    assert!(
        closed_within(&mut stream, Duration::from_secs(10)).await,
        "the idle connection was closed long before the header timeout"
    );
}

/// The handler process; killed when the test ends, however it ends.
struct Handler(std::process::Child);

impl Drop for Handler {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The probe's scenario in a process with few file descriptors: more
/// silent connections than it can hold make `accept` fail with EMFILE; the
/// server backs off, the silent ones time out, and health answers again.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn m2_the_server_survives_running_out_of_file_descriptors() {
    let dir = tempfile::tempdir().expect("data dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut handler = Handler(
        std::process::Command::new("sh")
            .arg("-c")
            .arg("ulimit -n 128 && exec \"$0\"")
            .arg(env!("CARGO_BIN_EXE_insite-lms"))
            .env("FUNCTIONS_CUSTOMHANDLER_PORT", port.to_string())
            .env("LMS_DATA_DIR", dir.path())
            .env("LMS_LOCAL_SCHEDULER", "false")
            .env("LMS_HEADER_READ_TIMEOUT_SECS", "1")
            .env("LMS_KEEP_ALIVE_TIMEOUT_SECS", "1")
            .env("RUST_LOG", "error")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start the handler"),
    );
    let address = format!("http://127.0.0.1:{port}");
    // No pooled connection: each check must be accepted anew.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    let healthy = || async {
        client
            .get(format!("{address}/api/health"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
    };
    let started = tokio::time::Instant::now();
    while !healthy().await {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the handler started"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut silent = Vec::new();
    for _ in 0..300 {
        match tokio::time::timeout(
            Duration::from_secs(2),
            TcpStream::connect(("127.0.0.1", port)),
        )
        .await
        {
            Ok(Ok(s)) => silent.push(s),
            _ => break,
        }
    }
    assert!(silent.len() > 128, "more connections than descriptors");
    assert!(
        healthy().await,
        "health answers while silent connections wait"
    );
    assert!(
        handler.0.try_wait().ok().flatten().is_none(),
        "the handler is still running"
    );
}
