import path from 'node:path';
import { nodeService } from './service';
import { HOST, pgUrl, port } from './support';

export const taskWorker = nodeService({
  name: 'task-worker',
  packageDir: 'task-worker',
  description: 'task-worker: BullMQ workers reading the replica',
  compose: {
    port: 9466,
    environment: [
      'HEALTHCHECK_URL',
      'TASK_WORKER_REDIS_URL',
      'TASK_WORKER_REPLICA_URL',
      'TASK_WORKER_EXPORT_DIR',
    ],
    healthcheck: true,
  },
  nativePort: 9466,
  docs: { label: 'task-worker `/metrics`' },
  env: (s) => ({
    TASK_WORKER_REDIS_URL: `redis://${HOST}:${port(s, 'redis')}`,
    TASK_WORKER_REPLICA_URL: pgUrl(port(s, 'postgres-replica')),
    TASK_WORKER_EXPORT_DIR: path.join(s.stateDir, 'task-exports'),
    TASK_WORKER_METRICS_HOST: HOST,
    TASK_WORKER_METRICS_PORT: String(port(s, 'task-worker')),
  }),
});
