import { nodeService } from './service';
import { HOST, port } from './support';

export const taskMonitor = nodeService({
  name: 'task-monitor',
  packageDir: 'task-monitor',
  description: 'task-monitor: Flower-style monitor (no auth: it listens on 127.0.0.1 only)',
  compose: {
    port: 5555,
    published: 'TASK_MONITOR_PORT',
    environment: ['HEALTHCHECK_URL', 'TASK_MONITOR_REDIS_URL', 'TASK_MONITOR_BASIC_AUTH'],
    healthcheck: true,
  },
  nativePort: 5555,
  docs: { label: "task-monitor (Flower's port)" },
  env: (s) => ({
    TASK_MONITOR_REDIS_URL: `redis://${HOST}:${port(s, 'redis')}`,
    TASK_MONITOR_HOST: HOST,
    TASK_MONITOR_PORT: String(port(s, 'task-monitor')),
  }),
});
