import { dashboards } from './dashboards';
import type { DashboardDefinition } from './definition';
import { listPanelQueries as listQueries, type PanelQuery } from './queries';

export { dashboards } from './dashboards';
export type { DashboardDefinition } from './definition';
export { DATASOURCE, DATASOURCE_VARIABLE, PROMETHEUS_UID } from './panels';
export { type PanelQuery, substituteVariables } from './queries';
export { dashboardPath, renderDashboard, stableJson, writeDashboards } from './render';

/** Every query of every panel of every Reelwatch dashboard (or of the given ones). */
export function listPanelQueries(definitions: DashboardDefinition[] = dashboards): PanelQuery[] {
  return listQueries(definitions);
}
