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
import { registerWorkerMetrics } from './worker-metrics';
import { parseAnnouncement, type WorkerState, workerFromRedis } from './worker-state';

export interface TaskMonitorOptions {
  redisUrl: string;
  prefix: string;
  /** bounded task history (Flower's max_tasks) */
  maxTasks: number;
  /**
   * workers offline (shut down or lost) for longer than this many seconds are forgotten, in
   * memory and in Redis (Flower's purge_offline_workers); also the horizon of a lost worker's alert
   */
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
  /** each worker's state at the last sweep: transitions are logged once */
  private readonly sweptStates = new Map<string, WorkerState>();

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
    const workers = () => this.state.workers.values();
    this.flower = new FlowerMetrics(options.registry, workers);
    registerWorkerMetrics(options.registry, workers);
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

  /** Seconds an offline worker is kept before it is purged (the pages say so). */
  get purgeOfflineWorkersSeconds(): number {
    return this.options.purgeOfflineWorkersSeconds;
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
    const [stored, cursor] = await Promise.all([
      this.redis.hgetall(this.keys.monitorTasks),
      this.redis.get(this.keys.monitorCursor),
      this.restoreWorkers(),
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
  }

  /**
   * The workers Redis knows (also those of a previous run): each one's last announcement, last
   * heartbeat and goodbye, so their state is right from the first scrape: a previous run's workers
   * that shut down cleanly are `shutdown`, one that died within the purge delay is still `lost`,
   * and the ones offline for longer than the purge delay are purged before anyone sees them.
   * Names with no announcement left (written by a worker older than the announcements hash) are
   * forgotten: nothing about them (pool, queues, how they ended) can be shown.
   */
  private async restoreWorkers(): Promise<void> {
    const [beats, goodbyes, announcements] = await Promise.all([
      this.redis.zrange(this.keys.workers, 0, -1, 'WITHSCORES'),
      this.redis.zrange(this.keys.workerGoodbyes, 0, -1, 'WITHSCORES'),
      this.redis.hgetall(this.keys.workerAnnouncements),
    ]);
    const scores = (flat: string[]) => {
      const map = new Map<string, number>();
      for (let i = 0; i + 1 < flat.length; i += 2) map.set(flat[i]!, Number(flat[i + 1]));
      return map;
    };
    const lastBeat = scores(beats);
    const goodbye = scores(goodbyes);
    const unknown: string[] = [];
    for (const hostname of new Set([...lastBeat.keys(), ...Object.keys(announcements)])) {
      const info = parseAnnouncement(announcements[hostname]);
      if (!info || info.hostname !== hostname) {
        unknown.push(hostname);
        continue;
      }
      this.state.loadWorker(
        workerFromRedis(info, lastBeat.get(hostname) ?? null, goodbye.get(hostname) ?? null),
      );
    }
    if (unknown.length > 0) {
      await this.forgetWorkersInRedis(unknown);
      this.logger.info({ workers: unknown }, 'forgot workers known by name only (no announcement left)');
    }
    await this.purgeWorkers(Date.now() / 1000);
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
    else if (touched && this.state.workerState(touched as WorkerRecord) !== 'online')
      this.flower.workerOffline(event.hostname);
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

  /**
   * Every sweepIntervalMs: logs each worker's change of state once, checks Redis for the goodbye of
   * a worker about to be called lost (its worker-offline event may have been dropped), and purges
   * the workers offline for longer than the purge delay.
   */
  private async sweep(): Promise<void> {
    const now = Date.now() / 1000;
    try {
      const newlyLost = this.state
        .listWorkers(['lost'], now)
        .filter((w) => this.sweptStates.get(w.hostname) !== 'lost');
      if (newlyLost.length > 0) await this.readGoodbyes(newlyLost);
      for (const worker of this.state.workers.values()) {
        const state = this.state.workerState(worker, now);
        const before = this.sweptStates.get(worker.hostname);
        if (state === before) continue;
        this.sweptStates.set(worker.hostname, state);
        if (state !== 'online') this.flower.workerOffline(worker.hostname);
        if (state === 'lost')
          this.logger.warn({ worker: worker.hostname }, 'worker lost: heartbeats stopped without a goodbye');
        else if (state === 'shutdown') this.logger.info({ worker: worker.hostname }, 'worker shut down');
        else this.logger.info({ worker: worker.hostname }, 'worker online');
      }
      await this.purgeWorkers(now);
    } catch (err) {
      this.logger.warn({ err }, 'checking the workers failed');
    }
  }

  /** A goodbye the worker wrote to Redis whose event the monitor did not read still counts. */
  private async readGoodbyes(workers: WorkerRecord[]): Promise<void> {
    if (this.redis.status !== 'ready') return;
    const pipeline = this.redis.pipeline();
    for (const w of workers) pipeline.zscore(this.keys.workerGoodbyes, w.hostname);
    const replies = (await pipeline.exec()) ?? [];
    workers.forEach((w, i) => {
      const score = replies[i]?.[1];
      if (typeof score === 'string') this.state.recordGoodbye(w.hostname, Number(score) / 1000);
    });
  }

  /** Forgets the workers offline for longer than the purge delay, in memory, metrics and Redis. */
  private async purgeWorkers(now: number): Promise<void> {
    const purged = this.state.purge(now, this.options.purgeOfflineWorkersSeconds);
    if (purged.length === 0) return;
    for (const hostname of purged) {
      this.sweptStates.delete(hostname);
      await this.flower.forgetWorker(hostname);
    }
    try {
      await this.forgetWorkersInRedis(purged);
    } catch (err) {
      // in memory they are gone; Redis is cleaned by the next restart's purge
      this.logger.warn({ err, workers: purged }, 'removing purged workers from redis failed');
    }
    this.logger.info({ workers: purged }, 'purged offline workers');
  }

  private async forgetWorkersInRedis(names: string[]): Promise<void> {
    await this.redis
      .multi()
      .zrem(this.keys.workers, ...names)
      .zrem(this.keys.workerGoodbyes, ...names)
      .hdel(this.keys.workerAnnouncements, ...names)
      .exec();
  }
}
