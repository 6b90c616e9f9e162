// The task-monitor process against a Redis that is down, refuses it (protected mode), drops its
// connections or restarts: it stays up, answers 503 on /readyz naming the reason, and recovers.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort, type ServiceProcess, startService, waitFor } from '@reelwatch/testkit';
import { Redis } from 'ioredis';
import { createHarness, type Harness } from '../../task-worker/test/helpers';
import {
  alive,
  RestartableRedis,
  startDeniedRedis,
  waitNotReady,
  waitReady,
} from '../../task-worker/test/redis-outage';

const entry = path.resolve(__dirname, '../dist/main.js');
const AUTH = 'admin:s3cret';
const authHeader = { authorization: `Basic ${Buffer.from(AUTH).toString('base64')}` };

let redis: RestartableRedis;
let monitor: ServiceProcess | undefined;
let h: Harness | undefined;

beforeAll(() => {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`pnpm -s build\` first`);
});
beforeEach(async () => {
  redis = await RestartableRedis.create();
});
afterEach(async () => {
  await monitor?.stop();
  monitor = undefined;
  await h?.close();
  h = undefined;
  await redis.destroy();
});

async function startMonitor(prefix: string): Promise<ServiceProcess> {
  const port = await freePort();
  return startService({
    entry,
    port,
    healthPath: '/healthz',
    env: {
      TASK_MONITOR_REDIS_URL: redis.url,
      TASK_MONITOR_KEY_PREFIX: prefix,
      TASK_MONITOR_HOST: '127.0.0.1',
      TASK_MONITOR_PORT: String(port),
      TASK_MONITOR_BASIC_AUTH: AUTH,
      TASK_MONITOR_LOG_LEVEL: 'warn',
    },
  });
}

/** A task run by an in-process worker shows up as SUCCESS in the monitor's API. */
async function taskSeen(service: ServiceProcess, harness: Harness): Promise<void> {
  const id = await harness.client.apply('noop', {});
  await waitFor(
    async () => {
      const info = await fetch(`${service.url}/api/task/info/${id}`, { headers: authHeader });
      return info.ok && ((await info.json()) as { state: string }).state === 'SUCCESS';
    },
    { timeoutMs: 15_000, what: `task ${id} in the monitor` },
  );
}

describe('task-monitor when Redis is down, refusing or dropping connections', () => {
  it('starts with Redis down: 503 naming the refused connection, alive, ready once Redis starts', async () => {
    // the harness' own connection queues its commands until Redis is up
    h = await createHarness(redis.server());
    monitor = await startMonitor(h.keys.prefix);
    expect(await waitNotReady(monitor, 'redis', /ECONNREFUSED/, true)).toMatch(
      /^redis \w+ connection \w+: connect ECONNREFUSED/,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500)); // several reconnect attempts
    expect(alive(monitor)).toBe(true);
    expect(monitor.output()).not.toContain('exiting');
    const api = await fetch(`${monitor.url}/api/workers`, { headers: authHeader });
    expect(api.status).toBe(503);
    expect(((await api.json()) as { error: string }).error).toMatch(/not ready: redis \w+ connection/);

    await redis.start();
    await waitReady(monitor, 'the monitor ready once Redis is up');
    await h.startWorker();
    await taskSeen(monitor, h);
  });

  it('a Redis in protected mode (every connection DENIED): 503 naming it, alive, ready after the fix', async () => {
    const denied = await startDeniedRedis(redis.port);
    try {
      monitor = await startMonitor('t-denied');
      expect(await waitNotReady(monitor, 'redis', /DENIED/, true)).toContain('protected mode');
      await waitFor(() => denied.refused() >= 4, { timeoutMs: 15_000, what: 'reconnect attempts' });
      expect(alive(monitor)).toBe(true);
      expect(monitor.output()).not.toContain('unhandled promise rejection');
    } finally {
      await denied.close();
    }
    await redis.start(); // the "fixed" Redis on the same address
    await waitReady(monitor, 'the monitor ready once Redis accepts it');
  });

  it('survives CLIENT KILL and a Redis restart, and goes on consuming events', async () => {
    await redis.start();
    h = await createHarness(redis.server());
    monitor = await startMonitor(h.keys.prefix);
    await waitReady(monitor, 'the monitor ready');
    await h.startWorker();
    await taskSeen(monitor, h);

    const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      const killed = Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes'));
      expect(killed).toBeGreaterThanOrEqual(2); // the monitor's two connections and the harness'
    } finally {
      admin.disconnect();
    }
    await waitReady(monitor, 'the monitor ready after CLIENT KILL');
    await taskSeen(monitor, h);

    await redis.stop();
    expect(
      await waitNotReady(monitor, 'redis', /ECONNREFUSED|Connection is closed|reconnecting|connecting/, true),
    ).toMatch(/^redis (commands|events) connection/);
    expect(alive(monitor)).toBe(true);
    await redis.start();
    await waitReady(monitor, 'the monitor ready after the Redis restart');
    await taskSeen(monitor, h);
    expect(monitor.output()).not.toContain('unhandled promise rejection');
    expect(await monitor.stop()).toBe(0);
    monitor = undefined;
  });
});
