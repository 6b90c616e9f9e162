import type { Collector } from '../collector';
import { num, type Sample, sample } from '../exposition';

const COLUMNS: Array<[string, string]> = [
  [
    'confl_tablespace',
    'Number of queries in this database that have been canceled due to dropped tablespaces',
  ],
  ['confl_lock', 'Number of queries in this database that have been canceled due to lock timeouts'],
  ['confl_snapshot', 'Number of queries in this database that have been canceled due to old snapshots'],
  ['confl_bufferpin', 'Number of queries in this database that have been canceled due to pinned buffers'],
  ['confl_deadlock', 'Number of queries in this database that have been canceled due to deadlocks'],
];

export const SQL = `SELECT datid::text AS datid, datname, ${COLUMNS.map(([c]) => c).join(', ')} FROM pg_stat_database_conflicts`;

// postgres_exporter keeps this one in its legacy exporter (exporter/postgres_exporter.go) and runs
// it on the primary only; conflicts happen on standbys, so here it runs on every server.
export const statDatabaseConflicts: Collector = {
  name: 'stat_database_conflicts',
  defaultEnabled: true,
  scope: 'server',
  description: 'queries canceled by recovery conflicts, per database (`pg_stat_database_conflicts`)',
  async collect(ctx) {
    const out: Sample[] = [];
    for (const row of await ctx.query(SQL)) {
      if (row.datname === null) continue;
      const labels = { datid: String(row.datid), datname: String(row.datname) };
      for (const [column, help] of COLUMNS) {
        const value = num(row[column]);
        if (value !== undefined)
          out.push(sample(`pg_stat_database_conflicts_${column}`, help, 'counter', labels, value));
      }
    }
    return out;
  },
};
