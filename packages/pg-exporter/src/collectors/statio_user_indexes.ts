import type { Collector } from '../collector';
import { num, type Sample, sample } from '../exposition';

export const SQL = `SELECT schemaname, relname, indexrelname, idx_blks_read, idx_blks_hit FROM pg_statio_user_indexes`;

export const statioUserIndexes: Collector = {
  name: 'statio_user_indexes',
  defaultEnabled: false,
  scope: 'database',
  description: 'per-index block reads and buffer hits in every database (`pg_statio_user_indexes`)',
  async collect(ctx) {
    const out: Sample[] = [];
    for (const row of await ctx.query(SQL)) {
      // datname is ours: without it indexes of same-named tables in two databases collide
      const labels = {
        schemaname: String(row.schemaname),
        relname: String(row.relname),
        indexrelname: String(row.indexrelname),
        datname: ctx.database,
      };
      const read = num(row.idx_blks_read);
      if (read !== undefined)
        out.push(
          sample(
            'pg_statio_user_indexes_idx_blks_read_total',
            'Number of disk blocks read from this index',
            'counter',
            labels,
            read,
          ),
        );
      const hit = num(row.idx_blks_hit);
      if (hit !== undefined)
        out.push(
          sample(
            'pg_statio_user_indexes_idx_blks_hit_total',
            'Number of buffer hits in this index',
            'counter',
            labels,
            hit,
          ),
        );
    }
    return out;
  },
};
