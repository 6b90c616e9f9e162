import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dashboards } from '@reelwatch/dashboards';
import { renderConfigTable } from '@reelwatch/service-kit';
import { loadRules, stackPaths } from '@reelwatch/stack-config';
import { trainingSnapshotConfigSchema } from '@reelwatch/training-snapshot';

const paths = stackPaths(path.resolve(__dirname, '../../..'));
const readme = readFileSync(path.join(paths.root, 'README.md'), 'utf8');

function section(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const rest = readme.slice(start + heading.length + 2);
  const next = rest.search(/\n#{2,3} /);
  return next < 0 ? rest : rest.slice(0, next);
}

describe('README', () => {
  test('the alerts table lists every alert of prometheus/rules with its severity', () => {
    const table = section('### Prometheus rules and alerts');
    for (const alert of loadRules(paths.rulesDir).filter((r) => r.kind === 'alert')) {
      expect(table).toContain(`| \`${alert.name}\` | ${alert.labels.severity} |`);
    }
  });

  test('the dashboards table lists every dashboard with its uid and folder', () => {
    const table = section('### Grafana dashboards');
    for (const d of dashboards)
      expect(table).toMatch(new RegExp(`\\| ${d.folder} \\| [^|]+\\(\`${d.uid}\`\\)`));
  });

  test("training-snapshot's configuration table matches its schema", () => {
    expect(section('## training-snapshot')).toContain(renderConfigTable(trainingSnapshotConfigSchema));
  });
});
