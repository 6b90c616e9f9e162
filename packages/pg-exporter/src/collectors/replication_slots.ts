import { type Collector, majorVersion } from '../collector';
import { num, type Sample, sample, str } from '../exposition';

export function sqlFor(version: number): string {
  const extra = majorVersion(version) >= 13 ? ', safe_wal_size, wal_status' : '';
  return `SELECT slot_name, slot_type, database, active,
  pg_wal_lsn_diff(w.lsn, restart_lsn)::float8 AS wal_lsn_diff,
  pg_wal_lsn_diff(w.lsn, '0/0')::float8 AS current_wal_lsn,
  pg_wal_lsn_diff(confirmed_flush_lsn, '0/0')::float8 AS confirmed_flush_lsn${extra}
FROM pg_replication_slots
CROSS JOIN (SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END AS lsn) w`;
}

export const replicationSlots: Collector = {
  name: 'replication_slots',
  defaultEnabled: true,
  scope: 'server',
  description:
    'replication slots: active, WAL retained in bytes, safe WAL size, WAL status (`pg_replication_slots`)',
  async collect(ctx) {
    const out: Sample[] = [];
    for (const row of await ctx.query(sqlFor(ctx.version))) {
      const labels = { slot_name: str(row.slot_name), database: str(row.database) };
      const slotLabels = {
        slot_name: row.slot_name === null ? 'unknown' : String(row.slot_name),
        slot_type: row.slot_type === null ? 'unknown' : String(row.slot_type),
      };
      const active = row.active === null ? undefined : row.active ? 1 : 0;
      if (active !== undefined) {
        out.push(
          sample(
            'pg_replication_slots_active',
            'Flag indicating if the slot is active',
            'gauge',
            labels,
            active,
          ),
        );
        out.push(
          sample(
            'pg_replication_slots_slot_is_active',
            'whether the replication slot is active or not',
            'gauge',
            slotLabels,
            active,
          ),
        );
      }
      const diff = num(row.wal_lsn_diff);
      if (diff !== undefined)
        out.push(
          sample('pg_replication_slots_pg_wal_lsn_diff', 'Replication lag in bytes', 'gauge', labels, diff),
        );
      const current = num(row.current_wal_lsn);
      if (current !== undefined)
        out.push(
          sample(
            'pg_replication_slots_slot_current_wal_lsn',
            'current wal lsn value',
            'gauge',
            slotLabels,
            current,
          ),
        );
      const flushed = num(row.confirmed_flush_lsn);
      if (flushed !== undefined && active === 1)
        out.push(
          sample(
            'pg_replication_slots_slot_confirmed_flush_lsn',
            'last lsn confirmed flushed to the replication slot',
            'gauge',
            slotLabels,
            flushed,
          ),
        );
      const safe = num(row.safe_wal_size);
      if (safe !== undefined)
        out.push(
          sample(
            'pg_replication_slots_safe_wal_size_bytes',
            'number of bytes that can be written to WAL such that this slot is not in danger of getting in state lost',
            'gauge',
            slotLabels,
            safe,
          ),
        );
      if (row.wal_status !== undefined && row.wal_status !== null)
        out.push(
          sample(
            'pg_replication_slots_wal_status',
            'availability of WAL files claimed by this slot',
            'gauge',
            { ...slotLabels, wal_status: String(row.wal_status) },
            1,
          ),
        );
    }
    return out;
  },
};
