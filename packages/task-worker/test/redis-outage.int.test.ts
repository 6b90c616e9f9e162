// The task-worker process against a Redis that is down, refuses it (protected mode), drops its
// connections or restarts: it stays up, answers 503 on /readyz naming the reason, and recovers.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort, type ServiceProcess, startService, waitFor } from '@reelwatch/testkit';
import { Redis } from 'ioredis';
import { createHarness, type Harness } from './helpers';
import { alive, RestartableRedis, startDeniedRedis, waitNotReady, waitReady } from './redis-outage';

const entry = path.resolve(__dirname, '../dist/main.js');

/** A task sent now is run by the worker process. */
async function taskRuns(h: Harness): Promise<void> {
  const id = await h.client.apply('noop', {});
  await waitFor(async () => (await h.client.result(id, ['default']))?.state === 'SUCCESS', {
    timeoutMs: 15_000,
    what: `task ${id} run`,
  });
}

let redis: RestartableRedis;
let h: Harness;
let worker: ServiceProcess | undefined;

beforeAll(() => {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`pnpm -s build\` first`);
});
beforeEach(async () => {
  redis = await RestartableRedis.create();
  // the harness' connection queues its commands while Redis is down
  h = await createHarness(redis.server());
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
  await h.close();
  await redis.destroy();
});

async function startWorker(): Promise<ServiceProcess> {
  const port = await freePort();
  return startService({
    entry,
    port,
    healthPath: '/healthz',
    env: {
      TASK_WORKER_REDIS_URL: redis.url,
      TASK_WORKER_KEY_PREFIX: h.keys.prefix,
      TASK_WORKER_NAME: 'worker@outage',
      TASK_WORKER_QUEUES: 'default',
      TASK_WORKER_HEARTBEAT_INTERVAL_MS: '500',
      TASK_WORKER_METRICS_HOST: '127.0.0.1',
      TASK_WORKER_METRICS_PORT: String(port),
      TASK_WORKER_LOG_LEVEL: 'warn',
    },
  });
}

describe('task-worker when Redis is down, refusing or dropping connections', () => {
  it('starts with Redis down: 503 naming the refused connection, alive, works once Redis starts', async () => {
    worker = await startWorker();
    expect(await waitNotReady(worker, 'worker', /ECONNREFUSED/)).toMatch(
      /^redis commands connection \w+: connect ECONNREFUSED/,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(alive(worker)).toBe(true);
    await redis.start();
    await waitReady(worker, 'the worker ready once Redis is up');
    await taskRuns(h);
    expect(worker.output()).not.toContain('unhandled promise rejection');
  });

  it('a Redis in protected mode (every connection DENIED): 503 naming it, alive, works after the fix', async () => {
    const denied = await startDeniedRedis(redis.port);
    try {
      worker = await startWorker();
      expect(await waitNotReady(worker, 'worker', /DENIED/)).toContain('protected mode');
      await waitFor(() => denied.refused() >= 4, { timeoutMs: 15_000, what: 'reconnect attempts' });
      expect(alive(worker)).toBe(true);
    } finally {
      await denied.close();
    }
    await redis.start();
    await waitReady(worker, 'the worker ready once Redis accepts it');
    await taskRuns(h);
  });

  it('survives CLIENT KILL and a Redis restart, and goes on running tasks', async () => {
    await redis.start();
    worker = await startWorker();
    await waitReady(worker, 'the worker ready');
    await taskRuns(h);

    const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      expect(Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes'))).toBeGreaterThan(
        1,
      );
      expect(Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub'))).toBeGreaterThanOrEqual(1);
    } finally {
      admin.disconnect();
    }
    await waitReady(worker, 'the worker ready after CLIENT KILL');
    await taskRuns(h);

    await redis.stop();
    expect(await waitNotReady(worker, 'worker', /^redis commands connection/)).toBeTruthy();
    expect(alive(worker)).toBe(true);
    await redis.start();
    await waitReady(worker, 'the worker ready after the Redis restart');
    await taskRuns(h);
    expect(worker.output()).not.toContain('unhandled promise rejection');
    expect(await worker.stop()).toBe(0);
    worker = undefined;
  });
});
