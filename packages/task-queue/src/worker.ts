import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type pino from 'pino';
import type { Registry } from 'prom-client';
import { TaskQueueError } from './errors';
import { EventPublisher, type TaskEventFields } from './event_publisher';
import {
  CONTROL_COMMANDS,
  type ControlCommand,
  type ControlReply,
  HEARTBEAT_EXPIRE_FACTOR,
  parseRateLimit,
  type TaskEventType,
  type TaskKeys,
  taskKeys,
  type WorkerEvent,
  type WorkerInfo,
} from './protocol';
import {
  closeRedis,
  connectionProblem,
  retryUntilDone,
  waitUntilConnected,
  watchConnection,
  within,
} from './redis_connection';
import type { AnyTaskDefinition, TaskDependencies } from './task';
import { WorkerMetrics } from './worker_metrics';

export interface TaskWorkerOptions {
  redisUrl: string;
  /** key prefix of BullMQ's keys and ours */
  prefix: string;
  /** `worker@host-pid` */
  name: string;
  host: string;
  pid: number;
  queues: string[];
  concurrency: number;
  /** tasks taken from the queues ahead of a free pool slot = concurrency x this (Celery's prefetch multiplier) */
  prefetchMultiplier: number;
  autoscale?: { max: number; min: number } | null;
  heartbeatIntervalMs: number;
  /** write task events to the stream (Celery's -E); off = unmonitored */
  events: boolean;
  eventStreamMaxLen: number;
  /** graceful stop waits this long for running tasks, then aborts them */
  shutdownTimeoutMs: number;
  tasks: readonly AnyTaskDefinition[];
  deps: TaskDependencies;
  logger: pino.Logger;
  registry: Registry;
  /** a remote `shutdown` calls this (the service stops through its lifecycle); default: stop() */
  onShutdownRequested?: (reason: string) => void;
  /** completed/failed jobs kept in Redis for results, per queue */
  keepJobs?: { completed: number; failed: number };
}

/** A resizable counting semaphore: the worker's pool of task slots. */
class SlotPool {
  active = 0;
  private readonly waiters: (() => void)[] = [];
  constructor(public size: number) {}

  get waiting(): number {
    return this.waiters.length;
  }

  acquire(): Promise<void> | undefined {
    if (this.active < this.size) {
      this.active++;
      return undefined;
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    this.active--;
    this.drain();
  }

  resize(size: number): void {
    this.size = size;
    this.drain();
  }

  private drain(): void {
    while (this.active < this.size && this.waiters.length > 0) {
      this.active++;
      this.waiters.shift()!();
    }
  }
}

/** Spaces the starts of one task type: Celery's rate limit, applied per worker. */
class StartSpacing {
  private next = 0;
  constructor(
    readonly text: string,
    private readonly intervalMs: number,
  ) {}

  delay(now: number): number {
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    return at - now;
  }
}

interface RunningTask {
  id: string;
  name: string;
  startedAt: number;
  controller: AbortController;
  kill(reason: Error): void;
}

const REVOKED_MEMORY = 50_000; // like Celery's LimitedSet of revoked ids
/** the largest pool a remote command may ask for (TASK_WORKER_CONCURRENCY's bound too) */
const MAX_CONCURRENCY = 1000;

/**
 * A Celery-style worker on BullMQ: one BullMQ Worker per consumed queue feeding one pool of
 * `concurrency` slots; announces itself with a heartbeat, emits task events, obeys remote control.
 */
export class TaskWorker {
  readonly name: string;
  private readonly keys: TaskKeys;
  private readonly redis: Redis;
  private subscriber: Redis | null = null;
  private readonly events: EventPublisher | null;
  private readonly consumers = new Map<string, { worker: Worker; connection: Redis }>();
  private readonly tasks: Map<string, AnyTaskDefinition>;
  private readonly pool: SlotPool;
  private readonly spacing = new Map<string, StartSpacing>();
  private readonly timeLimits = new Map<string, { soft: number | null; hard: number | null }>();
  private readonly running = new Map<string, RunningTask>();
  private readonly revoked = new Set<string>();
  private readonly total: Record<string, number> = {};
  private readonly metrics: WorkerMetrics;
  private readonly logger: pino.Logger;
  private autoscale: { max: number; min: number } | null;
  private autoscaleTimer: NodeJS.Timeout | null = null;
  private idleTicks = 0;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private reserved = 0;
  private processed = 0;
  private startedAt = 0;
  private stopping: Promise<void> | null = null;
  private online = false;
  /** aborted by stop(): a start still waiting for Redis gives up */
  private readonly startAbort = new AbortController();

