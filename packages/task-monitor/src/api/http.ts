import { TaskQueueError } from '@reelwatch/task-worker';
import type express from 'express';
import type { ErrorRequestHandler, Request, Response } from 'express';
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

/**
 * A request parameter from the query string or the body (Flower takes both). One value only: a
 * repeated query key (`?n=1&n=2`), a bracket key (`?n[]=1`, `?n[a]=1`) or a JSON array or object
 * where a value is expected is a 400, not the text of an array.
 */
export function param(req: Request, name: string): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  const fromBody = body && typeof body === 'object' && Object.hasOwn(body, name) ? body[name] : undefined;
  const query = req.query as Record<string, unknown>;
  const value = fromBody ?? (Object.hasOwn(query, name) ? query[name] : undefined);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') throw new HttpError(400, `'${name}' must be a single value`);
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

/** A decimal integer within bounds (no hex, exponent or fraction); `fallback` when absent or empty. */
export function intParam(
  req: Request,
  name: string,
  fallback: number,
  bounds: { min?: number; max?: number } = {},
): number {
  const value = param(req, name);
  if (value === undefined || value === '') return fallback;
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = bounds;
  const n = /^[-+]?\d{1,16}$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new HttpError(400, `'${name}' must be an integer`);
  if (n < min || n > max) throw new HttpError(400, `'${name}' must be between ${min} and ${max}`);
  return n;
}

/**
 * The status of an error raised while reading the request, before any route ran: body-parser's
 * (malformed JSON 400, body too large 413, unsupported charset or encoding 415, all carrying a 4xx
 * `status`) and the router's (a path parameter whose percent-encoding is broken: a URIError, 400).
 * Anything else is not the client's fault: undefined.
 */
export function requestErrorStatus(err: unknown): number | undefined {
  if (err instanceof URIError) return 400;
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, statusCode } = err as { status?: unknown; statusCode?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  return typeof code === 'number' && Number.isInteger(code) && code >= 400 && code < 500 ? code : undefined;
}

/**
 * The API's error middleware: a malformed request is the client's 4xx with a JSON `{error}`, as the
 * routes answer; other errors go on to the server's handler (a 500, logged).
 */
export const requestErrors: ErrorRequestHandler = (err, _req, res, next) => {
  const status = requestErrorStatus(err);
  if (status === undefined || res.headersSent) {
    next(err);
    return;
  }
  const { expose, message } = err as { expose?: unknown; message?: unknown };
  // body-parser marks the messages safe to show (expose); a URIError's names no secret either
  const text =
    (expose === true || err instanceof URIError) && typeof message === 'string' ? message : 'bad request';
  res.status(status).json({ error: text });
};

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
