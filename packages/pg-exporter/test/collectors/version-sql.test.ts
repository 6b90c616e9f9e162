import { buffercacheSummary } from '../../src/collectors/buffercache_summary';
import { sqlFor as slotsSql } from '../../src/collectors/replication_slots';
import { sqlFor as bgwriterSql, statBgwriter } from '../../src/collectors/stat_bgwriter';
import { statCheckpointer } from '../../src/collectors/stat_checkpointer';
import { sqlFor as statDatabaseSql } from '../../src/collectors/stat_database';
import { gaugesFor as vacuumGauges } from '../../src/collectors/stat_progress_vacuum';
import { sqlFor as statementsSql } from '../../src/collectors/stat_statements';
import { sqlFor as walReceiverSql } from '../../src/collectors/stat_wal_receiver';

const versions = { 13: 130016, 14: 140013, 15: 150008, 16: 160004, 17: 170002 };
const opts = { includeQuery: false, queryLength: 120, limit: 100 };

describe('version-aware SQL', () => {
  it('stat_bgwriter reads checkpoint and backend columns up to PostgreSQL 16 and only what is left in 17', () => {
    for (const v of [versions[13], versions[14], versions[15], versions[16]]) {
      expect(bgwriterSql(v)).toContain('checkpoints_timed');
      expect(bgwriterSql(v)).toContain('buffers_backend_fsync');
    }
    const sql17 = bgwriterSql(versions[17]);
    expect(sql17).not.toContain('checkpoints_timed');
    expect(sql17).not.toContain('buffers_backend');
    expect(sql17).toContain('buffers_clean');
    expect(sql17).toContain('maxwritten_clean');
    expect(sql17).toContain('buffers_alloc');
    expect(statBgwriter.minVersion).toBeUndefined();
  });

  it('stat_checkpointer runs from PostgreSQL 17 on and is off by default', () => {
    expect(statCheckpointer.minVersion).toBe(170000);
    expect(statCheckpointer.defaultEnabled).toBe(false);
  });

  it('stat_database reads the session columns from PostgreSQL 14 on', () => {
    expect(statDatabaseSql(versions[13])).not.toContain('active_time');
    expect(statDatabaseSql(versions[13])).toContain('checksum_failures');
    for (const v of [versions[14], versions[15], versions[16], versions[17]]) {
      expect(statDatabaseSql(v)).toContain('active_time');
      expect(statDatabaseSql(v)).toContain('sessions_killed');
    }
  });

  it('replication_slots reads safe_wal_size and wal_status on every supported version (13+)', () => {
    for (const v of Object.values(versions)) expect(slotsSql(v)).toContain('wal_status');
  });

  it('stat_statements uses total_exec_time from 13 and shared_blk_*_time from 17', () => {
    expect(statementsSql(versions[13], opts)).toContain('total_exec_time');
    expect(statementsSql(versions[16], opts)).toContain('s.blk_read_time');
    expect(statementsSql(versions[17], opts)).toContain('shared_blk_read_time');
    expect(statementsSql(versions[17], opts)).toContain('shared_blk_write_time');
    expect(statementsSql(versions[15], { ...opts, includeQuery: true, queryLength: 40 })).toContain(
      'LEFT(s.query, 40)',
    );
  });

  it('buffercache_summary needs PostgreSQL 16', () => {
    expect(buffercacheSummary.minVersion).toBe(160000);
  });

  it('stat_wal_receiver reads received_lsn on 13 and flushed_lsn from 14 on', () => {
    expect(walReceiverSql(versions[13])).toContain('(received_lsn');
    expect(walReceiverSql(versions[13])).not.toContain('(flushed_lsn');
    for (const v of [versions[14], versions[15], versions[16], versions[17]])
      expect(walReceiverSql(v)).toContain('(flushed_lsn');
  });

  it('stat_progress_vacuum reads dead tuple counts up to 16 and the 17 byte columns from 17 on', () => {
    const names = (v: number) => vacuumGauges(v).map(([column, metric]) => `${column}:${metric}`);
    expect(names(versions[16])).toEqual(
      expect.arrayContaining(['param6:max_dead_tuples', 'param7:num_dead_tuples']),
    );
    expect(names(versions[17])).toEqual(
      expect.arrayContaining([
        'param6:max_dead_tuple_bytes',
        'param7:dead_tuple_bytes',
        'param8:num_dead_tuples',
      ]),
    );
    expect(names(versions[17])).not.toContain('param6:max_dead_tuples');
  });
});
