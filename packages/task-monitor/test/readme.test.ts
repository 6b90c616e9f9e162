import path from 'node:path';
import { renderConfigTable } from '@reelwatch/service-kit';
import { readMarkedBlock } from '@reelwatch/testkit';
import { monitorConfigSchema } from '../src/config';

describe('the README configuration reference (regenerate: pnpm docs)', () => {
  it('has the task-monitor table exactly as the schema describes it', () => {
    expect(readMarkedBlock(path.resolve(__dirname, '../README.md'), 'config')).toBe(
      renderConfigTable(monitorConfigSchema),
    );
  });
});
