import { HEARTBEAT_EXPIRE_FACTOR, type WorkerInfo } from '@reelwatch/task-worker';

/**
 * A worker's lifecycle as the monitor sees it:
 * - `online`: its last heartbeat is less than 2 heartbeat periods old (Celery's expiry rule);
 * - `shutdown`: it said goodbye (Celery's `worker-offline`, or its durable twin in Redis) after
 *   its last heartbeat: a clean stop, never alerted on;
 * - `lost`: its heartbeats stopped without a goodbye (killed, crashed, cut off from Redis).
 * Flower's `status` (and `flower_worker_online`) is `online` or not: `shutdown` and `lost` are
 * both offline.
 */
export const WORKER_STATES = ['online', 'shutdown', 'lost'] as const;
export type WorkerState = (typeof WORKER_STATES)[number];

export interface WorkerRecord {
  hostname: string;
  /** the worker's last announcement (heartbeat or goodbye): pool, queues, limits, counts */
  info: WorkerInfo;
  /** Unix seconds of the last sign of life (online, heartbeat, any task event) */
  lastHeartbeat: number;
  /** Unix seconds of its goodbye; null when it never said one (since it came online again) */
  offlineAt: number | null;
  /** seconds between its heartbeats */
  freq: number;
  /** tasks executing at the last heartbeat */
  active: number;
  processed: number;
}

/**
 * The one rule that decides a worker's state (the API, the pages, the metrics and the purge all
 * ask it). Derived from timestamps only, so events replayed after a monitor restart (older than
 * a goodbye, or heartbeats long past) cannot bring a worker back online.
 */
export function workerState(worker: WorkerRecord, nowSeconds: number): WorkerState {
  if (worker.offlineAt !== null && worker.offlineAt >= worker.lastHeartbeat) return 'shutdown';
  if (nowSeconds <= heartbeatExpiry(worker)) return 'online';
  return 'lost';
}

/** When the worker counts as lost if no heartbeat comes (Unix seconds). */
export function heartbeatExpiry(worker: WorkerRecord): number {
  return worker.lastHeartbeat + worker.freq * HEARTBEAT_EXPIRE_FACTOR;
}

/**
 * Since when the worker is offline (Unix seconds): its goodbye, or the moment its heartbeat
 * expired; null while online. The purge delay counts from here.
 */
export function offlineSince(worker: WorkerRecord, nowSeconds: number): number | null {
  const state = workerState(worker, nowSeconds);
  if (state === 'online') return null;
  if (state === 'shutdown') return worker.offlineAt;
  return heartbeatExpiry(worker);
}

/**
 * A worker's record from what Redis keeps about it: its last announcement, its last heartbeat
 * (the workers sorted set, ms) and its goodbye (the worker-goodbyes sorted set, ms).
 */
export function workerFromRedis(
  info: WorkerInfo,
  lastHeartbeatMs: number | null,
  goodbyeMs: number | null,
): WorkerRecord {
  return {
    hostname: info.hostname,
    info,
    lastHeartbeat: Math.max(info.timestamp, lastHeartbeatMs === null ? 0 : lastHeartbeatMs / 1000),
    offlineAt: goodbyeMs === null ? null : goodbyeMs / 1000,
    freq: info.freq,
    active: info.active,
    processed: info.processed,
  };
}

/** Parses an announcement read from Redis; null when it is not one (the caller skips it). */
export function parseAnnouncement(json: string | null | undefined): WorkerInfo | null {
  if (!json) return null;
  try {
    const value = JSON.parse(json) as Partial<WorkerInfo> | null;
    if (
      value === null ||
      typeof value !== 'object' ||
      typeof value.hostname !== 'string' ||
      typeof value.concurrency !== 'number' ||
      typeof value.freq !== 'number' ||
      typeof value.timestamp !== 'number'
    )
      return null;
    return value as WorkerInfo;
  } catch {
    return null;
  }
}
