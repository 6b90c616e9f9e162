import type { Collector } from '../collector';
import { num, type Sample, sample } from '../exposition';

export const SQL = `SELECT SPLIT_PART(query, '.', 2) AS relname, EXTRACT(EPOCH FROM xact_start)::float8 AS timestamp_seconds
FROM pg_catalog.pg_stat_activity WHERE query LIKE 'autovacuum:%'`;

export const statActivityAutovacuum: Collector = {
  name: 'stat_activity_autovacuum',
  defaultEnabled: false,
  scope: 'server',
  description: 'start time of each running autovacuum worker (`pg_stat_activity`)',
  async collect(ctx) {
    const out: Sample[] = [];
    for (const row of await ctx.query(SQL)) {
      const value = num(row.timestamp_seconds);
      if (value === undefined) continue;
      out.push(
        sample(
          'pg_stat_activity_autovacuum_timestamp_seconds',
          'Start timestamp of the vacuum process in seconds',
          'gauge',
          { relname: String(row.relname) },
          value,
        ),
      );
    }
    return out;
  },
};
