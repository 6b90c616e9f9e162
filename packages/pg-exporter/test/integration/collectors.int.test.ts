import { readFileSync } from 'node:fs';
import { lintMetrics, type PostgresCluster, startPostgres, waitFor } from '@reelwatch/testkit';
import pg from 'pg';
import type { RunningPgExporter } from '../../src/app';
import { COLLECTORS } from '../../src/collectors';
import { collectorEnvName } from '../../src/config';
import { fixturePath } from '../fixtures';
import { type Scrape, scrape, scrapeParsed, startTestExporter } from '../helpers';
import { COMPATIBLE_NAMES } from '../upstream';

// Every collector, on and off by default, against a real primary and its streaming replica.
describe('every collector on a primary and its streaming replica', () => {
  let cluster: PostgresCluster;
  let exporter: RunningPgExporter;
  let dbA: string;
  let dbB: string;
  let primary: string;
  let replica: string;
  let metricsUrl: string;
  const slot = `slot_${process.pid}`;
  const clients: pg.Client[] = [];

  beforeAll(async () => {
    cluster = await startPostgres({ settings: { shared_preload_libraries: 'pg_stat_statements' } });
    await cluster.primary.query('CREATE EXTENSION pg_stat_statements');
    dbA = await cluster.createDatabase();
    dbB = await cluster.createDatabase();
    const p = cluster.primary;
    await p.query('CREATE TABLE movies (id int PRIMARY KEY, title text)', [], dbA);
    await p.query("INSERT INTO movies SELECT g, 'movie ' || g FROM generate_series(1, 120) g", [], dbA);
    await p.query('UPDATE movies SET title = title WHERE id <= 20', [], dbA);
    await p.query('DELETE FROM movies WHERE id > 110', [], dbA);
    await p.query('SELECT count(*) FROM movies', [], dbA);
    await p.query('ANALYZE movies', [], dbA);
    await p.query('CREATE TABLE ratings (id int, stars int)', [], dbB);
    await p.query('INSERT INTO ratings SELECT g, g % 5 FROM generate_series(1, 30) g', [], dbB);
    await p.query(`SELECT pg_create_physical_replication_slot('${slot}', true)`);
    await cluster.waitForReplay();
    // one idle session and one idle-in-transaction session for process_idle and long_running_transactions
    for (const name of ['idle-check', 'tx-check']) {
      const client = new pg.Client({ connectionString: cluster.primary.url(dbA), application_name: name });
      clients.push(client);
      await client.connect();
    }
    await clients[1]?.query('BEGIN');
    await clients[1]?.query('SELECT txid_current()');
    primary = `127.0.0.1:${cluster.primary.port}/postgres`;
    replica = `127.0.0.1:${cluster.replica.port}/postgres`;
    const all = Object.fromEntries(COLLECTORS.map((c) => [collectorEnvName(c.name), 'true']));
    exporter = await startTestExporter({
      DATA_SOURCE_NAME: `${cluster.primary.url('postgres')},${cluster.replica.url('postgres')}`,
      PG_EXPORTER_COLLECTION_TIMEOUT: '20s',
      ...all,
    });
    metricsUrl = `${exporter.server.url}/metrics`;
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await exporter?.close();
    await cluster?.destroy();
  });

  /** Polls until PostgreSQL's cumulative statistics for dbA's table are visible (flushed ~1 s late). */
  async function scrapeWithTableStats(): Promise<Scrape> {
    return waitFor(
      async () => {
        const s = await scrapeParsed(metricsUrl);
        const ins = s.series('pg_stat_user_tables_n_tup_ins', {
          server: primary,
          datname: dbA,
          relname: 'movies',
        });
        return ins[0]?.value === 120 ? s : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'table statistics of movies in pg_stat_user_tables' },
    );
  }

  it('reports every enabled collector as successful on both servers', async () => {
    const s = await scrapeWithTableStats();
    for (const server of [primary, replica]) {
      for (const c of COLLECTORS) {
        expect({
          server,
          collector: c.name,
          success: s.value('pg_scrape_collector_success', { server, collector: c.name }),
        }).toEqual({
          server,
          collector: c.name,
          success: 1,
        });
      }
      expect(s.value('pg_up', { server })).toBe(1);
    }
  });

  it('per-table collectors cover every database on each server, with postgres_exporter names, types and labels', async () => {
    const s = await scrapeWithTableStats();
    const movies = { server: primary, datname: dbA, schemaname: 'public', relname: 'movies' };
    expect(s.value('pg_stat_user_tables_n_tup_ins', movies)).toBe(120);
    expect(s.value('pg_stat_user_tables_n_tup_upd', movies)).toBe(20);
    expect(s.value('pg_stat_user_tables_n_tup_del', movies)).toBe(10);
    expect(s.value('pg_stat_user_tables_n_live_tup', movies)).toBe(110);
    expect(s.value('pg_stat_user_tables_analyze_count', movies)).toBe(1);
    const [size] = await cluster.primary.query<{ t: string; i: string }>(
      "SELECT pg_table_size('movies') AS t, pg_indexes_size('movies') AS i",
      [],
      dbA,
    );
    expect(s.value('pg_stat_user_tables_table_size_bytes', movies)).toBe(Number(size?.t));
    expect(s.value('pg_stat_user_tables_index_size_bytes', movies)).toBe(Number(size?.i));
    expect(s.value('pg_stat_user_tables_last_analyze', movies)).toBeGreaterThan(Date.now() / 1000 - 600);
    // never vacuumed by hand: NULL in PostgreSQL, so no sample (upstream exports 0)
    expect(s.series('pg_stat_user_tables_last_vacuum', movies)).toEqual([]);
    expect(s.value('pg_statio_user_tables_heap_blocks_hit', movies)).toBeGreaterThan(0);
    expect(
      s.series('pg_stat_user_tables_n_tup_ins', { server: primary, datname: dbB, relname: 'ratings' }),
    ).toHaveLength(1);
    // the replica has the same tables (its own scan counters)
    expect(
      s.series('pg_stat_user_tables_seq_scan', { server: replica, datname: dbA, relname: 'movies' }),
    ).toHaveLength(1);
    expect(s.type('pg_stat_user_tables_seq_scan')).toBe('counter');
    expect(s.type('pg_stat_user_tables_n_live_tup')).toBe('gauge');
    expect(s.type('pg_statio_user_tables_idx_blocks_read')).toBe('counter');
    expect(s.labelNames().get('pg_stat_user_tables_seq_scan')).toEqual([
      'datname',
      'relname',
      'schemaname',
      'server',
    ]);
    const [idx] = s.series('pg_statio_user_indexes_idx_blks_hit_total', {
      server: primary,
      indexrelname: 'movies_pkey',
    });
    expect(idx?.labels).toMatchObject({ relname: 'movies', schemaname: 'public', datname: dbA });
  });

  it('server-wide collectors agree with what each server says', async () => {
    const s = await scrapeWithTableStats();
    const p = cluster.primary;
    const [db] = await p.query<{ size: string; limit: number }>(
      'SELECT pg_database_size($1) AS size, datconnlimit AS limit FROM pg_database WHERE datname = $1',
      [dbA],
    );
    expect(s.value('pg_database_size_bytes', { server: primary, datname: dbA })).toBeCloseTo(
      Number(db?.size),
      -6,
    );
    expect(s.value('pg_database_connection_limit', { server: primary, datname: dbA })).toBe(db?.limit);
    expect(s.type('pg_database_size_bytes')).toBe('gauge');

    const [settings] = await p.query<{ mc: string; sb: string }>(
      "SELECT current_setting('max_connections') AS mc, (SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'shared_buffers') AS sb",
    );
    expect(s.value('pg_settings_max_connections', { server: primary })).toBe(Number(settings?.mc));
    expect(s.value('pg_settings_shared_buffers_bytes', { server: replica })).toBe(Number(settings?.sb));
    const [fsync] = await p.query<{ fsync: string }>('SHOW fsync');
    expect(s.value('pg_settings_fsync', { server: primary })).toBe(fsync?.fsync === 'on' ? 1 : 0);

    const [stat] = await p.query<{ datid: string; commits: string }>(
      'SELECT datid::text AS datid, xact_commit AS commits FROM pg_stat_database WHERE datname = $1',
      [dbA],
    );
    const commits = s.value('pg_stat_database_xact_commit', {
      server: primary,
      datname: dbA,
      datid: String(stat?.datid),
    });
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThanOrEqual(Number(stat?.commits));
    expect(s.type('pg_stat_database_xact_commit')).toBe('counter');
    expect(s.type('pg_stat_database_numbackends')).toBe('gauge');
    expect(
      s.series('pg_stat_database_active_time_seconds_total', { server: primary, datname: dbA }),
    ).toHaveLength(1);
    expect(
      s.series('pg_stat_database_conflicts_confl_snapshot', { server: replica, datname: dbA }),
    ).toHaveLength(1);

    expect(s.series('pg_locks_count', { server: primary, datname: dbA })).toHaveLength(9);
    expect(s.labelNames().get('pg_stat_activity_count')).toEqual([
      'application_name',
      'backend_type',
      'datname',
      'server',
      'state',
      'usename',
      'wait_event',
      'wait_event_type',
    ]);
    expect(s.value('pg_roles_connection_limit', { server: primary, rolname: 'postgres' })).toBe(-1);
    expect(s.value('pg_stat_archiver_archived_count', { server: primary })).toBe(0);
    expect(s.series('pg_stat_archiver_last_archive_age', { server: primary })).toEqual([]);
    expect(s.value('pg_stat_bgwriter_buffers_alloc_total', { server: primary })).toBeGreaterThan(0);
    expect(s.series('pg_stat_bgwriter_checkpoints_timed_total', { server: replica })).toHaveLength(1);
    expect(s.value('pg_wal_segments', { server: primary })).toBeGreaterThanOrEqual(1);
    expect(s.value('pg_wal_size_bytes', { server: primary })).toBeGreaterThanOrEqual(16 * 1024 * 1024);
    const [start] = await p.query<{ t: number }>(
      'SELECT extract(epoch from pg_postmaster_start_time())::float8 AS t',
    );
    expect(s.value('pg_postmaster_start_time_seconds', { server: primary })).toBeCloseTo(Number(start?.t), 3);
    const [age] = await p.query<{ a: number }>(
      'SELECT age(datfrozenxid) AS a FROM pg_database WHERE datname = $1',
      [dbA],
    );
    expect(
      s.value('pg_database_wraparound_age_datfrozenxid_seconds', { server: primary, datname: dbA }),
    ).toBeGreaterThanOrEqual(Number(age?.a) - 5);
    const [version] = await p.query<{ v: string }>('SELECT version() AS v');
    expect(s.series('pg_static', { server: primary, version: String(version?.v) })).toHaveLength(1);
    expect(s.value('pg_long_running_transactions', { server: primary })).toBeGreaterThanOrEqual(1);
    expect(
      s.value('pg_long_running_transactions_oldest_timestamp_seconds', { server: primary }),
    ).toBeGreaterThan(0);
    expect(
      s.value('pg_process_idle_seconds_count', {
        server: primary,
        application_name: 'idle-check',
        state: 'idle',
      }),
    ).toBe(1);
    expect(s.type('pg_process_idle_seconds')).toBe('histogram');
    const statements = s.series('pg_stat_statements_calls_total', { server: primary, datname: dbA });
    expect(statements.length).toBeGreaterThan(0);
    expect(Object.keys(statements[0]?.labels ?? {}).sort()).toEqual(['datname', 'queryid', 'server', 'user']);
    expect(s.type('pg_stat_statements_seconds_total')).toBe('counter');
    expect(s.value('pg_xlog_location_bytes', { server: primary })).toBeGreaterThan(0);
  });

  it('replication: per-standby lag on the primary, lag 0 and a streaming receiver on the caught-up replica', async () => {
    await cluster.waitForReplay();
    const s = await scrapeWithTableStats();
    expect(s.value('pg_replication_is_replica', { server: primary })).toBe(0);
    expect(s.value('pg_replication_is_replica', { server: replica })).toBe(1);
    const lag = await waitFor(
      async () => {
        const again = await scrapeParsed(metricsUrl);
        const v = again.value('pg_replication_lag_seconds', { server: replica });
        return v === 0 ? again : undefined;
      },
      { timeoutMs: 20_000, what: 'pg_replication_lag_seconds 0 on the idle replica' },
    );
    expect(lag.value('pg_replication_wal_receiver_up', { server: replica })).toBe(1);
    expect(lag.value('pg_replication_replay_lag_bytes', { server: replica })).toBe(0);
    const standby = lag.series('pg_stat_replication_replay_lag_bytes', { server: primary });
    expect(standby).toHaveLength(1);
    expect(standby[0]?.labels).toMatchObject({
      state: 'streaming',
      client_addr: expect.stringContaining('127.0.0.1'),
    });
    for (const stage of ['write', 'flush', 'replay']) {
      expect(
        lag.series(`pg_stat_replication_${stage}_lag_bytes`, { server: primary })[0]?.value,
      ).toBeGreaterThanOrEqual(0);
      expect(
        lag.series(`pg_stat_replication_${stage}_lag_seconds`, { server: primary })[0]?.value,
      ).toBeGreaterThanOrEqual(0);
    }
    expect(lag.series('pg_stat_replication_pg_wal_lsn_diff', { server: primary })).toHaveLength(1);
    expect(lag.series('pg_stat_replication_pg_current_wal_lsn_bytes', { server: replica })).toEqual([]);
    const receiver = lag.series('pg_stat_wal_receiver_received_tli', { server: replica });
    expect(receiver[0]?.labels.status).toBe('streaming');
    expect(lag.value('pg_replication_slots_active', { server: primary, slot_name: slot, database: '' })).toBe(
      0,
    );
    expect(
      lag.value('pg_replication_slots_slot_is_active', {
        server: primary,
        slot_name: slot,
        slot_type: 'physical',
      }),
    ).toBe(0);
    expect(lag.series('pg_replication_slots_wal_status', { server: primary, slot_name: slot })).toHaveLength(
      1,
    );
  });

  it('labels every series of a server with that server, never with a password', async () => {
    const s = await scrapeWithTableStats();
    for (const family of s.families.values()) {
      if (!family.name.startsWith('pg_') || family.name.startsWith('pg_exporter_')) continue;
      for (const sample of family.samples)
        expect(sample.labels.server === primary || sample.labels.server === replica).toBe(true);
    }
  });

  it("passes service-kit's metric lint for our own names (upstream's are exempt, fixed by compatibility)", async () => {
    await scrapeWithTableStats();
    const { text } = await scrape(metricsUrl);
    const csv = readFileSync(fixturePath('postgres_exporter', 'metrics-head.csv'), 'utf8');
    const upstream = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',')[2] as string);
    const settings = [...text.matchAll(/^# TYPE (pg_settings_\S+)/gm)].map((m) => m[1] as string);
    const problems = await lintMetrics(text, {
      allowNames: [...upstream, ...COMPATIBLE_NAMES, ...settings],
      allowLabels: ['server'],
    });
    expect(problems).toEqual([]);
  });

  it('honours include and exclude lists for the per-database collectors', async () => {
    await scrapeWithTableStats();
    for (const [env, present, absent] of [
      [{ PG_EXPORTER_EXCLUDE_DATABASES: dbB }, dbA, dbB],
      [{ PG_EXPORTER_INCLUDE_DATABASES: dbB }, dbB, dbA],
    ] as const) {
      const filtered = await startTestExporter({ DATA_SOURCE_NAME: cluster.primary.url('postgres'), ...env });
      try {
        const s = await scrapeParsed(`${filtered.server.url}/metrics`);
        expect(s.series('pg_stat_user_tables_seq_scan', { datname: present }).length).toBeGreaterThan(0);
        expect(s.series('pg_stat_user_tables_seq_scan', { datname: absent })).toEqual([]);
        expect(s.series('pg_statio_user_tables_heap_blocks_hit', { datname: absent })).toEqual([]);
      } finally {
        await filtered.close();
      }
    }
  });
});
