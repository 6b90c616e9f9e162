import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { COLLECTORS } from '../../src/collectors';
import { collectorEnvName, FLAGS } from '../../src/config';
import { fixturePath } from '../fixtures';

const dir = path.resolve(__dirname, '../../src/collectors');

describe('the collector list', () => {
  it('names exactly the files in src/collectors, each file exporting the collector named after it', () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(COLLECTORS.map((c) => c.name).sort()).toEqual(files);
    for (const c of COLLECTORS) {
      expect(readFileSync(path.join(dir, `${c.name}.ts`), 'utf8')).toContain(`name: '${c.name}'`);
    }
  });

  it('has no duplicate names and gives every collector a flag and an environment toggle', () => {
    expect(new Set(COLLECTORS.map((c) => c.name)).size).toBe(COLLECTORS.length);
    for (const c of COLLECTORS) {
      expect(FLAGS[`collector.${c.name}`]).toBe(collectorEnvName(c.name));
    }
  });

  it('enables by default exactly what postgres_exporter enables (metrics-head.csv), plus the legacy conflicts view', () => {
    const csvPath = fixturePath('postgres_exporter', 'metrics-head.csv');
    const rows = readFileSync(csvPath, 'utf8').trim().split('\n').slice(1);
    const upstream = new Map<string, boolean>();
    for (const row of rows) {
      const [collector, enabled] = row.split(',');
      if (!collector || collector.startsWith('(')) continue;
      upstream.set(collector, enabled === 'true');
    }
    for (const [name, enabled] of upstream) {
      const ours = COLLECTORS.find((c) => c.name === name);
      expect({ name, present: ours !== undefined }).toEqual({ name, present: true });
      expect({ name, enabled: ours?.defaultEnabled }).toEqual({ name, enabled });
    }
    const extra = COLLECTORS.filter((c) => !upstream.has(c.name)).map((c) => c.name);
    expect(extra).toEqual(['stat_database_conflicts']);
  });
});
