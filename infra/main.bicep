// Insite LMS in one resource group: Function App (Flex Consumption, custom
// handler), Cosmos DB, Storage, Application Insights + Log Analytics, Key
// Vault, and the roles that tie them together. Deploy with the README's
// Deploy section; parameter files: main.dev.parameters.json,
// main.prod.parameters.json.
//
// The web app is served by the Function App itself (no Static Web App):
// same origin as /api, no second deployment, the handler's own caching and
// CSP. See modules/functionapp.bicep and the README's "Deploy".

targetScope = 'resourceGroup'

// P2 and P12: data and telemetry stay in Azure West Europe by default.
@description('Azure region of every resource.')
param location string = 'westeurope'

@description('Environment name, part of every resource name.')
@allowed([
  'dev'
  'prod'
])
param environmentName string

@description('Short application name, part of every resource name.')
@maxLength(8)
param appName string = 'lms'

@description('Browser origins allowed by CORS, e.g. ["https://app.example.com"].')
param allowedOrigins array = []

// Choose before the first deployment: an existing account cannot simply
// toggle between the two capacity modes.
@description('Cosmos DB serverless (true) or provisioned autoscale throughput (false).')
param cosmosServerless bool = true

@description('Autoscale maximum RU/s of the database when cosmosServerless is false.')
param cosmosAutoscaleMaxThroughput int = 1000

@description('Storage redundancy of the storage account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
])
param storageSku string = 'Standard_LRS'

@description('Days a deleted blob stays recoverable before Azure erases it (P8).')
param blobSoftDeleteDays int = 7

@description('Maximum instance count of the Function App (Flex Consumption accepts 40 and more).')
@minValue(40)
param maximumInstanceCount int = 40

@description('Memory per Function App instance in MB.')
param instanceMemoryMB int = 2048

@description('Object id of the deployer (user or group) who may set the signing key in Key Vault; empty for none.')
param secretsOfficerPrincipalId string = ''

@description('Principal type of secretsOfficerPrincipalId.')
param secretsOfficerPrincipalType string = 'User'

@description('Create the Event Grid subscription for the index-document blob trigger. Only after the code is deployed (see README).')
param deployBlobEvents bool = false

@description('SMTP relay for mail; Azure Communication Services Email by default.')
param smtpHost string = 'smtp.azurecomm.net'

@description('SMTP port: 587 with starttls, 465 with tls.')
param smtpPort int = 587

@description('SMTP transport security: starttls or tls.')
param smtpSecurity string = 'starttls'

@description('SMTP user name; for Azure Communication Services an SMTP username created on the resource (see README).')
param smtpUsername string

@description('Sender of every mail: a verified sender address of the mail domain, e.g. "Insite LMS <DoNotReply@mail.example.com>".')
param mailFrom string

@description('Base URL of the front end for links in mails; empty uses the Function App\'s https address.')
param appUrl string = ''

param tags object = {
  application: 'insite-lms'
  environment: environmentName
}

var namePrefix = '${appName}-${environmentName}'
var filesContainerName = 'project-files'
var deploymentContainerName = 'app-package'
var cosmosDatabaseName = 'insite-lms'
var signingKeySecretName = 'lms-token-signing-key'
// Its own secret: rolling the token key must not kill every driver pass link.
var passKeySecretName = 'lms-pass-key'
var smtpPasswordSecretName = 'lms-smtp-password'

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    namePrefix: namePrefix
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    namePrefix: namePrefix
    tags: tags
    skuName: storageSku
    filesContainerName: filesContainerName
    deploymentContainerName: deploymentContainerName
    softDeleteDays: blobSoftDeleteDays
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: {
    location: location
    namePrefix: namePrefix
    tags: tags
    serverless: cosmosServerless
    autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
    databaseName: cosmosDatabaseName
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    location: location
    namePrefix: namePrefix
    tags: tags
    secretsOfficerPrincipalId: secretsOfficerPrincipalId
    secretsOfficerPrincipalType: secretsOfficerPrincipalType
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    namePrefix: namePrefix
    tags: tags
    storageAccountName: storage.outputs.accountName
    deploymentContainerName: deploymentContainerName
    filesContainerName: filesContainerName
    cosmosAccountName: cosmos.outputs.accountName
    cosmosDatabaseName: cosmosDatabaseName
    keyVaultName: keyVault.outputs.vaultName
    appInsightsName: monitoring.outputs.appInsightsName
    allowedOrigins: allowedOrigins
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    signingKeySecretName: signingKeySecretName
    passKeySecretName: passKeySecretName
    smtpHost: smtpHost
    smtpPort: smtpPort
    smtpSecurity: smtpSecurity
    smtpUsername: smtpUsername
    smtpPasswordSecretName: smtpPasswordSecretName
    mailFrom: mailFrom
    appUrl: appUrl
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    principalId: functionApp.outputs.principalId
    storageAccountName: storage.outputs.accountName
    cosmosAccountName: cosmos.outputs.accountName
    keyVaultName: keyVault.outputs.vaultName
    appInsightsName: monitoring.outputs.appInsightsName
  }
}

module blobEvents 'modules/blob-events.bicep' = if (deployBlobEvents) {
  name: 'blob-events'
  params: {
    location: location
    tags: tags
    storageAccountName: storage.outputs.accountName
    functionAppName: functionApp.outputs.name
    filesContainerName: filesContainerName
  }
}

// Names only: nothing secret leaves the deployment.
output functionAppName string = functionApp.outputs.name
output functionAppHostName string = functionApp.outputs.defaultHostName
output storageAccountName string = storage.outputs.accountName
output cosmosAccountName string = cosmos.outputs.accountName
output keyVaultName string = keyVault.outputs.vaultName
output signingKeySecretName string = signingKeySecretName
output passKeySecretName string = passKeySecretName
output smtpPasswordSecretName string = smtpPasswordSecretName
