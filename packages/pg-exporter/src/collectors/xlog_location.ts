import type { Collector } from '../collector';
import { num, type Sample, sample } from '../exposition';

// upstream still calls the pre-10 pg_current_xlog_location(), which PostgreSQL 10+ no longer has
export const SQL = `SELECT (CASE WHEN pg_is_in_recovery() THEN (pg_last_wal_replay_lsn() - '0/0') % (2^52)::bigint
  ELSE (pg_current_wal_lsn() - '0/0') % (2^52)::bigint END)::float8 AS bytes`;

export const xlogLocation: Collector = {
  name: 'xlog_location',
  defaultEnabled: false,
  scope: 'server',
  description: 'WAL position generated (primary) or replayed (replica), low 52 bits',
  async collect(ctx) {
    const out: Sample[] = [];
    const [row] = await ctx.query(SQL);
    const value = num(row?.bytes);
    if (value !== undefined)
      out.push(
        sample(
          'pg_xlog_location_bytes',
          'Postgres LSN (log sequence number) being generated on primary or replayed on replica (truncated to low 52 bits)',
          'gauge',
          {},
          value,
        ),
      );
    return out;
  },
};
