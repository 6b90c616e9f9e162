import { type ControlCommandName, type ControlReply, controlHandler } from '@reelwatch/task-worker';
import type { Request } from 'express';
import type { TaskMonitor } from '../monitor';
import { type ApiResource, boolParam, HttpError, handle, intParam, param, pathParam } from './http';

/** A Flower control route: which command of task-worker's control table it sends, and how. */
export interface ControlRoute {
  /** under /api; `:name` is the worker, or the task for the task routes */
  path: string;
  command: ControlCommandName;
  /** the worker the command goes to */
  worker(req: Request): string;
  /** the command's arguments from the request; a missing or malformed parameter is a 400 */
  args(req: Request): Record<string, unknown>;
  /** how a 403's message starts */
  failure(worker: string): string;
  /** the 200's message */
  message(worker: string, args: Record<string, unknown>, reply: ControlReply): string;
}

const workerInPath = (req: Request) => pathParam(req, 'name');

function requiredParam(req: Request, name: string): string {
  const value = param(req, name);
  if (!value) throw new HttpError(400, `'${name}' is required`);
  return value;
}

function consumerRoute(route: 'add-consumer' | 'cancel-consumer', command: ControlCommandName): ControlRoute {
  return {
    path: `/worker/queue/${route}/:name`,
    command,
    worker: workerInPath,
    args: (req) => ({ queue: requiredParam(req, 'queue') }),
    failure: () => `Failed to ${route.replace('-', ' ')}`,
    message: (_worker, _args, reply) => reply.message,
  };
}

/** Flower's api/control routes for one worker (flower/api/control.py), in its order. */
export const CONTROL_ROUTES: readonly ControlRoute[] = [
  {
    path: '/worker/shutdown/:name',
    command: 'shutdown',
    worker: workerInPath,
    args: () => ({}),
    failure: () => 'Failed to shut down',
    message: () => 'Shutting down!',
  },
  {
    path: '/worker/pool/restart/:name',
    command: 'pool_restart',
    worker: workerInPath,
    args: () => ({}),
    failure: (worker) => `Failed to restart the '${worker}' pool`,
    message: (worker) => `Restarting '${worker}' worker's pool`,
  },
  {
    path: '/worker/pool/grow/:name',
    command: 'pool_grow',
    worker: workerInPath,
    args: (req) => ({ n: intParam(req, 'n', 1) }),
    failure: (worker) => `Failed to grow '${worker}' worker's pool`,
    message: (worker, { n }) => `Growing '${worker}' worker's pool by ${n}`,
  },
  {
    path: '/worker/pool/shrink/:name',
    command: 'pool_shrink',
    worker: workerInPath,
    args: (req) => ({ n: intParam(req, 'n', 1) }),
    failure: (worker) => `Failed to shrink '${worker}' worker's pool`,
    message: (worker, { n }) => `Shrinking '${worker}' worker's pool by ${n}`,
  },
  {
    path: '/worker/pool/autoscale/:name',
    command: 'autoscale',
    worker: workerInPath,
    args: (req) => ({ min: intParam(req, 'min', 0), max: intParam(req, 'max', 0) }),
    failure: (worker) => `Failed to autoscale '${worker}' worker`,
    message: (worker, { min, max }) => `Autoscaling '${worker}' worker (min=${min}, max=${max})`,
  },
  consumerRoute('add-consumer', 'add_consumer'),
  consumerRoute('cancel-consumer', 'cancel_consumer'),
  {
    path: '/task/rate-limit/:name',
    command: 'rate_limit',
    worker: (req) => requiredParam(req, 'workername'),
    args: (req) => {
      const rate = param(req, 'ratelimit');
      if (rate === undefined) throw new HttpError(400, "'ratelimit' is required");
      return { task: pathParam(req, 'name'), rate };
    },
    failure: () => 'Failed to set rate limit',
    message: (_worker, _args, reply) => reply.message,
  },
  {
    path: '/task/timeout/:name',
    command: 'time_limit',
    worker: (req) => requiredParam(req, 'workername'),
    args: (req) => ({
      task: pathParam(req, 'name'),
      soft: param(req, 'soft') ?? null,
      hard: param(req, 'hard') ?? null,
    }),
    failure: () => 'Failed to set timeouts',
    message: (_worker, _args, reply) => reply.message,
  },
];

/**
 * Sends a route's command to one worker. Arguments the control table rejects, a missing reply
 * and a failed one are Flower's 403, with the message the worker would have replied.
 */
export async function sendControl(
  monitor: TaskMonitor,
  route: ControlRoute,
  worker: string,
  args: Record<string, unknown>,
): Promise<ControlReply> {
  const failure = route.failure(worker);
  if (!monitor.state.workers.has(worker)) throw new HttpError(404, `Unknown worker '${worker}'`);
  try {
    controlHandler(route.command)?.validate(args);
  } catch (err) {
    throw new HttpError(403, `${failure}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const replies = await monitor.control.broadcast(route.command, args, { destination: [worker] });
  const reply = replies[0];
  if (!reply) throw new HttpError(403, `${failure}: no reply from '${worker}'`);
  if (!reply.ok) throw new HttpError(403, `${failure}: ${reply.message}`);
  return reply;
}

/** Flower's api/control: a route per command of CONTROL_ROUTES, and revoking a task on every worker. */
export const control: ApiResource = {
  name: 'control',
  register(router, { monitor, mutating }) {
    for (const route of CONTROL_ROUTES) {
      router.post(
        route.path,
        mutating,
        handle(async (req, res) => {
          const worker = route.worker(req);
          const args = route.args(req);
          const reply = await sendControl(monitor, route, worker, args);
          res.json({ message: route.message(worker, args, reply) });
        }),
      );
    }

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
  },
};
