import type { AddressInfo } from 'node:net';
import type { RedisServer } from '@reelwatch/testkit';
import express from 'express';
import { Registry } from 'prom-client';
import { createHarness, type Harness, silentLogger } from '../../task-worker/test/helpers';
import { configureMonitorApp, type MonitorAppOptions } from '../src/app';
import { TaskMonitor, type TaskMonitorOptions } from '../src/monitor';
import { type WorkerState, workerState } from '../src/worker-state';

/** A worker's state in a monitor now; undefined when the monitor does not know it. */
export function workerStateIn(monitor: TaskMonitor, name: string): WorkerState | undefined {
  const worker = monitor.state.workers.get(name);
  return worker ? workerState(worker, Date.now() / 1000) : undefined;
}

export interface MonitorHarness extends Harness {
  startMonitor(overrides?: Partial<TaskMonitorOptions>): Promise<TaskMonitor>;
  /** serves a monitor's routes on a free port; returns its base URL */
  serve(monitor: TaskMonitor, options?: Partial<MonitorAppOptions>): Promise<string>;
}

/** The task-worker harness plus monitors and their HTTP servers, all closed by close(). */
export async function createMonitorHarness(server: RedisServer): Promise<MonitorHarness> {
  const h = await createHarness(server);
  const monitors: TaskMonitor[] = [];
  const servers: import('node:http').Server[] = [];
  return {
    ...h,
    async startMonitor(overrides = {}) {
      const monitor = new TaskMonitor({
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
        ...overrides,
      });
      monitors.push(monitor);
      await monitor.start();
      return monitor;
    },
    async serve(monitor, options = {}) {
      const app = express();
      configureMonitorApp(app, monitor, { auth: { basic: [], token: '' }, readOnly: false, ...options });
      const http = await new Promise<import('node:http').Server>((resolve) => {
        const s = app.listen(0, '127.0.0.1', () => resolve(s));
      });
      servers.push(http);
      return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    },
    async close() {
      for (const s of servers) await new Promise((resolve) => s.close(resolve));
      await h.close();
      for (const m of monitors) await m.stop();
    },
  };
}

/** The value of one sample in Prometheus text exposition, or undefined when absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const match = /^([^{ ]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const m of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) got[m[1]!] = m[2]!;
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(match[3]);
  }
  return undefined;
}
