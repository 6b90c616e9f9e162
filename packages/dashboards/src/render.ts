import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { DashboardDefinition } from './definition';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Deterministic JSON: keys sorted at every level, 2-space indent, trailing newline. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

export function renderDashboard(definition: DashboardDefinition): string {
  const dashboard: Dashboard = definition.build();
  if (dashboard.uid !== definition.uid)
    throw new Error(`dashboard ${definition.file} builds uid ${dashboard.uid}`);
  return stableJson(dashboard);
}

/** Path of a dashboard's JSON relative to grafana/dashboards. */
export function dashboardPath(definition: DashboardDefinition): string {
  return path.join(definition.folder, `${definition.file}.json`);
}

/** Writes every dashboard under outDir/<folder>/<file>.json; returns the relative paths written. */
export function writeDashboards(definitions: DashboardDefinition[], outDir: string): string[] {
  const written: string[] = [];
  for (const definition of definitions) {
    const relative = dashboardPath(definition);
    const file = path.join(outDir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, renderDashboard(definition));
    written.push(relative);
  }
  return written;
}
