import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeConfig, renderConfigTable } from '@reelwatch/service-kit';
import { producerConfigSchema } from '../src/config';

const README = path.resolve(__dirname, '../../../README.md');

test('the README configuration table for the event-producer lists exactly the schema variables with their defaults', () => {
  const readme = readFileSync(README, 'utf8');
  const at = readme.indexOf('### event-producer configuration');
  expect(at).toBeGreaterThanOrEqual(0);
  const section = readme.slice(at);
  expect(section).toContain(renderConfigTable(producerConfigSchema));
  for (const v of describeConfig(producerConfigSchema)) expect(v.description.length).toBeGreaterThan(10);
});
