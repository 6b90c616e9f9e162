import { createHash } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response } from 'express';
import type { TaskMonitor } from '../monitor';
import { MONITOR_CLIENT_JS } from './assets/monitor-client';
import { MONITOR_CSS } from './assets/monitor-css';
import { LiveEvents } from './events';
import { esc } from './format';
import {
  layout,
  PageBadRequest,
  type PageContext,
  PageNotFound,
  type RenderedPage,
  type WebPage,
} from './layout';
import { brokerPage } from './pages/broker';
import { taskPage } from './pages/task';
import { tasksPage } from './pages/tasks';
import { workerPage } from './pages/worker';
import { workersPage } from './pages/workers';

/** The monitor's pages, one file each under pages/, in navigation order. */
export const WEB_PAGES: readonly WebPage[] = [workersPage, workerPage, tasksPage, taskPage, brokerPage];

export interface WebOptions {
  readOnly: boolean;
  /** the monitor's authentication, in front of every route of the router */
  auth: RequestHandler;
  purgeOfflineWorkersSeconds: number;
}

function asset(body: string, type: string) {
  const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
  return {
    version: etag.slice(1, 9),
    handler: ((req: Request, res: Response) => {
      res.set({ etag, 'cache-control': 'no-cache' }).type(type);
      if (req.headers['if-none-match'] === etag) res.status(304).end();
      else res.send(body);
    }) as RequestHandler,
  };
}

/**
 * The pages (server-rendered HTML), their stylesheet and script, and the live-update stream at
 * /events/stream, each behind the monitor's authentication.
 */
export function createWebRouter(
  monitor: TaskMonitor,
  options: WebOptions,
): { router: express.Router; events: LiveEvents } {
  const router = express.Router();
  const css = asset(MONITOR_CSS, 'text/css');
  const js = asset(MONITOR_CLIENT_JS, 'text/javascript');
  const version = `${css.version}${js.version}`;
  const events = new LiveEvents(monitor);
  router.get('/static/monitor.css', options.auth, css.handler);
  router.get('/static/monitor.js', options.auth, js.handler);
  router.get('/events/stream', options.auth, events.handler);
  const send = (res: Response, page: RenderedPage) => {
    res
      .status(page.status ?? 200)
      .set('cache-control', 'no-store')
      .type('html')
      .send(layout(page, { readOnly: options.readOnly, version }));
  };
  for (const page of WEB_PAGES) {
    router.get(page.path, options.auth, async (req, res, next) => {
      const context: PageContext = {
        monitor,
        readOnly: options.readOnly,
        purgeOfflineWorkersSeconds: options.purgeOfflineWorkersSeconds,
        nowSeconds: Date.now() / 1000,
      };
      try {
        send(res, await page.render(req, context));
      } catch (err) {
        if (err instanceof PageNotFound || err instanceof PageBadRequest) {
          const notFound = err instanceof PageNotFound;
          send(res, {
            title: notFound ? 'Not found' : 'Bad request',
            section: page.path.startsWith('/tasks')
              ? 'tasks'
              : page.path === '/broker'
                ? 'broker'
                : 'workers',
            live: [],
            status: notFound ? 404 : 400,
            body: `<p class="error" role="alert">${esc(err.message)}</p>`,
          });
          return;
        }
        next(err);
      }
    });
  }
  return { router, events };
}

export { createQueueBoard } from './board';
export { LiveEvents } from './events';
export { duration, esc, relative, show, timeHtml, utc } from './format';
export type { LiveKind, PageContext, RenderedPage, WebPage } from './layout';
export { pageOfTasks, taskQuery } from './pages/tasks';
