import type { Collector } from '../collector';
import { num, type Sample, sample, str } from '../exposition';

export const SQL = `SELECT r.application_name, r.client_addr::text AS client_addr, r.state, s.slot_name, r.pid,
  pg_wal_lsn_diff(w.lsn, '0/0')::float8 AS current_wal_lsn_bytes,
  pg_wal_lsn_diff(w.lsn, r.replay_lsn)::float8 AS wal_lsn_diff,
  pg_wal_lsn_diff(w.lsn, r.write_lsn)::float8 AS write_lag_bytes,
  pg_wal_lsn_diff(w.lsn, r.flush_lsn)::float8 AS flush_lag_bytes,
  pg_wal_lsn_diff(w.lsn, r.replay_lsn)::float8 AS replay_lag_bytes,
  EXTRACT(EPOCH FROM r.write_lag)::float8 AS write_lag_seconds,
  EXTRACT(EPOCH FROM r.flush_lag)::float8 AS flush_lag_seconds,
  EXTRACT(EPOCH FROM r.replay_lag)::float8 AS replay_lag_seconds,
  EXTRACT(EPOCH FROM r.reply_time)::float8 AS reply_time
FROM pg_stat_replication r
CROSS JOIN (SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END AS lsn) w
LEFT JOIN pg_replication_slots s ON s.active_pid = r.pid`;

const STAGES = ['write', 'flush', 'replay'] as const;

export const statReplication: Collector = {
  name: 'stat_replication',
  defaultEnabled: true,
  scope: 'server',
  description:
    'per standby: WAL position and lag in bytes and seconds for write, flush and replay (`pg_stat_replication`)',
  async collect(ctx) {
    const out: Sample[] = [];
    for (const row of await ctx.query(SQL)) {
      const labels = {
        application_name: str(row.application_name),
        client_addr: str(row.client_addr),
        state: str(row.state),
        slot_name: str(row.slot_name),
        pid: str(row.pid),
      };
      const current = num(row.current_wal_lsn_bytes);
      if (current !== undefined)
        out.push(
          sample(
            'pg_stat_replication_pg_current_wal_lsn_bytes',
            'WAL position in bytes',
            'gauge',
            labels,
            current,
          ),
        );
      const diff = num(row.wal_lsn_diff);
      if (diff !== undefined)
        out.push(
          sample(
            'pg_stat_replication_pg_wal_lsn_diff',
            'Lag in bytes between master and slave',
            'gauge',
            labels,
            diff,
          ),
        );
      const reply = num(row.reply_time);
      if (reply !== undefined)
        out.push(
          sample(
            'pg_stat_replication_reply_time',
            'Send time of the last reply message received from the standby, in seconds since the epoch',
            'gauge',
            labels,
            reply,
          ),
        );
      for (const stage of STAGES) {
        const bytes = num(row[`${stage}_lag_bytes`]);
        if (bytes !== undefined)
          out.push(
            sample(
              `pg_stat_replication_${stage}_lag_bytes`,
              `WAL not yet ${stage === 'write' ? 'written' : stage === 'flush' ? 'flushed' : 'replayed'} by the standby, in bytes`,
              'gauge',
              labels,
              Math.max(0, bytes),
            ),
          );
        // PostgreSQL sets *_lag to NULL once an idle standby has caught up: that is 0, not unknown
        let seconds = num(row[`${stage}_lag_seconds`]);
        if (seconds === undefined && bytes !== undefined && bytes <= 0) seconds = 0;
        if (seconds !== undefined)
          out.push(
            sample(
              `pg_stat_replication_${stage}_lag_seconds`,
              `Time between flushing recent WAL locally and the standby reporting it ${stage === 'write' ? 'written' : stage === 'flush' ? 'flushed' : 'replayed'}, in seconds`,
              'gauge',
              labels,
              seconds,
            ),
          );
      }
    }
    return out;
  },
};
