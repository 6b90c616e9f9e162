import type { Collector } from '../collector';
import { num, type Sample, sample } from '../exposition';

export const SQL = 'SELECT extract(epoch from pg_postmaster_start_time())::float8 AS start_time';

export const postmaster: Collector = {
  name: 'postmaster',
  defaultEnabled: false,
  scope: 'server',
  description: 'when the server started (`pg_postmaster_start_time()`)',
  async collect(ctx) {
    const out: Sample[] = [];
    const [row] = await ctx.query(SQL);
    const value = num(row?.start_time);
    if (value !== undefined)
      out.push(
        sample('pg_postmaster_start_time_seconds', 'Time at which postmaster started', 'gauge', {}, value),
      );
    return out;
  },
};
