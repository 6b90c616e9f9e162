import type { TaskState } from '@reelwatch/task-worker';
import type { Request, Response } from 'express';
import type { TaskMonitor } from '../monitor';
import type { TaskRecord } from '../state';
import { type ApiResource, HttpError, handle, intParam, param, pathParam } from './http';

const SORTABLE = new Set(['name', 'state', 'received', 'started', 'timestamp', 'runtime', 'worker']);
/** Every state a task record can be in: any other `state` filter is a typo, answered 400. */
const TASK_STATES: ReadonlySet<string> = new Set<TaskState>([
  'PENDING',
  'RECEIVED',
  'STARTED',
  'SUCCESS',
  'FAILURE',
  'RETRY',
  'REVOKED',
]);

function parseTime(value: string | undefined, what: string): number | null {
  if (!value) return null;
  // Flower's format is 'YYYY-MM-DD HH:mm'; ISO and Unix seconds are accepted too
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Date.parse(value.replace(' ', 'T')) / 1000;
  if (!Number.isFinite(seconds)) throw new HttpError(400, `'${what}' is not a time`);
  return seconds;
}

export function filterTasks(tasks: Iterable<TaskRecord>, req: Request): TaskRecord[] {
  const limit = intParam(req, 'limit', 0, { min: 0 });
  const offset = intParam(req, 'offset', 0, { min: 0 });
  const worker = param(req, 'workername');
  const name = param(req, 'taskname');
  const state = param(req, 'state');
  if (state && !TASK_STATES.has(state)) {
    throw new HttpError(400, `unknown state '${state.slice(0, 40)}': one of ${[...TASK_STATES].join(', ')}`);
  }
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
    if (!SORTABLE.has(key)) throw new HttpError(400, `cannot sort by '${String(key).slice(0, 40)}'`);
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

/** Flower's TaskAsyncApply: sends a task; answers its id. */
function asyncApply(monitor: TaskMonitor) {
  return async (req: Request, res: Response): Promise<void> => {
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
    if (countdown !== undefined && !(Number.isFinite(countdown) && countdown >= 0))
      throw new HttpError(400, "'countdown' must be >= 0 seconds");
    const id = await monitor.client.apply(name, args, {
      queue: typeof opts.queue === 'string' ? opts.queue : undefined,
      delayMs: countdown !== undefined ? countdown * 1000 : undefined,
      taskId: typeof opts.task_id === 'string' ? opts.task_id : undefined,
    });
    res.json({ 'task-id': id, state: 'PENDING' });
  };
}

/** Flower's TaskResult: the result from BullMQ, the traceback from the monitor's history. */
function taskResult(monitor: TaskMonitor) {
  return async (req: Request, res: Response): Promise<void> => {
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
  };
}

/** Flower's api/tasks: the history, task types, sending a task, results and queue lengths. */
export const tasks: ApiResource = {
  name: 'tasks',
  register(router, { monitor, mutating }) {
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

    router.post('/task/async-apply/:name', mutating, handle(asyncApply(monitor)));
    router.get('/task/result/:id', handle(taskResult(monitor)));

    router.get(
      '/queues/length',
      handle(async (_req, res) => {
        const snapshot = await monitor.broker.snapshot(0);
        if (!snapshot.up) throw new HttpError(503, 'broker unavailable');
        res.json({
          active_queues: snapshot.queues.map((q) => ({ name: q.name, messages: q.counts.waiting })),
        });
      }),
    );
  },
};
