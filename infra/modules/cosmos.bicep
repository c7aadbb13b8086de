// Cosmos DB for NoSQL: the document store in production (P2). Only Entra ID
// clients (managed identity + data-plane RBAC) get in; account keys are off.

param location string
param namePrefix string
param tags object

@description('Serverless (pay per request) or provisioned autoscale throughput.')
param serverless bool

@description('Autoscale maximum RU/s shared by all containers; used only when serverless is false.')
@minValue(1000)
param autoscaleMaxThroughput int

@description('Name of the SQL database.')
param databaseName string

// One entry per container in handlers/store/containers.rs (ALL). A test in
// scripts/check-bicep.py and tests/api/infra.rs fails when the two differ.
var documentContainers = [
  { name: 'system', partitionKeyPath: '/pk' }
  { name: 'identities', partitionKeyPath: '/pk' }
  { name: 'organizations', partitionKeyPath: '/pk' }
  { name: 'users', partitionKeyPath: '/pk' }
  { name: 'projects', partitionKeyPath: '/pk' }
  { name: 'outbox', partitionKeyPath: '/pk' }
  { name: 'support', partitionKeyPath: '/pk' }
]

// Composite indexes for the adapter's sorted queries (field, then id), one
// policy per container, generated from the code with
// `insite-lms generate-cosmos-indexing`; a test fails when they differ.
var indexingPolicies = loadJsonContent('cosmos-indexing.json')

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: 'cosmos-${namePrefix}-${uniqueString(resourceGroup().id)}'
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    capabilities: serverless ? [{ name: 'EnableServerless' }] : []
    disableLocalAuth: true
    // Databases and containers come from this template only; the app's
    // identity may read and write items but not change the schema.
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
    // Shared database throughput: one autoscale budget for all containers
    // is cheaper than a minimum per container at this size.
    options: serverless ? {} : { autoscaleSettings: { maxThroughput: autoscaleMaxThroughput } }
  }
}

resource containers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [
  for c in documentContainers: {
    parent: database
    name: c.name
    properties: {
      resource: {
        id: c.name
        partitionKey: {
          paths: [c.partitionKeyPath]
          kind: 'Hash'
          version: 2
        }
        // TTL on without a default: only items that carry their own `ttl`
        // (login records, invitations, refresh tokens) expire.
        defaultTtl: -1
        indexingPolicy: indexingPolicies[c.name]
      }
    }
  }
]

output accountName string = account.name
output endpoint string = account.properties.documentEndpoint
