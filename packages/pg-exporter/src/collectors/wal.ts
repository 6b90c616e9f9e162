import type { Collector } from '../collector';
import { num, type Sample, sample } from '../exposition';

export const SQL = `SELECT COUNT(*) AS segments, SUM(size) AS size FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}$'`;

export const wal: Collector = {
  name: 'wal',
  defaultEnabled: true,
  scope: 'server',
  description: 'number and total size of WAL segments in pg_wal (`pg_ls_waldir()`)',
  async collect(ctx) {
    const out: Sample[] = [];
    const [row] = await ctx.query(SQL);
    if (!row) return out;
    const segments = num(row.segments);
    if (segments !== undefined)
      out.push(sample('pg_wal_segments', 'Number of WAL segments', 'gauge', {}, segments));
    const size = num(row.size);
    if (size !== undefined)
      out.push(sample('pg_wal_size_bytes', 'Total size of WAL segments', 'gauge', {}, size));
    return out;
  },
};
