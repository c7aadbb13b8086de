//! The Azure stores' settings: where Cosmos DB and Blob Storage are and
//! how to authenticate to them. `config` fills them in from the
//! environment; the store owns the type.

use azure_core::http::Url;

/// Where the Azure stores are and how to authenticate to them.
#[derive(Debug, Clone)]
pub struct AzureSettings {
    pub cosmos_endpoint: Url,
    pub cosmos_database: String,
    /// The region the Cosmos DB client prefers (the app's own region).
    pub cosmos_region: String,
    /// The storage account's blob endpoint, e.g. `https://acct.blob.core.windows.net`.
    pub blob_endpoint: Url,
    pub blob_container: String,
    pub credential: AzureCredential,
    /// A user-assigned managed identity (`AZURE_CLIENT_ID`).
    pub managed_identity_client_id: Option<String>,
    /// Create the database, containers and blob container when missing
    /// (emulators); in Azure the Bicep creates them.
    pub create_resources: bool,
}

impl AzureSettings {
    pub fn blob_container_url(&self) -> Url {
        let mut url = self.blob_endpoint.clone();
        // The endpoint was checked to be an https base URL.
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().push(&self.blob_container);
        }
        url
    }
}

/// The token credential of the Azure stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AzureCredential {
    /// The Function App's managed identity.
    ManagedIdentity,
    /// The developer's Azure CLI or Azure Developer CLI login.
    Developer,
}
