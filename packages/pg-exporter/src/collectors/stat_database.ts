import { type Collector, majorVersion } from '../collector';
import { type MetricType, num, type Sample, sample } from '../exposition';

interface Column {
  column: string;
  metric: string;
  type: MetricType;
  help: string;
  /** PostgreSQL major version that added the column */
  since?: number;
  scale?: number;
}

// Names, types and help texts are postgres_exporter's (collector/pg_stat_database.go); the
// columns PostgreSQL 12/14 added are named as 0.11.1 exposed them, times converted to seconds.
export const COLUMNS: Column[] = [
  {
    column: 'numbackends',
    metric: 'numbackends',
    type: 'gauge',
    help: 'Number of backends currently connected to this database. This is the only column in this view that returns a value reflecting current state; all other columns return the accumulated values since the last reset.',
  },
  {
    column: 'xact_commit',
    metric: 'xact_commit',
    type: 'counter',
    help: 'Number of transactions in this database that have been committed',
  },
  {
    column: 'xact_rollback',
    metric: 'xact_rollback',
    type: 'counter',
    help: 'Number of transactions in this database that have been rolled back',
  },
  {
    column: 'blks_read',
    metric: 'blks_read',
    type: 'counter',
    help: 'Number of disk blocks read in this database',
  },
  {
    column: 'blks_hit',
    metric: 'blks_hit',
    type: 'counter',
    help: "Number of times disk blocks were found already in the buffer cache, so that a read was not necessary (this only includes hits in the PostgreSQL buffer cache, not the operating system's file system cache)",
  },
  {
    column: 'tup_returned',
    metric: 'tup_returned',
    type: 'counter',
    help: 'Number of rows returned by queries in this database',
  },
  {
    column: 'tup_fetched',
    metric: 'tup_fetched',
    type: 'counter',
    help: 'Number of rows fetched by queries in this database',
  },
  {
    column: 'tup_inserted',
    metric: 'tup_inserted',
    type: 'counter',
    help: 'Number of rows inserted by queries in this database',
  },
  {
    column: 'tup_updated',
    metric: 'tup_updated',
    type: 'counter',
    help: 'Number of rows updated by queries in this database',
  },
  {
    column: 'tup_deleted',
    metric: 'tup_deleted',
    type: 'counter',
    help: 'Number of rows deleted by queries in this database',
  },
  {
    column: 'conflicts',
    metric: 'conflicts',
    type: 'counter',
    help: 'Number of queries canceled due to conflicts with recovery in this database. (Conflicts occur only on standby servers; see pg_stat_database_conflicts for details.)',
  },
  {
    column: 'temp_files',
    metric: 'temp_files',
    type: 'counter',
    help: 'Number of temporary files created by queries in this database. All temporary files are counted, regardless of why the temporary file was created (e.g., sorting or hashing), and regardless of the log_temp_files setting.',
  },
  {
    column: 'temp_bytes',
    metric: 'temp_bytes',
    type: 'counter',
    help: 'Total amount of data written to temporary files by queries in this database. All temporary files are counted, regardless of why the temporary file was created, and regardless of the log_temp_files setting.',
  },
  {
    column: 'deadlocks',
    metric: 'deadlocks',
    type: 'counter',
    help: 'Number of deadlocks detected in this database',
  },
  {
    column: 'blk_read_time',
    metric: 'blk_read_time',
    type: 'counter',
    help: 'Time spent reading data file blocks by backends in this database, in milliseconds',
  },
  {
    column: 'blk_write_time',
    metric: 'blk_write_time',
    type: 'counter',
    help: 'Time spent writing data file blocks by backends in this database, in milliseconds',
  },
  {
    column: 'extract(epoch from stats_reset)',
    metric: 'stats_reset',
    type: 'counter',
    help: 'Time at which these statistics were last reset',
  },
  {
    column: 'checksum_failures',
    metric: 'checksum_failures',
    type: 'counter',
    help: 'Number of data page checksum failures detected in this database (or on a shared object)',
  },
  {
    column: 'extract(epoch from checksum_last_failure)',
    metric: 'checksum_last_failure',
    type: 'gauge',
    help: 'Time at which the last data page checksum failure was detected, in seconds since the epoch',
  },
  {
    column: 'active_time',
    metric: 'active_time_seconds_total',
    type: 'counter',
    help: 'Time spent executing SQL statements in this database, in seconds',
    since: 14,
    scale: 1 / 1000,
  },
  {
    column: 'session_time',
    metric: 'session_time_seconds_total',
    type: 'counter',
    help: 'Time spent by database sessions in this database, in seconds',
    since: 14,
    scale: 1 / 1000,
  },
  {
    column: 'idle_in_transaction_time',
    metric: 'idle_in_transaction_time_seconds_total',
    type: 'counter',
    help: 'Time spent idling while in a transaction in this database, in seconds',
    since: 14,
    scale: 1 / 1000,
  },
  {
    column: 'sessions',
    metric: 'sessions',
    type: 'counter',
    help: 'Total number of sessions established to this database',
    since: 14,
  },
  {
    column: 'sessions_abandoned',
    metric: 'sessions_abandoned',
    type: 'counter',
    help: 'Number of database sessions to this database that were terminated because connection to the client was lost',
    since: 14,
  },
  {
    column: 'sessions_fatal',
    metric: 'sessions_fatal',
    type: 'counter',
    help: 'Number of database sessions to this database that were terminated by fatal errors',
    since: 14,
  },
  {
    column: 'sessions_killed',
    metric: 'sessions_killed',
    type: 'counter',
    help: 'Number of database sessions to this database that were terminated by operator intervention',
    since: 14,
  },
];

export function columnsFor(version: number): Column[] {
  return COLUMNS.filter((c) => c.since === undefined || majorVersion(version) >= c.since);
}

export function sqlFor(version: number): string {
  const cols = columnsFor(version).map((c, i) => `${c.column} AS c${i}`);
  return `SELECT datid::text AS datid, datname, ${cols.join(', ')} FROM pg_stat_database`;
}

export const statDatabase: Collector = {
  name: 'stat_database',
  defaultEnabled: true,
  scope: 'server',
  description: 'per-database activity counters (`pg_stat_database`), version-aware',
  async collect(ctx) {
    const out: Sample[] = [];
    const columns = columnsFor(ctx.version);
    const rows = await ctx.query(sqlFor(ctx.version));
    for (const row of rows) {
      // the row with datid 0 holds shared objects and has no database name
      if (row.datname === null) continue;
      const labels = { datid: String(row.datid), datname: String(row.datname) };
      columns.forEach((c, i) => {
        const value = num(row[`c${i}`]);
        if (value === undefined) return;
        out.push(sample(`pg_stat_database_${c.metric}`, c.help, c.type, labels, value * (c.scale ?? 1)));
      });
    }
    return out;
  },
};
