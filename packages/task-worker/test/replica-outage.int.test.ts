// The task-worker process when the replica it reads goes away under an idle pooled connection
// (stopped or restarted): found by the fault run, where the worker exited with "terminating
// connection due to administrator command". It must stay up and run tasks again afterwards.
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  freePort,
  type PostgresCluster,
  type RedisServer,
  type ServiceProcess,
  startPostgres,
  startRedis,
  startService,
  waitFor,
} from '@reelwatch/testkit';
import { createHarness, type Harness } from './helpers';
import { alive } from './redis-outage';

const entry = path.resolve(__dirname, '../dist/main.js');

let postgres: PostgresCluster;
let redis: RedisServer;
let h: Harness;
let worker: ServiceProcess;

beforeAll(async () => {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`pnpm -s build\` first`);
  postgres = await startPostgres({ replica: false });
  redis = await startRedis();
  h = await createHarness(redis);
  const port = await freePort();
  worker = await startService({
    entry,
    port,
    healthPath: '/healthz',
    env: {
      TASK_WORKER_REDIS_URL: redis.url,
      TASK_WORKER_KEY_PREFIX: h.keys.prefix,
      TASK_WORKER_NAME: 'worker@replica-outage',
      TASK_WORKER_QUEUES: 'default',
      TASK_WORKER_REPLICA_URL: postgres.primary.url(),
      TASK_WORKER_METRICS_HOST: '127.0.0.1',
      TASK_WORKER_METRICS_PORT: String(port),
      TASK_WORKER_LOG_LEVEL: 'warn',
    },
  });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await h?.close();
  await redis?.destroy();
  await postgres?.destroy();
});

/** Runs ratings.refresh (a replica query: it leaves an idle connection in the pool) to its end. */
async function refresh(): Promise<string | undefined> {
  const id = await h.client.apply('ratings.refresh', { movieId: 'alien+1979' });
  let state: string | undefined;
  await waitFor(
    async () => {
      state = (await h.client.result(id, ['default']))?.state;
      return state === 'SUCCESS' || state === 'FAILURE';
    },
    { timeoutMs: 30_000, what: `task ${id} to finish` },
  );
  return state;
}

test('the replica stopping under an idle pooled connection does not end the worker; tasks run again once it is back', async () => {
  await postgres.primary.query('CREATE TABLE user_ratings (user_id text, movie_id text, rating int)');
  expect(await refresh()).toBe('SUCCESS'); // the pool now holds an idle connection
  await postgres.primary.stop();
  await waitFor(() => !alive(worker) || worker.output().includes('replica connection lost (idle)'), {
    timeoutMs: 10_000,
    what: 'the worker to notice the lost connection',
  });
  await new Promise((r) => setTimeout(r, 500));
  expect(alive(worker)).toBe(true);
  await postgres.primary.start();
  expect(await refresh()).toBe('SUCCESS');
  expect(alive(worker)).toBe(true);
  expect(worker.output()).not.toContain('uncaught exception');
}, 90_000);
