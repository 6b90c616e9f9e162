import {
  createLogger,
  createMetricsRegistry,
  Lifecycle,
  loadConfigOrExit,
  Readiness,
  startHttpServer,
} from '@reelwatch/service-kit';
import { TASKS } from '@reelwatch/task-worker';
import { configureMonitorApp, type MonitorApp } from './app';
import { authEnabled } from './auth';
import { monitorConfigSchema } from './config';
import { TaskMonitor } from './monitor';

async function main(): Promise<void> {
  const config = loadConfigOrExit('task-monitor', monitorConfigSchema, { prefixes: ['TASK_MONITOR_'] });
  const logger = createLogger({ service: 'task-monitor', level: config.TASK_MONITOR_LOG_LEVEL });
  const lifecycle = new Lifecycle({ logger }).install();
  const registry = createMetricsRegistry({ service: 'task-monitor' });
  const monitor = new TaskMonitor({
    redisUrl: config.TASK_MONITOR_REDIS_URL,
    prefix: config.TASK_MONITOR_KEY_PREFIX,
    maxTasks: config.TASK_MONITOR_MAX_TASKS,
    purgeOfflineWorkersSeconds: config.TASK_MONITOR_PURGE_OFFLINE_WORKERS_SECONDS,
    queues: config.TASK_MONITOR_QUEUES,
    controlTimeoutMs: config.TASK_MONITOR_CONTROL_TIMEOUT_MS,
    readPauseMs: config.TASK_MONITOR_EVENT_READ_PAUSE_MS,
    tasks: TASKS,
    logger,
    registry,
  });
  lifecycle.onShutdown('monitor', () => monitor.stop());
  const readiness = new Readiness();
  readiness.add('redis', async () => {
    monitor.checkReady(); // names the connection and Redis' last error when it is down
    await monitor.redis.ping();
  });
  const auth = {
    basic: (config.TASK_MONITOR_BASIC_AUTH ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
    token: config.TASK_MONITOR_AUTH_TOKEN ?? '',
  };
  if (!authEnabled(auth))
    logger.warn('no TASK_MONITOR_BASIC_AUTH or TASK_MONITOR_AUTH_TOKEN: the API is open');
  let pages: MonitorApp | undefined;
  const http = await startHttpServer({
    service: 'task-monitor',
    host: config.TASK_MONITOR_HOST,
    port: config.TASK_MONITOR_PORT,
    registry,
    logger,
    readiness,
    metricsAuth: config.TASK_MONITOR_METRICS_USERNAME
      ? {
          username: config.TASK_MONITOR_METRICS_USERNAME,
          password: config.TASK_MONITOR_METRICS_PASSWORD ?? '',
        }
      : undefined,
    configure: (app) => {
      pages = configureMonitorApp(app, monitor, { auth, readOnly: config.TASK_MONITOR_READ_ONLY });
    },
  });
  lifecycle.onShutdown('http', () => {
    pages?.close(); // open pages' event streams would hold the server's close for its whole grace
    return http.close();
  });
  logger.info({ url: http.url, readOnly: config.TASK_MONITOR_READ_ONLY }, 'task monitor listening');
  try {
    // waits for Redis as long as it refuses connections; /readyz says why meanwhile
    await monitor.start();
  } catch (err) {
    if (lifecycle.stopping) return; // stopped before Redis answered
    logger.fatal({ err }, 'monitor could not start');
    await lifecycle.shutdown('monitor could not start');
  }
}

void main();
