import type { Collector } from '../collector';
import { num, type Sample, sample } from '../exposition';

export const SQL = `SELECT pg_database.datname AS datname, tmp.mode AS mode, COALESCE(count, 0) AS count
FROM (VALUES ('accesssharelock'), ('rowsharelock'), ('rowexclusivelock'), ('shareupdateexclusivelock'),
             ('sharelock'), ('sharerowexclusivelock'), ('exclusivelock'), ('accessexclusivelock'), ('sireadlock')
     ) AS tmp(mode)
CROSS JOIN pg_database
LEFT JOIN (SELECT database, lower(mode) AS mode, count(*) AS count FROM pg_locks
           WHERE database IS NOT NULL GROUP BY database, lower(mode)) AS tmp2
  ON tmp.mode = tmp2.mode AND pg_database.oid = tmp2.database
ORDER BY 1`;

export const locks: Collector = {
  name: 'locks',
  defaultEnabled: true,
  scope: 'server',
  description: 'locks held, per database and lock mode (`pg_locks`)',
  async collect(ctx) {
    const out: Sample[] = [];
    for (const row of await ctx.query(SQL)) {
      const value = num(row.count);
      if (row.datname === null || value === undefined) continue;
      out.push(
        sample(
          'pg_locks_count',
          'Number of locks',
          'gauge',
          { datname: String(row.datname), mode: String(row.mode) },
          value,
        ),
      );
    }
    return out;
  },
};
