import type { Collector } from '../collector';
import { num, type Sample, sample } from '../exposition';

export const SQL = `SELECT buffers_used, buffers_unused, buffers_dirty, buffers_pinned, usagecount_avg FROM pg_buffercache_summary()`;

const COLUMNS: Array<[string, string]> = [
  ['buffers_used', 'Number of used shared buffers'],
  ['buffers_unused', 'Number of unused shared buffers'],
  ['buffers_dirty', 'Number of dirty shared buffers'],
  ['buffers_pinned', 'Number of pinned shared buffers'],
  ['usagecount_avg', 'Average usage count of used shared buffers'],
];

export const buffercacheSummary: Collector = {
  name: 'buffercache_summary',
  defaultEnabled: false,
  scope: 'server',
  minVersion: 160000,
  description: 'shared buffer usage on PostgreSQL 16+ when the pg_buffercache extension is installed',
  async collect(ctx) {
    const out: Sample[] = [];
    const ext = await ctx.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_buffercache'");
    if (ext.length === 0) return out; // not installed: nothing to report, not a failure
    const [row] = await ctx.query(SQL);
    for (const [column, help] of COLUMNS) {
      const value = num(row?.[column]);
      if (value !== undefined) out.push(sample(`pg_buffercache_summary_${column}`, help, 'gauge', {}, value));
    }
    return out;
  },
};
