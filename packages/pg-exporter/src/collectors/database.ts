import type { Collector } from '../collector';
import { num, type Sample, sample } from '../exposition';

export const SQL = `SELECT datname, datconnlimit,
  CASE WHEN has_database_privilege(oid, 'CONNECT') OR pg_has_role('pg_read_all_stats', 'MEMBER')
    THEN pg_database_size(oid) END AS size_bytes
FROM pg_database`;

export const database: Collector = {
  name: 'database',
  defaultEnabled: true,
  scope: 'server',
  description: 'size and connection limit of every database (`pg_database`)',
  async collect(ctx) {
    const out: Sample[] = [];
    const rows = await ctx.query(SQL);
    for (const row of rows) {
      if (row.datname === null) continue;
      const datname = String(row.datname);
      if (ctx.excludeDatabases.includes(datname)) continue;
      const labels = { datname };
      const limit = num(row.datconnlimit);
      if (limit !== undefined)
        out.push(
          sample(
            'pg_database_connection_limit',
            'Connection limit set for the database',
            'gauge',
            labels,
            limit,
          ),
        );
      const size = num(row.size_bytes);
      if (size !== undefined)
        out.push(sample('pg_database_size_bytes', 'Disk space used by the database', 'gauge', labels, size));
    }
    return out;
  },
};
