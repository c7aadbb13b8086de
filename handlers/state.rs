//! What every function shares: configuration, the stores, token keys and
//! the password hasher. Extractors below this layer never see `AppState`:
//! they name the slice they need (token keys, the document store, trusted
//! proxies, the web app's folder) and the `FromRef` impls here hand it over.

use std::sync::Arc;

use crate::auth::tokens::TokenKeys;
use crate::config::Config;
use crate::domain::invitations::InvitationLinks;
use crate::domain::passes::PassKey;
use crate::domain::password::PasswordHasher;
use crate::domain::sessions::SessionPolicy;
use crate::http::client_address::TrustedProxies;
use crate::http::rate_limit::AddressLimiter;
use crate::http::web_app::WebDir;
use crate::mail::Mailer;
use crate::store::{DocumentStore, Stores};
use axum::extract::FromRef;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub stores: Stores,
    pub tokens: Arc<TokenKeys>,
    /// Derives invitation tokens from the same keys (L6).
    pub invitation_links: Arc<InvitationLinks>,
    /// Derives the driver passes' tokens.
    pub pass_key: Arc<PassKey>,
    /// Per-address limit of the public pass lookups.
    pub pass_limiter: Arc<AddressLimiter>,
    pub passwords: Arc<PasswordHasher>,
    pub mailer: Arc<dyn Mailer>,
    /// Per-address limit of the anonymous contact form (P14).
    pub contact_limiter: Arc<AddressLimiter>,
}

impl AppState {
    pub fn session_policy(&self) -> SessionPolicy {
        SessionPolicy {
            refresh_ttl: jiff::SignedDuration::from_hours(24 * self.config.refresh_token_ttl_days),
            login_retention: jiff::SignedDuration::from_hours(
                24 * self.config.login_retention_days,
            ),
        }
    }
}

impl FromRef<AppState> for TrustedProxies {
    fn from_ref(state: &AppState) -> Self {
        state.config.trusted_proxies.clone()
    }
}

impl FromRef<AppState> for Arc<TokenKeys> {
    fn from_ref(state: &AppState) -> Self {
        state.tokens.clone()
    }
}

impl FromRef<AppState> for Arc<dyn DocumentStore> {
    fn from_ref(state: &AppState) -> Self {
        state.stores.documents.clone()
    }
}

impl FromRef<AppState> for WebDir {
    fn from_ref(state: &AppState) -> Self {
        WebDir(state.config.web_dir.clone())
    }
}
