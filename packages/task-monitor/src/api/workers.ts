import type { WorkerRecord } from '../state';
import { offlineSince, WORKER_STATES, type WorkerState, workerState } from '../worker-state';
import { type ApiResource, boolParam, HttpError, handle, param } from './http';

/**
 * Flower's worker dict, built from the worker's last announcement, plus its lifecycle `state`
 * (online, shutdown, lost) and `offline_since` (Unix seconds; null while online). Flower's
 * `status` is true when online. An offline worker shows no active or reserved tasks.
 */
export function workerView(worker: WorkerRecord, nowSeconds = Date.now() / 1000): Record<string, unknown> {
  const info = worker.info;
  const state = workerState(worker, nowSeconds);
  const online = state === 'online';
  return {
    active_queues: info.queues.map((name) => ({ name, routing_key: name })),
    registered: info.registered,
    active: (online ? info.activeTasks : []).map((t) => ({
      id: t.id,
      name: t.name,
      time_start: t.startedAt,
      hostname: worker.hostname,
    })),
    reserved_count: online ? info.reserved : 0,
    revoked: [],
    scheduled: [],
    conf: { rate_limits: info.rateLimits, time_limits: info.timeLimits },
    stats: {
      pid: info.pid,
      hostname: info.host,
      uptime: Math.round(info.timestamp - info.startedAt),
      prefetch_count: info.concurrency * info.prefetchMultiplier,
      pool: {
        'max-concurrency': info.concurrency,
        autoscale: info.autoscale ? [info.autoscale.max, info.autoscale.min] : null,
      },
      total: info.total,
    },
    status: online,
    state,
    offline_since: offlineSince(worker, nowSeconds),
    heartbeat: { last: worker.lastHeartbeat, freq: worker.freq },
    timestamp: worker.lastHeartbeat,
  };
}

/** `?state=online,lost` and/or `?offline=false` (= only online) as the states to list; undefined = all. */
export function workerStatesParam(
  offline: string | undefined,
  states: string | undefined,
): WorkerState[] | undefined {
  let wanted: WorkerState[] | undefined;
  if (states !== undefined && states !== '') {
    wanted = [];
    for (const s of states.split(',').map((x) => x.trim())) {
      if (!(WORKER_STATES as readonly string[]).includes(s))
        throw new HttpError(400, `'state' must be a comma-separated list of ${WORKER_STATES.join(', ')}`);
      wanted.push(s as WorkerState);
    }
  }
  if (offline !== undefined && offline !== '') {
    if (!['true', 'false', '1', '0', 'yes', 'no'].includes(offline))
      throw new HttpError(400, "'offline' must be true or false");
    if (['false', '0', 'no'].includes(offline)) wanted = (wanted ?? ['online']).filter((s) => s === 'online');
  }
  return wanted;
}

/** Flower's api/workers: GET /workers. */
export const workers: ApiResource = {
  name: 'workers',
  register(router, { monitor }) {
    router.get(
      '/workers',
      handle((req, res) => {
        const only = param(req, 'workername');
        const states = workerStatesParam(param(req, 'offline'), param(req, 'state'));
        const now = Date.now() / 1000;
        if (only && !monitor.state.workers.has(only)) throw new HttpError(404, `Unknown worker '${only}'`);
        const list = monitor.state.listWorkers(states, now).filter((w) => !only || w.hostname === only);
        if (boolParam(req, 'status')) {
          res.json(Object.fromEntries(list.map((w) => [w.hostname, workerState(w, now) === 'online'])));
          return;
        }
        res.json(Object.fromEntries(list.map((w) => [w.hostname, workerView(w, now)])));
      }),
    );
  },
};
