import { type Collector, perTableSamples, type TableMetric } from '../collector';

// Names and help texts are postgres_exporter's (collector/pg_statio_user_tables.go).
export const COLUMNS: Array<[string, string, string]> = [
  ['heap_blks_read', 'heap_blocks_read', 'Number of disk blocks read from this table'],
  ['heap_blks_hit', 'heap_blocks_hit', 'Number of buffer hits in this table'],
  ['idx_blks_read', 'idx_blocks_read', 'Number of disk blocks read from all indexes on this table'],
  ['idx_blks_hit', 'idx_blocks_hit', 'Number of buffer hits in all indexes on this table'],
  [
    'toast_blks_read',
    'toast_blocks_read',
    "Number of disk blocks read from this table's TOAST table (if any)",
  ],
  ['toast_blks_hit', 'toast_blocks_hit', "Number of buffer hits in this table's TOAST table (if any)"],
  [
    'tidx_blks_read',
    'tidx_blocks_read',
    "Number of disk blocks read from this table's TOAST table indexes (if any)",
  ],
  ['tidx_blks_hit', 'tidx_blocks_hit', "Number of buffer hits in this table's TOAST table indexes (if any)"],
];

export const SQL = `SELECT current_database() AS datname, schemaname, relname, ${COLUMNS.map(
  ([c], i) => `${c}::float8 AS c${i}`,
).join(', ')} FROM pg_statio_user_tables`;

const METRICS: TableMetric[] = COLUMNS.map(([, metric, help]) => ({
  name: `pg_statio_user_tables_${metric}`,
  help,
  type: 'counter',
}));

export const statioUserTables: Collector = {
  name: 'statio_user_tables',
  defaultEnabled: true,
  scope: 'database',
  description:
    'per-table block reads and buffer hits (heap, index, TOAST) in every database (`pg_statio_user_tables`)',
  async collect(ctx) {
    return perTableSamples(await ctx.query(SQL), METRICS);
  },
};
