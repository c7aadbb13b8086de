//! The token credential for Cosmos DB and Blob Storage: the app's managed
//! identity in Azure (user-assigned when `AZURE_CLIENT_ID` names one), the
//! developer's Azure CLI / Azure Developer CLI login on a laptop. Keys and
//! connection strings are never used outside emulator tests.

use azure_core::credentials::TokenCredential;
use azure_identity::{
    DeveloperToolsCredential, ManagedIdentityCredential, ManagedIdentityCredentialOptions,
    UserAssignedId,
};
use std::sync::Arc;

use super::settings::AzureCredential;
use crate::store::StoreError;

pub fn credential(
    kind: AzureCredential,
    managed_identity_client_id: Option<&str>,
) -> Result<Arc<dyn TokenCredential>, StoreError> {
    let failed = |e: azure_core::Error| StoreError::Internal(format!("Azure credential: {e}"));
    Ok(match kind {
        AzureCredential::ManagedIdentity => {
            let options = ManagedIdentityCredentialOptions {
                user_assigned_id: managed_identity_client_id
                    .map(|id| UserAssignedId::ClientId(id.to_owned())),
                ..Default::default()
            };
            ManagedIdentityCredential::new(Some(options)).map_err(failed)?
        }
        AzureCredential::Developer => DeveloperToolsCredential::new(None).map_err(failed)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Building a credential does no I/O; tokens are fetched on first use.
    #[test]
    fn both_credential_kinds_build_offline() {
        credential(AzureCredential::ManagedIdentity, None).expect("system-assigned");
        credential(AzureCredential::ManagedIdentity, Some("1111-2222")).expect("user-assigned");
        credential(AzureCredential::Developer, None).expect("developer");
    }
}
