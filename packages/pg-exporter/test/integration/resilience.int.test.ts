import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type PostgresCluster, startPostgres, waitFor } from '@reelwatch/testkit';
import pg from 'pg';
import type { RunningPgExporter } from '../../src/app';
import { Scrape, scrape, scrapeParsed, startTestExporter } from '../helpers';

describe('a down or slow server never breaks the scrape', () => {
  let cluster: PostgresCluster;
  let exporter: RunningPgExporter;
  let primary: string;
  let replica: string;
  let url: string;

  beforeAll(async () => {
    cluster = await startPostgres();
    primary = `127.0.0.1:${cluster.primary.port}/postgres`;
    replica = `127.0.0.1:${cluster.replica.port}/postgres`;
    exporter = await startTestExporter({
      DATA_SOURCE_NAME: `${cluster.primary.url('postgres')},${cluster.replica.url('postgres')}`,
      PG_EXPORTER_COLLECTION_TIMEOUT: '3s',
      PG_EXPORTER_STATEMENT_TIMEOUT: '2s',
      PG_EXPORTER_CONNECT_TIMEOUT: '1s',
    });
    url = `${exporter.server.url}/metrics`;
  });

  afterAll(async () => {
    await exporter?.close();
    await cluster?.destroy();
  });

  it('reports pg_up 0 for a stopped replica with its collectors failed, keeps the primary intact, and recovers', async () => {
    const before = await scrapeParsed(url);
    expect(before.value('pg_up', { server: replica })).toBe(1);
    await cluster.replica.stop();
    const down = await scrape(url);
    expect(down.status).toBe(200);
    const s = await scrapeParsed(url);
    expect(s.value('pg_up', { server: replica })).toBe(0);
    expect(s.value('pg_up', { server: primary })).toBe(1);
    expect(s.value('pg_scrape_collector_success', { server: replica, collector: 'stat_database' })).toBe(0);
    expect(s.value('pg_scrape_collector_success', { server: primary, collector: 'stat_database' })).toBe(1);
    expect(s.series('pg_stat_database_xact_commit', { server: primary }).length).toBeGreaterThan(0);
    expect(s.series('pg_stat_database_xact_commit', { server: replica })).toEqual([]);
    expect(s.value('pg_exporter_last_scrape_error')).toBe(1);
    await cluster.replica.start();
    const up = await waitFor(
      async () => {
        const again = await scrapeParsed(url);
        return again.value('pg_up', { server: replica }) === 1 ? again : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'pg_up 1 for the restarted replica' },
    );
    expect(up.value('pg_scrape_collector_success', { server: replica, collector: 'stat_database' })).toBe(1);
  });

  it('turns pg_up 0 as soon as the connections are lost, not one scrape later', async () => {
    await scrapeParsed(url);
    await cluster.replica.stop();
    try {
      const s = await scrapeParsed(url);
      expect(s.value('pg_up', { server: replica })).toBe(0);
    } finally {
      await cluster.replica.start();
    }
  });

  it('fails only the blocked collector when a lock is held, within the scrape deadline', async () => {
    const db = await cluster.createDatabase();
    await cluster.primary.query('CREATE TABLE locked (id int)', [], db);
    const holder = new pg.Client({ connectionString: cluster.primary.url(db) });
    holder.on('error', () => undefined); // terminated on purpose below
    await holder.connect();
    const release = async () => {
      // pg_sleep does not notice a closed client socket: end the backend to drop the lock
      await cluster.primary.query('SELECT pg_terminate_backend($1)', [holderPid]);
      await holder.end().catch(() => undefined);
    };
    const [{ pid: holderPid }] = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))
      .rows as [{ pid: number }];
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE locked IN ACCESS EXCLUSIVE MODE');
      // the lock is held until this sleep ends or the backend is terminated
      const sleeping = holder.query('SELECT pg_sleep(60)').catch(() => undefined);
      const started = Date.now();
      const res = await scrape(url);
      const took = Date.now() - started;
      expect(res.status).toBe(200);
      expect(took).toBeLessThan(6000);
      const s = new Scrape(res.text);
      expect(s.value('pg_scrape_collector_success', { server: primary, collector: 'stat_user_tables' })).toBe(
        0,
      );
      expect(s.value('pg_scrape_collector_success', { server: primary, collector: 'stat_database' })).toBe(1);
      expect(s.value('pg_scrape_collector_success', { server: replica, collector: 'stat_user_tables' })).toBe(
        1,
      );
      expect(s.value('pg_up', { server: primary })).toBe(1);
      await release();
      await sleeping;
    } finally {
      await release().catch(() => undefined);
    }
    const after = await scrapeParsed(url);
    expect(
      after.value('pg_scrape_collector_success', { server: primary, collector: 'stat_user_tables' }),
    ).toBe(1);
  });

  it('shares one collection between concurrent scrapes and stays within the connection bound', async () => {
    const before = (await scrapeParsed(url)).value('pg_exporter_scrapes_total');
    const results = await Promise.all(Array.from({ length: 8 }, () => scrape(url)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const after = (await scrapeParsed(url)).value('pg_exporter_scrapes_total');
    // 8 concurrent requests + the one above: at most 2 collections, not 9
    expect(after - before).toBeLessThanOrEqual(3);
    const [conns] = await cluster.primary.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'reelwatch-pg-exporter'",
    );
    expect(Number(conns?.n)).toBeLessThanOrEqual(3);
  });
});

