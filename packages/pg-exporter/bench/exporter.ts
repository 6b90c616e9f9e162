// pnpm bench:exporter — one PostgreSQL server with 1,000 tables across 3 databases; the default
// collector set; median scrape time over 50 scrapes for ours and for Debian's postgres_exporter
// (0.11.1, given an equivalent queries.yaml for per-table stats since it lacks that collector),
// in the same run. Then resident memory of ours over 1,000 scrapes.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  findBinary,
  freePort,
  type ManagedProcess,
  spawnChild,
  startPostgres,
  startService,
  waitFor,
} from '@reelwatch/testkit';

const TABLES = 1000;
const DATABASES = 3;
const SCRAPES = 50;
const RSS_SCRAPES = 1000;

// The same columns and types our stat_user_tables and statio_user_tables collectors export.
const UPSTREAM_QUERIES = `pg_stat_user_tables:
  query: |
    SELECT current_database() datname, schemaname, relname, seq_scan, seq_tup_read, idx_scan, idx_tup_fetch,
      n_tup_ins, n_tup_upd, n_tup_del, n_tup_hot_upd, n_live_tup, n_dead_tup, n_mod_since_analyze,
      COALESCE(last_vacuum, '1970-01-01Z') as last_vacuum, COALESCE(last_autovacuum, '1970-01-01Z') as last_autovacuum,
      COALESCE(last_analyze, '1970-01-01Z') as last_analyze, COALESCE(last_autoanalyze, '1970-01-01Z') as last_autoanalyze,
      vacuum_count, autovacuum_count, analyze_count, autoanalyze_count,
      pg_indexes_size(relid) as index_size_bytes, pg_table_size(relid) as table_size_bytes
    FROM pg_stat_user_tables
  metrics:
    - datname: { usage: "LABEL", description: "Name of current database" }
    - schemaname: { usage: "LABEL", description: "Name of the schema that this table is in" }
    - relname: { usage: "LABEL", description: "Name of this table" }
    - seq_scan: { usage: "COUNTER", description: "Number of sequential scans initiated on this table" }
    - seq_tup_read: { usage: "COUNTER", description: "Number of live rows fetched by sequential scans" }
    - idx_scan: { usage: "COUNTER", description: "Number of index scans initiated on this table" }
    - idx_tup_fetch: { usage: "COUNTER", description: "Number of live rows fetched by index scans" }
    - n_tup_ins: { usage: "COUNTER", description: "Number of rows inserted" }
    - n_tup_upd: { usage: "COUNTER", description: "Number of rows updated" }
    - n_tup_del: { usage: "COUNTER", description: "Number of rows deleted" }
    - n_tup_hot_upd: { usage: "COUNTER", description: "Number of rows HOT updated" }
    - n_live_tup: { usage: "GAUGE", description: "Estimated number of live rows" }
    - n_dead_tup: { usage: "GAUGE", description: "Estimated number of dead rows" }
    - n_mod_since_analyze: { usage: "GAUGE", description: "Estimated number of rows changed since last analyze" }
    - last_vacuum: { usage: "GAUGE", description: "Last time at which this table was manually vacuumed" }
    - last_autovacuum: { usage: "GAUGE", description: "Last time at which this table was vacuumed by autovacuum" }
    - last_analyze: { usage: "GAUGE", description: "Last time at which this table was manually analyzed" }
    - last_autoanalyze: { usage: "GAUGE", description: "Last time at which this table was analyzed by autovacuum" }
    - vacuum_count: { usage: "COUNTER", description: "Number of times this table has been manually vacuumed" }
    - autovacuum_count: { usage: "COUNTER", description: "Number of times this table has been vacuumed by autovacuum" }
    - analyze_count: { usage: "COUNTER", description: "Number of times this table has been manually analyzed" }
    - autoanalyze_count: { usage: "COUNTER", description: "Number of times this table has been analyzed by autovacuum" }
    - index_size_bytes: { usage: "GAUGE", description: "Total disk space used by this index, in bytes" }
    - table_size_bytes: { usage: "GAUGE", description: "Total disk space used by this table, in bytes" }
pg_statio_user_tables:
  query: |
    SELECT current_database() datname, schemaname, relname, heap_blks_read as heap_blocks_read,
      heap_blks_hit as heap_blocks_hit, idx_blks_read as idx_blocks_read, idx_blks_hit as idx_blocks_hit,
      toast_blks_read as toast_blocks_read, toast_blks_hit as toast_blocks_hit,
      tidx_blks_read as tidx_blocks_read, tidx_blks_hit as tidx_blocks_hit
    FROM pg_statio_user_tables
  metrics:
    - datname: { usage: "LABEL", description: "Name of current database" }
    - schemaname: { usage: "LABEL", description: "Name of the schema that this table is in" }
    - relname: { usage: "LABEL", description: "Name of this table" }
    - heap_blocks_read: { usage: "COUNTER", description: "Number of disk blocks read from this table" }
    - heap_blocks_hit: { usage: "COUNTER", description: "Number of buffer hits in this table" }
    - idx_blocks_read: { usage: "COUNTER", description: "Number of disk blocks read from all indexes on this table" }
    - idx_blocks_hit: { usage: "COUNTER", description: "Number of buffer hits in all indexes on this table" }
    - toast_blocks_read: { usage: "COUNTER", description: "Number of disk blocks read from this table's TOAST table" }
    - toast_blocks_hit: { usage: "COUNTER", description: "Number of buffer hits in this table's TOAST table" }
    - tidx_blocks_read: { usage: "COUNTER", description: "Number of disk blocks read from this table's TOAST indexes" }
    - tidx_blocks_hit: { usage: "COUNTER", description: "Number of buffer hits in this table's TOAST indexes" }
`;

