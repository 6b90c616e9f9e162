/**
 * The wire protocol shared by workers, the control client and the monitor: Redis key names,
 * the events workers write to the event stream (Celery's event names and fields, so the
 * monitor can mirror Flower). The remote-control commands are declared in `control/`.
 */

/** Redis keys under one prefix; BullMQ's own keys use the same prefix. */
export interface TaskKeys {
  prefix: string;
  /** Redis stream of task and worker events: entries with field `c` (a worker's compact batch), `e` (one event) or `b` (an earlier batch encoding) */
  events: string;
  /** pub/sub channel for remote-control commands */
  control: string;
  /** sorted set: worker name -> last heartbeat (ms) */
  workers: string;
  /** string with the worker's announcement, expiring with its heartbeat (present = alive) */
  worker(name: string): string;
  /**
   * hash worker name -> its last announcement (JSON WorkerInfo), kept after the worker stopped or
   * died so a monitor started later still knows its pool and queues; removed by the monitor's purge
   */
  workerAnnouncements: string;
  /**
   * sorted set: worker name -> time (ms) of its clean shutdown, the durable twin of its
   * `worker-offline` event (read when the event stream is off or a monitor starts later); a worker
   * coming online removes its entry, the monitor's purge too
   */
  workerGoodbyes: string;
  /** list a worker pushes its reply to a command onto */
  reply(commandId: string): string;
  /** set of revoked task ids (so a worker that starts later still discards them) */
  revoked: string;
  /** hash task id -> JSON of the monitor's task record */
  monitorTasks: string;
  /** string: last event-stream id the monitor consumed */
  monitorCursor: string;
}

export function taskKeys(prefix: string): TaskKeys {
  return {
    prefix,
    events: `${prefix}:events`,
    control: `${prefix}:control`,
    workers: `${prefix}:workers`,
    worker: (name) => `${prefix}:worker:${name}`,
    workerAnnouncements: `${prefix}:worker-announcements`,
    workerGoodbyes: `${prefix}:worker-goodbyes`,
    reply: (id) => `${prefix}:reply:${id}`,
    revoked: `${prefix}:revoked`,
    monitorTasks: `${prefix}:monitor:tasks`,
    monitorCursor: `${prefix}:monitor:cursor`,
  };
}

export const TASK_EVENT_TYPES = [
  'task-received',
  'task-started',
  'task-succeeded',
  'task-failed',
  'task-retried',
  'task-revoked',
] as const;
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];

export const WORKER_EVENT_TYPES = ['worker-online', 'worker-heartbeat', 'worker-offline'] as const;
export type WorkerEventType = (typeof WORKER_EVENT_TYPES)[number];

/** A task event, Celery's fields; timestamps are Unix seconds (float) like Celery's. */
export interface TaskEvent {
  type: TaskEventType;
  uuid: string;
  name: string;
  /** worker name; '' when no worker was involved (a waiting task revoked at the broker) */
  hostname: string;
  timestamp: number;
  queue?: string;
  args?: string;
  retries?: number;
  eta?: number | null;
  /** seconds the task ran (succeeded, failed) */
  runtime?: number;
  /** task-started: seconds between received by the worker and started (waiting for a slot or its rate limit) */
  prefetch_time?: number;
  /** task-started: seconds between enqueued (or its ETA) and started */
  wait_time?: number;
  result?: string;
  exception?: string;
  traceback?: string;
  terminated?: boolean;
  expired?: boolean;
}

/** What a worker announces in its heartbeat key and heartbeat events. */
export interface WorkerInfo {
  hostname: string;
  host: string;
  pid: number;
  /** seconds between heartbeats (Celery's `freq`) */
  freq: number;
  concurrency: number;
  autoscale: { max: number; min: number } | null;
  prefetchMultiplier: number;
  queues: string[];
  /** tasks executing now */
  active: number;
  /** tasks taken from the queue and waiting for a pool slot or their rate limit */
  reserved: number;
  /** tasks finished since the worker started */
  processed: number;
  /** per task name: executions since start */
  total: Record<string, number>;
  registered: string[];
  rateLimits: Record<string, string>;
  timeLimits: Record<string, { soft: number | null; hard: number | null }>;
  activeTasks: { id: string; name: string; startedAt: number }[];
  startedAt: number;
  timestamp: number;
}

export interface WorkerEvent {
  type: WorkerEventType;
  hostname: string;
  timestamp: number;
  freq: number;
  active: number;
  processed: number;
  info?: WorkerInfo;
}

