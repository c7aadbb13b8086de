//! The one HTTP error type. Every handler returns `ApiError`; this file maps
//! each variant once to an RFC 9457 `application/problem+json` body with a
//! stable `type` URI. Internal details are logged, never sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::error::{self, DomainError};
use crate::store::StoreError;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid field of a request, named as the client sent it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// Dotted name of the field, e.g. `organization.name`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<error::FieldError> for FieldError {
    fn from(e: error::FieldError) -> Self {
        FieldError {
            field: e.field,
            message: e.message,
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Problem-specific data, e.g. conflicting bookings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensions: Option<serde_json::Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("malformed request: {0}")]
    BadRequest(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("authentication required")]
    Unauthorized(&'static str),
    #[error("forbidden")]
    Forbidden(&'static str),
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict: {detail}")]
    Conflict {
        detail: String,
        extensions: Option<serde_json::Value>,
    },
    #[error("gone: {0}")]
    Gone(&'static str),
    /// Gone, with `extensions.reason` saying why.
    #[error("gone: {detail}")]
    GoneReason {
        detail: &'static str,
        reason: &'static str,
    },
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("payload too large: {0}")]
    PayloadTooLarge(String),
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("range not satisfiable")]
    RangeNotSatisfiable { size: u64 },
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        ApiError::Conflict {
            detail: detail.into(),
            extensions: None,
        }
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        ApiError::Internal(e.to_string())
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        use ApiError::*;
        match self {
            BadRequest(_) => (StatusCode::BAD_REQUEST, "bad-request", "Malformed request"),
            Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation-failed",
                "The request has invalid fields",
            ),
            Unauthorized(_) => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Authentication required",
            ),
            Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Not allowed"),
            NotFound => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
            ),
            Conflict { .. } => (StatusCode::CONFLICT, "conflict", "Conflict"),
            Gone(_) | GoneReason { .. } => (StatusCode::GONE, "gone", "No longer available"),
            PreconditionFailed => (
                StatusCode::PRECONDITION_FAILED,
                "precondition-failed",
                "The resource changed since it was read",
            ),
            PayloadTooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Request body too large",
            ),
            UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
            ),
            RangeNotSatisfiable { .. } => (
                StatusCode::RANGE_NOT_SATISFIABLE,
                "range-not-satisfiable",
                "Range not satisfiable",
            ),
            TooManyRequests { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-requests",
                "Too many requests",
            ),
            Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Service temporarily unavailable",
            ),
            Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal server error",
            ),
        }
    }

    fn detail(&self) -> Option<String> {
        use ApiError::*;
        match self {
            BadRequest(d) | PayloadTooLarge(d) | UnsupportedMediaType(d) => Some(d.clone()),
            Unauthorized(d) | Forbidden(d) | Gone(d) => Some((*d).to_owned()),
            GoneReason { detail, .. } => Some((*detail).to_owned()),
            Conflict { detail, .. } => Some(detail.clone()),
            TooManyRequests { retry_after_secs } => {
                Some(format!("Try again in {retry_after_secs} seconds."))
            }
            _ => None,
        }
    }
}

/// The stable `type` URI of a problem slug.
pub fn type_uri(slug: &str) -> String {
    format!("urn:insite-lms:problem:{slug}")
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, slug, title) = self.parts();
        match &self {
            ApiError::Internal(e) => tracing::error!(error = %e, "internal error"),
            ApiError::Unavailable(e) => tracing::warn!(error = %e, "dependency unavailable"),
            _ => {}
        }
        let problem = Problem {
            type_uri: type_uri(slug),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: self.detail(),
            errors: match &self {
                ApiError::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
            extensions: match &self {
                ApiError::Conflict { extensions, .. } => extensions.clone(),
                ApiError::GoneReason { reason, .. } => {
                    Some(serde_json::json!({ "reason": reason }))
                }
                _ => None,
            },
        };
        let mut response = (status, Json(problem)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        match self {
            ApiError::TooManyRequests { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            ApiError::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(5u64));
            }
            ApiError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::RangeNotSatisfiable { size } => {
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                    headers.insert(header::CONTENT_RANGE, v);
                }
            }
            _ => {}
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict => ApiError::conflict("the resource already exists"),
            StoreError::PreconditionFailed => ApiError::PreconditionFailed,
            StoreError::Unavailable(m) => ApiError::Unavailable(m),
            StoreError::Invalid(m) => ApiError::BadRequest(m),
            StoreError::Internal(m) => ApiError::Internal(m),
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Validation(errors) => {
                ApiError::Validation(errors.into_iter().map(FieldError::from).collect())
            }
            DomainError::Conflict(detail) => ApiError::conflict(detail),
            DomainError::ConflictReason { detail, reason } => ApiError::Conflict {
                detail,
                extensions: Some(serde_json::json!({ "reason": reason })),
            },
            // The handlers that can meet it add the bookings in the way as
            // extensions, from their wire types (functions/bookings.rs).
            DomainError::Blocked { detail, .. } => ApiError::conflict(detail),
            DomainError::NotFound => ApiError::NotFound,
            DomainError::Unauthorized(d) => ApiError::Unauthorized(d),
            DomainError::Forbidden(d) => ApiError::Forbidden(d),
            DomainError::Gone(d) => ApiError::Gone(d),
            DomainError::GoneReason { detail, reason } => ApiError::GoneReason { detail, reason },
            e @ DomainError::TooLarge { .. } => ApiError::PayloadTooLarge(e.to_string()),
            DomainError::WrongMediaType(m) => ApiError::UnsupportedMediaType(m),
            DomainError::TooManyAttempts { retry_after_secs } => {
                ApiError::TooManyRequests { retry_after_secs }
            }
            e @ DomainError::Contended(_) => ApiError::Unavailable(e.to_string()),
            DomainError::Store(e) => e.into(),
        }
    }
}
