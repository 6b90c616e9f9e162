import type { Collector } from '../collector';
import { num, type Sample, sample } from '../exposition';

const COLUMNS: Array<[string, string, string]> = [
  ['num_timed', 'num_timed_total', 'Number of scheduled checkpoints due to timeout'],
  ['num_requested', 'num_requested_total', 'Number of requested checkpoints that have been performed'],
  [
    'restartpoints_timed',
    'restartpoints_timed_total',
    'Number of scheduled restartpoints due to timeout or after a failed attempt to perform it',
  ],
  ['restartpoints_req', 'restartpoints_req_total', 'Number of requested restartpoints'],
  ['restartpoints_done', 'restartpoints_done_total', 'Number of restartpoints that have been performed'],
  [
    'write_time',
    'write_time_total',
    'Total amount of time that has been spent in the portion of processing checkpoints and restartpoints where files are written to disk, in milliseconds',
  ],
  [
    'sync_time',
    'sync_time_total',
    'Total amount of time that has been spent in the portion of processing checkpoints and restartpoints where files are synchronized to disk, in milliseconds',
  ],
  [
    'buffers_written',
    'buffers_written_total',
    'Number of buffers written during checkpoints and restartpoints',
  ],
  ['extract(epoch from stats_reset)', 'stats_reset_total', 'Time at which these statistics were last reset'],
];

export const SQL = `SELECT ${COLUMNS.map(([c], i) => `${c} AS c${i}`).join(', ')} FROM pg_stat_checkpointer`;

export const statCheckpointer: Collector = {
  name: 'stat_checkpointer',
  defaultEnabled: false,
  scope: 'server',
  minVersion: 170000,
  description: 'checkpoint and restartpoint counters on PostgreSQL 17+ (`pg_stat_checkpointer`)',
  async collect(ctx) {
    const out: Sample[] = [];
    const [row] = await ctx.query(SQL);
    if (!row) return out;
    COLUMNS.forEach(([, metric, help], i) => {
      const value = num(row[`c${i}`]);
      if (value !== undefined) out.push(sample(`pg_stat_checkpointer_${metric}`, help, 'counter', {}, value));
    });
    return out;
  },
};
