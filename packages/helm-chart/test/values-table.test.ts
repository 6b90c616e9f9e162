import { readFileSync } from 'node:fs';
import path from 'node:path';
import { markedBlock } from '@reelwatch/testkit';
import { chartPaths, VALUES_BLOCK, valueRows, valuesTable } from '../src';

const paths = chartPaths();
const valuesYaml = readFileSync(path.join(paths.chart, 'values.yaml'), 'utf8');

test("the chart README's values table is the one values.yaml renders (pnpm --filter @reelwatch/helm-chart run readme:values)", () => {
  const readme = readFileSync(path.join(paths.chart, 'README.md'), 'utf8');
  expect(markedBlock(readme, VALUES_BLOCK)).toBe(valuesTable(valuesYaml).trimEnd());
});

test('every leaf of values.yaml has a row with a description', () => {
  const rows = valueRows(valuesYaml);
  expect(rows.map((r) => r.key)).toEqual(
    expect.arrayContaining(['image.tag', 'ingestion.replicas', 'secrets.existingSecret']),
  );
  expect(rows.filter((r) => r.description === '')).toEqual([]);
});

test('valueRows documents the first key of a section from the comment above it, and maps of undocumented keys as one value', () => {
  const rows = valueRows(
    '# header\n\na:\n  # first\n  b: 1\n  # second\n  c: [x]\n# resources\nr:\n  limits: { memory: 1Gi }\n',
  );
  expect(rows).toEqual([
    { key: 'a.b', default: '1', description: 'first' },
    { key: 'a.c', default: '["x"]', description: 'second' },
    { key: 'r', default: '{"limits":{"memory":"1Gi"}}', description: 'resources' },
  ]);
});

test('valueRows fails naming every undocumented leaf', () => {
  expect(() => valueRows('# header\n\na:\n  b: 1\n  # c\n  c: 2\nd: 3\n')).toThrow(
    'values.yaml: no comment above a.b, d',
  );
});

test('valuesTable escapes pipes and angle brackets in cells', () => {
  expect(valuesTable('# one | two <x>\nk: "a|b"\n')).toContain('| `k` | `"a\\|b"` | one \\| two &lt;x&gt; |');
});
