import { existsSync } from 'node:fs';
import path from 'node:path';
import type { StackComponent } from './component';
import { baseEnv, componentDir, ensureDir, port, url } from './support';

function taskTrafficScript(root: string): string {
  return path.join(root, 'compose', 'task-traffic', 'task-traffic.js');
}

/** Compose's task-traffic demo load, natively: the same script against the local task-monitor. */
export const taskTraffic: StackComponent = {
  name: 'task-traffic',
  description:
    "task-traffic: demo load, a few tasks every TASK_TRAFFIC_INTERVAL_SECONDS through task-monitor's API (nothing else enqueues tasks)",
  compose: {
    environment: ['TASK_MONITOR_URL', 'TASK_MONITOR_BASIC_AUTH', 'TASK_TRAFFIC_INTERVAL_SECONDS'],
    healthcheck: true,
  },
  docs: { label: 'task-traffic' },
  binaries: [],
  unavailable: (s) =>
    existsSync(taskTrafficScript(s.root))
      ? undefined
      : 'compose/task-traffic/task-traffic.js is not in this checkout',
  launch: (s) => ({
    command: process.execPath,
    args: [taskTrafficScript(s.root)],
    env: {
      ...baseEnv(s, componentDir(s, 'task-traffic')),
      TASK_MONITOR_URL: url(port(s, 'task-monitor')),
      TASK_TRAFFIC_INTERVAL_SECONDS: String(s.taskTrafficIntervalSec),
    },
    cwd: ensureDir(componentDir(s, 'task-traffic')),
  }),
  async health() {},
};
