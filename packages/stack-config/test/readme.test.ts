import path from 'node:path';
import { dashboards } from '@reelwatch/dashboards';
import { renderConfigTable } from '@reelwatch/service-kit';
import { loadRules, stackPaths } from '@reelwatch/stack-config';
import { readMarkedBlock } from '@reelwatch/testkit';
import { trainingSnapshotConfigSchema } from '@reelwatch/training-snapshot';

const paths = stackPaths(path.resolve(__dirname, '../../..'));
const alertsAndDashboards = path.join(paths.root, 'docs/alerts-and-dashboards.md');

function block(file: string, name: string): string {
  const text = readMarkedBlock(file, name);
  expect({ file, name, found: text !== undefined }).toEqual({ file, name, found: true });
  return text ?? '';
}

describe('the docs', () => {
  test('the alerts table lists every alert of prometheus/rules with its severity', () => {
    const table = block(alertsAndDashboards, 'alerts');
    for (const alert of loadRules(paths.rulesDir).filter((r) => r.kind === 'alert')) {
      expect(table).toContain(`| \`${alert.name}\` | ${alert.labels.severity} |`);
    }
  });

  test('the dashboards table lists every dashboard with its uid and folder', () => {
    const table = block(alertsAndDashboards, 'dashboards');
    for (const d of dashboards)
      expect(table).toMatch(new RegExp(`\\| ${d.folder} \\| [^|]+\\(\`${d.uid}\`\\)`));
  });

  test("training-snapshot's configuration table matches its schema (regenerate: pnpm docs)", () => {
    expect(block(path.join(paths.root, 'packages/training-snapshot/README.md'), 'config')).toBe(
      renderConfigTable(trainingSnapshotConfigSchema),
    );
  });
});
