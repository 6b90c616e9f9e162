import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeConfig, renderConfigTable } from '@reelwatch/service-kit';
import { ingestionConfigSchema } from '../src/config';

const README = path.resolve(__dirname, '../../../README.md');

test('the README configuration table for ingestion lists exactly the schema variables with their defaults', () => {
  const readme = readFileSync(README, 'utf8');
  const at = readme.indexOf('### ingestion configuration');
  expect(at).toBeGreaterThanOrEqual(0);
  const section = readme.slice(at);
  expect(section).toContain(renderConfigTable(ingestionConfigSchema));
  for (const v of describeConfig(ingestionConfigSchema)) expect(v.description.length).toBeGreaterThan(10);
});
