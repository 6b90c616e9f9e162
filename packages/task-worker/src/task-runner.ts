import { type Job, UnrecoverableError } from 'bullmq';
import type pino from 'pino';
import { TaskQueueError } from './errors';
import type { EventPublisher, TaskEventFields } from './event-publisher';
import { parseRateLimit, type TaskEventType, type WorkerInfo } from './protocol';
import { RevokedIds } from './revoked-ids';
import { SlotPool } from './slot-pool';
import { StartSpacing } from './start-spacing';
import type { AnyTaskDefinition, TaskDependencies } from './task';
import { runWithLimits, type TimeLimits } from './time-limits';
import type { WorkerMetrics } from './worker-metrics';

interface RunningTask {
  id: string;
  name: string;
  startedAt: number;
  kill(reason: Error): void;
}

type Outcome = 'succeeded' | 'failed' | 'retried' | 'revoked';

export interface TaskRunnerOptions {
  tasks: readonly AnyTaskDefinition[];
  concurrency: number;
  deps: TaskDependencies;
  events: EventPublisher | null;
  metrics: WorkerMetrics;
  logger: pino.Logger;
}

/**
 * Runs the jobs a worker's consumers take: waits for the task's rate limit and a pool slot,
 * discards revoked ids, applies time limits, counts outcomes and emits the task's events.
 */
export class TaskRunner {
  readonly pool: SlotPool;
  private readonly tasks: Map<string, AnyTaskDefinition>;
  private readonly spacing = new Map<string, StartSpacing>();
  private readonly timeLimits = new Map<string, TimeLimits>();
  private readonly running = new Map<string, RunningTask>();
  private readonly revoked = new RevokedIds();
  private readonly total: Record<string, number> = {};
  /** tasks taken from a queue and waiting for their rate limit or a slot */
  reserved = 0;
  processed = 0;

  constructor(private readonly options: TaskRunnerOptions) {
    this.tasks = new Map(options.tasks.map((t) => [t.name, t]));
    this.pool = new SlotPool(options.concurrency);
  }

  get active(): number {
    return this.running.size;
  }

  hasTask(name: string): boolean {
    return this.tasks.has(name);
  }

  /** The runner's part of the worker's announcement. */
  info(): Pick<
    WorkerInfo,
    'active' | 'reserved' | 'processed' | 'total' | 'registered' | 'rateLimits' | 'timeLimits' | 'activeTasks'
  > {
    return {
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
    };
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

  /** Remembers the id (a job with it is discarded); terminate aborts it if running here. */
  revoke(id: string, terminate: boolean): boolean {
    this.revoked.add(id);
    const running = this.running.get(id);
    if (terminate && running) {
      running.kill(new TaskQueueError('REVOKED', 'revoked', { retryable: false }));
      return true;
    }
    return false;
  }

  /** Fails every running task at once with `reason`. */
  killAll(reason: () => Error): void {
    for (const task of this.running.values()) task.kill(reason());
  }

  /** Resolves when no task runs (polled: only used on the way out). */
  async whenIdle(): Promise<void> {
    while (this.running.size > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  async process(job: Job, queue: string): Promise<unknown> {
    const id = job.id!;
    const name = job.name;
    const receivedAt = Date.now();
    const definition = this.tasks.get(name);
    const events = this.options.events;
    if (events) {
      const delay = job.opts.delay ?? 0;
      events.received(
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
    try {
      return await this.execute(definition, job, receivedAt);
    } finally {
      this.running.delete(id);
      this.pool.release();
    }
  }

  /** Runs a task holding a pool slot; maps its outcome to events, counts and BullMQ's retry. */
  private async execute(definition: AnyTaskDefinition, job: Job, receivedAt: number): Promise<unknown> {
    const id = job.id!;
    const name = definition.name;
    const { events, metrics } = this.options;
    const startedAt = Date.now();
    if (this.revoked.has(id)) {
      this.finish(name, 'revoked', id, 'task-revoked', { terminated: false, expired: false });
      throw new UnrecoverableError('revoked');
    }
    try {
      const waitSeconds = Math.max(0, (startedAt - job.timestamp - (job.opts.delay ?? 0)) / 1000);
      events?.started(id, name, startedAt / 1000, (startedAt - receivedAt) / 1000, waitSeconds);
      metrics.waitTime.observe({ task: name }, waitSeconds);
      const result = await this.run(definition, job);
      const runtime = (Date.now() - startedAt) / 1000;
      metrics.runtime.observe({ task: name }, runtime);
      this.count(name, 'succeeded');
      events?.succeeded(id, name, Date.now() / 1000, runtime, truncate(JSON.stringify(result ?? null)));
      return result;
    } catch (err) {
      if (err instanceof UnrecoverableError && err.message === 'revoked') throw err;
      const runtime = (Date.now() - startedAt) / 1000;
      if (err instanceof TaskQueueError && err.code === 'REVOKED') {
        this.finish(name, 'revoked', id, 'task-revoked', { terminated: true, expired: false, runtime });
        throw new UnrecoverableError('revoked');
      }
      metrics.runtime.observe({ task: name }, runtime);
      const retryable =
        !(err instanceof UnrecoverableError) && !(err instanceof TaskQueueError && !err.retryable);
      const willRetry = retryable && job.attemptsMade + 1 < (job.opts.attempts ?? 1);
      const exception = describeError(err);
      this.finish(name, willRetry ? 'retried' : 'failed', id, willRetry ? 'task-retried' : 'task-failed', {
        exception,
        traceback: err instanceof Error ? truncate(err.stack ?? '') : undefined,
        runtime,
      });
      this.options.logger.warn({ err, task: name, taskId: id, willRetry }, 'task failed');
      if (!retryable) throw new UnrecoverableError(exception);
      throw err;
    }
  }

  private run(definition: AnyTaskDefinition, job: Job): Promise<unknown> {
    const id = job.id!;
    const controller = new AbortController();
    const register = (kill: (reason: Error) => void) =>
      this.running.set(id, { id, name: definition.name, startedAt: Date.now(), kill });
    return runWithLimits(this.timeLimits.get(definition.name), controller, register, () =>
      definition.run(definition.parseArgs(job.data), {
        signal: controller.signal,
        logger: this.options.logger.child({ task: definition.name, taskId: id }),
        deps: this.options.deps,
        taskId: id,
        attempt: job.attemptsMade + 1,
      }),
    );
  }

  private finish(
    name: string,
    outcome: Outcome,
    id: string,
    type: TaskEventType,
    fields: TaskEventFields,
  ): void {
    this.count(name, outcome);
    this.options.events?.task(type, id, name, Date.now() / 1000, fields);
  }

  private count(name: string, outcome: Outcome): void {
    this.processed++;
    this.total[name] = (this.total[name] ?? 0) + 1;
    // a job name nobody registered is one label value, not one per name
    this.options.metrics.tasks.inc({ task: this.tasks.has(name) ? name : 'unregistered', outcome });
  }
}

export function truncate(text: string, max = 1024): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

export function describeError(err: unknown): string {
  if (err instanceof TaskQueueError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
