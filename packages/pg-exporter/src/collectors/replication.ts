import type { Collector } from '../collector';
import { num, type Sample, sample } from '../exposition';

// The lag is 0 while the replica has replayed everything it received: upstream's
// now() - pg_last_xact_replay_timestamp() alone grows without bound when the primary is idle.
export const SQL = `SELECT pg_is_in_recovery() AS is_replica,
  CASE WHEN NOT pg_is_in_recovery() THEN 0
       WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
       ELSE GREATEST(0, EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp()))) END AS lag,
  CASE WHEN pg_is_in_recovery()
       THEN GREATEST(0, EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp()))) END AS last_replay,
  CASE WHEN pg_is_in_recovery()
       THEN GREATEST(0, pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())) END AS replay_lag_bytes,
  (SELECT status FROM pg_stat_wal_receiver LIMIT 1) AS receiver_status`;

export const replication: Collector = {
  name: 'replication',
  defaultEnabled: true,
  scope: 'server',
  description:
    'on a replica: lag in seconds (0 when caught up) and bytes, WAL receiver status; `pg_replication_is_replica` everywhere',
  async collect(ctx) {
    const out: Sample[] = [];
    const [row] = await ctx.query(SQL);
    if (!row) return out;
    const lag = num(row.lag);
    if (lag !== undefined)
      out.push(
        sample('pg_replication_lag_seconds', 'Replication lag behind master in seconds', 'gauge', {}, lag),
      );
    out.push(
      sample(
        'pg_replication_is_replica',
        'Indicates if the server is a replica',
        'gauge',
        {},
        row.is_replica ? 1 : 0,
      ),
    );
    const lastReplay = num(row.last_replay);
    if (lastReplay !== undefined)
      out.push(
        sample(
          'pg_replication_last_replay_seconds',
          'Age of last replay in seconds',
          'gauge',
          {},
          lastReplay,
        ),
      );
    if (row.is_replica) {
      const bytes = num(row.replay_lag_bytes);
      if (bytes !== undefined)
        out.push(
          sample(
            'pg_replication_replay_lag_bytes',
            'WAL received by this replica but not yet replayed, in bytes',
            'gauge',
            {},
            bytes,
          ),
        );
      out.push(
        sample(
          'pg_replication_wal_receiver_up',
          'Whether this replica has a WAL receiver streaming from its upstream (1) or not (0)',
          'gauge',
          {},
          row.receiver_status === 'streaming' ? 1 : 0,
        ),
      );
    }
    return out;
  },
};
