import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findBinary, makeTempDir, removeTempDir } from '@reelwatch/testkit';
import { parse, stringify } from 'yaml';
import { ofKind, paths, render, valuesSets } from './rendered';

// One source for rules and dashboards: what the chart renders equals prometheus/rules and
// grafana/dashboards (what Compose mounts), and promtool accepts the rendered groups.

const objects = render(valuesSets()[0]!);

test("the chart's files/rules and files/dashboards are links to prometheus/rules and grafana/dashboards", () => {
  // helm follows them (and `helm package` stores the files), so there is no copy to drift
  expect(realpathSync(path.join(paths.chart, 'files', 'rules'))).toBe(realpathSync(paths.rulesSource));
  expect(realpathSync(path.join(paths.chart, 'files', 'dashboards'))).toBe(
    realpathSync(paths.dashboardsSource),
  );
});

test('the PrometheusRules hold exactly the groups of prometheus/rules/*.yml, one object per file', () => {
  const files = readdirSync(paths.rulesSource)
    .filter((f) => f.endsWith('.yml'))
    .sort();
  const rules = ofKind(objects, 'PrometheusRule');
  expect(rules.map((r) => r.metadata.annotations?.['reelwatch.io/source']).sort()).toEqual(
    files.map((f) => `prometheus/rules/${f}`),
  );
  for (const rule of rules) {
    const source = parse(
      readFileSync(path.join(paths.root, rule.metadata.annotations!['reelwatch.io/source']!), 'utf8'),
    );
    expect(rule.spec).toEqual(source);
  }
});

test('promtool check rules passes on the groups extracted from the rendered PrometheusRules', () => {
  const promtool = findBinary('promtool', 'prometheus');
  const dir = makeTempDir('helm-rules');
  try {
    const files = ofKind(objects, 'PrometheusRule').map((rule) => {
      const file = path.join(dir, `${rule.metadata.name}.yml`);
      writeFileSync(file, stringify(rule.spec));
      return file;
    });
    expect(files.length).toBeGreaterThan(0);
    const result = spawnSync(promtool, ['check', 'rules', ...files], { encoding: 'utf8', timeout: 60_000 });
    expect({ status: result.status, output: result.stdout + result.stderr }).toEqual(
      expect.objectContaining({ status: 0 }),
    );
    expect(result.stdout).toMatch(/SUCCESS: \d+ rules found/);
  } finally {
    removeTempDir(dir);
  }
});

test('the dashboard ConfigMaps hold grafana/dashboards byte for byte, labelled for the Grafana sidecar', () => {
  const maps = ofKind(objects, 'ConfigMap').filter((m) => m.metadata.annotations?.['reelwatch.io/source']);
  const sources = readdirSync(paths.dashboardsSource, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.json'))
    .map((f) => `grafana/dashboards/${f.split(path.sep).join('/')}`)
    .sort();
  expect(maps.map((m) => m.metadata.annotations!['reelwatch.io/source']).sort()).toEqual(sources);
  for (const map of maps) {
    const source = map.metadata.annotations!['reelwatch.io/source']!;
    const data = map.data as Record<string, string>;
    expect(Object.keys(data)).toEqual([path.basename(source)]);
    expect(data[path.basename(source)]).toBe(readFileSync(path.join(paths.root, source), 'utf8'));
    expect(map.metadata.labels?.grafana_dashboard).toBe('1');
    expect(map.metadata.annotations?.grafana_folder).toBe(source.split('/')[2]);
  }
});
