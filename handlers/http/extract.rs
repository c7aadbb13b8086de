//! Request extractors whose rejections are problem+json, so a malformed body
//! gets the same precise 4xx shape as every other error.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::problem::{ApiError, FieldError};

/// `axum::Json` with problem+json rejections: 415 without a JSON content
/// type, 413 beyond the body limit, 400 for broken JSON, 422 for a
/// well-formed body with missing or mistyped fields.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    match r {
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::UnsupportedMediaType("expected Content-Type: application/json".into())
        }
        JsonRejection::JsonDataError(e) => {
            // serde's message names the field and what was wrong with it.
            let msg = e.body_text();
            let field = msg
                .split("missing field `")
                .nth(1)
                .and_then(|rest| rest.split('`').next())
                .unwrap_or("body");
            ApiError::Validation(vec![FieldError::new(field, strip_prefix(&msg))])
        }
        JsonRejection::JsonSyntaxError(e) => ApiError::BadRequest(strip_prefix(&e.body_text())),
        JsonRejection::BytesRejection(e) => {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge("the JSON body exceeds the size limit".into())
            } else {
                ApiError::BadRequest(e.body_text())
            }
        }
        other => ApiError::BadRequest(other.body_text()),
    }
}

fn strip_prefix(msg: &str) -> String {
    msg.split_once(": ")
        .map(|(_, rest)| rest)
        .unwrap_or(msg)
        .to_owned()
}

/// `axum::extract::Path` with a 404 problem for unparseable segments.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| ApiPath(v))
            .map_err(|_: PathRejection| ApiError::NotFound)
    }
}

/// `axum::extract::Query` with a 400 problem naming the bad parameter.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| ApiQuery(v))
            .map_err(|e: QueryRejection| ApiError::BadRequest(strip_prefix(&e.body_text())))
    }
}

/// Adds to every operation of `doc` the problem responses that the
/// extractors and the bearer check produce before a handler runs, so the
/// document lists every status an operation can answer with (API fuzzing
/// showed them missing): a JSON body (`ApiJson`) → 400, 413, 415, 422; a
/// query parameter (`ApiQuery`) → 400, or 422 when the domain rejects its
/// value; a path parameter (`ApiPath`, and
/// `ProjectAccess` for non-members) → 404; bearer security (`AuthUser`) →
/// 401. A status the operation documents itself keeps its own description.
pub fn document_rejections(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};

    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
    };
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            let has_param = |place: ParameterIn| {
                op.parameters
                    .iter()
                    .flatten()
                    .any(|p| p.parameter_in == place)
            };
            let mut added = Vec::new();
            if op.request_body.is_some() {
                added.extend([
                    ("400", "Malformed JSON body"),
                    ("413", "Body larger than the limit"),
                    ("415", "Content-Type is not application/json"),
                    ("422", "Missing or mistyped fields"),
                ]);
            } else if has_param(ParameterIn::Query) {
                added.extend([
                    ("400", "Malformed query parameter"),
                    ("422", "A query parameter has an invalid value"),
                ]);
            }
            if has_param(ParameterIn::Path) {
                added.push(("404", "No such resource, or not visible to the caller"));
            }
            if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                added.push(("401", "Bearer access token missing, invalid or expired"));
            }
            for (status, description) in added {
                op.responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| problem(description).into());
            }
        }
    }
}
