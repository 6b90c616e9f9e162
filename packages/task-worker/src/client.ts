import { randomUUID } from 'node:crypto';
import { type Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { TaskQueueError } from './errors';
import { within } from './redis-connection';
import type { AnyTaskDefinition } from './task';

export interface ApplyOptions {
  /** another queue than the task's own */
  queue?: string;
  /** run no earlier than this many ms from now (Celery's countdown) */
  delayMs?: number;
  /** task id; a UUID by default (BullMQ's numeric ids repeat across queues) */
  taskId?: string;
  priority?: number;
}

/** Celery's task states, as Flower's API reports them. */
export type TaskState = 'PENDING' | 'RECEIVED' | 'STARTED' | 'SUCCESS' | 'FAILURE' | 'RETRY' | 'REVOKED';

export interface TaskResult {
  id: string;
  name: string;
  queue: string;
  state: TaskState;
  result?: unknown;
  exception?: string;
  job: Job;
}

/** Sends tasks and looks up their results; one BullMQ Queue per queue name, created on first use. */
export class TaskClient {
  private readonly queues = new Map<string, Queue>();
  private readonly tasks: Map<string, AnyTaskDefinition>;

  constructor(
    private readonly options: { connection: Redis; prefix: string; tasks: readonly AnyTaskDefinition[] },
  ) {
    this.tasks = new Map(options.tasks.map((t) => [t.name, t]));
  }

  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.options.connection, prefix: this.options.prefix });
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Task names this client knows, sorted. */
  taskTypes(): string[] {
    return [...this.tasks.keys()].sort();
  }

  task(name: string): AnyTaskDefinition | undefined {
    return this.tasks.get(name);
  }

  /** Enqueues a task after validating its arguments; returns the task id. */
  async apply(name: string, args: unknown, options: ApplyOptions = {}): Promise<string> {
    const task = this.tasks.get(name);
    if (!task) throw new TaskQueueError('UNKNOWN_TASK', `unknown task '${name}'`, { retryable: false });
    const data = task.parseArgs(args);
    const id = options.taskId ?? randomUUID();
    await this.queue(options.queue ?? task.queue).add(name, data, {
      jobId: id,
      attempts: task.attempts,
      backoff: task.backoff,
      delay: options.delayMs,
      priority: options.priority,
    });
    return id;
  }

  /** Enqueues many tasks of one type in one round trip (benchmarks, backfills). */
  async applyBulk(name: string, argsList: unknown[], options: { queue?: string } = {}): Promise<string[]> {
    const task = this.tasks.get(name);
    if (!task) throw new TaskQueueError('UNKNOWN_TASK', `unknown task '${name}'`, { retryable: false });
    const jobs = argsList.map((args) => ({
      name,
      data: task.parseArgs(args),
      opts: { jobId: randomUUID(), attempts: task.attempts, backoff: task.backoff },
    }));
    await this.queue(options.queue ?? task.queue).addBulk(jobs);
    return jobs.map((j) => j.opts.jobId);
  }

  /** Finds a task by id in the given queues (its own queue first when known). */
  async find(id: string, queues: Iterable<string>): Promise<{ job: Job; queue: string } | null> {
    for (const queue of new Set(queues)) {
      const job = await this.queue(queue).getJob(id);
      if (job) return { job, queue };
    }
    return null;
  }

  async result(id: string, queues: Iterable<string>): Promise<TaskResult | null> {
    // the state first, then the job: read the other way round a job that completes in between
    // would be SUCCESS without its return value
    let found: { job: Job; queue: string; state: string } | null = null;
    for (const queue of new Set(queues)) {
      const state = await this.queue(queue).getJobState(id);
      if (state === 'unknown') continue;
      const job = await this.queue(queue).getJob(id);
      if (job) {
        found = { job, queue, state };
        break;
      }
    }
    if (!found) return null;
    const { job, queue, state } = found;
    const base = { id, name: job.name, queue, job };
    switch (state) {
      case 'completed':
        return { ...base, state: 'SUCCESS', result: job.returnvalue };
      case 'failed':
        return job.failedReason === 'revoked'
          ? { ...base, state: 'REVOKED' }
          : { ...base, state: 'FAILURE', exception: job.failedReason };
      case 'active':
        return { ...base, state: 'STARTED' };
      default:
        // waiting, delayed, prioritized, waiting-children: not taken by a worker yet
        return { ...base, state: job.attemptsMade > 0 ? 'RETRY' : 'PENDING' };
    }
  }

  /** Closes the queues (not the shared connection); gives up after 2 s when Redis does not answer. */
  async close(): Promise<void> {
    await within(Promise.all([...this.queues.values()].map((q) => q.close())), 2000);
    this.queues.clear();
  }
}
