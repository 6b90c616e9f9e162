import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';

/** One dashboard: where its JSON goes (grafana/dashboards/<folder>/<file>) and how it is built. */
export interface DashboardDefinition {
  uid: string;
  /** Grafana folder (a sub-directory of grafana/dashboards; the provider makes it a folder) */
  folder: string;
  /** file name without .json */
  file: string;
  build(): Dashboard;
}
