// Offline checks of what Grafana reads: the provisioning files, the dashboards' schemaVersion, their
// datasource references, and (with a Prometheus to ask) their template variables' queries. No Grafana
// server runs here, so each rule below is taken from Grafana's source and says which file it comes from.
// One module per concern: provisioning files, dashboards, template variables.
export {
  allPanels,
  checkSchemaVersion,
  type DashboardJson,
  type DatasourceRefJson,
  type DatasourceRefUse,
  dashboardFiles,
  datasourceRefs,
  GRAFANA_LATEST_SCHEMA_VERSION,
  GRAFANA_MIN_SCHEMA_VERSION,
  loadDashboards,
  type PanelJson,
  resolveDatasourceRef,
  type TargetJson,
  type VariableJson,
} from './dashboards';
export {
  checkDashboardProvisioning,
  checkDatasourceProvisioning,
  type DashboardProvider,
  type DashboardProvisioning,
  type DatasourceProvisioning,
  dashboardProvisioningSchema,
  datasourceProvisioningSchema,
  loadGrafanaProvisioning,
  type ProvisionedDatasource,
} from './provisioning';
export {
  interpolatePromValue,
  type PromVariableRequest,
  promVariableRequest,
  runPromVariableQuery,
  variableQueryText,
} from './variables';
