// Offline checks of what Grafana reads: the provisioning files, the dashboards' schemaVersion, their
// datasource references, and (with a Prometheus to ask) their template variables' queries. No Grafana
// server runs here, so each rule below is taken from Grafana's source and says which file it comes from.
// One module per concern: provisioning files, dashboards, template variables.
export * from './dashboards';
export * from './provisioning';
export * from './variables';
