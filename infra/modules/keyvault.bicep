// Key Vault for the token signing key (P4: secrets in Key Vault). RBAC
// authorization, soft delete and purge protection: a deleted key stays
// recoverable for 90 days and cannot be purged early.
//
// The secret itself is NOT created here: a value generated in a template
// ends up in deployment history or is derived from guessable seeds, and a
// redeploy would overwrite the live key. The README's Deploy section sets
// it once with `az keyvault secret set` from a CSPRNG.

param location string
param namePrefix string
param tags object

@description('Object id of a user or group allowed to set secrets (the deployer); empty for none.')
param secretsOfficerPrincipalId string

@description('Principal type of secretsOfficerPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param secretsOfficerPrincipalType string

// Key Vault Secrets Officer
var secretsOfficerRoleId = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: take('kv-${namePrefix}-${uniqueString(resourceGroup().id)}', 24)
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource officer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(secretsOfficerPrincipalId)) {
  scope: vault
  name: guid(vault.id, secretsOfficerPrincipalId, secretsOfficerRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsOfficerRoleId)
    principalId: secretsOfficerPrincipalId
    principalType: secretsOfficerPrincipalType
  }
}

output vaultName string = vault.name
output vaultUri string = vault.properties.vaultUri
