// Log Analytics workspace and the workspace-based Application Insights
// component. The privacy settings here are promise P12 of the privacy
// policy: telemetry is kept 30 days (workspace and every Application
// Insights table) and IP addresses are never stored.
// scripts/check-bicep.py and tests/api/infra.rs assert them.

@description('Azure region of the resources.')
param location string

@description('Prefix of the resource names.')
param namePrefix string

param tags object

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${namePrefix}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    // P12: "deleted automatically after 30 days". The workspace holds the
    // component's data, so its retention is the one that counts
    // (RetentionInDays on the component is read-only).
    retentionInDays: 30
    features: {
      enableLogAccessUsingOnlyResourcePermissions: true
      // A 30-day workspace may otherwise keep data for 31 days.
      immediatePurgeDataOn30Days: true
    }
  }
}

// P12, continued: the Application Insights tables keep their data for 90
// days by default whatever the workspace's retention is ("Manage data
// retention in a Log Analytics workspace", Azure Monitor docs). Each one is
// set to 30 days, with no long-term (archive) retention beyond that.
var appInsightsTables = [
  'AppAvailabilityResults'
  'AppBrowserTimings'
  'AppDependencies'
  'AppEvents'
  'AppExceptions'
  'AppMetrics'
  'AppPageViews'
  'AppPerformanceCounters'
  'AppRequests'
  'AppSystemEvents'
  'AppTraces'
]

resource appInsightsTableRetention 'Microsoft.OperationalInsights/workspaces/tables@2022-10-01' = [for table in appInsightsTables: {
  parent: workspace
  name: table
  properties: {
    retentionInDays: 30
    totalRetentionInDays: 30
  }
}]

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${namePrefix}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    // P12: ingestion uses the client IP only for coarse geolocation and
    // stores 0.0.0.0. Explicit, so nobody flips the default unnoticed.
    DisableIpMasking: false
    // Local (instrumentation key) auth stays on: the Rust exporter sends
    // with the connection string and cannot authenticate with Entra ID.
    DisableLocalAuth: false
  }
}

output appInsightsName string = appInsights.name
output workspaceName string = workspace.name
