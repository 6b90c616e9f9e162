import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeConfig, renderConfigTable } from '@reelwatch/service-kit';
import { markedBlock } from '@reelwatch/testkit';
import { COLLECTORS } from '../src/collectors';
import { configSchema, FLAGS } from '../src/config';
import { KNOWN_DIFFERENCES } from './upstream';

const readme = readFileSync(path.resolve(__dirname, '../README.md'), 'utf8');
const config = markedBlock(readme, 'config');

describe('the pg-exporter README', () => {
  it('has the configuration table exactly as the schema describes it (regenerate: pnpm docs)', () => {
    expect(config).toBe(renderConfigTable(configSchema));
  });

  it('has a configuration row for every variable with its default', () => {
    const lines = (config ?? '').split('\n');
    for (const v of describeConfig(configSchema)) {
      const row = lines.find((line) => line.startsWith(`| \`${v.name}\` |`));
      expect({ name: v.name, row: row !== undefined }).toEqual({ name: v.name, row: true });
      if (v.default !== undefined) expect(row).toContain(`\`${v.default}\``);
    }
  });

  it('names every flag and every collector', () => {
    for (const flag of Object.keys(FLAGS).filter(
      (f) => !f.startsWith('collector.') || f.includes('stat_statements.'),
    )) {
      expect(readme).toContain(`\`--${flag}\``);
    }
    for (const c of COLLECTORS) {
      expect(readme).toContain(`| \`${c.name}\` | ${c.defaultEnabled ? 'on' : 'off'} |`);
    }
  });

  it('lists every difference from upstream that the side-by-side test allows', () => {
    for (const name of Object.keys(KNOWN_DIFFERENCES)) expect(readme).toContain(`\`${name}\``);
  });
});
