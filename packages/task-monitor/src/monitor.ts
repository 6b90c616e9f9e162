import {
  type AnyTaskDefinition,
  type CompactEventBatch,
  closeRedis,
  connectionProblem,
  decodeStreamEntry,
  isTaskEvent,
  type ReelwatchTaskEvent,
  retryUntilDone,
  TaskClient,
  TaskControl,
  type TaskKeys,
  taskKeys,
  visitCompactGroup,
  type WorkerEvent,
  type WorkerInfo,
  waitUntilConnected,
  watchConnection,
  within,
} from '@reelwatch/task-worker';
import { Redis } from 'ioredis';
import type pino from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { BrokerInspector, registerBrokerMetrics } from './broker-metrics';
import { FlowerMetrics } from './flower-metrics';
import {
  decodeTaskRecord,
  encodeTaskRecord,
  MonitorState,
  type StateChanges,
  type TaskRecord,
  type WorkerRecord,
} from './state';

export interface TaskMonitorOptions {
  redisUrl: string;
  prefix: string;
  /** bounded task history (Flower's max_tasks) */
  maxTasks: number;
  /** offline workers are forgotten after this many seconds (Flower's purge_offline_workers) */
  purgeOfflineWorkersSeconds: number;
  /** queues always inspected, besides those workers announce */
  queues: string[];
  /** how long control calls wait for worker replies (Flower's inspect_timeout) */
  controlTimeoutMs: number;
  tasks: readonly AnyTaskDefinition[];
  logger: pino.Logger;
  registry: Registry;
  /** how often heartbeats are checked for expiry */
  sweepIntervalMs?: number;
  /** events read per XREAD */
  batchSize?: number;
  /** pause after a read that did not fill a batch (ms) */
  readPauseMs?: number;
  /**
   * changed tasks are written to Redis at most this often (and when the stream is idle; default
   * 2000): when more than maxTasks tasks pass in one interval, the ones already evicted again are
   * never encoded nor written
   */
  persistIntervalMs?: number;
}

/**
 * Flower's job on Redis: consumes the task event stream and worker heartbeats, keeps a bounded
 * task history in Redis (so it survives a restart), exposes Flower's metrics, and sends
 * remote-control commands.
 */
export class TaskMonitor {
  readonly keys: TaskKeys;
  readonly state: MonitorState;
  readonly client: TaskClient;
  readonly control: TaskControl;
  readonly broker: BrokerInspector;
  readonly redis: Redis;
  private readonly reader: Redis;
  private readonly flower: FlowerMetrics;
  private readonly consumed: Counter;
  private readonly logger: pino.Logger;
  private cursor = '0';
  private running = false;
  private started = false;
  /** aborted by stop(): a start still waiting for Redis gives up */
  private readonly startAbort = new AbortController();
  private loop: Promise<void> | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private lastEventAt = 0;
  private lastPersistAt = 0;
  private persistedCursor = '';
  private readonly dirty = new Set<string>();
  private readonly evicted = new Set<string>();

