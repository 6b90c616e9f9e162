/**
 * The wire protocol shared by workers, the control client and the monitor: Redis key names,
 * the events workers write to the event stream (Celery's event names and fields, so the
 * monitor can mirror Flower), and the remote-control commands.
 */

/** Redis keys under one prefix; BullMQ's own keys use the same prefix. */
export interface TaskKeys {
  prefix: string;
  /** Redis stream of task and worker events: entries with field `e` (one event) or `b` (JSON array of events) */
  events: string;
  /** pub/sub channel for remote-control commands */
  control: string;
  /** sorted set: worker name -> last heartbeat (ms) */
  workers: string;
  /** string with the worker's announcement, expiring with its heartbeat */
  worker(name: string): string;
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

export const CONTROL_COMMANDS = [
  'shutdown',
  'pool_restart',
  'pool_grow',
  'pool_shrink',
  'autoscale',
  'add_consumer',
  'cancel_consumer',
  'rate_limit',
  'time_limit',
  'revoke',
  'ping',
] as const;
export type ControlCommandName = (typeof CONTROL_COMMANDS)[number];

export interface ControlCommand {
  id: string;
  command: ControlCommandName;
  /** worker names; null = every worker */
  destination: string[] | null;
  arguments: Record<string, unknown>;
  /** whether the sender waits for replies */
  reply: boolean;
}

export interface ControlReply {
  worker: string;
  ok: boolean;
  message: string;
}

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

/** The events of one stream entry: field `e` holds one event, field `b` a batch (see EventPublisher). */
export function decodeStreamEntry(fields: string[]): ReelwatchTaskEvent[] {
  const events: ReelwatchTaskEvent[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = JSON.parse(fields[i + 1]!);
    if (fields[i] === 'e') {
      events.push(value as ReelwatchTaskEvent);
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
