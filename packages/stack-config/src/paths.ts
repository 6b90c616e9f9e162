import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root: the nearest ancestor of `from` holding pnpm-workspace.yaml. */
export function findRepoRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
    dir = parent;
  }
}

export interface StackPaths {
  root: string;
  prometheusConfig: string;
  rulesDir: string;
  ruleTestsDir: string;
  composeFile: string;
  composeEnvExample: string;
  grafanaDir: string;
}

export function stackPaths(root: string = findRepoRoot()): StackPaths {
  return {
    root,
    prometheusConfig: path.join(root, 'prometheus', 'prometheus.yml'),
    rulesDir: path.join(root, 'prometheus', 'rules'),
    ruleTestsDir: path.join(root, 'prometheus', 'tests'),
    composeFile: path.join(root, 'compose', 'docker-compose.yml'),
    composeEnvExample: path.join(root, 'compose', '.env.example'),
    grafanaDir: path.join(root, 'grafana'),
  };
}
