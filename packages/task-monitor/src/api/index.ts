import express, { type Request, type Response } from 'express';
import type { TaskMonitor } from '../monitor';
import { broker } from './broker';
import { control } from './control';
import { type ApiContext, type ApiResource, requestErrors } from './http';
import { tasks } from './tasks';
import { workers } from './workers';

export interface ApiOptions {
  /** mutating routes answer 403 */
  readOnly: boolean;
}

/** The API's resources, one file each, as Flower's flower/api/{workers,tasks,control}.py (+ ours: broker). */
export const API_RESOURCES: readonly ApiResource[] = [workers, control, tasks, broker];

/** Flower's HTTP API on the monitor. */
export function createApiRouter(monitor: TaskMonitor, options: ApiOptions): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }), express.urlencoded({ extended: false }));
  const mutating = (_req: Request, res: Response, next: express.NextFunction) => {
    if (options.readOnly) {
      res.status(403).json({ error: 'the monitor is in read-only mode (TASK_MONITOR_READ_ONLY)' });
      return;
    }
    next();
  };
  const context: ApiContext = { monitor, mutating };
  for (const resource of API_RESOURCES) resource.register(router, context);
  // after the routes: a body the parsers refused or a path that does not decode is a 4xx, not a 500
  router.use(requestErrors);
  return router;
}

export { CONTROL_ROUTES, type ControlRoute } from './control';
export { type ApiContext, type ApiResource, HttpError } from './http';
export { filterTasks } from './tasks';
export { workerStatesParam, workerView } from './workers';
