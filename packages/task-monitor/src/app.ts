import type express from 'express';
import { createApiRouter } from './api';
import { type AuthOptions, requireAuth } from './auth';
import type { TaskMonitor } from './monitor';
// './web/index', not './web': a build from before src/web/ left a dist/web.js that would win
import { createQueueBoard, createWebRouter } from './web/index';

export interface MonitorAppOptions {
  auth: AuthOptions;
  readOnly: boolean;
}

/** What configureMonitorApp mounted that holds connections open. */
export interface MonitorApp {
  /** ends the pages' open event streams (before the HTTP server closes, or it waits for them) */
  close(): void;
}

/**
 * Mounts the monitor's routes on an express app (service-kit's server adds /metrics, /healthz
 * and /readyz): Flower's /api/* and /healthcheck, the pages (/, /workers/<name>, /tasks,
 * /tasks/<id>, /broker) with their live-update stream at /events/stream, bull-board at /queues.
 */
export function configureMonitorApp(
  app: express.Express,
  monitor: TaskMonitor,
  options: MonitorAppOptions,
): MonitorApp {
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
  const web = createWebRouter(monitor, {
    auth,
    readOnly: options.readOnly,
    purgeOfflineWorkersSeconds: monitor.purgeOfflineWorkersSeconds,
  });
  // the pages, their stylesheet and script, and the live-update stream (/events/stream)
  app.use(web.router);
  return { close: () => web.events.close() };
}
