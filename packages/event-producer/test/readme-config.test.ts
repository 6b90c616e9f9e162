import path from 'node:path';
import { describeConfig, renderConfigTable } from '@reelwatch/service-kit';
import { readMarkedBlock } from '@reelwatch/testkit';
import { producerConfigSchema } from '../src/config';

const README = path.resolve(__dirname, '../README.md');

test('the README configuration table for the event-producer lists exactly the schema variables with their defaults (regenerate: pnpm docs)', () => {
  expect(readMarkedBlock(README, 'config')).toBe(renderConfigTable(producerConfigSchema));
  for (const v of describeConfig(producerConfigSchema)) expect(v.description.length).toBeGreaterThan(10);
});
