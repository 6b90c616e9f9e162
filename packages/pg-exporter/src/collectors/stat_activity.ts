import type { Collector } from '../collector';
import { num, type Sample, sample, str } from '../exposition';

export const SQL = `SELECT pg_database.datname, tmp.state, tmp2.usename, tmp2.application_name, tmp2.backend_type,
  tmp2.wait_event_type, tmp2.wait_event,
  COALESCE(count, 0) AS count, COALESCE(max_tx_duration, 0) AS max_tx_duration
FROM (VALUES ('active'), ('idle'), ('idle in transaction'), ('idle in transaction (aborted)'),
             ('fastpath function call'), ('disabled')) AS tmp(state)
CROSS JOIN pg_database
LEFT JOIN (
  SELECT datname, state, usename, application_name, backend_type, wait_event_type, wait_event,
    count(*) AS count, MAX(EXTRACT(EPOCH FROM now() - xact_start))::float AS max_tx_duration
  FROM pg_stat_activity WHERE pid <> pg_backend_pid()
  GROUP BY datname, state, usename, application_name, backend_type, wait_event_type, wait_event
) AS tmp2 ON tmp.state = tmp2.state AND pg_database.datname = tmp2.datname`;

export const statActivity: Collector = {
  name: 'stat_activity',
  defaultEnabled: true,
  scope: 'server',
  description: 'connections per database, state, user, application and wait event (`pg_stat_activity`)',
  async collect(ctx) {
    const out: Sample[] = [];
    for (const row of await ctx.query(SQL)) {
      const labels = {
        datname: str(row.datname),
        state: str(row.state),
        usename: str(row.usename),
        application_name: str(row.application_name),
        backend_type: str(row.backend_type),
        wait_event_type: str(row.wait_event_type),
        wait_event: str(row.wait_event),
      };
      const count = num(row.count);
      if (count !== undefined)
        out.push(
          sample('pg_stat_activity_count', 'number of connections in this state', 'gauge', labels, count),
        );
      const max = num(row.max_tx_duration);
      if (max !== undefined)
        out.push(
          sample(
            'pg_stat_activity_max_tx_duration',
            'max duration in seconds any active transaction has been running',
            'gauge',
            labels,
            max,
          ),
        );
    }
    return out;
  },
};
