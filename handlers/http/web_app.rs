//! The web app (`web/`, built into `LMS_WEB_DIR`) served by the same
//! binary, so that it shares the API's origin: no CORS, and the refresh
//! token never crosses origins. Every GET that no route takes and that is
//! not under `/api/` lands here: a file of the build, or `index.html` for
//! the app's own routes (client-side routing).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::path::{Path, PathBuf};

use super::problem::{ApiError, PROBLEM_JSON, Problem, type_uri};

/// The folder of the built web app (`LMS_WEB_DIR`), the fallback's slice
/// of the application state.
#[derive(Debug, Clone)]
pub struct WebDir(pub PathBuf);

/// The app's policy: its own scripts, styles and API only; nothing inline,
/// no eval, no framing. API responses keep `default-src 'none'`.
pub const APP_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self'; font-src 'self'; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Vite puts content-hashed files here: their bytes never change.
const HASHED_PREFIX: &str = "/assets/";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The router's fallback: the app for GETs outside `/api/`, else 404.
pub async fn fallback(
    State(WebDir(dir)): State<WebDir>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path();
    let is_api = path == "/api" || path.starts_with("/api/");
    if is_api || !(method == Method::GET || method == Method::HEAD) {
        return ApiError::NotFound.into_response();
    }
    let response = serve(&dir, path, &headers).await;
    if path.starts_with(PASS_PREFIX) {
        pass_headers(response)
    } else {
        response
    }
}

/// The public pass page's route (`/pass/{token}`).
const PASS_PREFIX: &str = "/pass/";

/// The three headers of a pass link's answers: nothing keeps it, indexes
/// it, or carries its address elsewhere as a referrer. The API's pass
/// routes send them too.
pub fn pass_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    response
}

async fn serve(dir: &Path, path: &str, headers: &HeaderMap) -> Response {
    if let Some(file) = file_in(dir, path)
        && is_file(&file).await
    {
        let cache = if path.starts_with(HASHED_PREFIX) {
            IMMUTABLE
        } else {
            "no-cache"
        };
        return send_file(&file, cache, headers).await;
    }
    // A missing hashed asset is a stale page asking for an old build: a
    // 404 says so, where index.html would fail as a script of type HTML.
    if path.starts_with(HASHED_PREFIX) {
        return ApiError::NotFound.into_response();
    }
    let index = dir.join("index.html");
    if is_file(&index).await {
        send_file(&index, "no-cache", headers).await
    } else {
        not_built(dir)
    }
}

/// The file a URL path names inside `dir`, if it is a plain relative path
/// (no `..`, no hidden names, no encoded characters).
fn file_in(dir: &Path, path: &str) -> Option<PathBuf> {
    let rel = path.strip_prefix('/')?;
    if rel.is_empty() {
        return None;
    }
    let mut out = dir.to_path_buf();
    for segment in rel.split('/') {
        let plain = segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if segment.is_empty() || segment.starts_with('.') || !plain {
            return None;
        }
        out.push(segment);
    }
    Some(out)
}

async fn is_file(path: &Path) -> bool {
    tokio::fs::metadata(path)
        .await
        .map(|m| m.is_file())
        .unwrap_or(false)
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            parts.next() == Some("gzip") && !parts.any(|p| p == "q=0" || p == "q=0.0")
        })
}

/// The file, or the `.gz` the build wrote beside it when the client takes
/// gzip. Files of the build are small (the largest is about 350 kB), so
/// they are read whole.
async fn send_file(file: &Path, cache: &'static str, headers: &HeaderMap) -> Response {
    let mut gz = file.as_os_str().to_owned();
    gz.push(".gz");
    let gz = PathBuf::from(gz);
    let (bytes, gzipped) = if accepts_gzip(headers) && is_file(&gz).await {
        (tokio::fs::read(&gz).await, true)
    } else {
        (tokio::fs::read(file).await, false)
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => {
            return ApiError::Internal(format!("reading {}: {e}", file.display())).into_response();
        }
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(file)),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(APP_CSP),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if gzipped {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}

/// `cargo build` without Node: `/` says how to build the app.
fn not_built(dir: &Path) -> Response {
    let problem = Problem {
        type_uri: type_uri("web-app-not-built"),
        title: "The web app is not built".to_owned(),
        status: StatusCode::SERVICE_UNAVAILABLE.as_u16(),
        detail: Some(format!(
            "No index.html in {}. Build it with `scripts/run` (or `npm ci && npm run build` in web/), \
             or point LMS_WEB_DIR at a built app. The API is served under /api/.",
            dir.display()
        )),
        errors: Vec::new(),
        extensions: None,
    };
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, Json(problem)).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}
