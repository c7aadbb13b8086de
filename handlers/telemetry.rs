//! Telemetry set up in one place: `tracing` with JSON logs to stdout.
//! Nothing personal is ever recorded: spans carry route templates, status
//! codes and ids, never addresses, emails, names, tokens or bodies.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Install the global subscriber. The filter comes from `RUST_LOG`
/// (default `info`). Calling it twice is harmless.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .with_current_span(true)
                .with_span_list(false)
                .with_writer(std::io::stdout),
        )
        .try_init();
}
