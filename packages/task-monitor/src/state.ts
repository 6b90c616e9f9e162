import {
  decodeSeconds,
  encodeSeconds,
  type ReelwatchTaskEvent,
  type TaskEvent,
  type TaskEventFields,
  type TaskState,
  type WorkerEvent,
} from '@reelwatch/task-worker';
import {
  normalizeWorkerInfo,
  offlineSince,
  type WorkerRecord,
  type WorkerState,
  workerState,
} from './worker-state';

export type { WorkerRecord };

/** A task as Flower's API shows it (Celery's task state fields). Times are Unix seconds. */
export interface TaskRecord {
  uuid: string;
  name: string;
  state: TaskState;
  queue: string | null;
  worker: string | null;
  args: string | null;
  kwargs: string;
  retries: number;
  eta: number | null;
  received: number | null;
  started: number | null;
  succeeded: number | null;
  failed: number | null;
  retried: number | null;
  revoked: number | null;
  timestamp: number;
  runtime: number | null;
  /** seconds between received by the worker and started */
  prefetch_time: number | null;
  /** seconds between enqueued (or its ETA) and started */
  wait_time: number | null;
  result: string | null;
  exception: string | null;
  traceback: string | null;
  terminated?: boolean;
}

/**
 * A task record as persisted in the history hash: a JSON array of the fields in RECORD_FIELDS'
 * order (no key names), times and durations as integer milliseconds when exact (see
 * encodeSeconds), `terminated` last (null when unset). About half the bytes of the object and
 * far cheaper to stringify; records written as JSON objects (earlier versions) are still read.
 */
const RECORD_FIELDS = [
  'uuid',
  'name',
  'state',
  'queue',
  'worker',
  'args',
  'kwargs',
  'retries',
  'eta',
  'received',
  'started',
  'succeeded',
  'failed',
  'retried',
  'revoked',
  'timestamp',
  'runtime',
  'prefetch_time',
  'wait_time',
  'result',
  'exception',
  'traceback',
  'terminated',
] as const satisfies readonly (keyof TaskRecord)[];
const RECORD_SECONDS = new Set<string>([
  'eta',
  'received',
  'started',
  'succeeded',
  'failed',
  'retried',
  'revoked',
  'timestamp',
  'runtime',
  'prefetch_time',
  'wait_time',
]);

export function encodeTaskRecord(task: TaskRecord): string {
  const seconds = (value: number | null) => (value === null ? null : encodeSeconds(value));
  return JSON.stringify([
    task.uuid,
    task.name,
    task.state,
    task.queue,
    task.worker,
    task.args,
    task.kwargs,
    task.retries,
    seconds(task.eta),
    seconds(task.received),
    seconds(task.started),
    seconds(task.succeeded),
    seconds(task.failed),
    seconds(task.retried),
    seconds(task.revoked),
    encodeSeconds(task.timestamp),
    seconds(task.runtime),
    seconds(task.prefetch_time),
    seconds(task.wait_time),
    task.result,
    task.exception,
    task.traceback,
    task.terminated ?? null,
  ]);
}

/** A persisted record back (either encoding); throws on one it cannot read. */
export function decodeTaskRecord(json: string): TaskRecord {
  const value = JSON.parse(json) as unknown;
  if (!Array.isArray(value)) {
    if (value === null || typeof value !== 'object') throw new TypeError('not a task record');
    return value as TaskRecord;
  }
  if (value.length !== RECORD_FIELDS.length) throw new TypeError('not a task record');
  const record: Record<string, unknown> = {};
  RECORD_FIELDS.forEach((field, i) => {
    const v = value[i] as unknown;
    if (field === 'terminated') {
      if (v !== null) record.terminated = v;
    } else if (RECORD_SECONDS.has(field) && v !== null) {
      record[field] = decodeSeconds(v as number | string);
    } else {
      record[field] = v;
    }
  });
  return record as unknown as TaskRecord;
}

const STATE_BY_EVENT: Record<TaskEvent['type'], TaskState> = {
  'task-received': 'RECEIVED',
  'task-started': 'STARTED',
  'task-succeeded': 'SUCCESS',
  'task-failed': 'FAILURE',
  'task-retried': 'RETRY',
  'task-revoked': 'REVOKED',
};

