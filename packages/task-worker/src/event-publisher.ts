import type { Redis } from 'ioredis';
import type pino from 'pino';
import {
  type CompactEventBatch,
  type CompactTaskGroup,
  type CompactValue,
  encodeCompactEvent,
  encodeSeconds,
  type TaskEventFields,
  type TaskEventType,
  type WorkerEvent,
} from './protocol';

export type { TaskEventFields };

export interface EventPublisherOptions {
  redis: Redis;
  stream: string;
  /** the worker's name, written once per batch */
  hostname: string;
  /** approximate cap of the stream in entries (batches of events; XADD MAXLEN ~) */
  maxLen: number;
  logger: pino.Logger;
  /** events are written at most this long after the first one is buffered */
  flushDelayMs?: number;
  /** or as soon as this many are buffered */
  maxBuffered?: number;
  onDropped?: (count: number) => void;
}

/**
 * Writes events to the Redis stream in batches: one stream entry per flush (field `c`, a
 * CompactEventBatch: each task's events grouped, positional, times in integer ms) instead of one entry per event keeps the broker's and the monitor's cost of
 * monitoring low (the benchmark compares monitored and unmonitored). Batches keep their order.
 */
export class EventPublisher {
  private groups = new Map<string, CompactTaskGroup>();
  /** base time (Unix ms) of the batch being buffered: its first task event's */
  private baseMs: number | null = null;
  private workerEvents: Omit<WorkerEvent, 'hostname'>[] = [];
  private buffered = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly flushDelayMs: number;
  private readonly maxBuffered: number;

  constructor(private readonly options: EventPublisherOptions) {
    this.flushDelayMs = options.flushDelayMs ?? 50;
    this.maxBuffered = options.maxBuffered ?? 1000;
  }

  task(
    type: TaskEventType,
    uuid: string,
    name: string,
    timestamp: number,
    fields?: TaskEventFields,
    queue?: string,
  ): void {
    this.baseMs ??= Math.round(timestamp * 1000);
    let group = this.groups.get(uuid);
    if (!group) {
      group = [uuid, name, queue ?? null];
      this.groups.set(uuid, group);
    } else if (queue !== undefined) {
      group[2] = queue;
    }
    group.push(encodeCompactEvent(type, timestamp, fields, this.baseMs));
    this.buffered++;
    this.schedule();
  }

  /**
   * The worker's three events of every task, encoded straight into their compact arrays (the same
   * arrays encodeCompactEvent makes from a fields object): no fields object, no generic slot loop
   * per event, which is most of what publishing costs per task on the worker.
   */
  received(
    uuid: string,
    name: string,
    timestamp: number,
    queue: string,
    args: string,
    retries: number,
    eta: number | null,
  ): void {
    const baseMs = this.base(timestamp);
    const event: CompactValue[] =
      eta === null
        ? [0, encodeSeconds(timestamp, baseMs), args, retries]
        : [0, encodeSeconds(timestamp, baseMs), args, retries, encodeSeconds(eta)];
    this.push(uuid, name, queue, event);
  }

  started(uuid: string, name: string, timestamp: number, prefetchTime: number, waitTime: number): void {
    const baseMs = this.base(timestamp);
    this.push(uuid, name, undefined, [
      1,
      encodeSeconds(timestamp, baseMs),
      encodeSeconds(prefetchTime),
      encodeSeconds(waitTime),
    ]);
  }

  succeeded(uuid: string, name: string, timestamp: number, runtime: number, result: string): void {
    const baseMs = this.base(timestamp);
    this.push(uuid, name, undefined, [2, encodeSeconds(timestamp, baseMs), encodeSeconds(runtime), result]);
  }

  private base(timestamp: number): number {
    this.baseMs ??= Math.round(timestamp * 1000);
    return this.baseMs;
  }

  private push(uuid: string, name: string, queue: string | undefined, event: CompactValue[]): void {
    let group = this.groups.get(uuid);
    if (!group) {
      group = [uuid, name, queue ?? null];
      this.groups.set(uuid, group);
    } else if (queue !== undefined) {
      group[2] = queue;
    }
    group.push(event);
    this.buffered++;
    this.schedule();
  }

  worker(event: Omit<WorkerEvent, 'hostname'>): void {
    this.workerEvents.push(event);
    this.buffered++;
    this.schedule();
  }

  private schedule(): void {
    if (this.buffered >= this.maxBuffered) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushDelayMs);
  }

  /** Writes what is buffered; resolves when everything published so far is in Redis. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.buffered === 0) return this.flushing;
    const batch: CompactEventBatch = {
      h: this.options.hostname,
      t: this.baseMs ?? 0,
      w: this.workerEvents,
      g: [...this.groups.values()],
    };
    const count = this.buffered;
    this.groups = new Map();
    this.baseMs = null;
    this.workerEvents = [];
    this.buffered = 0;
    const { redis, stream, maxLen, logger } = this.options;
    const json = JSON.stringify(batch);
    this.flushing = this.flushing.then(async () => {
      try {
        await redis.xadd(stream, 'MAXLEN', '~', String(maxLen), '*', 'c', json);
      } catch (err) {
        logger.warn({ err, events: count }, 'task events were not written');
        this.options.onDropped?.(count);
      }
    });
    return this.flushing;
  }
}
