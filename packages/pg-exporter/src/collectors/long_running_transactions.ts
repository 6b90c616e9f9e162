import type { Collector } from '../collector';
import { num, type Sample, sample } from '../exposition';

export const SQL = `SELECT COUNT(*) AS transactions,
  MAX(EXTRACT(EPOCH FROM clock_timestamp() - xact_start))::float8 AS oldest_timestamp_seconds
FROM pg_catalog.pg_stat_activity
WHERE state IS DISTINCT FROM 'idle' AND query NOT LIKE 'autovacuum:%'
  AND xact_start IS NOT NULL AND pid <> pg_backend_pid()`;

export const longRunningTransactions: Collector = {
  name: 'long_running_transactions',
  defaultEnabled: false,
  scope: 'server',
  description: 'open transactions and the age of the oldest (`pg_stat_activity`)',
  async collect(ctx) {
    const out: Sample[] = [];
    const [row] = await ctx.query(SQL);
    const count = num(row?.transactions);
    if (count !== undefined)
      out.push(
        sample(
          'pg_long_running_transactions',
          'Current number of long running transactions',
          'gauge',
          {},
          count,
        ),
      );
    const oldest = num(row?.oldest_timestamp_seconds);
    if (oldest !== undefined)
      out.push(
        sample(
          'pg_long_running_transactions_oldest_timestamp_seconds',
          'The current maximum transaction age in seconds',
          'gauge',
          {},
          oldest,
        ),
      );
    return out;
  },
};
