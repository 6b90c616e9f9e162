import { type Collector, perTableSamples, type TableMetric } from '../collector';
import type { MetricType } from '../exposition';

interface Column {
  column: string;
  metric: string;
  type: MetricType;
  help: string;
}

// Names, types and help texts are postgres_exporter's (collector/pg_stat_user_tables.go).
export const COLUMNS: Column[] = [
  {
    column: 'seq_scan',
    metric: 'seq_scan',
    type: 'counter',
    help: 'Number of sequential scans initiated on this table',
  },
  {
    column: 'seq_tup_read',
    metric: 'seq_tup_read',
    type: 'counter',
    help: 'Number of live rows fetched by sequential scans',
  },
  {
    column: 'idx_scan',
    metric: 'idx_scan',
    type: 'counter',
    help: 'Number of index scans initiated on this table',
  },
  {
    column: 'idx_tup_fetch',
    metric: 'idx_tup_fetch',
    type: 'counter',
    help: 'Number of live rows fetched by index scans',
  },
  { column: 'n_tup_ins', metric: 'n_tup_ins', type: 'counter', help: 'Number of rows inserted' },
  { column: 'n_tup_upd', metric: 'n_tup_upd', type: 'counter', help: 'Number of rows updated' },
  { column: 'n_tup_del', metric: 'n_tup_del', type: 'counter', help: 'Number of rows deleted' },
  {
    column: 'n_tup_hot_upd',
    metric: 'n_tup_hot_upd',
    type: 'counter',
    help: 'Number of rows HOT updated (i.e., with no separate index update required)',
  },
  { column: 'n_live_tup', metric: 'n_live_tup', type: 'gauge', help: 'Estimated number of live rows' },
  { column: 'n_dead_tup', metric: 'n_dead_tup', type: 'gauge', help: 'Estimated number of dead rows' },
  {
    column: 'n_mod_since_analyze',
    metric: 'n_mod_since_analyze',
    type: 'gauge',
    help: 'Estimated number of rows changed since last analyze',
  },
  {
    column: 'extract(epoch from last_vacuum)::float8',
    metric: 'last_vacuum',
    type: 'gauge',
    help: 'Last time at which this table was manually vacuumed (not counting VACUUM FULL)',
  },
  {
    column: 'extract(epoch from last_autovacuum)::float8',
    metric: 'last_autovacuum',
    type: 'gauge',
    help: 'Last time at which this table was vacuumed by the autovacuum daemon',
  },
  {
    column: 'extract(epoch from last_analyze)::float8',
    metric: 'last_analyze',
    type: 'gauge',
    help: 'Last time at which this table was manually analyzed',
  },
  {
    column: 'extract(epoch from last_autoanalyze)::float8',
    metric: 'last_autoanalyze',
    type: 'gauge',
    help: 'Last time at which this table was analyzed by the autovacuum daemon',
  },
  {
    column: 'vacuum_count',
    metric: 'vacuum_count',
    type: 'counter',
    help: 'Number of times this table has been manually vacuumed (not counting VACUUM FULL)',
  },
  {
    column: 'autovacuum_count',
    metric: 'autovacuum_count',
    type: 'counter',
    help: 'Number of times this table has been vacuumed by the autovacuum daemon',
  },
  {
    column: 'analyze_count',
    metric: 'analyze_count',
    type: 'counter',
    help: 'Number of times this table has been manually analyzed',
  },
  {
    column: 'autoanalyze_count',
    metric: 'autoanalyze_count',
    type: 'counter',
    help: 'Number of times this table has been analyzed by the autovacuum daemon',
  },
  {
    column: 'pg_indexes_size(relid)',
    metric: 'index_size_bytes',
    type: 'gauge',
    help: 'Total disk space used by this index, in bytes',
  },
  {
    column: 'pg_table_size(relid)',
    metric: 'table_size_bytes',
    type: 'gauge',
    help: 'Total disk space used by this table, in bytes',
  },
];

// int8 columns come back as text from pg; ::float8 makes them numbers on the wire already parsed
export const SQL = `SELECT current_database() AS datname, schemaname, relname, ${COLUMNS.map(
  (c, i) => `(${c.column})::float8 AS c${i}`,
).join(', ')} FROM pg_stat_user_tables`;

const METRICS: TableMetric[] = COLUMNS.map((c) => ({
  name: `pg_stat_user_tables_${c.metric}`,
  help: c.help,
  type: c.type,
}));

export const statUserTables: Collector = {
  name: 'stat_user_tables',
  defaultEnabled: true,
  scope: 'database',
  description:
    'per-table scans, row counts, vacuum/analyze times and sizes in every database (`pg_stat_user_tables`)',
  async collect(ctx) {
    return perTableSamples(await ctx.query(SQL), METRICS);
  },
};
