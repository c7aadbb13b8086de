//! The web app served by the same binary: files of the build with the right
//! caching, index.html for the app's own routes, the app's CSP (and the
//! API's unchanged), a clear answer when the app is not built, the
//! committed client's OpenAPI document, and conditional GET on the
//! bookings list that the board polls.

use reqwest::{Method, header};
use serde_json::{Value, json};

use testkit::app::{TestApp, assert_problem, spawn_app, spawn_app_with};
use testkit::bookings::{book, resource};
use testkit::web_build::{self, INDEX, SCRIPT};

/// The stand-in build plus the script's precompressed twin.
fn built_app() -> tempfile::TempDir {
    let dir = web_build::fake();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, SCRIPT.as_bytes()).expect("gzip");
    std::fs::write(
        dir.path().join("assets/index-Cx1y2Z.js.gz"),
        gz.finish().expect("gz"),
    )
    .expect("gz file");
    dir
}

async fn app_with_build() -> (TestApp, tempfile::TempDir) {
    let dir = built_app();
    let path = dir.path().display().to_string();
    (spawn_app_with(&[("LMS_WEB_DIR", &path)]).await, dir)
}

fn header_of(resp: &reqwest::Response, name: header::HeaderName) -> String {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn assert_app_csp(resp: &reqwest::Response) {
    let csp = header_of(resp, header::CONTENT_SECURITY_POLICY);
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
}

#[tokio::test]
async fn web_root_serves_index_html_uncached_with_the_apps_csp() {
    let (app, _dir) = app_with_build().await;
    let resp = app.get("/").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        header_of(&resp, header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    assert_eq!(header_of(&resp, header::CACHE_CONTROL), "no-cache");
    assert_eq!(header_of(&resp, header::REFERRER_POLICY), "no-referrer");
    assert_app_csp(&resp);
    assert_eq!(resp.text().await.expect("body"), INDEX);
}

#[tokio::test]
async fn web_hashed_assets_are_immutable_and_sent_gzipped_when_accepted() {
    let (app, _dir) = app_with_build().await;
    let plain = app
        .client
        .get(app.url("/assets/index-Cx1y2Z.js"))
        .header(header::ACCEPT_ENCODING, "identity")
        .send()
        .await
        .expect("sent");
    assert_eq!(plain.status(), 200);
    assert_eq!(
        header_of(&plain, header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        header_of(&plain, header::CONTENT_TYPE),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(header_of(&plain, header::CONTENT_ENCODING), "");
    assert_eq!(plain.text().await.expect("body"), SCRIPT);

    // A client that leaves decoding to the test (reqwest may decode gzip itself).
    let raw = reqwest::Client::builder()
        .no_gzip()
        .build()
        .expect("client");
    let gz = raw
        .get(app.url("/assets/index-Cx1y2Z.js"))
        .header(header::ACCEPT_ENCODING, "br, gzip;q=0.9")
        .send()
        .await
        .expect("sent");
    assert_eq!(header_of(&gz, header::CONTENT_ENCODING), "gzip");
    assert_eq!(header_of(&gz, header::VARY), "Accept-Encoding");
    let bytes = gz.bytes().await.expect("body");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
        .expect("gunzip");
    assert_eq!(text, SCRIPT);

    // Unhashed files of the build are revalidated.
    let icon = app.get("/favicon.svg").await;
    assert_eq!(header_of(&icon, header::CACHE_CONTROL), "no-cache");
    assert_eq!(header_of(&icon, header::CONTENT_TYPE), "image/svg+xml");
}

#[tokio::test]
async fn web_unknown_paths_outside_api_serve_index_and_api_stays_a_problem() {
    let (app, _dir) = app_with_build().await;
    for path in [
        "/projects",
        "/p/0190a0b0-0000-7000-8000-000000000000/board?date=2027-03-28&view=day",
        "/invitations/some-token",
        "/..%2F..%2Fetc/passwd",
        "/.env",
    ] {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(
            header_of(&resp, header::CACHE_CONTROL),
            "no-cache",
            "{path}"
        );
        assert_eq!(resp.text().await.expect("body"), INDEX, "{path}");
    }
    // The API's 404 keeps its problem document and its own CSP.
    let resp = app.get("/api/no-such-thing").await;
    assert_eq!(
        header_of(&resp, header::CONTENT_SECURITY_POLICY),
        "default-src 'none'; frame-ancestors 'none'"
    );
    assert_eq!(header_of(&resp, header::CACHE_CONTROL), "no-store");
    assert_problem(resp, 404).await;
    let health = app.get("/api/health").await;
    assert_eq!(
        header_of(&health, header::CONTENT_SECURITY_POLICY),
        "default-src 'none'; frame-ancestors 'none'"
    );
    // Not a GET: no app.
    let post = app.post_json("/projects", &json!({})).await;
    assert_problem(post, 404).await;
    // A missing hashed asset is a 404, not HTML posing as a script.
    assert_problem(app.get("/assets/index-old.js").await, 404).await;
}

#[tokio::test]
async fn web_app_not_built_answers_how_to_build_it() {
    let empty = tempfile::tempdir().expect("temp dir");
    let path = empty.path().join("dist").display().to_string();
    let app = spawn_app_with(&[("LMS_WEB_DIR", &path)]).await;
    let body = assert_problem(app.get("/").await, 503).await;
    let detail = body["detail"].as_str().expect("detail");
    assert!(detail.contains("npm ci && npm run build"), "{detail}");
    assert!(detail.contains("LMS_WEB_DIR"), "{detail}");
    // The API does not depend on the app.
    assert_eq!(app.get("/api/health").await.status(), 200);
}

/// `web/src/api/openapi.json` generates the web client's types (a check in
/// web/ fails when `schema.d.ts` differs from it); this fails when it
/// differs from what the handler serves. Fix: `cargo run -- openapi >
/// /tmp/o.json && (cd web && node scripts/gen-api.mjs --from /tmp/o.json)`.
#[tokio::test]
async fn web_client_spec_matches_served_openapi() {
    let app = spawn_app().await;
    let served: Value = app
        .get("/api/openapi.json")
        .await
        .json()
        .await
        .expect("json");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/web/src/api/openapi.json"
    ))
    .expect("web/src/api/openapi.json is committed");
    let committed: Value = serde_json::from_str(&text).expect("committed document is JSON");
    assert!(
        served == committed,
        "web/src/api/openapi.json differs from /api/openapi.json: regenerate the web client (see this test's comment)"
    );
}

#[tokio::test]
async fn web_board_polls_bookings_with_etag_and_gets_304_until_something_changes() {
    let app = spawn_app().await;
    let (_u, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let zone = resource(
        &app,
        &token,
        &project,
        json!({"kind": "unloadingZone", "name": "Zone A"}),
    )
    .await;
    assert_eq!(
        book(
            &app,
            &token,
            &project,
            &[&zone],
            "2027-06-01T08:00:00Z",
            "2027-06-01T09:00:00Z"
        )
        .await
        .status(),
        201
    );
    let path = format!(
        "/api/projects/{project}/bookings?from=2027-06-01T00:00:00Z&to=2027-06-02T00:00:00Z"
    );

    let first = app.get_auth(&path, &token).await;
    assert_eq!(first.status(), 200);
    let etag = header_of(&first, header::ETAG);
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
    let body: Value = first.json().await.expect("json");
    assert_eq!(body["items"].as_array().map(Vec::len), Some(1));

    let conditional = |tag: String| {
        let app = &app;
        let path = &path;
        let token = &token;
        async move {
            app.client
                .get(app.url(path))
                .bearer_auth(token)
                .header(header::IF_NONE_MATCH, tag)
                .send()
                .await
                .expect("sent")
        }
    };
    let same = conditional(etag.clone()).await;
    assert_eq!(same.status(), 304);
    assert_eq!(header_of(&same, header::ETAG), etag);
    assert!(same.bytes().await.expect("body").is_empty());
    assert_eq!(
        conditional(format!("\"other\", W/{etag}")).await.status(),
        304
    );

    assert_eq!(
        book(
            &app,
            &token,
            &project,
            &[&zone],
            "2027-06-01T10:00:00Z",
            "2027-06-01T11:00:00Z"
        )
        .await
        .status(),
        201
    );
    let changed = conditional(etag.clone()).await;
    assert_eq!(changed.status(), 200);
    assert_ne!(header_of(&changed, header::ETAG), etag);

    // The ETag belongs to the page: another range has another tag.
    let other = app
        .send_auth(
            Method::GET,
            &format!("/api/projects/{project}/bookings?from=2027-07-01T00:00:00Z"),
            &token,
            None,
        )
        .await;
    assert_ne!(header_of(&other, header::ETAG), etag);
}