describe('a server that accepts connections but never answers', () => {
  let cluster: PostgresCluster;
  let silent: net.Server;
  const sockets: net.Socket[] = [];
  let exporter: RunningPgExporter;

  beforeAll(async () => {
    cluster = await startPostgres({ replica: false });
    silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    exporter = await startTestExporter({
      DATA_SOURCE_NAME: `${cluster.primary.url('postgres')},postgresql://postgres@127.0.0.1:${port}/postgres`,
      PG_EXPORTER_CONNECT_TIMEOUT: '1s',
      PG_EXPORTER_COLLECTION_TIMEOUT: '4s',
    });
  });

  afterAll(async () => {
    await exporter?.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
    await cluster?.destroy();
  });

  it('is reported down within the connect timeout while the healthy server is scraped as usual', async () => {
    const port = (silent.address() as net.AddressInfo).port;
    const started = Date.now();
    const s = await scrapeParsed(`${exporter.server.url}/metrics`);
    expect(Date.now() - started).toBeLessThan(3500);
    expect(s.value('pg_up', { server: `127.0.0.1:${port}/postgres` })).toBe(0);
    expect(s.value('pg_up', { server: `127.0.0.1:${cluster.primary.port}/postgres` })).toBe(1);
    expect(
      s.series('pg_stat_database_xact_commit', { server: `127.0.0.1:${cluster.primary.port}/postgres` })
        .length,
    ).toBeGreaterThan(0);
  });
});

describe('custom queries (queries.yaml)', () => {
  let cluster: PostgresCluster;
  let exporter: RunningPgExporter;
  let dir: string;
  let primary: string;

  beforeAll(async () => {
    cluster = await startPostgres({ replica: false });
    primary = `127.0.0.1:${cluster.primary.port}/postgres`;
    dir = mkdtempSync(path.join(tmpdir(), 'pgx-queries-'));
    const file = path.join(dir, 'queries.yaml');
    writeFileSync(
      file,
      `pg_custom:
  query: "SELECT 'a' AS kind, 3 AS hits, 1.5 AS level, 'slow' AS mode, '250ms' AS took, 7 AS junk, NULL::int AS missing"
  master: true
  metrics:
    - kind: { usage: "LABEL", description: "kind" }
    - hits: { usage: "COUNTER", description: "hits so far" }
    - level: { usage: "GAUGE", description: "a level" }
    - mode: { usage: "MAPPEDMETRIC", description: "mode", metric_mapping: { fast: 1, slow: 2 } }
    - took: { usage: "DURATION", description: "how long" }
    - junk: { usage: "DISCARD", description: "ignored" }
    - missing: { usage: "GAUGE", description: "NULL" }
pg_dupes:
  query: "SELECT 'same' AS k, g AS v FROM generate_series(1, 3) g"
  metrics:
    - k: { usage: "LABEL", description: "k" }
    - v: { usage: "GAUGE", description: "v" }
pg_cached:
  query: "SELECT extract(epoch from clock_timestamp())::float8 AS at"
  cache_seconds: 60
  metrics:
    - at: { usage: "GAUGE", description: "when it ran" }
pg_old_only:
  query: "SELECT 1 AS one"
  runonserver: "<10.0.0"
  metrics:
    - one: { usage: "GAUGE", description: "never on 13+" }
`,
    );
    exporter = await startTestExporter({
      DATA_SOURCE_NAME: cluster.primary.url('postgres'),
      PG_EXPORTER_EXTEND_QUERY_PATH: file,
    });
  });

  afterAll(async () => {
    await exporter?.close();
    await cluster?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('maps LABEL, COUNTER, GAUGE, MAPPEDMETRIC, DURATION and DISCARD columns like upstream', async () => {
    const s = await scrapeParsed(`${exporter.server.url}/metrics`);
    const labels = { server: primary, kind: 'a' };
    expect(s.value('pg_custom_hits', labels)).toBe(3);
    expect(s.type('pg_custom_hits')).toBe('counter');
    expect(s.value('pg_custom_level', labels)).toBe(1.5);
    expect(s.value('pg_custom_mode', labels)).toBe(2);
    expect(s.value('pg_custom_took_milliseconds', labels)).toBe(250);
    expect(s.series('pg_custom_junk')).toEqual([]);
    expect(s.series('pg_custom_missing')).toEqual([]);
    expect(s.series('pg_old_only_one')).toEqual([]);
    expect(s.series('pg_exporter_user_queries_load_error').map((x) => x.value)).toEqual([0]);
  });

  it('drops duplicate label sets from a user query and counts them instead of failing', async () => {
    const res = await scrape(`${exporter.server.url}/metrics`);
    expect(res.status).toBe(200);
    const s = new Scrape(res.text);
    expect(s.series('pg_dupes_v', { server: primary, k: 'same' })).toEqual([
      { name: 'pg_dupes_v', labels: { k: 'same', server: primary }, value: 1 },
    ]);
    expect(s.value('pg_exporter_duplicate_series_dropped_total')).toBeGreaterThanOrEqual(2);
    expect(
      s.value('pg_scrape_collector_success', { server: primary, collector: 'queries.yaml:pg_dupes' }),
    ).toBe(1);
  });

  it('serves cache_seconds queries from the cache', async () => {
    const first = (await scrapeParsed(`${exporter.server.url}/metrics`)).value('pg_cached_at', {
      server: primary,
    });
    const second = (await scrapeParsed(`${exporter.server.url}/metrics`)).value('pg_cached_at', {
      server: primary,
    });
    expect(second).toBe(first);
  });
});