export type ReelwatchTaskEvent = TaskEvent | WorkerEvent;

export function isTaskEvent(event: ReelwatchTaskEvent): event is TaskEvent {
  return event.type.startsWith('task-');
}

/** Celery's heartbeat expiry: a worker is offline once 2 x freq passed without a heartbeat. */
export const HEARTBEAT_EXPIRE_FACTOR = 2;

/** Celery's rate limit syntax: `10/s`, `10/m`, `10/h`, or a bare number (per second); 0 or '' = none. */
export function parseRateLimit(value: string): number | null {
  const text = value.trim();
  if (text === '' || text === '0') return null;
  const match = /^(\d+(?:\.\d+)?)\s*(?:\/\s*([smh]))?$/.exec(text);
  if (!match) throw new RangeError(`invalid rate limit '${value}': expected n/s, n/m or n/h`);
  const count = Number(match[1]);
  if (count === 0) return null;
  const per = match[2] === 'h' ? 3600 : match[2] === 'm' ? 60 : 1;
  return count / per; // tasks per second
}

/** Per-event fields beyond type and time (Celery's names). */
export type TaskEventFields = Partial<
  Pick<
    TaskEvent,
    | 'args'
    | 'retries'
    | 'eta'
    | 'runtime'
    | 'prefetch_time'
    | 'wait_time'
    | 'result'
    | 'exception'
    | 'traceback'
    | 'terminated'
    | 'expired'
  >
>;

/**
 * A stream entry's `c` field (what workers write): one flush of a worker's events, compact.
 * `h` the worker, `t` a base time (Unix ms), `w` worker events (Celery-shaped, without hostname),
 * `g` one array per task: `[uuid, name, queue | null, event, event, ...]`, each event an array
 * `[type code (index in TASK_EVENT_TYPES), time, ...the type's COMPACT_SLOTS, extra fields?]`.
 * Times and durations are integers of milliseconds (time relative to `t`) when exact at
 * millisecond resolution (every value a worker measures with Date.now()), else the float as a
 * string; an absent field is null (or left off at the end), booleans are 1/0. Flat arrays of
 * integers cost far less to stringify and parse than objects of floats.
 */
export interface CompactEventBatch {
  h: string;
  t: number;
  w: Omit<WorkerEvent, 'hostname'>[];
  g: CompactTaskGroup[];
}
export type CompactValue = string | number | null | Record<string, unknown>;
export type CompactTaskGroup = [
  uuid: string,
  name: string,
  queue: string | null,
  ...events: CompactValue[][],
];

/** The positional fields of each event type in the compact encoding. */
export const COMPACT_SLOTS: Record<TaskEventType, readonly (keyof TaskEventFields)[]> = {
  'task-received': ['args', 'retries', 'eta'],
  'task-started': ['prefetch_time', 'wait_time'],
  'task-succeeded': ['runtime', 'result'],
  'task-failed': ['runtime', 'exception', 'traceback'],
  'task-retried': ['runtime', 'exception', 'traceback'],
  'task-revoked': ['runtime', 'terminated', 'expired'],
};
const SECONDS_FIELDS = new Set<string>(['runtime', 'prefetch_time', 'wait_time', 'eta']);
const BOOLEAN_FIELDS = new Set<string>(['terminated', 'expired']);

/** Seconds as integer milliseconds when that is exact, else the float as a string. */
export function encodeSeconds(seconds: number, baseMs = 0): number | string {
  const ms = Math.round(seconds * 1000);
  return ms / 1000 === seconds ? ms - baseMs : String(seconds);
}

export function decodeSeconds(value: number | string, baseMs = 0): number {
  return typeof value === 'string' ? Number(value) : (baseMs + value) / 1000;
}

