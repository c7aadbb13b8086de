// The storage account: project files (P7) and the Flex Consumption
// deployment package, also the Functions host's own storage. Keys are off:
// every client authenticates with Entra ID (P4).

param location string
param namePrefix string
param tags object

@description('Storage redundancy, e.g. Standard_LRS (dev) or Standard_ZRS (prod).')
param skuName string

@description('Name of the container that holds project files.')
param filesContainerName string

@description('Name of the container that holds the Function App package.')
param deploymentContainerName string

// P8 (delete at any time): a deleted blob is no longer listed or served,
// but soft delete keeps it recoverable for this many days before Azure
// erases it for good. It protects against accidental or malicious deletes;
// the privacy policy's "delete" therefore completes within this window.
@minValue(1)
@maxValue(30)
param softDeleteDays int = 7

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: take(toLower(replace('st${namePrefix}${uniqueString(resourceGroup().id)}', '-', '')), 24)
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
    // Versioning would keep every overwritten or deleted file indefinitely,
    // which contradicts P8; soft delete alone bounds what is kept.
    isVersioningEnabled: false
  }
}

resource filesContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: filesContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

output accountName string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
