import type { Collector } from '../collector';
import type { Sample } from '../exposition';

const BUCKETS = [1, 2, 5, 15, 30, 60, 90, 120, 300];

export const SQL = `SELECT state, application_name, EXTRACT(EPOCH FROM (clock_timestamp() - state_change))::float8 AS idle
FROM pg_stat_activity WHERE state ~ '^idle' AND pid <> pg_backend_pid() AND state_change IS NOT NULL`;

const HELP = 'Idle time of server processes';

export const processIdle: Collector = {
  name: 'process_idle',
  defaultEnabled: false,
  scope: 'server',
  description: 'histogram of how long idle connections have been idle, per state and application',
  async collect(ctx) {
    const groups = new Map<string, { labels: Record<string, string>; values: number[] }>();
    for (const row of await ctx.query(SQL)) {
      const labels = {
        state: row.state === null ? 'unknown' : String(row.state),
        application_name: row.application_name === null ? 'unknown' : String(row.application_name),
      };
      const key = `${labels.state}\u0000${labels.application_name}`;
      const group = groups.get(key) ?? { labels, values: [] as number[] };
      group.values.push(Number(row.idle));
      groups.set(key, group);
    }
    const out: Sample[] = [];
    const family = 'pg_process_idle_seconds';
    for (const { labels, values } of groups.values()) {
      for (const le of BUCKETS) {
        const count = values.filter((v) => v <= le).length;
        out.push({
          family,
          name: `${family}_bucket`,
          help: HELP,
          type: 'histogram',
          labels: { ...labels, le: String(le) },
          value: count,
        });
      }
      out.push({
        family,
        name: `${family}_bucket`,
        help: HELP,
        type: 'histogram',
        labels: { ...labels, le: '+Inf' },
        value: values.length,
      });
      out.push({
        family,
        name: `${family}_sum`,
        help: HELP,
        type: 'histogram',
        labels,
        value: values.reduce((a, b) => a + b, 0),
      });
      out.push({
        family,
        name: `${family}_count`,
        help: HELP,
        type: 'histogram',
        labels,
        value: values.length,
      });
    }
    return out;
  },
};
