import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeConfig } from '@reelwatch/service-kit';
import { COLLECTORS } from '../src/collectors';
import { configSchema, FLAGS } from '../src/config';
import { KNOWN_DIFFERENCES } from './upstream';

const readme = readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
const start = readme.indexOf('## pg-exporter');
const next = readme.indexOf('\n## ', start + 1);
const section = readme.slice(start, next < 0 ? undefined : next);

describe('the README pg-exporter section', () => {
  it('exists', () => {
    expect(start).toBeGreaterThanOrEqual(0);
  });

  it('has a configuration row for every variable with its default', () => {
    for (const v of describeConfig(configSchema)) {
      const row = section.split('\n').find((line) => line.startsWith(`| \`${v.name}\` |`));
      expect({ name: v.name, row: row !== undefined }).toEqual({ name: v.name, row: true });
      if (v.default !== undefined) expect(row).toContain(`\`${v.default}\``);
    }
  });

  it('names every flag and every collector', () => {
    for (const flag of Object.keys(FLAGS).filter(
      (f) => !f.startsWith('collector.') || f.includes('stat_statements.'),
    )) {
      expect(section).toContain(`\`--${flag}\``);
    }
    for (const c of COLLECTORS) {
      expect(section).toContain(`| \`${c.name}\` | ${c.defaultEnabled ? 'on' : 'off'} |`);
    }
  });

  it('lists every difference from upstream that the side-by-side test allows', () => {
    for (const name of Object.keys(KNOWN_DIFFERENCES)) expect(section).toContain(`\`${name}\``);
  });
});
