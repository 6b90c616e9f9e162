import type { Collector } from '../collector';
import { num, type Sample, sample } from '../exposition';

export const SQL = `SELECT datname, age(d.datfrozenxid) AS age_datfrozenxid, mxid_age(d.datminmxid) AS age_datminmxid
FROM pg_catalog.pg_database d WHERE d.datallowconn`;

// The `_seconds` suffix is upstream's, kept for compatibility: the values are transaction ID ages.
export const databaseWraparound: Collector = {
  name: 'database_wraparound',
  defaultEnabled: false,
  scope: 'server',
  description: 'transaction ID and multixact ID age per database, for wraparound alerts',
  async collect(ctx) {
    const out: Sample[] = [];
    for (const row of await ctx.query(SQL)) {
      if (row.datname === null) continue;
      const labels = { datname: String(row.datname) };
      const frozen = num(row.age_datfrozenxid);
      if (frozen !== undefined)
        out.push(
          sample(
            'pg_database_wraparound_age_datfrozenxid_seconds',
            'Age of the oldest transaction ID that has not been frozen.',
            'gauge',
            labels,
            frozen,
          ),
        );
      const minmxid = num(row.age_datminmxid);
      if (minmxid !== undefined)
        out.push(
          sample(
            'pg_database_wraparound_age_datminmxid_seconds',
            'Age of the oldest multi-transaction ID that has been replaced with a transaction ID.',
            'gauge',
            labels,
            minmxid,
          ),
        );
    }
    return out;
  },
};
