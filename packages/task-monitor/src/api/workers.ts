import type { WorkerRecord } from '../state';
import { type ApiResource, boolParam, HttpError, handle, param } from './http';

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

/** Flower's api/workers: GET /workers. */
export const workers: ApiResource = {
  name: 'workers',
  register(router, { monitor }) {
    router.get(
      '/workers',
      handle((req, res) => {
        const only = param(req, 'workername');
        const list = [...monitor.state.workers.values()].filter((w) => !only || w.hostname === only);
        if (only && list.length === 0) throw new HttpError(404, `Unknown worker '${only}'`);
        if (boolParam(req, 'status')) {
          res.json(Object.fromEntries(list.map((w) => [w.hostname, w.online])));
          return;
        }
        res.json(Object.fromEntries(list.map((w) => [w.hostname, workerView(w)])));
      }),
    );
  },
};
