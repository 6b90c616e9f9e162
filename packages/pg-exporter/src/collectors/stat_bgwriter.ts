import { type Collector, majorVersion } from '../collector';
import { num, type Sample, sample } from '../exposition';

interface Column {
  column: string;
  metric: string;
  help: string;
}

const CHECKPOINT_COLUMNS: Column[] = [
  {
    column: 'checkpoints_timed',
    metric: 'checkpoints_timed_total',
    help: 'Number of scheduled checkpoints that have been performed',
  },
  {
    column: 'checkpoints_req',
    metric: 'checkpoints_req_total',
    help: 'Number of requested checkpoints that have been performed',
  },
  {
    column: 'checkpoint_write_time',
    metric: 'checkpoint_write_time_total',
    help: 'Total amount of time that has been spent in the portion of checkpoint processing where files are written to disk, in milliseconds',
  },
  {
    column: 'checkpoint_sync_time',
    metric: 'checkpoint_sync_time_total',
    help: 'Total amount of time that has been spent in the portion of checkpoint processing where files are synchronized to disk, in milliseconds',
  },
  {
    column: 'buffers_checkpoint',
    metric: 'buffers_checkpoint_total',
    help: 'Number of buffers written during checkpoints',
  },
];
const BGWRITER_COLUMNS: Column[] = [
  {
    column: 'buffers_clean',
    metric: 'buffers_clean_total',
    help: 'Number of buffers written by the background writer',
  },
  {
    column: 'maxwritten_clean',
    metric: 'maxwritten_clean_total',
    help: 'Number of times the background writer stopped a cleaning scan because it had written too many buffers',
  },
];
const BACKEND_COLUMNS: Column[] = [
  {
    column: 'buffers_backend',
    metric: 'buffers_backend_total',
    help: 'Number of buffers written directly by a backend',
  },
  {
    column: 'buffers_backend_fsync',
    metric: 'buffers_backend_fsync_total',
    help: 'Number of times a backend had to execute its own fsync call (normally the background writer handles those even when the backend does its own write)',
  },
];
const TAIL_COLUMNS: Column[] = [
  { column: 'buffers_alloc', metric: 'buffers_alloc_total', help: 'Number of buffers allocated' },
  {
    column: 'extract(epoch from stats_reset)',
    metric: 'stats_reset_total',
    help: 'Time at which these statistics were last reset',
  },
];

/**
 * PostgreSQL 17 moved the checkpoint columns to pg_stat_checkpointer and dropped
 * buffers_backend(_fsync) (now in pg_stat_io): from 17 on this collector reads only what is left,
 * and `stat_checkpointer` reports the rest.
 */
export function columnsFor(version: number): Column[] {
  if (majorVersion(version) >= 17) return [...BGWRITER_COLUMNS, ...TAIL_COLUMNS];
  return [...CHECKPOINT_COLUMNS, ...BGWRITER_COLUMNS, ...BACKEND_COLUMNS, ...TAIL_COLUMNS];
}

export function sqlFor(version: number): string {
  return `SELECT ${columnsFor(version)
    .map((c, i) => `${c.column} AS c${i}`)
    .join(', ')} FROM pg_stat_bgwriter`;
}

export const statBgwriter: Collector = {
  name: 'stat_bgwriter',
  defaultEnabled: true,
  scope: 'server',
  description: 'background writer and (before PostgreSQL 17) checkpoint counters (`pg_stat_bgwriter`)',
  async collect(ctx) {
    const out: Sample[] = [];
    const [row] = await ctx.query(sqlFor(ctx.version));
    if (!row) return out;
    columnsFor(ctx.version).forEach((c, i) => {
      const value = num(row[`c${i}`]);
      if (value !== undefined) out.push(sample(`pg_stat_bgwriter_${c.metric}`, c.help, 'counter', {}, value));
    });
    return out;
  },
};
