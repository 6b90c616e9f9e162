import { existsSync, statfsSync } from 'node:fs';
import path from 'node:path';
import type { DoctorCheck, Finding } from './check';

const GiB = 1024 ** 3;

function nearestExisting(dir: string): string {
  let current = path.resolve(dir);
  while (!existsSync(current) && path.dirname(current) !== current) current = path.dirname(current);
  return current;
}

/** Disk space where the data goes (.stack natively; Docker's data root is usually on the same disk). */
export const diskCheck: DoctorCheck = {
  name: 'disk',
  run({ settings }): Finding[] {
    try {
      const where = nearestExisting(settings.stateDir);
      const fs = statfsSync(where);
      const free = fs.bavail * fs.bsize;
      const message = `${(free / GiB).toFixed(1)} GiB free at ${where}`;
      if (free < 1 * GiB)
        return [
          {
            check: 'disk',
            severity: 'error',
            message,
            fix: 'free some space: PostgreSQL, Prometheus and Kafka need at least 1 GiB',
          },
        ];
      if (free < 5 * GiB)
        return [
          {
            check: 'disk',
            severity: 'warning',
            message,
            fix: 'a day of data fits, a week may not: free some space',
          },
        ];
      return [{ check: 'disk', severity: 'ok', message }];
    } catch (error) {
      return [
        {
          check: 'disk',
          severity: 'warning',
          message: `could not read free space: ${(error as Error).message}`,
        },
      ];
    }
  },
};
