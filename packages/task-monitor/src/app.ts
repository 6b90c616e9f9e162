import type express from 'express';
import { createApiRouter } from './api';
import { type AuthOptions, requireAuth } from './auth';
import type { TaskMonitor } from './monitor';
import { createQueueBoard, workersPage } from './web';

export interface MonitorAppOptions {
  auth: AuthOptions;
  readOnly: boolean;
}

/**
 * Mounts the monitor's routes on an express app (service-kit's server adds /metrics, /healthz
 * and /readyz): Flower's /api/* and /healthcheck, the workers page at /, bull-board at /queues.
 */
export function configureMonitorApp(
  app: express.Express,
  monitor: TaskMonitor,
  options: MonitorAppOptions,
): void {
  const auth = requireAuth(options.auth);
  // Flower answers its health check without credentials
  app.get('/healthcheck', (_req, res) => {
    res.type('text/plain').send('OK');
  });
  // Until the history is loaded from Redis (which may be down), answers would be wrong: 503, and why.
  const started: express.RequestHandler = (_req, res, next) => {
    if (monitor.isStarted) return next();
    let reason = 'starting';
    try {
      monitor.checkReady();
    } catch (err) {
      reason = (err as Error).message;
    }
    res
      .status(503)
      .set('retry-after', '1')
      .json({ error: `task monitor not ready: ${reason}` });
  };
  app.use('/api', auth, started, createApiRouter(monitor, { readOnly: options.readOnly }));
  app.use('/queues', auth, createQueueBoard(monitor, { basePath: '/queues', readOnly: options.readOnly }));
  const page = workersPage({ readOnly: options.readOnly });
  app.get('/', auth, (_req, res) => {
    res.type('html').send(page);
  });
}
