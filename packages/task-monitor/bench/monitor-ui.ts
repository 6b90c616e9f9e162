/**
 * The tasks page's server cost with a full history: 100,000 task records are loaded straight into
 * a TaskMonitor's state (as a restart restores them from Redis), the monitor's routes are served
 * on a local port in this process, and the response time of the tasks page (first page, then a
 * filtered page) is timed side by side with the JSON API's answer for the same data
 * (`/api/tasks` with the same filter and limit). Requests alternate page/API so both see the same
 * machine load; the figure is the median of BENCH_ROUNDS requests each.
 * Run with `pnpm bench:monitor-ui` (BENCH_TASKS, BENCH_ROUNDS).
 */

import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { TASKS, type TaskState } from '@reelwatch/task-worker';
import { startRedis } from '@reelwatch/testkit';
import express from 'express';
import pino from 'pino';
import { Registry } from 'prom-client';
import { configureMonitorApp } from '../src/app';
import { TaskMonitor } from '../src/monitor';
import type { TaskRecord } from '../src/state';

const TASK_COUNT = Number(process.env.BENCH_TASKS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 60);
const PAGE = 25;
const WORKERS = ['worker@a', 'worker@b', 'worker@c', 'worker@d'];
const STATES: TaskState[] = [
  'SUCCESS',
  'SUCCESS',
  'SUCCESS',
  'SUCCESS',
  'FAILURE',
  'RETRY',
  'STARTED',
  'REVOKED',
];

/** A history as the monitor keeps one: every declared task, mixed states, a traceback per failure. */
function history(count: number): TaskRecord[] {
  const now = Date.now() / 1000;
  const names = TASKS.map((t) => t.name);
  const records: TaskRecord[] = [];
  for (let i = 0; i < count; i++) {
    const state = STATES[i % STATES.length]!;
    const received = now - (count - i) * 0.5;
    const started = state === 'REVOKED' ? null : received + 0.01;
    const runtime = state === 'SUCCESS' || state === 'FAILURE' ? 0.005 + (i % 97) / 100 : null;
    records.push({
      uuid: randomUUID(),
      name: names[i % names.length]!,
      state,
      queue: 'default',
      worker: WORKERS[i % WORKERS.length]!,
      args: JSON.stringify({ movie: `movie+${i % 5000}`, user: i % 20_000, attempt: 1 }),
      kwargs: '{}',
      retries: state === 'RETRY' ? 1 : 0,
      eta: null,
      received,
      started,
      succeeded: state === 'SUCCESS' ? received + 0.02 : null,
      failed: state === 'FAILURE' ? received + 0.02 : null,
      retried: state === 'RETRY' ? received + 0.02 : null,
      revoked: state === 'REVOKED' ? received + 0.02 : null,
      timestamp: received + 0.02,
      runtime,
      prefetch_time: 0.001,
      wait_time: 0.01,
      result: state === 'SUCCESS' ? '{"ok":true}' : null,
      exception: state === 'FAILURE' ? 'DemoTaskFailure: demo failure' : null,
      traceback:
        state === 'FAILURE'
          ? `DemoTaskFailure: demo failure\n${'    at run (task.js:1:1)\n'.repeat(8)}`
          : null,
    });
  }
  return records;
}

async function timeGet(url: string, expectType: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url);
  const body = await res.text();
  const ms = performance.now() - t0;
  if (
    res.status !== 200 ||
    !(res.headers.get('content-type') ?? '').includes(expectType) ||
    body.length === 0
  )
    throw new Error(`GET ${url}: ${res.status} ${res.headers.get('content-type')}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const server = await startRedis();
  const monitor = new TaskMonitor({
    redisUrl: server.url,
    prefix: `bench-ui-${randomUUID().slice(0, 8)}`,
    maxTasks: TASK_COUNT,
    purgeOfflineWorkersSeconds: 3600,
    queues: ['default'],
    controlTimeoutMs: 1000,
    tasks: TASKS,
    logger: pino({ level: 'error' }), // Debian's Redis refuses ioredis' CLIENT SETINFO: a warning per connection
    registry: new Registry(),
  });
  let http: import('node:http').Server | undefined;
  try {
    await monitor.start();
    const fillStart = performance.now();
    monitor.state.loadTasks(history(TASK_COUNT));
    const fillMs = performance.now() - fillStart;
    if (monitor.state.tasks.size !== TASK_COUNT)
      throw new Error(`history holds ${monitor.state.tasks.size} tasks, not ${TASK_COUNT}`);
    const app = express();
    configureMonitorApp(app, monitor, { auth: { basic: [], token: '' }, readOnly: false });
    http = await new Promise<import('node:http').Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const filter = `taskname=${encodeURIComponent(TASKS[1]!.name)}&state=FAILURE&search=movie%2B12`;
    const cases = [
      { name: 'first page', page: `/tasks?limit=${PAGE}`, api: `/api/tasks?limit=${PAGE}` },
      {
        name: 'filtered page',
        page: `/tasks?${filter}&limit=${PAGE}`,
        api: `/api/tasks?${filter}&limit=${PAGE}`,
      },
    ];
    console.log(
      `history: ${TASK_COUNT.toLocaleString('en-US')} tasks loaded in ${fillMs.toFixed(0)} ms; ${ROUNDS} requests each, medians`,
    );
    const results: Record<string, { page: number; api: number }> = {};
    for (const c of cases) {
      // warm-up: JIT and the first full copy of the history
      for (let i = 0; i < 3; i++) {
        await timeGet(base + c.page, 'text/html');
        await timeGet(base + c.api, 'application/json');
      }
      const page: number[] = [];
      const api: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        page.push(await timeGet(base + c.page, 'text/html'));
        api.push(await timeGet(base + c.api, 'application/json'));
      }
      results[c.name] = { page: median(page), api: median(api) };
      console.log(
        `${c.name}: tasks page ${median(page).toFixed(1)} ms (p90 ${[...page].sort((a, b) => a - b)[Math.floor(ROUNDS * 0.9)]!.toFixed(1)}), api ${median(api).toFixed(1)} ms, ratio ${(median(page) / median(api)).toFixed(2)}`,
      );
    }
    const first = results['first page']!;
    console.log(
      `monitor-ui: tasks page ${first.page.toFixed(1)} ms, api ${first.api.toFixed(1)} ms, ratio ${(first.page / first.api).toFixed(2)}`,
    );
  } finally {
    if (http) {
      http.closeAllConnections();
      await new Promise((resolve) => http!.close(resolve));
    }
    await monitor.stop();
    await server.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
