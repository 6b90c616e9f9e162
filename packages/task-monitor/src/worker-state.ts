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
    return normalizeWorkerInfo(JSON.parse(json));
  } catch {
    return null;
  }
}

const num = (v: unknown, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? v : fallback;
const record = <T>(v: unknown): Record<string, T> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, T>) : {};
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/**
 * A worker's self-description as the monitor may trust it, from Redis or from an event (written by
 * any version of the worker, or by anything that can write to Redis): the identifying fields must
 * be there (else null: skipped), the rest is defaulted to an empty or zero value of its type, so
 * the pages and metrics never meet a missing list or a non-number.
 */
export function normalizeWorkerInfo(value: unknown): WorkerInfo | null {
  if (value === null || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (
    typeof v.hostname !== 'string' ||
    typeof v.concurrency !== 'number' ||
    typeof v.freq !== 'number' ||
    typeof v.timestamp !== 'number'
  )
    return null;
  const autoscale = record<unknown>(v.autoscale);
  return {
    hostname: v.hostname,
    host: typeof v.host === 'string' ? v.host : '',
    pid: num(v.pid, 0),
    freq: v.freq,
    concurrency: v.concurrency,
    autoscale:
      typeof autoscale.min === 'number' && typeof autoscale.max === 'number'
        ? { min: autoscale.min, max: autoscale.max }
        : null,
    prefetchMultiplier: num(v.prefetchMultiplier, 1),
    queues: strings(v.queues),
    active: num(v.active, 0),
    reserved: num(v.reserved, 0),
    processed: num(v.processed, 0),
    total: record<number>(v.total),
    registered: strings(v.registered),
    rateLimits: record<string>(v.rateLimits),
    timeLimits: record<{ soft: number | null; hard: number | null }>(v.timeLimits),
    activeTasks: Array.isArray(v.activeTasks) ? (v.activeTasks as WorkerInfo['activeTasks']) : [],
    startedAt: num(v.startedAt, v.timestamp),
    timestamp: v.timestamp,
  };
}