/** Encodes one task event's fields (the time relative to baseMs) for a CompactTaskGroup. */
export function encodeCompactEvent(
  type: TaskEventType,
  timestamp: number,
  fields: TaskEventFields | undefined,
  baseMs: number,
): CompactValue[] {
  const slots = COMPACT_SLOTS[type];
  const event: CompactValue[] = [TASK_EVENT_TYPES.indexOf(type), encodeSeconds(timestamp, baseMs)];
  if (fields === undefined) return event;
  let used = 0;
  let defined = 0;
  for (const key in fields) if (fields[key as keyof TaskEventFields] !== undefined) defined++;
  for (const slot of slots) {
    const value = fields[slot];
    if (value === undefined || value === null) {
      event.push(null);
      if (value === null) used++;
      continue;
    }
    used++;
    if (typeof value === 'number' && SECONDS_FIELDS.has(slot)) event.push(encodeSeconds(value));
    else if (typeof value === 'boolean') event.push(value ? 1 : 0);
    else event.push(value);
  }
  if (used < defined) {
    // fields this type does not usually carry travel as an object after the slots
    const extra: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined && !slots.includes(key as keyof TaskEventFields)) extra[key] = value;
    }
    event.push(extra);
  } else {
    while (event.length > 2 && event[event.length - 1] === null) event.pop();
  }
  return event;
}

/**
 * Calls `visit` for each event of a compact task group, in order, with the event's fields as
 * TaskEventFields (undefined when it has none). `eta` null means no ETA, like an absent one.
 */
export function visitCompactGroup(
  group: CompactTaskGroup,
  baseMs: number,
  visit: (type: TaskEventType, timestamp: number, fields: TaskEventFields | undefined) => void,
): void {
  for (let i = 3; i < group.length; i++) {
    const event = group[i] as CompactValue[];
    const type = TASK_EVENT_TYPES[event[0] as number];
    if (type === undefined) throw new RangeError(`unknown task event code ${String(event[0])}`);
    const timestamp = decodeSeconds(event[1] as number | string, baseMs);
    const slots = COMPACT_SLOTS[type];
    let fields: Record<string, unknown> | undefined;
    for (let j = 0; j < slots.length; j++) {
      const value = event[2 + j];
      const slot = slots[j]!;
      if (value === null || value === undefined) {
        if (slot === 'eta') {
          fields ??= {};
          fields.eta = null;
        }
        continue;
      }
      fields ??= {};
      if (SECONDS_FIELDS.has(slot)) fields[slot] = decodeSeconds(value as number | string);
      else if (BOOLEAN_FIELDS.has(slot)) fields[slot] = value === 1;
      else fields[slot] = value;
    }
    const extra = event[2 + slots.length];
    if (extra !== null && typeof extra === 'object') fields = Object.assign(fields ?? {}, extra);
    visit(type, timestamp, fields as TaskEventFields | undefined);
  }
}

/**
 * The events of one stream entry: field `c` holds a worker's compact batch (see
 * CompactEventBatch), `e` one event (a revoke at the broker), `b` a batch in the earlier
 * grouped-JSON encoding (still read).
 */
export function decodeStreamEntry(fields: string[]): ReelwatchTaskEvent[] {
  const events: ReelwatchTaskEvent[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = JSON.parse(fields[i + 1]!);
    if (fields[i] === 'e') {
      events.push(value as ReelwatchTaskEvent);
    } else if (fields[i] === 'c') {
      const batch = value as CompactEventBatch;
      const hostname = batch.h;
      for (const w of batch.w)
        if (w.type !== 'worker-offline') events.push({ ...w, hostname } as WorkerEvent);
      for (const group of batch.g) {
        const [uuid, name, queue] = group;
        visitCompactGroup(group, batch.t, (type, timestamp, extra) => {
          const event = { type, uuid, name, hostname, timestamp } as TaskEvent;
          if (queue !== null) event.queue = queue;
          events.push(extra ? Object.assign(event, extra) : event);
        });
      }
      for (const w of batch.w)
        if (w.type === 'worker-offline') events.push({ ...w, hostname } as WorkerEvent);
    } else if (fields[i] === 'b') {
      const batch = value as {
        h: string;
        g: { u: string; n: string; q?: string; x: [TaskEventType, number, Record<string, unknown>?][] }[];
        w: Omit<WorkerEvent, 'hostname'>[];
      };
      const hostname = batch.h;
      // a worker's online event comes before its tasks, its offline event after them
      for (const w of batch.w)
        if (w.type !== 'worker-offline') events.push({ ...w, hostname } as WorkerEvent);
      for (const group of batch.g) {
        for (const [type, timestamp, extra] of group.x) {
          const event = { type, uuid: group.u, name: group.n, hostname, timestamp } as TaskEvent;
          if (group.q !== undefined) event.queue = group.q;
          events.push(extra ? Object.assign(event, extra) : event);
        }
      }
      for (const w of batch.w)
        if (w.type === 'worker-offline') events.push({ ...w, hostname } as WorkerEvent);
    }
  }
  return events;
}
