import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root: the nearest ancestor of `from` holding pnpm-workspace.yaml. */
export function findRepoRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error(`no pnpm-workspace.yaml above ${from}: run the CLI inside the repository`);
    dir = parent;
  }
}

export interface RepoPaths {
  root: string;
  composeFile: string;
  composeEnv: string;
  composeEnvExample: string;
  prometheusConfig: string;
  rulesDir: string;
  ruleTestsDir: string;
  grafanaDir: string;
  grafanaProvisioning: string;
  grafanaDashboards: string;
}

export function repoPaths(root: string): RepoPaths {
  return {
    root,
    composeFile: path.join(root, 'compose', 'docker-compose.yml'),
    composeEnv: path.join(root, 'compose', '.env'),
    composeEnvExample: path.join(root, 'compose', '.env.example'),
    prometheusConfig: path.join(root, 'prometheus', 'prometheus.yml'),
    rulesDir: path.join(root, 'prometheus', 'rules'),
    ruleTestsDir: path.join(root, 'prometheus', 'tests'),
    grafanaDir: path.join(root, 'grafana'),
    grafanaProvisioning: path.join(root, 'grafana', 'provisioning'),
    grafanaDashboards: path.join(root, 'grafana', 'dashboards'),
  };
}
