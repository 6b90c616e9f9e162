import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  freePort,
  lintMetrics,
  type RedisServer,
  startRedis,
  startService,
  waitFor,
} from '@reelwatch/testkit';
import { Registry } from 'prom-client';
import { createHarness, type Harness, silentLogger } from '../../task-worker/test/helpers';
import { TaskMonitor, type TaskMonitorOptions } from '../src/monitor';
import { sample, workerStateIn } from './helpers';

// The worker process as Compose runs it, watched by the monitor: lives here because task-monitor
// depends on task-worker, not the other way round.
const entry = path.resolve(__dirname, '../../task-worker/dist/main.js');
const HEARTBEAT_MS = 500;

let server: RedisServer;
let h: Harness;
let monitor: TaskMonitor;

beforeAll(async () => {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`pnpm -s build\` first`);
  server = await startRedis();
});
afterAll(async () => {
  await server?.destroy();
});
function monitorOptions(): TaskMonitorOptions {
  return {
    redisUrl: server.url,
    prefix: h.keys.prefix,
    maxTasks: 1000,
    purgeOfflineWorkersSeconds: 3600,
    queues: ['default'],
    controlTimeoutMs: 2000,
    tasks: h.tasks,
    logger: silentLogger,
    registry: new Registry(),
    sweepIntervalMs: 100,
  };
}

beforeEach(async () => {
  h = await createHarness(server);
  monitor = new TaskMonitor(monitorOptions());
  await monitor.start();
});
afterEach(async () => {
  await monitor.stop();
  await h.close();
});

async function startWorkerProcess(name: string) {
  const port = await freePort();
  const worker = await startService({
    entry,
    port,
    healthPath: '/healthz',
    env: {
      TASK_WORKER_REDIS_URL: server.url,
      TASK_WORKER_KEY_PREFIX: h.keys.prefix,
      TASK_WORKER_NAME: name,
      TASK_WORKER_QUEUES: 'default',
      TASK_WORKER_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS),
      TASK_WORKER_METRICS_HOST: '127.0.0.1',
      TASK_WORKER_METRICS_PORT: String(port),
      TASK_WORKER_LOG_LEVEL: 'warn',
    },
  });
  await waitFor(() => workerStateIn(monitor, name) === 'online', {
    timeoutMs: 10_000,
    what: `${name} online`,
  });
  return worker;
}

describe('task-worker process', () => {
  it('a worker killed with kill -9 shows lost within the heartbeat window', async () => {
    const worker = await startWorkerProcess('worker@kill9');
    await worker.kill9();
    const killedAt = Date.now();
    await waitFor(() => workerStateIn(monitor, 'worker@kill9') === 'lost', {
      timeoutMs: 10_000,
      what: 'worker offline',
    });
    const elapsed = Date.now() - killedAt;
    // offline 2 heartbeat periods after the last heartbeat; plus the 100 ms sweep and scheduling
    // slack on a loaded 2-core machine (the test fails if detection took a whole period longer)
    expect(elapsed).toBeLessThan(3 * HEARTBEAT_MS);
    // it said no goodbye: nothing in Redis may make it look shut down
    expect(await h.redis.zscore(h.keys.workerGoodbyes, 'worker@kill9')).toBeNull();
  });

  it('a worker killed with kill -9 is lost, not shut down, and stays lost across a monitor restart', async () => {
    const worker = await startWorkerProcess('worker@kill9-restart');
    await worker.kill9();
    await waitFor(() => workerStateIn(monitor, 'worker@kill9-restart') === 'lost', {
      timeoutMs: 10_000,
      what: 'worker lost',
    });
    await monitor.stop();
    const registry = new Registry();
    monitor = new TaskMonitor({ ...monitorOptions(), registry });
    await monitor.start();
    expect(workerStateIn(monitor, 'worker@kill9-restart')).toBe('lost');
    const text = await registry.metrics();
    expect(
      sample(text, 'reelwatch_tasks_worker_state', { worker: 'worker@kill9-restart', state: 'lost' }),
    ).toBe(1);
    expect(sample(text, 'reelwatch_tasks_workers', { state: 'lost' })).toBe(1);
    // its pool is still known (the last announcement), never null
    expect(monitor.state.workers.get('worker@kill9-restart')?.info.concurrency).toBe(4);
  });

  it('a worker stopped with SIGTERM says goodbye and shows shut down, never lost', async () => {
    const worker = await startWorkerProcess('worker@sigterm');
    expect(await worker.stop('SIGTERM')).toBe(0);
    await waitFor(() => workerStateIn(monitor, 'worker@sigterm') === 'shutdown', {
      timeoutMs: 5000,
      what: 'worker shut down',
    });
    await new Promise((resolve) => setTimeout(resolve, 3 * HEARTBEAT_MS)); // past the heartbeat expiry
    expect(workerStateIn(monitor, 'worker@sigterm')).toBe('shutdown');
  });

  it('a remote shutdown stops the process gracefully with exit code 0', async () => {
    const worker = await startWorkerProcess('worker@shutdown');
    const id = await h.client.apply('noop', {});
    await waitFor(async () => (await h.client.result(id, ['default']))?.state === 'SUCCESS', {
      timeoutMs: 10_000,
      what: 'a task to run in the process',
    });
    const replies = await h.control.broadcast('shutdown', {}, { destination: ['worker@shutdown'] });
    expect(replies).toEqual([{ worker: 'worker@shutdown', ok: true, message: 'Warm shutdown' }]);
    expect(await worker.stop('SIGCONT')).toBe(0); // SIGCONT is harmless: the exit comes from the command
    await waitFor(() => workerStateIn(monitor, 'worker@shutdown') === 'shutdown', {
      timeoutMs: 5000,
      what: 'worker-offline event',
    });
  });

  it('serves its own metrics on its metrics port', async () => {
    const worker = await startWorkerProcess('worker@metrics');
    const id = await h.client.apply('noop', {});
    await waitFor(async () => (await h.client.result(id, ['default']))?.state === 'SUCCESS', {
      timeoutMs: 10_000,
      what: 'a task to run',
    });
    const text = await (await fetch(`${worker.url}/metrics`)).text();
    expect(text).toMatch(
      /reelwatch_task_worker_tasks_total\{[^}]*task="noop"[^}]*outcome="succeeded"[^}]*\} 1/,
    );
    expect(text).toContain('reelwatch_task_worker_concurrency');
    expect(await lintMetrics(text)).toEqual([]);
    await worker.stop();
  });
});
