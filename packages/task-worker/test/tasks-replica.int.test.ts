import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type PostgresCluster,
  type RedisServer,
  startPostgres,
  startRedis,
  waitFor,
} from '@reelwatch/testkit';
import { Pool } from 'pg';
import type { TaskContext } from '../src/task';
import { TASKS } from '../src/tasks';
import { createHarness, type Harness, silentLogger } from './helpers';

let cluster: PostgresCluster;
let replica: Pool;
let exportDir: string;

const ALICE = 1;
const BOB = 2;
const CAROL = 3;
const DAVE = 4;
const RATINGS: [number, string, number][] = [
  // alice and bob agree on the matrix and alien; bob loved heat, which alice has not rated
  [ALICE, 'the+matrix+1999', 5],
  [ALICE, 'alien+1979', 4],
  [BOB, 'the+matrix+1999', 5],
  [BOB, 'alien+1979', 4],
  [BOB, 'heat+1995', 5],
  [BOB, 'cats+2019', 1],
  [CAROL, 'heat+1995', 4],
  [CAROL, 'the+matrix+1999', 2],
  [DAVE, 'heat+1995', 3],
];

beforeAll(async () => {
  cluster = await startPostgres();
  const db = await cluster.createDatabase();
  // the ingestion service's table (packages/ingestion/migrations/001_aggregate_tables.sql)
  await cluster.primary.query(
    `CREATE TABLE user_ratings (user_id bigint NOT NULL, movie_id text NOT NULL,
       rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5), rated_at timestamptz NOT NULL,
       rate_events bigint NOT NULL, PRIMARY KEY (user_id, movie_id))`,
    [],
    db,
  );
  for (const [user, movie, rating] of RATINGS) {
    await cluster.primary.query(
      'INSERT INTO user_ratings (user_id, movie_id, rating, rated_at, rate_events) VALUES ($1, $2, $3, now(), 1)',
      [user, movie, rating],
      db,
    );
  }
  await cluster.waitForReplay();
  replica = new Pool({ connectionString: cluster.replica.url(db), max: 2 });
  exportDir = mkdtempSync(path.join(tmpdir(), 'reelwatch-export-'));
});
afterAll(async () => {
  await replica?.end();
  await cluster?.destroy();
  if (exportDir) rmSync(exportDir, { recursive: true, force: true });
});

function context(signal = new AbortController().signal): TaskContext {
  return {
    signal,
    logger: silentLogger,
    deps: { replica: () => replica, exportDir },
    taskId: 't1',
    attempt: 1,
  };
}

const task = (name: string) => TASKS.find((t) => t.name === name)!;

describe('domain tasks on the replica', () => {
  it('recommendations.recompute recommends what like-minded users rated highly and the user has not rated', async () => {
    const recompute = task('recommendations.recompute');
    const result = await recompute.run(recompute.parseArgs({ userId: ALICE }), context());
    expect(result.map((r: { movieId: string }) => r.movieId)).toEqual(['heat+1995']);
  });

  it('recommendations.recompute falls back to popular movies for a user nobody agrees with', async () => {
    const recompute = task('recommendations.recompute');
    const result = await recompute.run(recompute.parseArgs({ userId: '99', limit: 2 }), context());
    expect(result.map((r: { movieId: string }) => r.movieId)).toEqual(['heat+1995', 'the+matrix+1999']);
  });

  it('ratings.refresh computes count, average and distribution, and null average when unrated', async () => {
    const refresh = task('ratings.refresh');
    expect(await refresh.run({ movieId: 'heat+1995' }, context())).toEqual({
      movieId: 'heat+1995',
      count: 3,
      average: 4,
      distribution: { '1': 0, '2': 0, '3': 1, '4': 1, '5': 1 },
    });
    const unrated = await refresh.run({ movieId: 'nobody+rated' }, context());
    expect(unrated).toMatchObject({ count: 0, average: null });
  });

  it('snapshot.export writes every rating to a CSV file in batches', async () => {
    const exporter = task('snapshot.export');
    const result = await exporter.run(exporter.parseArgs({ file: 'ratings.csv', batchSize: 2 }), context());
    expect(result).toEqual({ path: path.join(exportDir, 'ratings.csv'), rows: RATINGS.length });
    const lines = readFileSync(result.path, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('user_id,movie_id,rating');
    expect(lines).toHaveLength(RATINGS.length + 1);
    expect(lines).toContain('1,the+matrix+1999,5');
    expect(lines.at(-1)).toBe('4,heat+1995,3');
  });

  it('snapshot.export stops with the abort reason when its signal is aborted', async () => {
    const exporter = task('snapshot.export');
    const controller = new AbortController();
    controller.abort(new Error('revoked'));
    await expect(
      exporter.run(exporter.parseArgs({ file: 'aborted.csv' }), context(controller.signal)),
    ).rejects.toThrow('revoked');
  });

  it('a replica outage is a retryable REPLICA_UNAVAILABLE error', async () => {
    const refresh = task('ratings.refresh');
    const broken = new Pool({
      connectionString: 'postgres://postgres@127.0.0.1:1/nowhere',
      connectionTimeoutMillis: 500,
    });
    const ctx = { ...context(), deps: { replica: () => broken, exportDir } };
    await expect(refresh.run({ movieId: 'x' }, ctx)).rejects.toMatchObject({
      code: 'REPLICA_UNAVAILABLE',
      retryable: true,
    });
    await broken.end();
  });
});

describe('domain tasks through a worker', () => {
  let server: RedisServer;
  let h: Harness;
  beforeAll(async () => {
    server = await startRedis();
    h = await createHarness(server);
  });
  afterAll(async () => {
    await h?.close();
    await server?.destroy();
  });

  it('recommendations.recompute runs on its own queue and stores its result', async () => {
    await h.startWorker({ queues: ['recommendations'], deps: { replica: () => replica, exportDir } });
    const id = await h.client.apply('recommendations.recompute', { userId: ALICE });
    const result = await waitFor(
      async () => {
        const r = await h.client.result(id, ['recommendations']);
        return r?.state === 'SUCCESS' ? r : false;
      },
      { timeoutMs: 10_000, what: 'recommendations result' },
    );
    expect(result.queue).toBe('recommendations');
    expect(result.result).toEqual([{ movieId: 'heat+1995', score: expect.any(Number) }]);
  });
});
