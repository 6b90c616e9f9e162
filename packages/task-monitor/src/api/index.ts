import { type ControlCommandName, type ControlReply, TaskQueueError } from '@reelwatch/task-queue';
import express, { type Request, type Response } from 'express';
import type { TaskMonitor } from './monitor';
import type { TaskRecord, WorkerRecord } from './state';

export interface ApiOptions {
  /** mutating routes answer 403 */
  readOnly: boolean;
}

/** A request parameter from the query string or the body (Flower takes both). */
function param(req: Request, name: string): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  const fromBody = body && typeof body === 'object' ? body[name] : undefined;
  const value = fromBody ?? req.query[name];
  if (value === undefined || value === null) return undefined;
  return String(value);
}

function pathParam(req: Request, name: string): string {
  const value = req.params[name];
  return Array.isArray(value) ? value.join('/') : (value ?? '');
}

function boolParam(req: Request, name: string): boolean {
  const value = param(req, name);
  return value === 'true' || value === '1' || value === 'yes';
}

function intParam(req: Request, name: string, fallback: number): number {
  const value = param(req, name);
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new HttpError(400, `'${name}' must be an integer`);
  return n;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Flower's worker dict, built from the worker's last heartbeat. */
export function workerView(worker: WorkerRecord): Record<string, unknown> {
  const info = worker.info;
  return {
    active_queues: (info?.queues ?? []).map((name) => ({ name, routing_key: name })),
    registered: info?.registered ?? [],
    active: (info?.activeTasks ?? []).map((t) => ({
      id: t.id,
      name: t.name,
      time_start: t.startedAt,
      hostname: worker.hostname,
    })),
    reserved_count: info?.reserved ?? 0,
    revoked: [],
    scheduled: [],
    conf: { rate_limits: info?.rateLimits ?? {}, time_limits: info?.timeLimits ?? {} },
    stats: {
      pid: info?.pid ?? null,
      hostname: info?.host ?? null,
      uptime: info ? Math.round(info.timestamp - info.startedAt) : null,
      prefetch_count: info ? info.concurrency * info.prefetchMultiplier : null,
      pool: {
        'max-concurrency': info?.concurrency ?? null,
        autoscale: info?.autoscale ? [info.autoscale.max, info.autoscale.min] : null,
      },
      total: info?.total ?? {},
    },
    status: worker.online,
    heartbeat: { last: worker.lastHeartbeat, freq: worker.freq },
    timestamp: worker.lastHeartbeat,
  };
}

const SORTABLE = new Set(['name', 'state', 'received', 'started', 'timestamp', 'runtime', 'worker']);

function parseTime(value: string | undefined, what: string): number | null {
  if (!value) return null;
  // Flower's format is 'YYYY-MM-DD HH:mm'; ISO and Unix seconds are accepted too
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Date.parse(value.replace(' ', 'T')) / 1000;
  if (!Number.isFinite(seconds)) throw new HttpError(400, `'${what}' is not a time`);
  return seconds;
}

export function filterTasks(tasks: Iterable<TaskRecord>, req: Request): TaskRecord[] {
  const limit = intParam(req, 'limit', 0);
  const offset = intParam(req, 'offset', 0);
  const worker = param(req, 'workername');
  const name = param(req, 'taskname');
  const state = param(req, 'state');
  const search = param(req, 'search');
  const from = parseTime(param(req, 'received_start'), 'received_start');
  const to = parseTime(param(req, 'received_end'), 'received_end');
  let list = [...tasks].filter(
    (t) =>
      (!worker || t.worker === worker) &&
      (!name || t.name === name) &&
      (!state || t.state === state) &&
      (from === null || (t.received ?? 0) >= from) &&
      (to === null || (t.received ?? Number.POSITIVE_INFINITY) <= to) &&
      (!search || t.uuid.includes(search) || t.name.includes(search) || (t.args ?? '').includes(search)),
  );
  const sortBy = param(req, 'sort_by');
  if (sortBy) {
    const desc = sortBy.startsWith('-');
    const key = (desc ? sortBy.slice(1) : sortBy) as keyof TaskRecord;
    if (!SORTABLE.has(key)) throw new HttpError(400, `cannot sort by '${String(key)}'`);
    list.sort((a, b) => {
      const x = a[key] ?? '';
      const y = b[key] ?? '';
      return (x < y ? -1 : x > y ? 1 : 0) * (desc ? -1 : 1);
    });
  } else {
    list.reverse(); // newest first, as Flower
  }
  list = list.slice(offset);
  return limit > 0 ? list.slice(0, limit) : list;
}

/** Flower's HTTP API (flower/api/{workers,tasks,control}.py routes) on the monitor. */
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

  const knownWorker = (name: string): WorkerRecord => {
    const worker = monitor.state.workers.get(name);
    if (!worker) throw new HttpError(404, `Unknown worker '${name}'`);
    return worker;
  };

  /** Sends a command to one worker and maps a missing or failed reply to Flower's 403. */
  const command = async (
    worker: string,
    name: ControlCommandName,
    args: Record<string, unknown>,
    failure: string,
  ): Promise<ControlReply> => {
    knownWorker(worker);
    const replies = await monitor.control.broadcast(name, args, { destination: [worker] });
    const reply = replies[0];
    if (!reply) throw new HttpError(403, `${failure}: no reply from '${worker}'`);
    if (!reply.ok) throw new HttpError(403, `${failure}: ${reply.message}`);
    return reply;
  };

  const handle =
    (fn: (req: Request, res: Response) => Promise<void> | void) =>
    async (req: Request, res: Response): Promise<void> => {
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

  router.get(
    '/workers',
    handle((req, res) => {
      const only = param(req, 'workername');
      const workers = [...monitor.state.workers.values()].filter((w) => !only || w.hostname === only);
      if (only && workers.length === 0) throw new HttpError(404, `Unknown worker '${only}'`);
      if (boolParam(req, 'status')) {
        res.json(Object.fromEntries(workers.map((w) => [w.hostname, w.online])));
        return;
      }
      res.json(Object.fromEntries(workers.map((w) => [w.hostname, workerView(w)])));
    }),
  );

  router.post(
    '/worker/shutdown/:name',
    mutating,
    handle(async (req, res) => {
      await command(pathParam(req, 'name'), 'shutdown', {}, 'Failed to shut down');
      res.json({ message: 'Shutting down!' });
    }),
  );

  router.post(
    '/worker/pool/restart/:name',
    mutating,
    handle(async (req, res) => {
      const name = pathParam(req, 'name');
      await command(name, 'pool_restart', {}, `Failed to restart the '${name}' pool`);
      res.json({ message: `Restarting '${name}' worker's pool` });
    }),
  );

  router.post(
    '/worker/pool/grow/:name',
    mutating,
    handle(async (req, res) => {
      const name = pathParam(req, 'name');
      const n = intParam(req, 'n', 1);
      await command(name, 'pool_grow', { n }, `Failed to grow '${name}' worker's pool`);
      res.json({ message: `Growing '${name}' worker's pool by ${n}` });
    }),
  );

  router.post(
    '/worker/pool/shrink/:name',
    mutating,
    handle(async (req, res) => {
      const name = pathParam(req, 'name');
      const n = intParam(req, 'n', 1);
      await command(name, 'pool_shrink', { n }, `Failed to shrink '${name}' worker's pool`);
      res.json({ message: `Shrinking '${name}' worker's pool by ${n}` });
    }),
  );

  router.post(
    '/worker/pool/autoscale/:name',
    mutating,
    handle(async (req, res) => {
      const name = pathParam(req, 'name');
      const min = intParam(req, 'min', 0);
      const max = intParam(req, 'max', 0);
      await command(name, 'autoscale', { min, max }, `Failed to autoscale '${name}' worker`);
      res.json({ message: `Autoscaling '${name}' worker (min=${min}, max=${max})` });
    }),
  );

  for (const [route, cmd] of [
    ['add-consumer', 'add_consumer'],
    ['cancel-consumer', 'cancel_consumer'],
  ] as const) {
    router.post(
      `/worker/queue/${route}/:name`,
      mutating,
      handle(async (req, res) => {
        const name = pathParam(req, 'name');
        const queue = param(req, 'queue');
        if (!queue) throw new HttpError(400, "'queue' is required");
        const reply = await command(name, cmd, { queue }, `Failed to ${route.replace('-', ' ')}`);
        res.json({ message: reply.message });
      }),
    );
  }

  router.get(
    '/tasks',
    handle((req, res) => {
      res.json(Object.fromEntries(filterTasks(monitor.state.tasks.values(), req).map((t) => [t.uuid, t])));
    }),
  );

  router.get(
    '/task/types',
    handle((_req, res) => {
      const seen = new Set(monitor.client.taskTypes());
      for (const t of monitor.state.tasks.values()) seen.add(t.name);
      res.json({ 'task-types': [...seen].sort() });
    }),
  );

  router.get(
    '/task/info/:id',
    handle((req, res) => {
      const task = monitor.state.tasks.get(pathParam(req, 'id'));
      if (!task) throw new HttpError(404, `Unknown task '${pathParam(req, 'id')}'`);
      res.json(task);
    }),
  );

  router.post(
    '/task/async-apply/:name',
    mutating,
    handle(async (req, res) => {
      const name = pathParam(req, 'name');
      const body = (req.body ?? {}) as {
        args?: unknown[];
        kwargs?: Record<string, unknown>;
        options?: Record<string, unknown>;
      };
      // our tasks take one object: Celery's kwargs, or a single positional object
      const args = body.kwargs ?? (Array.isArray(body.args) && body.args.length > 0 ? body.args[0] : {});
      const opts = body.options ?? {};
      const countdown = opts.countdown === undefined ? undefined : Number(opts.countdown);
      if (countdown !== undefined && !(countdown >= 0))
        throw new HttpError(400, "'countdown' must be >= 0 seconds");
      const id = await monitor.client.apply(name, args, {
        queue: typeof opts.queue === 'string' ? opts.queue : undefined,
        delayMs: countdown !== undefined ? countdown * 1000 : undefined,
        taskId: typeof opts.task_id === 'string' ? opts.task_id : undefined,
      });
      res.json({ 'task-id': id, state: 'PENDING' });
    }),
  );

  router.get(
    '/task/result/:id',
    handle(async (req, res) => {
      const id = pathParam(req, 'id');
      const known = monitor.state.tasks.get(id);
      const queues = known?.queue ? [known.queue, ...monitor.queues()] : monitor.queues();
      const result = await monitor.client.result(id, queues);
      if (!result) {
        // like Celery's AsyncResult: an unknown id is PENDING
        res.json({ 'task-id': id, state: known?.state ?? 'PENDING' });
        return;
      }
      const body: Record<string, unknown> = { 'task-id': id, state: result.state };
      if (result.state === 'SUCCESS') body.result = result.result;
      if (result.state === 'FAILURE') body.result = result.exception;
      if (result.state === 'FAILURE' && known?.traceback) body.traceback = known.traceback;
      res.json(body);
    }),
  );

  router.post(
    '/task/revoke/:id',
    mutating,
    handle(async (req, res) => {
      const id = pathParam(req, 'id');
      const known = monitor.state.tasks.get(id);
      const queues = known?.queue ? [known.queue, ...monitor.queues()] : monitor.queues();
      await monitor.control.revoke(id, { terminate: boolParam(req, 'terminate'), queues });
      res.json({ message: `Revoked '${id}'` });
    }),
  );

  router.post(
    '/task/rate-limit/:name',
    mutating,
    handle(async (req, res) => {
      const task = pathParam(req, 'name');
      const worker = param(req, 'workername');
      const rate = param(req, 'ratelimit');
      if (!worker) throw new HttpError(400, "'workername' is required");
      if (rate === undefined) throw new HttpError(400, "'ratelimit' is required");
      const reply = await command(worker, 'rate_limit', { task, rate }, 'Failed to set rate limit');
      res.json({ message: reply.message });
    }),
  );

  router.post(
    '/task/timeout/:name',
    mutating,
    handle(async (req, res) => {
      const task = pathParam(req, 'name');
      const worker = param(req, 'workername');
      if (!worker) throw new HttpError(400, "'workername' is required");
      const reply = await command(
        worker,
        'time_limit',
        { task, soft: param(req, 'soft') ?? null, hard: param(req, 'hard') ?? null },
        'Failed to set timeouts',
      );
      res.json({ message: reply.message });
    }),
  );

  router.get(
    '/queues/length',
    handle(async (_req, res) => {
      const snapshot = await monitor.broker.snapshot(0);
      if (!snapshot.up) throw new HttpError(503, 'broker unavailable');
      res.json({ active_queues: snapshot.queues.map((q) => ({ name: q.name, messages: q.counts.waiting })) });
    }),
  );

  // not Flower's: its broker page as JSON, with what Flower's users ask for (oldest waiting age)
  router.get(
    '/broker',
    handle(async (_req, res) => {
      const snapshot = await monitor.broker.snapshot(0);
      if (!snapshot.up) throw new HttpError(503, 'broker unavailable');
      res.json({
        redis: { used_memory_bytes: snapshot.usedMemoryBytes, connected_clients: snapshot.connectedClients },
        queues: snapshot.queues.map((q) => ({
          name: q.name,
          ...q.counts,
          oldest_waiting_age_seconds: q.oldestWaitingAgeSeconds,
        })),
      });
    }),
  );

  return router;
}
