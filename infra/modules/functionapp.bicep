// The Flex Consumption Function App that runs the custom handler, with a
// system-assigned identity: it reaches Storage, Cosmos DB and Key Vault with
// Entra ID tokens, never with keys (P4).

param location string
param namePrefix string
param tags object

param storageAccountName string
param deploymentContainerName string
param filesContainerName string
param cosmosAccountName string
param cosmosDatabaseName string
param keyVaultName string
param appInsightsName string

@description('Browser origins allowed by CORS, e.g. https://app.example.com.')
param allowedOrigins array

@description('Upper bound of instances Flex Consumption may scale out to (the platform accepts no maximum below 40).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Name of the Key Vault secret that holds the token signing key.')
param signingKeySecretName string

@description('Name of the Key Vault secret that holds the driver pass key.')
param passKeySecretName string

@description('SMTP relay for mail (Azure Communication Services: smtp.azurecomm.net).')
param smtpHost string

@description('SMTP port: 587 with starttls, 465 with tls.')
param smtpPort int

@description('SMTP transport security.')
@allowed([
  'starttls'
  'tls'
])
param smtpSecurity string

@description('SMTP user name (for Azure Communication Services, an SMTP username of the resource).')
param smtpUsername string

@description('Name of the Key Vault secret that holds the SMTP password.')
param smtpPasswordSecretName string

@description('Sender of every mail, e.g. "Insite LMS <DoNotReply@mail.example.com>" (a verified sender of the mail domain).')
param mailFrom string

@description('Base URL of the front end for links in mails; empty: this Function App\'s https address.')
param appUrl string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' existing = {
  name: cosmosAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

// Read here rather than passed in, so the connection string never appears
// in a module's parameters or outputs.
resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${namePrefix}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

var siteName = 'func-${namePrefix}-${uniqueString(resourceGroup().id)}'

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: siteName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: 'SystemAssigned'
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'custom'
        version: '1.0'
      }
    }
    siteConfig: {
      // ftpsState and http20Enabled are not supported on Flex Consumption
      // (its deprecation list): FTP does not exist there, the platform
      // decides the HTTP version.
      minTlsVersion: '1.2'
      cors: {
        allowedOrigins: allowedOrigins
        supportCredentials: false
      }
      appSettings: [
        // Host storage through the managed identity: no connection string.
        {
          name: 'AzureWebJobsStorage__accountName'
          value: storage.name
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        // The identity-based connection the `index-document` blob trigger
        // names; the queue service keeps its poison messages.
        {
          name: 'FilesStorage__blobServiceUri'
          value: storage.properties.primaryEndpoints.blob
        }
        {
          name: 'FilesStorage__queueServiceUri'
          value: storage.properties.primaryEndpoints.queue
        }
        {
          name: 'FilesStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsights.properties.ConnectionString
        }
        // The host itself sends its telemetry with the managed identity
        // (Monitoring Metrics Publisher).
        {
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'Authorization=AAD'
        }
        {
          name: 'LMS_COSMOS_ENDPOINT'
          value: cosmos.properties.documentEndpoint
        }
        {
          name: 'LMS_COSMOS_DATABASE'
          value: cosmosDatabaseName
        }
        {
          name: 'LMS_BLOB_ENDPOINT'
          value: storage.properties.primaryEndpoints.blob
        }
        {
          name: 'LMS_BLOB_CONTAINER'
          value: filesContainerName
        }
        {
          name: 'LMS_AZURE_CREDENTIAL'
          value: 'managed-identity'
        }
        // The web app is served by this Function App itself, from the same
        // origin as /api (host.json routePrefix "", catch-all function
        // web-app, the build packaged under web/dist = LMS_WEB_DIR). The
        // host's own home page at / would otherwise answer instead.
        {
          name: 'AzureWebJobsDisableHomepage'
          value: 'true'
        }
        {
          name: 'LMS_WEB_DIR'
          value: 'web/dist'
        }
        {
          name: 'LMS_ALLOWED_ORIGINS'
          value: join(allowedOrigins, ',')
        }
        // No version in the URI: the app gets the newest version of the
        // secret, so rolling the key is `az keyvault secret set` + restart.
        {
          name: 'LMS_TOKEN_SIGNING_KEY'
          value: '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/${signingKeySecretName}/)'
        }
        {
          name: 'LMS_PASS_KEY'
          value: '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/${passKeySecretName}/)'
        }
        // Mail over SMTP: the app folder is read-only on Flex Consumption,
        // so the handler refuses to start without a relay.
        {
          name: 'LMS_SMTP_HOST'
          value: smtpHost
        }
        {
          name: 'LMS_SMTP_PORT'
          value: string(smtpPort)
        }
        {
          name: 'LMS_SMTP_SECURITY'
          value: smtpSecurity
        }
        {
          name: 'LMS_SMTP_USERNAME'
          value: smtpUsername
        }
        {
          name: 'LMS_SMTP_PASSWORD'
          value: '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/${smtpPasswordSecretName}/)'
        }
        {
          name: 'LMS_MAIL_FROM'
          value: mailFrom
        }
        {
          name: 'LMS_APP_URL'
          value: empty(appUrl) ? 'https://${siteName}.azurewebsites.net' : appUrl
        }
      ]
    }
  }
}

output name string = site.name
output principalId string = site.identity.principalId
output defaultHostName string = site.properties.defaultHostName
