import { hostname } from 'node:os';
import path from 'node:path';
import {
  createLogger,
  createMetricsRegistry,
  Lifecycle,
  loadConfigOrExit,
  maskDsn,
  Readiness,
  startHttpServer,
} from '@reelwatch/service-kit';
import { Pool } from 'pg';
import { parseAutoscale, workerConfigSchema } from './config';
import { TASKS } from './tasks';
import { TaskWorker } from './worker';

async function main(): Promise<void> {
  const config = loadConfigOrExit('task-worker', workerConfigSchema, { prefixes: ['TASK_WORKER_'] });
  const logger = createLogger({ service: 'task-worker', level: config.TASK_WORKER_LOG_LEVEL });
  const lifecycle = new Lifecycle({
    logger,
    deadlineMs: config.TASK_WORKER_SHUTDOWN_TIMEOUT_MS + 5000,
  }).install();
  const registry = createMetricsRegistry({ service: 'task-worker' });
  const host = hostname();
  const name = config.TASK_WORKER_NAME || `worker@${host}-${process.pid}`;
  let replica: Pool | null = null;
  const worker = new TaskWorker({
    redisUrl: config.TASK_WORKER_REDIS_URL,
    prefix: config.TASK_WORKER_KEY_PREFIX,
    name,
    host,
    pid: process.pid,
    queues: config.TASK_WORKER_QUEUES,
    concurrency: config.TASK_WORKER_CONCURRENCY,
    prefetchMultiplier: config.TASK_WORKER_PREFETCH_MULTIPLIER,
    autoscale: parseAutoscale(config.TASK_WORKER_AUTOSCALE),
    heartbeatIntervalMs: config.TASK_WORKER_HEARTBEAT_INTERVAL_MS,
    events: config.TASK_WORKER_EVENTS,
    eventStreamMaxLen: config.TASK_WORKER_EVENT_STREAM_MAXLEN,
    shutdownTimeoutMs: config.TASK_WORKER_SHUTDOWN_TIMEOUT_MS,
    tasks: TASKS,
    deps: {
      replica() {
        if (!replica) {
          replica = new Pool({ connectionString: config.TASK_WORKER_REPLICA_URL, max: 4 });
          // An idle connection the server closes (replica restarted or stopped) must not end the
          // worker: the pool drops it, and the next task's query reconnects or fails (retried).
          replica.on('error', (err) => logger.warn({ err: err.message }, 'replica connection lost (idle)'));
        }
        return replica;
      },
      exportDir: path.resolve(config.TASK_WORKER_EXPORT_DIR),
    },
    logger,
    registry,
    onShutdownRequested: (reason) => void lifecycle.shutdown(reason),
  });
  const readiness = new Readiness();
  readiness.add('worker', () => worker.checkReady());
  const http = await startHttpServer({
    service: 'task-worker',
    host: config.TASK_WORKER_METRICS_HOST,
    port: config.TASK_WORKER_METRICS_PORT,
    registry,
    logger,
    readiness,
  });
  lifecycle.onShutdown('worker', () => worker.stop('shutdown'));
  lifecycle.onShutdown('replica', async () => {
    await replica?.end();
  });
  lifecycle.onShutdown('http', () => http.close());
  logger.info(
    { name, replica: maskDsn(config.TASK_WORKER_REPLICA_URL), metrics: http.url },
    'starting worker',
  );
  try {
    // waits for Redis as long as it refuses connections; /readyz says why meanwhile
    await worker.start();
  } catch (err) {
    if (lifecycle.stopping) return; // stopped before Redis answered
    logger.fatal({ err }, 'worker could not start');
    await lifecycle.shutdown('worker could not start');
  }
}

void main();
