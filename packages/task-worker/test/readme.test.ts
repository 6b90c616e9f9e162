import path from 'node:path';
import { renderConfigTable } from '@reelwatch/service-kit';
import { readMarkedBlock } from '@reelwatch/testkit';
import { workerConfigSchema } from '../src/config';

const packages = path.resolve(__dirname, '../..');

describe('the README configuration reference (regenerate: pnpm docs)', () => {
  it('has the task-worker table exactly as the schema describes it', () => {
    expect(readMarkedBlock(path.join(packages, 'task-worker/README.md'), 'config')).toBe(
      renderConfigTable(workerConfigSchema),
    );
  });
});
