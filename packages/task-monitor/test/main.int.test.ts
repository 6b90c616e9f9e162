import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  freePort,
  lintMetrics,
  type RedisServer,
  type ServiceProcess,
  startRedis,
  startService,
  waitFor,
} from '@reelwatch/testkit';
import { createHarness, type Harness } from '../../task-worker/test/helpers';

const entry = path.resolve(__dirname, '../dist/main.js');

let server: RedisServer;
let h: Harness;
let monitor: ServiceProcess | undefined;

beforeAll(async () => {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`pnpm -s build\` first`);
  server = await startRedis();
  h = await createHarness(server);
});
afterAll(async () => {
  await monitor?.stop();
  await h?.close();
  await server?.destroy();
});

async function startMonitorProcess(): Promise<ServiceProcess> {
  const port = await freePort();
  return startService({
    entry,
    port,
    // ready = the history is loaded from Redis (the API answers 503 until then)
    healthPath: '/readyz',
    env: {
      TASK_MONITOR_REDIS_URL: server.url,
      TASK_MONITOR_KEY_PREFIX: h.keys.prefix,
      TASK_MONITOR_HOST: '127.0.0.1',
      TASK_MONITOR_PORT: String(port),
      TASK_MONITOR_BASIC_AUTH: 'admin:s3cret',
      TASK_MONITOR_LOG_LEVEL: 'warn',
    },
  });
}

describe('task-monitor process', () => {
  it('serves the API behind auth, open /metrics with Flower names, and keeps history across a restart', async () => {
    monitor = await startMonitorProcess();
    const auth = { authorization: `Basic ${Buffer.from('admin:s3cret').toString('base64')}` };
    const worker = await h.startWorker();
    const id = await h.client.apply('noop', {});
    expect((await fetch(`${monitor.url}/api/tasks`)).status).toBe(401);
    await waitFor(
      async () => {
        const info = await fetch(`${monitor!.url}/api/task/info/${id}`, { headers: auth });
        return info.ok && ((await info.json()) as { state: string }).state === 'SUCCESS';
      },
      { timeoutMs: 10_000, what: 'the task in the monitor' },
    );
    const metrics = await (await fetch(`${monitor.url}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(
        `flower_events_total\\{[^}]*worker="${worker.name}"[^}]*type="task-succeeded"[^}]*task="noop"[^}]*\\} 1`,
      ),
    );
    expect(metrics).toContain('reelwatch_tasks_queue_jobs{');
    expect(await lintMetrics(metrics)).toEqual([]);

    expect(await monitor.stop()).toBe(0);
    monitor = await startMonitorProcess();
    const info = await fetch(`${monitor.url}/api/task/info/${id}`, { headers: auth });
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ uuid: id, state: 'SUCCESS', worker: worker.name });
  });

  it('stops with exit code 78 naming every bad setting', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(process.execPath, [entry], {
      env: { PATH: process.env.PATH ?? '', TASK_MONITOR_PORT: 'http', TASK_MONITOR_READ_ONLY: 'maybe' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(78);
    expect(run.stderr).toContain('TASK_MONITOR_PORT');
    expect(run.stderr).toContain('TASK_MONITOR_READ_ONLY');
  });
});
