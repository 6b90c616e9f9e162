// `pnpm dashboards`: writes grafana/dashboards/<folder>/<file>.json from the dashboard modules.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { dashboards } from './dashboards';
import { writeDashboards } from './render';

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'pnpm-workspace.yaml'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('pnpm-workspace.yaml not found above packages/dashboards');
    dir = parent;
  }
  return dir;
}

const outDir = process.argv[2]
  ? path.resolve(process.argv[2])
  : path.join(repoRoot(), 'grafana', 'dashboards');
for (const file of writeDashboards(dashboards, outDir)) console.log(`wrote ${path.join(outDir, file)}`);
