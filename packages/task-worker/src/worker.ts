import { Redis } from 'ioredis';
import type pino from 'pino';
import type { Registry } from 'prom-client';
import { Autoscaler } from './autoscaler';
import {
  CONTROL_COMMANDS,
  type ControlCommand,
  type ControlReply,
  type ControlTarget,
  controlHandler,
} from './control';
import { TaskQueueError } from './errors';
import { EventPublisher } from './event-publisher';
import {
  HEARTBEAT_EXPIRE_FACTOR,
  type TaskKeys,
  taskKeys,
  type WorkerEvent,
  type WorkerInfo,
} from './protocol';
import { QueueConsumers } from './queue-consumers';
import {
  closeRedis,
  connectionProblem,
  retryUntilDone,
  waitUntilConnected,
  watchConnection,
  within,
} from './redis-connection';
import type { AnyTaskDefinition, TaskDependencies } from './task';
import { TaskRunner } from './task-runner';
import { WorkerMetrics } from './worker-metrics';

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
/**
 * A Celery-style worker on BullMQ: one BullMQ Worker per consumed queue feeding one pool of
 * `concurrency` slots (run by the TaskRunner); announces itself with a heartbeat, emits task
 * events, obeys remote control (one handler per command, in `control/`).
 */
export class TaskWorker implements ControlTarget {
  readonly name: string;
  private readonly keys: TaskKeys;
  private readonly redis: Redis;
  private subscriber: Redis | null = null;
  private readonly events: EventPublisher | null;
  private readonly consumers: QueueConsumers;
  private readonly runner: TaskRunner;
  private readonly autoscaler: Autoscaler;
  private readonly metrics: WorkerMetrics;
  private readonly logger: pino.Logger;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private stopping: Promise<void> | null = null;
  private online = false;
  /** set once the worker said goodbye: no heartbeat may follow it */
  private saidGoodbye = false;
  /** the queues consumed when stop() began: announced while draining and in the goodbye */
  private queuesAtStop: string[] | null = null;
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
    this.metrics = new WorkerMetrics(options.registry, {
      concurrency: () => this.runner.pool.size,
      active: () => this.runner.active,
      reserved: () => this.runner.reserved,
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
    this.runner = new TaskRunner({
      tasks: options.tasks,
      concurrency: options.concurrency,
      deps: options.deps,
      events: this.events,
      metrics: this.metrics,
      logger: this.logger,
    });
    this.consumers = new QueueConsumers({
      redisUrl: options.redisUrl,
      prefix: options.prefix,
      keepJobs: options.keepJobs,
      takeAtOnce: () => this.concurrency * options.prefetchMultiplier,
      process: (job, queue) => this.runner.process(job, queue),
      metrics: this.metrics,
      logger: this.logger,
    });
    const pool = this.runner.pool;
    this.autoscaler = new Autoscaler(
      options.autoscale ?? null,
      () => ({ size: pool.size, demand: pool.active + pool.waiting }),
      (size) => this.setConcurrency(size),
    );
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
    return this.runner.pool.size;
  }

  get queues(): string[] {
    return this.consumers.queues;
  }

  hasTask(name: string): boolean {
    return this.runner.hasTask(name);
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
      for (const id of await this.redis.smembers(this.keys.revoked)) this.runner.revoke(id, false);
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
    await retry('starting the consumers', () => this.consumers.allReady());
    signal.throwIfAborted();
    this.online = true;
    if (this.autoscaler.bounds) this.autoscaler.start();
    await this.heartbeat('worker-online');
    if (this.stopping) return; // stopped while announcing itself: no heartbeat timer to leak
    this.heartbeatTimer = setInterval(
      () => void this.heartbeat('worker-heartbeat'),
      this.options.heartbeatIntervalMs,
    );
    this.heartbeatTimer.unref();
    this.logger.info(
      { queues: this.queues, concurrency: this.concurrency, events: Boolean(this.events) },
      'worker online',
    );
  }

  /** Graceful stop: stop taking tasks, let running ones finish (up to shutdownTimeoutMs), go offline. */
  stop(reason = 'stop'): Promise<void> {
    this.stopping ??= this.doStop(reason);
    return this.stopping;
  }

  private async doStop(reason: string): Promise<void> {
    this.logger.info({ reason, running: this.runner.active }, 'worker stopping');
    this.startAbort.abort(new Error(`worker stopped (${reason}) before it was online`));
    // heartbeats go on while running tasks drain (up to shutdownTimeoutMs): a worker finishing its
    // tasks is alive, and the monitor must not take it for lost before it says goodbye
    this.autoscaler.stop();
    if (this.subscriber) await closeRedis(this.subscriber);
    this.queuesAtStop = this.queues;
    const consumers = this.consumers.detachAll();
    // with Redis unreachable a graceful close cannot finish: then only the running tasks are waited for
    const redisUp = this.redis.status === 'ready';
    const closing = redisUp ? Promise.all(consumers.map((c) => c.worker.close())) : this.runner.whenIdle();
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), this.options.shutdownTimeoutMs).unref(),
    );
    const timedOut = (await Promise.race([closing, timeout])) === 'timeout';
    if (timedOut) {
      this.logger.warn({ running: this.runner.active }, 'shutdown timeout: aborting running tasks');
      this.runner.killAll(
        () => new TaskQueueError('TIME_LIMIT_EXCEEDED', 'worker shutdown timeout', { retryable: true }),
      );
    }
    if (timedOut || !redisUp) {
      await within(Promise.all(consumers.map((c) => c.worker.close(true))), 1000);
    }
    await Promise.all(consumers.map((c) => closeRedis(c.connection)));
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.saidGoodbye = true;
    let goodbye = false;
    if (this.redis.status === 'ready') {
      // the goodbye is best effort: with Redis down the heartbeat key expires on its own and the
      // monitor reports the worker lost, which is what it looks like from outside
      goodbye = await this.sayGoodbye();
    }
    await closeRedis(this.redis);
    this.logger.info(
      { goodbye },
      goodbye ? 'worker offline (said goodbye)' : 'worker offline without goodbye',
    );
  }

  /**
   * Celery's `worker-offline`, made durable: the goodbye is written to Redis (the worker-goodbyes
   * set, its last announcement kept, its live key removed) before the event, so a monitor that
   * reads no events (TASK_WORKER_EVENTS=false) or starts later still tells a clean shutdown from
   * a lost worker. Returns whether Redis took it.
   */
  private async sayGoodbye(): Promise<boolean> {
    const event = this.workerEvent('worker-offline');
    const info = { ...event.info, active: 0, reserved: 0, activeTasks: [] };
    try {
      const written = await within(
        this.redis
          .multi()
          .hset(this.keys.workerAnnouncements, this.name, JSON.stringify(info))
          .zadd(this.keys.workerGoodbyes, Math.round(info.timestamp * 1000), this.name)
          .del(this.keys.worker(this.name))
          .exec(),
        2000,
      );
      if (!written || written.some(([err]) => err)) return false;
    } catch (err) {
      this.logger.warn({ err }, 'writing the goodbye failed');
      return false;
    }
    if (this.events) {
      this.events.worker({ ...event, active: 0, info });
      await within(this.events.flush(), 2000);
    }
    return true;
  }

  info(): WorkerInfo {
    const now = Date.now();
    const runner = this.runner.info();
    return {
      hostname: this.name,
      host: this.options.host,
      pid: this.options.pid,
      freq: this.options.heartbeatIntervalMs / 1000,
      concurrency: this.concurrency,
      autoscale: this.autoscaler.bounds,
      prefetchMultiplier: this.options.prefetchMultiplier,
      queues: this.queuesAtStop ?? this.queues,
      active: runner.active,
      reserved: runner.reserved,
      processed: runner.processed,
      total: runner.total,
      registered: runner.registered,
      rateLimits: runner.rateLimits,
      timeLimits: runner.timeLimits,
      activeTasks: runner.activeTasks,
      startedAt: this.startedAt / 1000,
      timestamp: now / 1000,
    };
  }

  // --- pool and consumers -------------------------------------------------------------------

  setConcurrency(size: number): void {
    const n = Math.max(1, Math.floor(size));
    this.runner.pool.resize(n);
    this.consumers.resized();
    this.logger.info({ concurrency: n }, 'pool resized');
  }

  setAutoscale(max: number, min: number): void {
    this.autoscaler.bounds = { max, min };
    if (this.concurrency > max) this.setConcurrency(max);
    else if (this.concurrency < min) this.setConcurrency(min);
    this.autoscaler.start();
  }

  addConsumer(queue: string): boolean {
    return this.consumers.add(queue);
  }

  consumerReady(queue: string): Promise<void> {
    return this.consumers.ready(queue);
  }

  /** Stops taking tasks from the queue; resolves when that queue's running tasks finished. */
  cancelConsumer(queue: string): Promise<boolean> {
    return this.consumers.cancel(queue);
  }

  /** Celery's pool_restart: every consumer is closed gracefully and recreated. */
  async restartPool(): Promise<void> {
    const queues = this.queues;
    await Promise.all(queues.map((q) => this.consumers.cancel(q)));
    for (const queue of queues) this.consumers.add(queue);
    await this.consumers.allReady();
  }

  setRateLimit(task: string, rate: string): void {
    this.runner.setRateLimit(task, rate);
  }

  setTimeLimit(task: string, soft: number | null, hard: number | null): void {
    this.runner.setTimeLimit(task, soft, hard);
  }

  /** Remembers the id (a worker that receives it later discards it); terminate aborts it if running here. */
  revoke(id: string, terminate: boolean): boolean {
    return this.runner.revoke(id, terminate);
  }

  /** A remote `shutdown`: through the service's lifecycle when it gave a hook, else stop(). */
  requestShutdown(reason: string): void {
    if (this.options.onShutdownRequested) this.options.onShutdownRequested(reason);
    else void this.stop(reason);
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
    if (this.saidGoodbye) return; // a late heartbeat must not bring a stopped worker back online
    const event = this.workerEvent(type);
    const ttlMs = Math.ceil(this.options.heartbeatIntervalMs * HEARTBEAT_EXPIRE_FACTOR);
    const json = JSON.stringify(event.info);
    try {
      const pipeline = this.redis
        .pipeline()
        .set(this.keys.worker(this.name), json, 'PX', ttlMs)
        .hset(this.keys.workerAnnouncements, this.name, json)
        .zadd(this.keys.workers, Math.round(event.timestamp * 1000), this.name);
      // a worker restarted under the same name is no longer the one that said goodbye
      if (type === 'worker-online') pipeline.zrem(this.keys.workerGoodbyes, this.name);
      await pipeline.exec();
      if (this.saidGoodbye) return;
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
    const handler = controlHandler(command.command);
    let reply: ControlReply;
    // a label value from the wire is bounded to the known commands
    const label = (CONTROL_COMMANDS as readonly string[]).includes(command.command)
      ? command.command
      : 'unknown';
    try {
      if (!handler) throw new Error(`unknown command '${String(command.command)}'`);
      reply = { worker: this.name, ok: true, message: await handler.execute(this, command.arguments) };
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
    if (reply.ok) handler?.afterReply(this);
    if (handler?.heartbeat !== false) {
      await this.heartbeat('worker-heartbeat'); // the monitor sees the new state at once
    }
  }
}