  constructor(private readonly options: TaskMonitorOptions) {
    this.keys = taskKeys(options.prefix);
    this.logger = options.logger.child({ unit: 'monitor' });
    this.state = new MonitorState(options.maxTasks);
    this.redis = watchConnection(
      new Redis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true }),
      this.logger,
      'commands',
    );
    this.reader = watchConnection(
      new Redis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true }),
      this.logger,
      'events',
    );
    this.client = new TaskClient({ connection: this.redis, prefix: options.prefix, tasks: options.tasks });
    this.control = new TaskControl({
      redis: this.redis,
      keys: this.keys,
      client: this.client,
      timeoutMs: options.controlTimeoutMs,
    });
    this.flower = new FlowerMetrics(options.registry);
    this.broker = new BrokerInspector({
      redis: this.redis,
      prefix: options.prefix,
      client: this.client,
      queues: () => this.queues(),
      logger: this.logger,
    });
    registerBrokerMetrics(options.registry, this.broker);
    const registers = [options.registry];
    this.consumed = new Counter({
      name: 'reelwatch_tasks_monitor_events_consumed_total',
      help: 'Events the monitor read from the event stream',
      registers,
    });
    const state = this.state;
    new Gauge({
      name: 'reelwatch_tasks_monitor_history_tasks',
      help: 'Tasks kept in the monitor history (bounded by TASK_MONITOR_MAX_TASKS)',
      registers,
      collect() {
        this.set(state.tasks.size);
      },
    });
  }

  /** Every queue worth inspecting: configured, announced by workers, or seen in events. */
  queues(): string[] {
    return [
      ...new Set([
        ...this.options.queues,
        ...this.state.queues(),
        ...this.client.taskTypes().flatMap((n) => this.client.task(n)?.queue ?? []),
      ]),
    ].sort();
  }

  /** True once the stored history is loaded and events are consumed (start() resolved). */
  get isStarted(): boolean {
    return this.started;
  }

  /** Time of the last event consumed (Unix ms; 0 = none yet). */
  get lastEventTime(): number {
    return this.lastEventAt;
  }

  /**
   * Throws, saying why, unless both Redis connections are up and the history is loaded (the
   * readiness check behind /readyz).
   */
  checkReady(): void {
    const problem = connectionProblem(this.redis, 'commands') ?? connectionProblem(this.reader, 'events');
    if (problem) throw new Error(problem);
    if (!this.started) throw new Error('starting: loading the task history from redis');
  }

  /**
   * Connects and loads the stored history, then consumes events. Waits for Redis as long as it
   * refuses or drops the connection (each failure is logged and retried, checkReady() says why
   * meanwhile); rejects only when stop() is called first.
   */
  async start(): Promise<void> {
    const signal = this.startAbort.signal;
    await retryUntilDone(
      'loading the task history',
      async () => {
        await Promise.all([
          waitUntilConnected(this.redis, { signal }),
          waitUntilConnected(this.reader, { signal }),
        ]);
        await this.restore();
      },
      { logger: this.logger, signal },
    );
    signal.throwIfAborted();
    this.started = true;
    this.running = true;
    this.loop = this.consume();
    this.sweepTimer = setInterval(() => void this.sweep(), this.options.sweepIntervalMs ?? 500);
    this.sweepTimer.unref();
    this.logger.info(
      { tasks: this.state.tasks.size, workers: this.state.workers.size, cursor: this.cursor },
      'monitor started',
    );
  }

  async stop(): Promise<void> {
    this.startAbort.abort(new Error('monitor stopped before it started'));
    this.running = false;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.reader.disconnect(); // interrupts the blocking XREAD
    // a read queued while Redis was unreachable is never answered: do not wait on it for ever
    await within(this.loop ?? Promise.resolve(), 2000);
    if (this.redis.status === 'ready') {
      await within(
        this.persist().catch((err) => this.logger.warn({ err }, 'writing the history on stop failed')),
        2000,
      );
    }
    await within(this.client.close(), 2000);
    await closeRedis(this.redis);
  }

  /** Loads the persisted history, the stream cursor and the known workers. */
  private async restore(): Promise<void> {
    const [stored, cursor, workers] = await Promise.all([
      this.redis.hgetall(this.keys.monitorTasks),
      this.redis.get(this.keys.monitorCursor),
      this.redis.zrange(this.keys.workers, 0, -1, 'WITHSCORES'),
    ]);
    const records: TaskRecord[] = [];
    for (const json of Object.values(stored)) {
      try {
        records.push(decodeTaskRecord(json));
      } catch {
        // a corrupt record is dropped, not fatal
      }
    }
    this.state.loadTasks(records);
    if (cursor) this.cursor = cursor;
    const names: string[] = [];
    const scores: number[] = [];
    for (let i = 0; i + 1 < workers.length; i += 2) {
      names.push(workers[i]!);
      scores.push(Number(workers[i + 1]));
    }
    const infos = names.length > 0 ? await this.redis.mget(names.map((n) => this.keys.worker(n))) : [];
    names.forEach((hostname, i) => {
      const json = infos[i];
      const info = json ? (JSON.parse(json) as WorkerInfo) : null;
      const record: WorkerRecord = {
        hostname,
        info,
        lastHeartbeat: info?.timestamp ?? scores[i]! / 1000,
        freq: info?.freq ?? 2,
        online: info !== null,
        active: info?.active ?? 0,
        processed: info?.processed ?? 0,
      };
      this.state.loadWorker(record);
      this.flower.observeWorker(record);
    });
  }

  private async consume(): Promise<void> {
    const count = this.options.batchSize ?? 100;
    let backoffMs = 100;
    while (this.running) {
      try {
        const reply = (await this.reader.xread(
          'COUNT',
          count,
          'BLOCK',
          1000,
          'STREAMS',
          this.keys.events,
          this.cursor,
        )) as [string, [string, string[]][]][] | null;
        backoffMs = 100;
        const entries = reply?.[0]?.[1];
        if (!entries || entries.length === 0) {
          await this.persist(); // idle: write what is pending
          continue;
        }
        await this.applyBatch(entries);
        // a short pause between reads lets events pile up into bigger batches: far fewer wake-ups
        // of this process (which shares the CPU with workers and Redis) for at most this much delay
        if (entries.length < count)
          await new Promise((resolve) => setTimeout(resolve, this.options.readPauseMs ?? 200));
      } catch (err) {
        if (!this.running) break;
        this.logger.warn({ err, retryInMs: backoffMs }, 'reading the event stream failed');
        await new Promise((resolve) => setTimeout(resolve, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 5000);
      }
    }
  }

  private async applyBatch(entries: [string, string[]][]): Promise<void> {
    const changes: StateChanges = { updated: new Set(), evicted: [] };
    let eventCount = 0;
    for (const [id, fields] of entries) {
      try {
        if (fields.length === 2 && fields[0] === 'c') {
          eventCount += this.applyEventBatch(JSON.parse(fields[1]!) as CompactEventBatch, changes);
          continue;
        }
        const events = decodeStreamEntry(fields);
        eventCount += events.length;
        for (const event of events) this.applyEvent(event, changes);
      } catch (err) {
        this.logger.warn({ err, entry: id }, 'unreadable stream entry skipped');
      }
    }
    this.cursor = entries[entries.length - 1]![0];
    this.consumed.inc(eventCount);
    this.lastEventAt = Date.now();
    for (const id of changes.updated) this.dirty.add(id);
    for (const id of changes.evicted) {
      this.dirty.delete(id);
      this.evicted.add(id);
    }
    if (Date.now() - this.lastPersistAt >= (this.options.persistIntervalMs ?? 2000)) await this.persist();
  }

  private applyEvent(event: ReelwatchTaskEvent, changes: StateChanges): void {
    const touched = this.state.apply(event, changes);
    if (isTaskEvent(event)) this.flower.observeTask(event, touched as TaskRecord);
    else this.flower.observeWorker(touched as WorkerRecord);
  }

  /**
   * A worker's batch applied straight from its compact encoding (see CompactEventBatch), with the
   * same effect as decodeStreamEntry + applyEvent for each event but no event object per event: a
   * task's record and metric series are looked up once per group, the worker touched once per batch.
   */
  private applyEventBatch(batch: CompactEventBatch, changes: StateChanges): number {
    const hostname = batch.h;
    let count = 0;
    // a worker's online event comes before its tasks, its offline event after them
    for (const w of batch.w) {
      if (w.type !== 'worker-offline') this.applyEvent({ ...w, hostname } as WorkerEvent, changes);
    }
    let last = 0;
    for (const group of batch.g) {
      if (group.length <= 3) continue;
      const [uuid, name, queue] = group;
      const task = this.state.task(uuid, name, batch.t / 1000, changes);
      const series = this.flower.series(hostname, name || task.name || '');
      visitCompactGroup(group, batch.t, (type, timestamp, fields) => {
        this.state.applyTask(task, type, name, hostname, timestamp, queue ?? undefined, fields);
        this.flower.observeTaskEvent(series, type, fields?.runtime, task);
        if (timestamp > last) last = timestamp;
        count++;
      });
      changes.updated.add(uuid);
    }
    if (hostname && count > 0) this.state.touchWorker(hostname, last);
    for (const w of batch.w) {
      if (w.type === 'worker-offline') this.applyEvent({ ...w, hostname } as WorkerEvent, changes);
    }
    return count + batch.w.length;
  }

  /**
   * Writes the tasks changed since the last write and the stream cursor in one pipeline, at most
   * every persistIntervalMs: a task's received/started/succeeded coalesce into one write. After a
   * crash the monitor replays the stream from the saved cursor, so nothing is lost.
   */
  private async persist(): Promise<void> {
    this.lastPersistAt = Date.now();
    if (this.dirty.size === 0 && this.evicted.size === 0 && this.persistedCursor === this.cursor) return;
    const pipeline = this.redis.pipeline();
    if (this.dirty.size > 0) {
      const flat: string[] = [];
      for (const id of this.dirty) {
        const task = this.state.tasks.get(id);
        if (task) flat.push(id, encodeTaskRecord(task));
      }
      if (flat.length > 0) pipeline.hset(this.keys.monitorTasks, ...flat);
    }
    if (this.evicted.size > 0) pipeline.hdel(this.keys.monitorTasks, ...this.evicted);
    pipeline.set(this.keys.monitorCursor, this.cursor);
    this.dirty.clear();
    this.evicted.clear();
    this.persistedCursor = this.cursor;
    await pipeline.exec();
  }

  private async sweep(): Promise<void> {
    const now = Date.now() / 1000;
    for (const worker of this.state.expire(now)) {
      this.logger.warn({ worker: worker.hostname }, 'worker offline: heartbeat expired');
      this.flower.observeWorker(worker);
    }
    const purged = this.state.purge(now, this.options.purgeOfflineWorkersSeconds);
    if (purged.length === 0) return;
    try {
      for (const hostname of purged) await this.flower.forgetWorker(hostname);
      await this.redis.zrem(this.keys.workers, ...purged);
      this.logger.info({ workers: purged }, 'purged offline workers');
    } catch (err) {
      this.logger.warn({ err }, 'purging offline workers failed');
    }
  }
}
