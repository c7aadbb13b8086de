//! Cross-cutting HTTP plumbing below the functions: the layers every
//! response passes through (request ids, tracing, CORS, body limit,
//! security headers), error mapping, extractors, the server that accepts
//! connections, and the web app served for every other GET. The router
//! itself is assembled in `startup`, which knows the functions.

pub mod client_address;
pub mod conditional;
pub mod extract;
pub mod paging;
pub mod problem;
pub mod rate_limit;
pub mod server;
pub mod web_app;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::response::Response;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry_http::HeaderExtractor;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wrap `routes` in the layers every request and response passes through:
/// JSON bodies up to `max_json_bytes`, request ids, the request span,
/// security headers, and CORS for `allowed_origins` (none: no CORS).
pub fn with_layers<S>(
    routes: Router<S>,
    allowed_origins: &[String],
    max_json_bytes: usize,
) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let cors = cors_layer(allowed_origins);
    routes.layer(DefaultBodyLimit::max(max_json_bytes)).layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(make_span)
                    .on_request(())
                    .on_response(on_response)
                    .on_failure(()),
            )
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-store"),
            ))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
            ))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ))
            .option_layer(cors),
    )
}

/// The request span names the route template, never the concrete path: a
/// path can carry an invitation token or a feed token. No client address,
/// no headers, no query string (P12). It continues the Functions host's
/// W3C `traceparent`, so host and handler share one operation id.
fn make_span(req: &Request) -> Span {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let request_id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let span = tracing::info_span!(
        "request",
        otel.name = %format!("{} {}", req.method(), route),
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        http.request.method = %req.method(),
        http.route = %route,
        request_id = %request_id,
        http.response.status_code = tracing::field::Empty,
    );
    if req.headers().contains_key("traceparent") {
        let parent = TraceContextPropagator::new().extract(&HeaderExtractor(req.headers()));
        // Fails only when no OpenTelemetry layer is installed (JSON logs
        // only): then there is no trace to continue.
        let _ = span.set_parent(parent);
    }
    span
}

fn on_response(resp: &Response, latency: Duration, span: &Span) {
    span.record("http.response.status_code", resp.status().as_u16());
    // A server error is a failed request in Application Insights; a 4xx
    // is the client's doing and stays a success.
    if resp.status().is_server_error() {
        span.record("otel.status_code", "ERROR");
    }
    tracing::info!(
        status = resp.status().as_u16(),
        latency_ms = latency.as_secs_f64() * 1000.0,
        "request finished"
    );
}

fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PATCH,
                Method::PUT,
                Method::DELETE,
            ])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::IF_MATCH,
                header::IF_NONE_MATCH,
                header::IF_RANGE,
                header::RANGE,
            ])
            .expose_headers([
                header::ETAG,
                header::LOCATION,
                header::RETRY_AFTER,
                header::CONTENT_RANGE,
                header::CONTENT_DISPOSITION,
                REQUEST_ID,
            ])
            .max_age(Duration::from_secs(600)),
    )
}
