//! What every function shares: configuration and the stores.

use std::sync::Arc;

use crate::config::Config;
use crate::store::Stores;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub stores: Stores,
}
