import { type Collector, majorVersion } from '../collector';
import { type MetricType, num, type Sample, sample, str } from '../exposition';

/** PostgreSQL 14 renamed received_lsn to flushed_lsn (and added written_lsn). */
export function sqlFor(version: number): string {
  const flushed = majorVersion(version) >= 14 ? 'flushed_lsn' : 'received_lsn';
  return `SELECT trim(both '''' from substring(conninfo from 'host=([^ ]*)')) AS upstream_host, slot_name, status,
  ((receive_start_lsn - '0/0') % (2^52)::bigint)::float8 AS receive_start_lsn,
  ((${flushed} - '0/0') % (2^52)::bigint)::float8 AS flushed_lsn,
  receive_start_tli, received_tli,
  extract(epoch from last_msg_send_time)::float8 AS last_msg_send_time,
  extract(epoch from last_msg_receipt_time)::float8 AS last_msg_receipt_time,
  ((latest_end_lsn - '0/0') % (2^52)::bigint)::float8 AS latest_end_lsn,
  extract(epoch from latest_end_time)::float8 AS latest_end_time,
  substring(slot_name from 'repmgr_slot_([0-9]*)') AS upstream_node
FROM pg_catalog.pg_stat_wal_receiver`;
}

const COLUMNS: Array<[string, MetricType, string]> = [
  [
    'receive_start_lsn',
    'counter',
    'First write-ahead log location used when WAL receiver is started represented as a decimal',
  ],
  [
    'flushed_lsn',
    'counter',
    'Last write-ahead log location already received and flushed to disk, the initial value of this field being the first log location used when WAL receiver is started represented as a decimal',
  ],
  ['receive_start_tli', 'gauge', 'First timeline number used when WAL receiver is started'],
  ['received_tli', 'gauge', 'Timeline number of last write-ahead log location received and flushed to disk'],
  ['last_msg_send_time', 'counter', 'Send time of last message received from origin WAL sender'],
  ['last_msg_receipt_time', 'counter', 'Send time of last message received from origin WAL sender'],
  ['latest_end_lsn', 'counter', 'Last write-ahead log location reported to origin WAL sender as integer'],
  ['latest_end_time', 'counter', 'Time of last write-ahead log location reported to origin WAL sender'],
  ['upstream_node', 'gauge', 'Node ID of the upstream node'],
];

export const statWalReceiver: Collector = {
  name: 'stat_wal_receiver',
  defaultEnabled: false,
  scope: 'server',
  description: "a replica's WAL receiver: positions, timelines, message times (`pg_stat_wal_receiver`)",
  async collect(ctx) {
    const out: Sample[] = [];
    for (const row of await ctx.query(sqlFor(ctx.version))) {
      const labels = {
        upstream_host: str(row.upstream_host),
        slot_name: str(row.slot_name),
        status: str(row.status),
      };
      for (const [column, type, help] of COLUMNS) {
        const value = num(row[column]);
        if (value !== undefined)
          out.push(sample(`pg_stat_wal_receiver_${column}`, help, type, labels, value));
      }
    }
    return out;
  },
};