/** Which timestamp field an event type sets on the task. */
const TIME_FIELD = {
  'task-received': 'received',
  'task-started': 'started',
  'task-succeeded': 'succeeded',
  'task-failed': 'failed',
  'task-retried': 'retried',
  'task-revoked': 'revoked',
} as const satisfies Record<TaskEvent['type'], keyof TaskRecord>;

export interface StateChanges {
  /** tasks created or updated by the applied events */
  updated: Set<string>;
  /** tasks evicted to keep the history bounded */
  evicted: string[];
}

/**
 * What the monitor knows: a bounded task history (oldest evicted first, like Flower's
 * max_tasks) and the workers with their last heartbeat.
 */
export class MonitorState {
  readonly tasks = new Map<string, TaskRecord>();
  readonly workers = new Map<string, WorkerRecord>();
  private readonly seenQueues = new Set<string>();

  constructor(private readonly maxTasks: number) {}

  /** Restores tasks from persisted records (oldest first by received/timestamp). */
  loadTasks(records: TaskRecord[]): void {
    records.sort((a, b) => (a.received ?? a.timestamp) - (b.received ?? b.timestamp));
    for (const record of records.slice(-this.maxTasks)) {
      this.tasks.set(record.uuid, record);
      if (record.queue) this.seenQueues.add(record.queue);
    }
  }

  /** A worker restored from Redis; an event already applied (newer) wins. */
  loadWorker(record: WorkerRecord): void {
    const known = this.workers.get(record.hostname);
    if (!known || known.lastHeartbeat < record.lastHeartbeat) this.workers.set(record.hostname, record);
  }

  /** The worker's state now (see workerState: the one rule). */
  workerState(worker: WorkerRecord, nowSeconds = Date.now() / 1000): WorkerState {
    return workerState(worker, nowSeconds);
  }

  /** The workers, sorted by name; only those in `states` when given. */
  listWorkers(states?: readonly WorkerState[], nowSeconds = Date.now() / 1000): WorkerRecord[] {
    return [...this.workers.values()]
      .filter((w) => !states || states.includes(workerState(w, nowSeconds)))
      .sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
  }

  /** Applies one event; returns the task it touched (for metrics) and the ids evicted. */
  apply(event: ReelwatchTaskEvent, changes: StateChanges): TaskRecord | WorkerRecord | null {
    if (event.type.startsWith('worker-')) return this.applyWorker(event as WorkerEvent);
    const e = event as TaskEvent;
    const task = this.task(e.uuid, e.name, e.timestamp, changes);
    this.applyTask(task, e.type, e.name, e.hostname, e.timestamp, e.queue, e);
    changes.updated.add(e.uuid);
    if (e.hostname) this.touchWorker(e.hostname, e.timestamp);
    return task;
  }

  /** The task's record, created (and the history kept bounded) if it is new. */
  task(uuid: string, name: string, timestamp: number, changes: StateChanges): TaskRecord {
    let task = this.tasks.get(uuid);
    if (!task) {
      task = {
        uuid,
        name,
        state: 'PENDING',
        queue: null,
        worker: null,
        args: null,
        kwargs: '{}',
        retries: 0,
        eta: null,
        received: null,
        started: null,
        succeeded: null,
        failed: null,
        retried: null,
        revoked: null,
        timestamp,
        runtime: null,
        prefetch_time: null,
        wait_time: null,
        result: null,
        exception: null,
        traceback: null,
      };
      this.tasks.set(uuid, task);
      // evict down to 15/16 of the bound at once: one pass of the iterator instead of one
      // (hole-skipping) scan of the Map per new task
      if (this.tasks.size > this.maxTasks) {
        let excess = this.tasks.size - (this.maxTasks - Math.floor(this.maxTasks / 16));
        for (const oldest of this.tasks.keys()) {
          if (excess-- <= 0) break;
          this.tasks.delete(oldest);
          changes.updated.delete(oldest);
          changes.evicted.push(oldest);
        }
      }
    }
    return task;
  }

