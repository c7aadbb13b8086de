//! Building and running the application, separated from `main` so tests
//! start exactly what production starts.

use axum::{Extension, Router};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

use crate::auth::keys;
use crate::auth::tokens::TokenKeys;
use crate::config::Config;
use crate::domain::invitations::InvitationLinks;
use crate::domain::passes::PassKey;
use crate::domain::password::PasswordHasher;
use crate::domain::policy;
use crate::functions::{self, scheduler};
use crate::http;
use crate::http::problem::ApiError;
use crate::http::rate_limit::AddressLimiter;
use crate::mail::{FileMailer, Mailer, SmtpMailer};
use crate::state::AppState;
use crate::store::embedded::{FileBlobStore, SqliteDocumentStore};
use crate::store::{BlobName, StoreError, Stores};
use tokio::sync::mpsc::UnboundedReceiver;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot open the data folder {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the stores: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    KeyFile(#[from] crate::auth::keys::KeyFileError),
    #[error("the pass key is unusable")]
    PassKey,
    #[error("password hashing: {0}")]
    Hashing(#[from] crate::domain::password::HashError),
    #[error("privacy policy setup: {0}")]
    Policy(#[from] crate::domain::error::DomainError),
    #[error(transparent)]
    Mail(#[from] crate::mail::MailError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    limits: http::server::ServerLimits,
    local_scheduler: bool,
    blob_events: Option<UnboundedReceiver<BlobName>>,
}

/// The Azure stores when they are configured, else the embedded ones.
pub async fn open_stores(config: &Config) -> Result<Stores, StartupError> {
    match &config.azure {
        Some(azure) => {
            let stores = crate::store::azure::open_azure_stores(azure).await?;
            tracing::info!(
                cosmos = %azure.cosmos_endpoint,
                database = %azure.cosmos_database,
                blobs = %azure.blob_container_url(),
                "using the Azure stores"
            );
            Ok(stores)
        }
        None => {
            let stores = open_embedded_stores(config)?;
            tracing::info!(data_dir = %config.data_dir.display(), "using the embedded store");
            Ok(stores)
        }
    }
}

/// Open the embedded stores under the data folder.
pub fn open_embedded_stores(config: &Config) -> Result<Stores, StartupError> {
    let dir = &config.data_dir;
    crate::private_files::create_dir_all(dir).map_err(|source| StartupError::DataDir {
        path: dir.display().to_string(),
        source,
    })?;
    let documents = SqliteDocumentStore::open(&crate::store::embedded::database_path(dir))?;
    let blobs = FileBlobStore::open(&dir.join("blobs"))?;
    Ok(Stores {
        documents: Arc::new(documents),
        blobs: Arc::new(blobs),
    })
}

/// The whole application: the route table's HTTP functions and the
/// background functions, the web app for every other GET, wrapped in the
/// cross-cutting layers of `http`.
pub fn router(state: AppState) -> Router {
    let (api, mut openapi) = functions::api_routes().split_for_parts();
    http::extract::document_rejections(&mut openapi);
    let routes = api
        .merge(functions::background::router())
        .fallback(http::web_app::fallback)
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(Extension(Arc::new(openapi)));
    http::with_layers(
        routes,
        &state.config.allowed_origins,
        state.config.max_json_bytes,
    )
    .with_state(state)
}

impl Application {
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let stores = open_stores(&config).await?;
        Self::build_on(config, stores).await
    }

    /// Build on stores opened elsewhere: the benchmarks and tests that run
    /// the whole API on the Cosmos emulator.
    pub async fn build_on(config: Config, stores: Stores) -> Result<Self, StartupError> {
        policy::ensure_shipped(stores.documents.as_ref()).await?;
        let signing = match &config.token_signing_key {
            Some(k) => k.clone(),
            None => keys::load_or_create_local_key(&config.data_dir)?,
        };
        let invitation_links = InvitationLinks::new(
            (signing.kid.clone(), signing.secret.clone()),
            config
                .token_verification_keys
                .iter()
                .map(|k| (k.kid.clone(), k.secret.clone())),
        );
        let pass_secret = match &config.pass_key {
            Some(k) => k.clone(),
            None => keys::load_or_create_local_pass_key(&config.data_dir)?,
        };
        let pass_key = PassKey::new(&pass_secret).ok_or(StartupError::PassKey)?;
        let tokens = TokenKeys::new(
            signing,
            config.token_verification_keys.clone(),
            config.access_token_ttl_secs,
        );
        let passwords = Arc::new(PasswordHasher::new(config.password_hash_cost)?);
        passwords.prepare_in_background();
        let mailer: Arc<dyn Mailer> = match &config.smtp {
            Some(smtp) => Arc::new(SmtpMailer::new(smtp)?),
            None => Arc::new(FileMailer::new(config.data_dir.join("mail"))?),
        };
        let addr = SocketAddr::new(config.bind_address, config.port);
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartupError::Listen { addr, source })?;
        let local_scheduler = config.local_scheduler;
        let limits = config.server_limits;
        // Without a Functions host, the blob store itself announces new
        // blobs, for the local stand-in of the blob trigger.
        let (stores, blob_events) = if config.index_in_process {
            let (blobs, events) = scheduler::NotifyingBlobStore::wrap(stores.blobs);
            let documents = stores.documents;
            (Stores { documents, blobs }, Some(events))
        } else {
            (stores, None)
        };
        let state = AppState {
            config: Arc::new(config),
            stores,
            tokens: Arc::new(tokens),
            invitation_links: Arc::new(invitation_links),
            pass_key: Arc::new(pass_key),
            // A gate or a driver opens a pass a few times; 30 at once, then
            // one every two seconds, stops walking through tokens.
            pass_limiter: Arc::new(AddressLimiter::new(30, std::time::Duration::from_secs(2))),
            passwords,
            mailer,
            // Five requests at once, then one every twelve minutes.
            contact_limiter: Arc::new(AddressLimiter::new(
                5,
                std::time::Duration::from_secs(12 * 60),
            )),
        };
        Ok(Application {
            listener,
            router: router(state),
            limits,
            local_scheduler,
            blob_events,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serve until SIGTERM or SIGINT, then finish in-flight requests.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        if self.local_scheduler {
            scheduler::start(self.router.clone());
        }
        if let Some(events) = self.blob_events {
            scheduler::start_blob_triggers(self.router.clone(), events);
        }
        http::server::serve(self.listener, self.router, self.limits, shutdown_signal()).await
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received, draining");
}
