import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { renderConfigTable } from '@reelwatch/service-kit';
import { monitorConfigSchema } from '../../task-monitor/src/config';
import { workerConfigSchema } from '../src/config';

const readmePath = path.resolve(__dirname, '../../../README.md');

describe('the README configuration reference', () => {
  const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : '';

  it('has the task-worker table exactly as the schema describes it', () => {
    expect(readme).toContain(`### task-worker configuration\n\n${renderConfigTable(workerConfigSchema)}\n`);
  });

  it('has the task-monitor table exactly as the schema describes it', () => {
    expect(readme).toContain(`### task-monitor configuration\n\n${renderConfigTable(monitorConfigSchema)}\n`);
  });
});