async function timeScrape(url: string): Promise<{ ms: number; bytes: number; series: number }> {
  const started = performance.now();
  const res = await fetch(url);
  const text = await res.text();
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  let series = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1))
    if (text[i + 1] && text[i + 1] !== '#') series++;
  return { ms, bytes: text.length, series };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function main(): Promise<void> {
  const dist = path.resolve(__dirname, '../dist/main.js');
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run pnpm build first`);
  const upstreamBinary = findBinary('prometheus-postgres-exporter', 'prometheus-postgres-exporter');
  const cluster = await startPostgres({ replica: false });
  const dir = mkdtempSync(path.join(tmpdir(), 'pgx-bench-'));
  let upstream: ManagedProcess | undefined;
  let ours: Awaited<ReturnType<typeof startService>> | undefined;
  try {
    const perDb = Math.ceil(TABLES / DATABASES);
    for (let d = 0; d < DATABASES; d++) {
      const db = await cluster.createDatabase();
      const count = Math.min(perDb, TABLES - d * perDb);
      await cluster.primary.query(
        `DO $$ BEGIN FOR i IN 1..${count} LOOP
           EXECUTE format('CREATE TABLE t_%s (id int PRIMARY KEY, v text)', i);
           EXECUTE format('INSERT INTO t_%s SELECT g, md5(g::text) FROM generate_series(1, 10) g', i);
         END LOOP; END $$`,
        [],
        db,
      );
      await cluster.primary.query('ANALYZE', [], db);
    }
    console.log(`setup: ${TABLES} tables in ${DATABASES} databases on PostgreSQL at ${cluster.primary.port}`);

    const queries = path.join(dir, 'queries.yaml');
    writeFileSync(queries, UPSTREAM_QUERIES);
    const upstreamPort = await freePort();
    upstream = spawnChild({
      name: 'postgres_exporter',
      command: upstreamBinary,
      args: [
        `--web.listen-address=127.0.0.1:${upstreamPort}`,
        `--extend.query-path=${queries}`,
        '--auto-discover-databases',
      ],
      env: {
        PATH: process.env.PATH ?? '',
        // 0.11.1 cannot parse postgres:// with --auto-discover-databases; postgresql:// works everywhere
        DATA_SOURCE_NAME: `${cluster.primary.url('postgres').replace(/^postgres:/, 'postgresql:')}?sslmode=disable`,
      },
    });
    const upstreamUrl = `http://127.0.0.1:${upstreamPort}/metrics`;
    await waitFor(async () => (await fetch(upstreamUrl).catch(() => undefined))?.status === 200, {
      timeoutMs: 20_000,
      what: 'Debian postgres_exporter',
    });
    const port = await freePort();
    ours = await startService({
      entry: dist,
      port,
      env: {
        DATA_SOURCE_NAME: cluster.primary.url('postgres'),
        PG_EXPORTER_WEB_LISTEN_ADDRESS: `127.0.0.1:${port}`,
        PG_EXPORTER_LOG_LEVEL: 'warn',
      },
      healthPath: '/healthz',
    });
    const oursUrl = `${ours.url}/metrics`;

    for (let i = 0; i < 3; i++) {
      await timeScrape(oursUrl);
      await timeScrape(upstreamUrl);
    }
    const mine: number[] = [];
    const theirs: number[] = [];
    let mineShape = { bytes: 0, series: 0 };
    let theirShape = { bytes: 0, series: 0 };
    for (let i = 0; i < SCRAPES; i++) {
      const a = await timeScrape(oursUrl);
      const b = await timeScrape(upstreamUrl);
      mine.push(a.ms);
      theirs.push(b.ms);
      mineShape = a;
      theirShape = b;
    }
    if (theirShape.series < mineShape.series / 2)
      throw new Error(
        `postgres_exporter exported only ${theirShape.series} series (ours ${mineShape.series}): its queries.yaml did not run`,
      );
    const x = median(mine);
    const y = median(theirs);
    console.log(`ours: ${mineShape.series} series, ${(mineShape.bytes / 1024).toFixed(0)} KiB per scrape`);
    console.log(
      `postgres_exporter: ${theirShape.series} series, ${(theirShape.bytes / 1024).toFixed(0)} KiB per scrape`,
    );

    const rss: Array<[number, number]> = [];
    for (let i = 1; i <= RSS_SCRAPES; i++) {
      await timeScrape(oursUrl);
      if (i === 100 || i % 250 === 0) rss.push([i, rssMiB(ours.pid)]);
    }
    const first = (rss[0] as [number, number])[1];
    const last = (rss[rss.length - 1] as [number, number])[1];
    console.log(`rss (MiB) after n scrapes: ${rss.map(([n, m]) => `${n}: ${m.toFixed(1)}`).join(', ')}`);
    console.log(
      `rss: ${first.toFixed(1)} MiB after 100 scrapes, ${last.toFixed(1)} MiB after ${RSS_SCRAPES} (${(((last - first) / first) * 100).toFixed(1)}%)`,
    );
    console.log(
      `exporter: ours ${x.toFixed(1)} ms, postgres_exporter ${y.toFixed(1)} ms, ratio ${(x / y).toFixed(2)}`,
    );
  } finally {
    await upstream?.stop().catch(() => undefined);
    await ours?.stop().catch(() => undefined);
    await cluster.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
