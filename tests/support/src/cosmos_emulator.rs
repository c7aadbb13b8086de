//! The SDK's in-process Cosmos DB emulator (`azure_data_cosmos_driver`'s
//! `InMemoryEmulatorHttpClient`): the full SDK pipeline with only the HTTP
//! layer replaced, so nothing leaves the process. Shared by the Cosmos tests
//! and the RU benchmark (`benches/cosmos_ru.rs`), which also share the
//! capture of the request charges the adapter logs.

use azure_core::credentials::Secret;
use azure_core::http::Url;
use azure_data_cosmos::options::Region;
use azure_data_cosmos::{
    AccountReference, CosmosClient, CosmosClientBuilder, CosmosRuntimeBuilder, RoutingStrategy,
};
use azure_data_cosmos_driver::in_memory_emulator::{
    ConsistencyLevel, InMemoryEmulatorHttpClient, VirtualAccountConfig, VirtualRegion,
};
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};

/// The emulator answers for this made-up gateway.
const GATEWAY: &str = "https://westeurope.emulator.local";
pub const DATABASE: &str = "lms";

pub struct Emulator {
    pub http: Arc<InMemoryEmulatorHttpClient>,
}

impl Emulator {
    /// With `throttling`, partitions have an RU budget and answer 429.
    pub fn new(throttling: bool) -> Self {
        let region = VirtualRegion::new("West Europe", Url::parse(GATEWAY).expect("url"));
        let config = VirtualAccountConfig::new(vec![region])
            .expect("account")
            .with_consistency(ConsistencyLevel::Session)
            .with_throttling_enabled(throttling);
        Emulator {
            http: Arc::new(InMemoryEmulatorHttpClient::new(config)),
        }
    }

    /// A client with an account key: key auth exists only in test builds
    /// (the `key_auth` feature comes with the emulator dev-dependency).
    pub async fn client(&self, builder: CosmosClientBuilder) -> CosmosClient {
        let runtime = CosmosRuntimeBuilder::from(self.http.runtime_builder())
            .build()
            .await
            .expect("runtime");
        let account = AccountReference::with_authentication_key(
            GATEWAY.parse().expect("endpoint"),
            Secret::new("dGVzdGtleQ=="),
        );
        builder
            .with_runtime(runtime)
            .build(account, RoutingStrategy::ProximityTo(Region::WEST_EUROPE))
            .await
            .expect("client")
    }
}

/// One charge the adapter logged: operation, container, request units,
/// round trips.
#[derive(Debug, Clone, PartialEq)]
pub struct Charge {
    pub op: String,
    pub container: String,
    pub ru: f64,
    pub requests: u64,
}

/// Collects the charges of the adapter's debug events on the current
/// thread (use a current-thread runtime).
#[derive(Clone, Default)]
pub struct RuLog(Arc<Mutex<Vec<Charge>>>);

impl RuLog {
    pub fn install(&self) -> tracing::subscriber::DefaultGuard {
        tracing::subscriber::set_default(tracing_subscriber::registry().with(self.clone()))
    }

    /// The charges logged since the last call.
    pub fn take(&self) -> Vec<Charge> {
        std::mem::take(&mut *self.0.lock().expect("ru log"))
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for RuLog {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut fields = ChargeFields::default();
        event.record(&mut fields);
        if let (Some(op), Some(container), Some(ru), Some(requests)) =
            (fields.op, fields.container, fields.ru, fields.requests)
        {
            self.0.lock().expect("ru log").push(Charge {
                op,
                container,
                ru,
                requests,
            });
        }
    }
}

#[derive(Default)]
struct ChargeFields {
    op: Option<String>,
    container: Option<String>,
    ru: Option<f64>,
    requests: Option<u64>,
}

impl Visit for ChargeFields {
    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "ru" {
            self.ru = Some(value);
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "requests" {
            self.requests = Some(value);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "op" => self.op = Some(value.to_owned()),
            "container" => self.container = Some(value.to_owned()),
            _ => {}
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}
