import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import type { DashboardDefinition } from './definition';

export interface PanelQuery {
  dashboardUid: string;
  dashboardTitle: string;
  panelTitle: string;
  refId: string;
  /** the query as written, with Grafana variables ($__rate_interval, $server, ...) */
  expr: string;
  instant: boolean;
  /** the variable the panel repeats over, if any */
  repeat?: string;
}

interface PrometheusTarget {
  refId?: string;
  expr?: string;
  instant?: boolean;
}

function panelsOf(dashboard: Dashboard): Panel[] {
  const out: Panel[] = [];
  for (const p of dashboard.panels ?? []) {
    if (p.type === 'row') out.push(...(((p as RowPanel).panels ?? []) as Panel[]));
    else out.push(p as Panel);
  }
  return out;
}

/** Every query of every panel of the given dashboards (what the end-to-end test runs). */
export function listPanelQueries(definitions: DashboardDefinition[]): PanelQuery[] {
  const queries: PanelQuery[] = [];
  for (const definition of definitions) {
    const dashboard = definition.build();
    for (const panel of panelsOf(dashboard)) {
      for (const target of (panel.targets ?? []) as PrometheusTarget[]) {
        queries.push({
          dashboardUid: definition.uid,
          dashboardTitle: dashboard.title ?? definition.uid,
          panelTitle: panel.title ?? '',
          refId: target.refId ?? '',
          expr: target.expr ?? '',
          instant: target.instant === true,
          ...(panel.repeat ? { repeat: panel.repeat } : {}),
        });
      }
    }
  }
  return queries;
}

/**
 * A query with Grafana's variables replaced, ready for Prometheus' HTTP API. Built-in interval
 * variables get `intervals` (default 1m/5m); dashboard variables get `values[name]`, else `.+`,
 * which is what the dashboards' "All" selects.
 */
export function substituteVariables(
  expr: string,
  values: Record<string, string> = {},
  intervals: { rateInterval?: string; interval?: string; range?: string } = {},
): string {
  const builtins: Record<string, string> = {
    __rate_interval: intervals.rateInterval ?? '1m',
    __interval: intervals.interval ?? '15s',
    __range: intervals.range ?? '5m',
  };
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare) as string;
    return builtins[name] ?? values[name] ?? '.+';
  });
}
