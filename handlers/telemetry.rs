//! Telemetry set up in one place: `tracing` with JSON logs to stdout, and,
//! when `APPLICATIONINSIGHTS_CONNECTION_STRING` is set, the same spans
//! exported through OpenTelemetry to Application Insights (P12).
//!
//! Nothing personal is ever recorded: spans carry route templates, status
//! codes and ids, never addresses, emails, names, tokens or bodies. In
//! particular no span may carry `client.address`, `http.client_ip` or
//! `network.peer.address`: the exporter copies those into the request's
//! `source` field, which Application Insights stores.

use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_application_insights::Exporter;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The app setting that turns export to Application Insights on.
pub const CONNECTION_STRING_VAR: &str = "APPLICATIONINSIGHTS_CONNECTION_STRING";

/// Name of the service in telemetry (Application Insights' cloud role).
const SERVICE_NAME: &str = "insite-lms";

/// How long a graceful stop waits for the last spans to be sent.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("configuration error in {CONNECTION_STRING_VAR}: {0}")]
    ConnectionString(String),
    #[error("cannot build the HTTP client for telemetry export: {0}")]
    HttpClient(String),
}

/// Handle on the exporter: flush it when a test needs the data now, shut
/// it down on a graceful stop so the last spans are not lost.
#[derive(Debug)]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Whether spans are exported to Application Insights.
    pub fn is_exporting(&self) -> bool {
        self.provider.is_some()
    }

    /// Send every finished span now. Blocks until the exporter is done.
    pub fn flush(&self) {
        if let Some(provider) = &self.provider
            && let Err(e) = provider.force_flush()
        {
            tracing::warn!(error = %e, "telemetry flush failed");
        }
    }

    /// Send what is left and stop the exporter.
    pub fn shutdown(self) {
        if let Some(provider) = self.provider
            && let Err(e) = provider.shutdown_with_timeout(SHUTDOWN_TIMEOUT)
        {
            // The subscriber may be the one that failed; say it plainly.
            eprintln!("insite-lms: telemetry shutdown failed: {e}");
        }
    }
}

/// Install the global subscriber, exporting to Application Insights when
/// `APPLICATIONINSIGHTS_CONNECTION_STRING` is set. The filter comes from
/// `RUST_LOG` (default `info`). Calling it twice is harmless: the second
/// call installs nothing and exports nothing.
pub fn init() -> Result<Telemetry, TelemetryError> {
    let connection_string = std::env::var(CONNECTION_STRING_VAR)
        .ok()
        .filter(|v| !v.trim().is_empty());
    let provider = match connection_string {
        Some(cs) => Some(tracer_provider(&cs, default_client()?)?),
        None => None,
    };
    Ok(install(provider))
}

/// [`init`] with an explicit connection string and the HTTP client that
/// sends to its ingestion endpoint (tests: one that trusts a loopback
/// server's certificate; the exporter always speaks https). Build the
/// client outside an async runtime, e.g. on a `std::thread`.
pub fn init_with_client(
    connection_string: &str,
    client: reqwest::blocking::Client,
) -> Result<Telemetry, TelemetryError> {
    Ok(install(Some(tracer_provider(connection_string, client)?)))
}

fn install(provider: Option<SdkTracerProvider>) -> Telemetry {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let otel = provider.as_ref().map(|p| {
        tracing_opentelemetry::layer()
            .with_tracer(p.tracer(SERVICE_NAME))
            // Source locations and thread names are noise in App Insights.
            .with_location(false)
            .with_threads(false)
    });
    let installed = tracing_subscriber::registry()
        .with(filter)
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .with_current_span(true)
                .with_span_list(false)
                .with_writer(std::io::stdout),
        )
        .with(otel)
        .try_init()
        .is_ok();
    if installed {
        return Telemetry { provider };
    }
    // Another subscriber is in place: this provider would never see a span.
    if let Some(p) = provider {
        let _ = p.shutdown();
    }
    Telemetry { provider: None }
}

/// The batch processor exports from its own thread, outside any async
/// runtime, so the exporter needs a blocking client. Building (and later
/// dropping) one inside a runtime panics: build it on a thread of its own.
fn default_client() -> Result<reqwest::blocking::Client, TelemetryError> {
    std::thread::spawn(|| reqwest::blocking::Client::builder().build())
        .join()
        .map_err(|_| TelemetryError::HttpClient("client builder panicked".into()))?
        .map_err(|e| TelemetryError::HttpClient(e.to_string()))
}

fn tracer_provider(
    connection_string: &str,
    client: reqwest::blocking::Client,
) -> Result<SdkTracerProvider, TelemetryError> {
    let exporter = Exporter::new_from_connection_string(connection_string, client)
        .map_err(|e| TelemetryError::ConnectionString(e.to_string()))?;
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(Resource::builder().with_service_name(SERVICE_NAME).build())
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_connection_string_names_its_variable() {
        let client = default_client().expect("client");
        let e = tracer_provider("IngestionEndpoint=https://example.invalid/", client)
            .expect_err("no instrumentation key");
        assert!(matches!(e, TelemetryError::ConnectionString(_)));
        assert!(e.to_string().contains(CONNECTION_STRING_VAR), "{e}");
    }
}
