import { TaskQueueError } from '@reelwatch/task-worker';
import type express from 'express';
import type { Request, Response } from 'express';
import type { TaskMonitor } from '../monitor';

/** What every resource's routes are registered with. */
export interface ApiContext {
  monitor: TaskMonitor;
  /** middleware of the mutating routes: 403 in read-only mode */
  mutating: express.RequestHandler;
}

/** An API resource (Flower's api/workers, api/tasks, api/control): registers its routes. */
export interface ApiResource {
  name: string;
  register(router: express.Router, context: ApiContext): void;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A request parameter from the query string or the body (Flower takes both). */
export function param(req: Request, name: string): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  const fromBody = body && typeof body === 'object' ? body[name] : undefined;
  const value = fromBody ?? req.query[name];
  if (value === undefined || value === null) return undefined;
  return String(value);
}

export function pathParam(req: Request, name: string): string {
  const value = req.params[name];
  return Array.isArray(value) ? value.join('/') : (value ?? '');
}

export function boolParam(req: Request, name: string): boolean {
  const value = param(req, name);
  return value === 'true' || value === '1' || value === 'yes';
}

export function intParam(req: Request, name: string, fallback: number): number {
  const value = param(req, name);
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new HttpError(400, `'${name}' must be an integer`);
  return n;
}

/** Wraps a route: an HttpError or a task's argument error becomes its status, anything else a 500. */
export function handle(fn: (req: Request, res: Response) => Promise<void> | void) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      await fn(req, res);
    } catch (err) {
      if (err instanceof HttpError) res.status(err.status).json({ error: err.message });
      else if (
        err instanceof TaskQueueError &&
        (err.code === 'INVALID_ARGUMENTS' || err.code === 'UNKNOWN_TASK')
      ) {
        res.status(err.code === 'UNKNOWN_TASK' ? 404 : 400).json({ error: err.message });
      } else {
        res.status(500).json({ error: 'internal error' });
      }
    }
  };
}
