import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root: the nearest folder above `from` holding pnpm-workspace.yaml. */
export function findRepoRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  while (!existsSync(path.join(dir, 'pnpm-workspace.yaml'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
    dir = parent;
  }
  return dir;
}

export interface ChartPaths {
  root: string;
  /** deploy/helm/reelwatch */
  chart: string;
  /** deploy/helm/reelwatch/examples: realistic values files, each rendered and checked. */
  examples: string;
  /** The sources the chart's files/rules and files/dashboards link to. */
  rulesSource: string;
  dashboardsSource: string;
  compose: string;
  prometheusConfig: string;
}

export function chartPaths(root: string = findRepoRoot()): ChartPaths {
  const chart = path.join(root, 'deploy', 'helm', 'reelwatch');
  return {
    root,
    chart,
    examples: path.join(chart, 'examples'),
    rulesSource: path.join(root, 'prometheus', 'rules'),
    dashboardsSource: path.join(root, 'grafana', 'dashboards'),
    compose: path.join(root, 'compose', 'docker-compose.yml'),
    prometheusConfig: path.join(root, 'prometheus', 'prometheus.yml'),
  };
}