  /**
   * Applies one task event to its record: `e` holds the event's optional fields (the event itself,
   * or the fields object of a batched event), so the batch path allocates no event objects.
   * The caller marks the task updated and touches the worker.
   */
  applyTask(
    task: TaskRecord,
    type: TaskEvent['type'],
    name: string,
    hostname: string,
    timestamp: number,
    queue: string | undefined,
    e: TaskEventFields | undefined,
  ): void {
    task.state = STATE_BY_EVENT[type];
    task[TIME_FIELD[type]] = timestamp;
    task.timestamp = timestamp;
    if (name) task.name = name;
    if (hostname) task.worker = hostname;
    if (queue) {
      task.queue = queue;
      this.seenQueues.add(queue);
    }
    if (type === 'task-received') {
      task.args = e?.args ?? null;
      task.retries = e?.retries ?? 0;
      task.eta = e?.eta ?? null;
      // a retry is received again: it is running anew
      task.started = null;
      task.exception = null;
    }
    if (e === undefined) return;
    if (e.runtime !== undefined) task.runtime = e.runtime;
    if (e.prefetch_time !== undefined) task.prefetch_time = e.prefetch_time;
    if (e.wait_time !== undefined) task.wait_time = e.wait_time;
    if (e.result !== undefined) task.result = e.result;
    if (e.exception !== undefined) task.exception = e.exception;
    if (e.traceback !== undefined) task.traceback = e.traceback;
    if (e.terminated !== undefined) task.terminated = e.terminated;
  }

  /**
   * A worker event: online and heartbeat move its last sign of life forward, offline records its
   * goodbye. An event without an announcement for a worker never seen is skipped: the monitor
   * shows no worker whose pool and queues it does not know.
   */
  private applyWorker(event: WorkerEvent): WorkerRecord | null {
    // an announcement that is not a worker's is ignored, as if the event carried none
    const info = event.info ? normalizeWorkerInfo(event.info) : null;
    let worker = this.workers.get(event.hostname);
    if (!worker) {
      if (!info) return null;
      worker = {
        hostname: event.hostname,
        info,
        lastHeartbeat: event.timestamp,
        offlineAt: null,
        freq: event.freq,
        active: 0,
        processed: 0,
      };
      this.workers.set(event.hostname, worker);
    }
    if (event.type === 'worker-offline') {
      worker.offlineAt = Math.max(worker.offlineAt ?? 0, event.timestamp);
      if (info) worker.info = info;
      worker.active = 0;
      worker.processed = event.processed;
      return worker;
    }
    if (event.timestamp < worker.lastHeartbeat) return worker; // replayed or late: older news
    worker.lastHeartbeat = event.timestamp;
    worker.freq = event.freq;
    worker.active = event.active;
    worker.processed = event.processed;
    if (info) worker.info = info;
    return worker;
  }

  /** A task event is a sign of life of the worker that ran it. */
  touchWorker(hostname: string, timestamp: number): void {
    const worker = this.workers.get(hostname);
    if (worker) worker.lastHeartbeat = Math.max(worker.lastHeartbeat, timestamp);
  }

  /** A goodbye found in Redis (the worker's event was not read): the worker shut down cleanly. */
  recordGoodbye(hostname: string, atSeconds: number): void {
    const worker = this.workers.get(hostname);
    if (worker) worker.offlineAt = Math.max(worker.offlineAt ?? 0, atSeconds);
  }

  /**
   * Forgets workers offline (shut down or lost) for longer than `afterSeconds`, counted from
   * their goodbye or from the moment their heartbeat expired (Flower's purge_offline_workers).
   */
  purge(nowSeconds: number, afterSeconds: number): string[] {
    const purged: string[] = [];
    for (const worker of this.workers.values()) {
      const since = offlineSince(worker, nowSeconds);
      if (since !== null && nowSeconds - since > afterSeconds) {
        this.workers.delete(worker.hostname);
        purged.push(worker.hostname);
      }
    }
    return purged;
  }

  /** Queues seen in worker announcements and task events. */
  queues(): Set<string> {
    const queues = new Set(this.seenQueues);
    for (const w of this.workers.values()) for (const q of w.info.queues) queues.add(q);
    return queues;
  }
}