  constructor(private readonly options: TaskWorkerOptions) {
    this.name = options.name;
    this.keys = taskKeys(options.prefix);
    this.logger = options.logger.child({ worker: options.name });
    this.redis = watchConnection(
      new Redis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true }),
      this.logger,
      'commands',
    );
    this.tasks = new Map(options.tasks.map((t) => [t.name, t]));
    this.pool = new SlotPool(options.concurrency);
    this.autoscale = options.autoscale ?? null;
    this.metrics = new WorkerMetrics(options.registry, {
      concurrency: () => this.pool.size,
      active: () => this.running.size,
      reserved: () => this.reserved,
    });
    this.events = options.events
      ? new EventPublisher({
          redis: this.redis,
          stream: this.keys.events,
          hostname: options.name,
          maxLen: options.eventStreamMaxLen,
          logger: this.logger,
          onDropped: (n) => this.metrics.eventsDropped.inc(n),
        })
      : null;
  }

  /** Throws, saying why, unless connected to Redis and consuming (a readiness check). */
  checkReady(): void {
    if (this.stopping) throw new Error('stopping');
    const problem = connectionProblem(this.redis, 'commands');
    if (problem) throw new Error(problem);
    if (!this.online) throw new Error('starting: not consuming yet');
    if (this.consumers.size === 0) throw new Error('consuming no queue');
  }

  get concurrency(): number {
    return this.pool.size;
  }

  get queues(): string[] {
    return [...this.consumers.keys()];
  }

  /**
   * Connects, subscribes to remote control and starts consuming. Waits for Redis as long as it
   * refuses or drops the connection (each failed step is logged and retried; checkReady() says
   * why meanwhile); rejects only when stop() is called first.
   */
  async start(): Promise<void> {
    this.startedAt = Date.now();
    const signal = this.startAbort.signal;
    const retry = <T>(what: string, attempt: () => Promise<T>) =>
      retryUntilDone(what, attempt, { logger: this.logger, signal });
    await retry('reading the revoked tasks', async () => {
      await waitUntilConnected(this.redis, { signal });
      for (const id of await this.redis.smembers(this.keys.revoked)) this.remember(id);
    });
    if (!this.subscriber) {
      this.subscriber = watchConnection(this.redis.duplicate(), this.logger, 'control');
      this.subscriber.on('message', (_channel: string, message: string) => {
        // one failing command (Redis gone while replying) must not take the worker down
        this.onControl(message).catch((err) => this.logger.warn({ err }, 'control command failed'));
      });
    }
    const subscriber = this.subscriber;
    await retry('subscribing to remote control', async () => {
      await waitUntilConnected(subscriber, { signal });
      await subscriber.subscribe(this.keys.control);
    });
    signal.throwIfAborted();
    for (const queue of this.options.queues) this.addConsumer(queue);
    await retry('starting the consumers', () =>
      Promise.all([...this.consumers.values()].map((c) => c.worker.waitUntilReady())),
    );
    signal.throwIfAborted();
    this.online = true;
    if (this.autoscale) this.startAutoscaler();
    await this.heartbeat('worker-online');
    this.heartbeatTimer = setInterval(
      () => void this.heartbeat('worker-heartbeat'),
      this.options.heartbeatIntervalMs,
    );
    this.heartbeatTimer.unref();
    this.logger.info(
      { queues: this.queues, concurrency: this.pool.size, events: Boolean(this.events) },
      'worker online',
    );
  }

  /** Graceful stop: stop taking tasks, let running ones finish (up to shutdownTimeoutMs), go offline. */
  stop(reason = 'stop'): Promise<void> {
    this.stopping ??= this.doStop(reason);
    return this.stopping;
  }

  private async doStop(reason: string): Promise<void> {
    this.logger.info({ reason, running: this.running.size }, 'worker stopping');
    this.startAbort.abort(new Error(`worker stopped (${reason}) before it was online`));
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.autoscaleTimer) clearInterval(this.autoscaleTimer);
    if (this.subscriber) await closeRedis(this.subscriber);
    const consumers = [...this.consumers.values()];
    this.consumers.clear();
    // with Redis unreachable a graceful close cannot finish: then only the running tasks are waited for
    const redisUp = this.redis.status === 'ready';
    const closing = redisUp ? Promise.all(consumers.map((c) => c.worker.close())) : this.whenIdle();
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), this.options.shutdownTimeoutMs).unref(),
    );
    const timedOut = (await Promise.race([closing, timeout])) === 'timeout';
    if (timedOut) {
      this.logger.warn({ running: this.running.size }, 'shutdown timeout: aborting running tasks');
      for (const task of this.running.values()) {
        task.kill(new TaskQueueError('TIME_LIMIT_EXCEEDED', 'worker shutdown timeout', { retryable: true }));
      }
    }
    if (timedOut || !redisUp) {
      await within(Promise.all(consumers.map((c) => c.worker.close(true))), 1000);
    }
    await Promise.all(consumers.map((c) => closeRedis(c.connection)));
    if (this.redis.status === 'ready') {
      // going offline is best effort: with Redis down the heartbeat key expires on its own
      if (this.events) {
        this.events.worker(this.workerEvent('worker-offline'));
        await within(this.events.flush(), 2000);
      }
      await within(this.redis.del(this.keys.worker(this.name)), 2000);
    }
    await closeRedis(this.redis);
    this.logger.info('worker offline');
  }

  /** Resolves when no task runs (polled: only used on the way out). */
  private async whenIdle(): Promise<void> {
    while (this.running.size > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  info(): WorkerInfo {
    const now = Date.now();
    return {
      hostname: this.name,
      host: this.options.host,
      pid: this.options.pid,
      freq: this.options.heartbeatIntervalMs / 1000,
      concurrency: this.pool.size,
      autoscale: this.autoscale,
      prefetchMultiplier: this.options.prefetchMultiplier,
      queues: this.queues,
      active: this.running.size,
      reserved: this.reserved,
      processed: this.processed,
      total: { ...this.total },
      registered: [...this.tasks.keys()],
      rateLimits: Object.fromEntries([...this.spacing].map(([task, s]) => [task, s.text])),
      timeLimits: Object.fromEntries(this.timeLimits),
      activeTasks: [...this.running.values()].map((t) => ({
        id: t.id,
        name: t.name,
        startedAt: t.startedAt / 1000,
      })),
      startedAt: this.startedAt / 1000,
      timestamp: now / 1000,
    };
  }

  // --- pool and consumers -------------------------------------------------------------------

  setConcurrency(size: number): void {
    const n = Math.max(1, Math.floor(size));
    this.pool.resize(n);
    for (const { worker } of this.consumers.values())
      worker.concurrency = n * this.options.prefetchMultiplier;
    this.logger.info({ concurrency: n }, 'pool resized');
  }

  setAutoscale(max: number, min: number): void {
    this.autoscale = { max, min };
    if (this.pool.size > max) this.setConcurrency(max);
    else if (this.pool.size < min) this.setConcurrency(min);
    this.startAutoscaler();
  }

  /** Celery's autoscaler: grow to the demand up to max at once, shrink after 3 idle seconds down to min. */
  private startAutoscaler(): void {
    if (this.autoscaleTimer) return;
    this.autoscaleTimer = setInterval(() => {
      const bounds = this.autoscale;
      if (!bounds) return;
      const demand = this.pool.active + this.pool.waiting;
      if (demand > this.pool.size && this.pool.size < bounds.max) {
        this.idleTicks = 0;
        this.setConcurrency(Math.min(bounds.max, demand));
      } else if (demand < this.pool.size && this.pool.size > bounds.min) {
        if (++this.idleTicks >= 3) {
          this.idleTicks = 0;
          this.setConcurrency(Math.max(bounds.min, demand));
        }
      } else {
        this.idleTicks = 0;
      }
    }, 1000);
    this.autoscaleTimer.unref();
  }

  addConsumer(queue: string): boolean {
    if (this.consumers.has(queue)) return false;
    const connection = watchConnection(
      new Redis(this.options.redisUrl, { maxRetriesPerRequest: null }),
      this.logger,
      `consumer ${queue}`,
    );
    const keep = this.options.keepJobs ?? { completed: 10_000, failed: 10_000 };
    const worker = new Worker(queue, (job) => this.process(job, queue), {
      connection,
      prefix: this.options.prefix,
      concurrency: this.pool.size * this.options.prefetchMultiplier,
      removeOnComplete: { count: keep.completed },
      removeOnFail: { count: keep.failed },
    });
    worker.on('error', (err) => this.logger.error({ err, queue }, 'consumer error'));
    this.consumers.set(queue, { worker, connection });
    this.metrics.consumedQueues.set({ queue }, 1);
    return true;
  }

  /** Stops taking tasks from the queue; resolves when that queue's running tasks finished. */
  async cancelConsumer(queue: string): Promise<boolean> {
    const consumer = this.consumers.get(queue);
    if (!consumer) return false;
    this.consumers.delete(queue);
    this.metrics.consumedQueues.remove({ queue });
    await consumer.worker.close();
    await closeRedis(consumer.connection);
    return true;
  }

  /** Celery's pool_restart: every consumer is closed gracefully and recreated. */
  async restartPool(): Promise<void> {
    const queues = this.queues;
    await Promise.all(queues.map((q) => this.cancelConsumer(q)));
    for (const queue of queues) this.addConsumer(queue);
    await Promise.all([...this.consumers.values()].map((c) => c.worker.waitUntilReady()));
  }

  setRateLimit(task: string, rate: string): void {
    const perSecond = parseRateLimit(rate);
    if (perSecond === null) this.spacing.delete(task);
    else this.spacing.set(task, new StartSpacing(rate, 1000 / perSecond));
  }

  setTimeLimit(task: string, soft: number | null, hard: number | null): void {
    if (soft === null && hard === null) this.timeLimits.delete(task);
    else this.timeLimits.set(task, { soft, hard });
  }

  /** Remembers the id (a worker that receives it later discards it); terminate aborts it if running here. */
  revoke(id: string, terminate: boolean): boolean {
    this.remember(id);
    const running = this.running.get(id);
    if (terminate && running) {
      running.kill(new TaskQueueError('REVOKED', 'revoked', { retryable: false }));
      return true;
    }
    return false;
  }

  private remember(id: string): void {
    this.revoked.add(id);
    if (this.revoked.size > REVOKED_MEMORY) {
      const oldest = this.revoked.values().next().value;
      if (oldest !== undefined) this.revoked.delete(oldest);
    }
  }

  // --- running a task ------------------------------------------------------------------------

  private async process(job: Job, queue: string): Promise<unknown> {
    const id = job.id!;
    const name = job.name;
    const receivedAt = Date.now();
    const definition = this.tasks.get(name);
    if (this.events) {
      const delay = job.opts.delay ?? 0;
      this.events.received(
        id,
        name,
        receivedAt / 1000,
        queue,
        truncate(JSON.stringify(job.data ?? null)),
        job.attemptsMade,
        delay > 0 ? (job.timestamp + delay) / 1000 : null,
      );
    }
    if (!definition) {
      this.finish(name, 'failed', id, 'task-failed', { exception: `NotRegistered('${name}')` });
      throw new UnrecoverableError(`unknown task '${name}'`);
    }
    this.reserved++;
    try {
      const wait = this.spacing.get(name)?.delay(receivedAt) ?? 0;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await this.pool.acquire();
    } finally {
      this.reserved--;
    }
    const startedAt = Date.now();
    const controller = new AbortController();
    try {
      if (this.revoked.has(id)) {
        this.finish(name, 'revoked', id, 'task-revoked', { terminated: false, expired: false });
        throw new UnrecoverableError('revoked');
      }
      const waitSeconds = Math.max(0, (startedAt - job.timestamp - (job.opts.delay ?? 0)) / 1000);
      this.events?.started(id, name, startedAt / 1000, (startedAt - receivedAt) / 1000, waitSeconds);
      this.metrics.waitTime.observe({ task: name }, waitSeconds);
      const result = await this.runWithLimits(definition, job, controller);
      const runtime = (Date.now() - startedAt) / 1000;
      this.metrics.runtime.observe({ task: name }, runtime);
      this.count(name, 'succeeded');
      this.events?.succeeded(id, name, Date.now() / 1000, runtime, truncate(JSON.stringify(result ?? null)));
      return result;
    } catch (err) {
      if (err instanceof UnrecoverableError && err.message === 'revoked') throw err;
      const runtime = (Date.now() - startedAt) / 1000;
      if (err instanceof TaskQueueError && err.code === 'REVOKED') {
        this.finish(name, 'revoked', id, 'task-revoked', { terminated: true, expired: false, runtime });
        throw new UnrecoverableError('revoked');
      }
      this.metrics.runtime.observe({ task: name }, runtime);
      const retryable =
        !(err instanceof UnrecoverableError) && !(err instanceof TaskQueueError && !err.retryable);
      const willRetry = retryable && job.attemptsMade + 1 < (job.opts.attempts ?? 1);
      const exception = describeError(err);
      this.finish(name, willRetry ? 'retried' : 'failed', id, willRetry ? 'task-retried' : 'task-failed', {
        exception,
        traceback: err instanceof Error ? truncate(err.stack ?? '') : undefined,
        runtime,
      });
      this.logger.warn({ err, task: name, taskId: id, willRetry }, 'task failed');
      if (!retryable) throw new UnrecoverableError(exception);
      throw err;
    } finally {
      this.running.delete(id);
      this.pool.release();
    }
  }

  private finish(
    name: string,
    outcome: 'succeeded' | 'failed' | 'retried' | 'revoked',
    id: string,
    type: TaskEventType,
    fields: TaskEventFields,
  ): void {
    this.count(name, outcome);
    this.events?.task(type, id, name, Date.now() / 1000, fields);
  }

  private count(name: string, outcome: 'succeeded' | 'failed' | 'retried' | 'revoked'): void {
    this.processed++;
    this.total[name] = (this.total[name] ?? 0) + 1;
    // a job name nobody registered is one label value, not one per name
    this.metrics.tasks.inc({ task: this.tasks.has(name) ? name : 'unregistered', outcome });
  }

  private runWithLimits(
    definition: AnyTaskDefinition,
    job: Job,
    controller: AbortController,
  ): Promise<unknown> {
    const id = job.id!;
    const limits = this.timeLimits.get(definition.name);
    return new Promise((resolve, reject) => {
      const timers: NodeJS.Timeout[] = [];
      const kill = (reason: Error) => {
        if (!controller.signal.aborted) controller.abort(reason);
        reject(reason);
      };
      this.running.set(id, { id, name: definition.name, startedAt: Date.now(), controller, kill });
      if (limits?.soft) {
        // the soft limit only signals: the task may clean up and fail on its own terms
        timers.push(
          setTimeout(
            () =>
              controller.abort(
                new TaskQueueError('SOFT_TIME_LIMIT_EXCEEDED', `SoftTimeLimitExceeded(${limits.soft})`, {
                  retryable: false,
                }),
              ),
            limits.soft * 1000,
          ),
        );
      }
      if (limits?.hard) {
        timers.push(
          setTimeout(
            () =>
              kill(
                new TaskQueueError('TIME_LIMIT_EXCEEDED', `TimeLimitExceeded(${limits.hard})`, {
                  retryable: false,
                }),
              ),
            limits.hard * 1000,
          ),
        );
      }
      const clear = () => {
        for (const t of timers) clearTimeout(t);
      };
      Promise.resolve()
        .then(() =>
          definition.run(definition.parseArgs(job.data), {
            signal: controller.signal,
            logger: this.logger.child({ task: definition.name, taskId: id }),
            deps: this.options.deps,
            taskId: id,
            attempt: job.attemptsMade + 1,
          }),
        )
        .then(
          (value) => {
            clear();
            resolve(value);
          },
          (err) => {
            clear();
            reject(err);
          },
        );
    });
  }

  // --- heartbeat and remote control ----------------------------------------------------------

  private workerEvent(type: WorkerEvent['type']): Omit<WorkerEvent, 'hostname'> & { info: WorkerInfo } {
    const info = this.info();
    return {
      type,
      timestamp: info.timestamp,
      freq: info.freq,
      active: info.active,
      processed: info.processed,
      info,
    };
  }

  private async heartbeat(type: 'worker-online' | 'worker-heartbeat'): Promise<void> {
    if (this.stopping) return; // a late heartbeat must not bring a stopped worker back online
    const event = this.workerEvent(type);
    const ttlMs = Math.ceil(this.options.heartbeatIntervalMs * HEARTBEAT_EXPIRE_FACTOR);
    try {
      await this.redis
        .pipeline()
        .set(this.keys.worker(this.name), JSON.stringify(event.info), 'PX', ttlMs)
        .zadd(this.keys.workers, Date.now(), this.name)
        .exec();
      this.events?.worker(event);
    } catch (err) {
      this.logger.warn({ err }, 'heartbeat failed');
    }
  }

  private async onControl(message: string): Promise<void> {
    let command: ControlCommand;
    try {
      command = JSON.parse(message) as ControlCommand;
    } catch (err) {
      this.logger.warn({ err }, 'unreadable control message');
      return;
    }
    if (command.destination && !command.destination.includes(this.name)) return;
    let reply: ControlReply;
    // a label value from the wire is bounded to the known commands
    const label = (CONTROL_COMMANDS as readonly string[]).includes(command.command)
      ? command.command
      : 'unknown';
    try {
      reply = { worker: this.name, ok: true, message: await this.handle(command) };
      this.metrics.controlCommands.inc({ command: label, outcome: 'ok' });
    } catch (err) {
      reply = { worker: this.name, ok: false, message: err instanceof Error ? err.message : String(err) };
      this.metrics.controlCommands.inc({ command: label, outcome: 'error' });
    }
    this.logger.info({ command: command.command, arguments: command.arguments, reply }, 'control command');
    if (command.reply && this.redis.status === 'ready') {
      const key = this.keys.reply(command.id);
      await this.redis.pipeline().rpush(key, JSON.stringify(reply)).pexpire(key, 60_000).exec();
    }
    if (command.command === 'shutdown' && reply.ok) {
      if (this.options.onShutdownRequested) this.options.onShutdownRequested('remote shutdown');
      else void this.stop('remote shutdown');
    }
    if (command.command !== 'shutdown' && command.command !== 'ping' && command.command !== 'revoke') {
      await this.heartbeat('worker-heartbeat'); // the monitor sees the new state at once
    }
  }

  private async handle(command: ControlCommand): Promise<string> {
    const args = command.arguments;
    switch (command.command) {
      case 'ping':
        return 'pong';
      case 'shutdown':
        return 'Warm shutdown';
      case 'pool_restart':
        await this.restartPool();
        return 'reloaded';
      case 'pool_grow': {
        const n = positiveInt(args.n, 1);
        if (this.pool.size + n > MAX_CONCURRENCY)
          throw new Error(`cannot grow the pool beyond ${MAX_CONCURRENCY}`);
        this.setConcurrency(this.pool.size + n);
        return `pool will grow by ${n}`;
      }
      case 'pool_shrink': {
        const n = positiveInt(args.n, 1);
        if (this.pool.size - n < 1) throw new Error(`cannot shrink the pool below 1 (now ${this.pool.size})`);
        this.setConcurrency(this.pool.size - n);
        return `pool will shrink by ${n}`;
      }
      case 'autoscale': {
        const max = positiveInt(args.max, 0);
        const min = Number.isInteger(args.min) && (args.min as number) >= 0 ? (args.min as number) : 0;
        if (max < Math.max(1, min)) throw new Error(`autoscale needs max >= min >= 0 and max >= 1`);
        if (max > MAX_CONCURRENCY) throw new Error(`autoscale max cannot exceed ${MAX_CONCURRENCY}`);
        this.setAutoscale(max, Math.max(1, min));
        return `autoscale now max=${max} min=${min}`;
      }
      case 'add_consumer': {
        const queue = nonEmpty(args.queue, 'queue');
        if (!this.addConsumer(queue)) return `already consuming from '${queue}'`;
        await this.consumers.get(queue)?.worker.waitUntilReady();
        return `add consumer ${queue}`;
      }
      case 'cancel_consumer': {
        const queue = nonEmpty(args.queue, 'queue');
        if (!(await this.cancelConsumer(queue))) throw new Error(`not consuming from '${queue}'`);
        return `no longer consuming from ${queue}`;
      }
      case 'rate_limit': {
        const task = this.knownTask(args.task);
        const rate = typeof args.rate === 'string' ? args.rate : String(args.rate ?? '');
        this.setRateLimit(task, rate);
        return parseRateLimit(rate) === null
          ? 'rate limit disabled successfully'
          : 'new rate limit set successfully';
      }
      case 'time_limit': {
        const task = this.knownTask(args.task);
        const soft = optionalSeconds(args.soft, 'soft');
        const hard = optionalSeconds(args.hard, 'hard');
        this.setTimeLimit(task, soft, hard);
        return 'time limits set successfully';
      }
      case 'revoke': {
        const id = nonEmpty(args.id, 'id');
        const terminated = this.revoke(id, args.terminate === true);
        return terminated ? `terminate: ${id}` : `tasks flagged as revoked: ${id}`;
      }
      default:
        throw new Error(`unknown command '${String(command.command)}'`);
    }
  }

  private knownTask(value: unknown): string {
    const task = nonEmpty(value, 'task');
    if (!this.tasks.has(task)) throw new Error(`unknown task '${task}'`);
    return task;
  }
}

function positiveInt(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got '${String(value)}'`);
  return n;
}

function nonEmpty(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`'${what}' is required`);
  return value;
}

function optionalSeconds(value: unknown, what: string): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`'${what}' must be a positive number of seconds`);
  return n;
}

function truncate(text: string, max = 1024): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

function describeError(err: unknown): string {
  if (err instanceof TaskQueueError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
