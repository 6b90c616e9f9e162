import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, loadConfig } from '@reelwatch/service-kit';
import {
  type PostgresCluster,
  type PushgatewayServer,
  startPostgres,
  startPushgateway,
  waitFor,
} from '@reelwatch/testkit';
import {
  runRegistry,
  runTrainingSnapshot,
  type TrainingSnapshotConfig,
  trainingSnapshotConfigSchema,
  writeSnapshot,
} from '@reelwatch/training-snapshot';

const MAIN = path.resolve(__dirname, '../dist/main.js');
const silent = createLogger({ service: 'training-snapshot-test', level: 'silent' });

function config(env: Record<string, string>): TrainingSnapshotConfig {
  return loadConfig(trainingSnapshotConfigSchema, { env, envFile: false });
}

async function pushedSamples(pushgateway: PushgatewayServer): Promise<Map<string, number>> {
  const text = await (await fetch(`${pushgateway.url}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('reelwatch_training_snapshot_')) continue;
    const at = line.lastIndexOf(' ');
    // drop the labels Pushgateway adds to every series, keep the others (table)
    const key = line
      .slice(0, at)
      .replace(/instance="",?/, '')
      .replace(/job="training_snapshot",?/, '')
      .replace(/\{\}$/, '')
      .replace(/,\}$/, '}');
    samples.set(key, Number(line.slice(at + 1)));
  }
  return samples;
}

function runMain(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (pnpm build)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', ...env },
      cwd: os.tmpdir(),
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('training-snapshot against a real primary, replica and Pushgateway', () => {
  let cluster: PostgresCluster;
  let pushgateway: PushgatewayServer;
  let database: string;
  let out: string;

  beforeAll(async () => {
    cluster = await startPostgres({ replica: true });
    pushgateway = await startPushgateway();
    database = await cluster.createDatabase();
    await cluster.primary.query(
      `CREATE TABLE users (user_id text PRIMARY KEY, first_seen timestamptz NOT NULL DEFAULT now());
       INSERT INTO users (user_id) SELECT 'user' || g FROM generate_series(1, 2500) g;
       CREATE TABLE movies (movie_id text PRIMARY KEY, title text);
       INSERT INTO movies VALUES ('the+matrix+1999', 'The Matrix, "1999"'), ('alien+1979', NULL);
       CREATE TABLE dead_letters (id bigserial PRIMARY KEY, reason text);
       INSERT INTO dead_letters (reason) VALUES ('unparseable');`,
      [],
      database,
    );
    await cluster.waitForReplay();
  });
  afterAll(async () => {
    await pushgateway?.destroy();
    await cluster?.destroy();
  });
  beforeEach(() => {
    out = mkdtempSync(path.join(os.tmpdir(), 'reelwatch-snapshot-'));
  });
  afterEach(() => {
    rmSync(out, { recursive: true, force: true });
  });

  test('a run exports the existing tables from the replica as CSV and pushes duration, rows, last success and failures', async () => {
    const before = Date.now() / 1000;
    // Debian's Pushgateway persists to a shared file unless told otherwise: compare with what it holds now.
    const failuresBefore =
      (await pushedSamples(pushgateway)).get('reelwatch_training_snapshot_failures_total') ?? 0;
    const result = await runTrainingSnapshot(
      config({
        TRAINING_SNAPSHOT_DATABASE_URL: cluster.replica.url(database),
        TRAINING_SNAPSHOT_TABLES: 'users,movies,watch_progress',
        TRAINING_SNAPSHOT_OUTPUT_DIR: out,
        TRAINING_SNAPSHOT_PUSHGATEWAY_URL: pushgateway.url,
      }),
      silent,
    );
    expect(result.ok).toBe(true);
    expect(result.pushed).toBe(true);
    expect(result.snapshot?.skipped).toEqual(['watch_progress']);
    expect(result.snapshot?.tables.map((t) => [t.table, t.rows])).toEqual([
      ['users', 2500],
      ['movies', 2],
    ]);

    const latest = path.join(out, 'latest');
    expect(readlinkSync(latest)).toBe(path.basename(result.snapshot?.directory ?? ''));
    expect(readdirSync(latest).sort()).toEqual(['movies.csv', 'users.csv']);
    expect(readFileSync(path.join(latest, 'movies.csv'), 'utf8')).toBe(
      'movie_id,title\nthe+matrix+1999,"The Matrix, ""1999"""\nalien+1979,\n',
    );
    expect(readFileSync(path.join(latest, 'users.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(2501);

    const pushed = await pushedSamples(pushgateway);
    expect(pushed.get('reelwatch_training_snapshot_rows{table="users"}')).toBe(2500);
    expect(pushed.get('reelwatch_training_snapshot_rows{table="movies"}')).toBe(2);
    expect(pushed.get('reelwatch_training_snapshot_failures_total')).toBe(failuresBefore);
    expect(pushed.get('reelwatch_training_snapshot_duration_seconds')).toBeGreaterThan(0);
    expect(pushed.get('reelwatch_training_snapshot_last_success_timestamp_seconds')).toBeGreaterThanOrEqual(
      Math.floor(before),
    );
  });

  test('a failed run exits 1, counts the failure across runs and keeps the last success in Pushgateway', async () => {
    const ok = await runMain({
      TRAINING_SNAPSHOT_DATABASE_URL: cluster.replica.url(database),
      TRAINING_SNAPSHOT_TABLES: 'users',
      TRAINING_SNAPSHOT_OUTPUT_DIR: out,
      TRAINING_SNAPSHOT_PUSHGATEWAY_URL: pushgateway.url,
    });
    expect({ code: ok.code, output: ok.code === 0 ? '' : ok.output }).toEqual({ code: 0, output: '' });
    const lastSuccess = (await pushedSamples(pushgateway)).get(
      'reelwatch_training_snapshot_last_success_timestamp_seconds',
    );
    const failuresBefore =
      (await pushedSamples(pushgateway)).get('reelwatch_training_snapshot_failures_total') ?? 0;

    for (const n of [1, 2]) {
      const failed = await runMain({
        TRAINING_SNAPSHOT_DATABASE_URL: cluster.replica.url(`${database}_missing`),
        TRAINING_SNAPSHOT_OUTPUT_DIR: out,
        TRAINING_SNAPSHOT_PUSHGATEWAY_URL: pushgateway.url,
      });
      expect(failed.code).toBe(1);
      expect(failed.output).toContain('DB_UNAVAILABLE');
      const pushed = await pushedSamples(pushgateway);
      expect(pushed.get('reelwatch_training_snapshot_failures_total')).toBe(failuresBefore + n);
      expect(pushed.get('reelwatch_training_snapshot_last_success_timestamp_seconds')).toBe(lastSuccess);
      expect(pushed.get('reelwatch_training_snapshot_rows{table="users"}')).toBe(2500);
    }
  });

  test('TRAINING_SNAPSHOT_PUSHGATEWAY_URL set but empty: the run writes its snapshot, pushes nothing and exits 0', async () => {
    // what Compose passes with TRAINING_SNAPSHOT_PUSHGATEWAY_URL= in compose/.env (no Pushgateway running)
    expect(config({ TRAINING_SNAPSHOT_PUSHGATEWAY_URL: '' }).TRAINING_SNAPSHOT_PUSHGATEWAY_URL).toBe('');
    expect(config({}).TRAINING_SNAPSHOT_PUSHGATEWAY_URL).toBe('http://127.0.0.1:9091');
    const before = await pushedSamples(pushgateway);
    const run = await runMain({
      TRAINING_SNAPSHOT_DATABASE_URL: cluster.replica.url(database),
      TRAINING_SNAPSHOT_TABLES: 'users',
      TRAINING_SNAPSHOT_OUTPUT_DIR: out,
      TRAINING_SNAPSHOT_PUSHGATEWAY_URL: '',
    });
    expect({ code: run.code, output: run.code === 0 ? '' : run.output }).toEqual({ code: 0, output: '' });
    expect(run.output).not.toMatch(/pushgateway|push/i);
    expect(readdirSync(path.join(out, 'latest'))).toEqual(['users.csv']);
    expect(await pushedSamples(pushgateway)).toEqual(before);
  });

  test('a run fails when none of the configured tables exist, and leaves no snapshot behind', async () => {
    await expect(
      writeSnapshot({
        databaseUrl: cluster.replica.url(database),
        tables: ['watch_progress', 'user_ratings'],
        outputDir: out,
        keep: 3,
        statementTimeoutMs: 10_000,
        logger: silent,
      }),
    ).rejects.toMatchObject({ code: 'NO_TABLES' });
    expect(readdirSync(out)).toEqual([]);
  });

  test('only the newest snapshots are kept and latest points at the newest', async () => {
    const names: string[] = [];
    for (let i = 0; i < 4; i++) {
      const result = await writeSnapshot({
        databaseUrl: cluster.replica.url(database),
        tables: ['movies'],
        outputDir: out,
        keep: 2,
        statementTimeoutMs: 10_000,
        logger: silent,
        now: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      });
      names.push(path.basename(result.directory));
    }
    expect(readdirSync(out).sort()).toEqual([...names.slice(2), 'latest'].sort());
    expect(readlinkSync(path.join(out, 'latest'))).toBe(names[3]);
  });

  test('a replica lagging behind still gives a consistent snapshot of what it has replayed', async () => {
    await cluster.primary.query("INSERT INTO movies VALUES ('heat+1995', 'Heat')", [], database);
    await waitFor(
      async () => {
        const rows = await cluster.replica.query<{ n: string }>(
          'SELECT count(*) AS n FROM movies',
          [],
          database,
        );
        return Number(rows[0]?.n) === 3;
      },
      { timeoutMs: 15_000, what: 'the replica to replay the new movie' },
    );
    const result = await writeSnapshot({
      databaseUrl: cluster.replica.url(database),
      tables: ['movies', 'public.users'],
      outputDir: out,
      keep: 1,
      statementTimeoutMs: 10_000,
      logger: silent,
    });
    expect(result.tables.map((t) => [t.table, t.file, t.rows])).toEqual([
      ['movies', 'movies.csv', 3],
      ['public.users', 'public.users.csv', 2500],
    ]);
  });

  test('a bad configuration stops the job with exit code 78 naming the variable', async () => {
    const result = await runMain({ TRAINING_SNAPSHOT_KEEP: 'many', TRAINING_SNAPSHOT_OUTPUT_DIR: out });
    expect(result.code).toBe(78);
    expect(result.output).toContain('TRAINING_SNAPSHOT_KEEP');
  });
});

describe('runRegistry', () => {
  test('a failed run carries only its duration and the failure count, so Pushgateway keeps the last success', async () => {
    const text = await runRegistry({ durationSeconds: 1.5, failuresTotal: 3 }).metrics();
    expect(text).toContain('reelwatch_training_snapshot_duration_seconds 1.5');
    expect(text).toContain('# TYPE reelwatch_training_snapshot_failures_total counter');
    expect(text).toContain('reelwatch_training_snapshot_failures_total 3');
    expect(text).not.toContain('last_success');
    expect(text).not.toContain('reelwatch_training_snapshot_rows');
  });

  test('a successful run carries rows per table and the success time in seconds', async () => {
    const text = await runRegistry({
      durationSeconds: 2,
      failuresTotal: 0,
      rowsByTable: { users: 10, movies: 4 },
      succeededAt: new Date(1_700_000_000_500),
    }).metrics();
    expect(text).toContain('reelwatch_training_snapshot_rows{table="users"} 10');
    expect(text).toContain('reelwatch_training_snapshot_last_success_timestamp_seconds 1700000000.5');
  });
});
