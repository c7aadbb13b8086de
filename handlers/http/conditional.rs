//! Conditional GET for lists that clients poll (the day board, the gate):
//! a strong ETag over the JSON body, and 304 when `If-None-Match` names it.
//! The body is built either way (the store is read), but a 304 saves the
//! transfer and the client's re-render. Works the same behind the
//! Functions host, which forwards the headers.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::problem::ApiError;

/// `value` as JSON with an ETag, or 304 Not Modified.
pub fn json_with_etag<T: Serialize>(request: &HeaderMap, value: &T) -> Result<Response, ApiError> {
    // Sized for a day view (50 bookings, about 20 KiB), so the body does
    // not grow by copying itself over and over.
    let mut body = Vec::with_capacity(32 * 1024);
    serde_json::to_writer(&mut body, value).map_err(|e| ApiError::Internal(e.to_string()))?;
    let digest = Sha256::digest(&body);
    let etag = format!("\"{}\"", hex::encode(&digest[..16]));
    let etag_value = HeaderValue::from_str(&etag).map_err(|e| ApiError::Internal(e.to_string()))?;
    if matches(request, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response());
    }
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::ETAG, etag_value),
        ],
        body,
    )
        .into_response())
}

/// Whether `If-None-Match` lists the tag (weak comparison, as RFC 9110
/// asks for If-None-Match) or is `*`.
fn matches(request: &HeaderMap, etag: &str) -> bool {
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}
