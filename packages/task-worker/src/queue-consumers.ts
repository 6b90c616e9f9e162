import { type Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type pino from 'pino';
import { closeRedis, watchConnection } from './redis-connection';
import type { WorkerMetrics } from './worker-metrics';

export interface QueueConsumer {
  worker: Worker;
  connection: Redis;
}

export interface QueueConsumersOptions {
  redisUrl: string;
  prefix: string;
  /** completed/failed jobs kept in Redis for results, per queue */
  keepJobs?: { completed: number; failed: number };
  /** jobs a consumer takes at once: the pool's size x the prefetch multiplier */
  takeAtOnce(): number;
  process(job: Job, queue: string): Promise<unknown>;
  metrics: WorkerMetrics;
  logger: pino.Logger;
}

/** The worker's BullMQ Workers, one per consumed queue, each on its own connection. */
export class QueueConsumers {
  private readonly consumers = new Map<string, QueueConsumer>();

  constructor(private readonly options: QueueConsumersOptions) {}

  get size(): number {
    return this.consumers.size;
  }

  get queues(): string[] {
    return [...this.consumers.keys()];
  }

  /** false when the queue is consumed already */
  add(queue: string): boolean {
    if (this.consumers.has(queue)) return false;
    const { options } = this;
    const connection = watchConnection(
      new Redis(options.redisUrl, { maxRetriesPerRequest: null }),
      options.logger,
      `consumer ${queue}`,
    );
    const keep = options.keepJobs ?? { completed: 10_000, failed: 10_000 };
    const worker = new Worker(queue, (job) => options.process(job, queue), {
      connection,
      prefix: options.prefix,
      concurrency: options.takeAtOnce(),
      removeOnComplete: { count: keep.completed },
      removeOnFail: { count: keep.failed },
    });
    worker.on('error', (err) => options.logger.error({ err, queue }, 'consumer error'));
    this.consumers.set(queue, { worker, connection });
    options.metrics.consumedQueues.set({ queue }, 1);
    return true;
  }

  async ready(queue: string): Promise<void> {
    await this.consumers.get(queue)?.worker.waitUntilReady();
  }

  async allReady(): Promise<void> {
    await Promise.all([...this.consumers.values()].map((c) => c.worker.waitUntilReady()));
  }

  /** Stops taking tasks from the queue; resolves when that queue's running tasks finished. */
  async cancel(queue: string): Promise<boolean> {
    const consumer = this.consumers.get(queue);
    if (!consumer) return false;
    this.consumers.delete(queue);
    this.options.metrics.consumedQueues.remove({ queue });
    await consumer.worker.close();
    await closeRedis(consumer.connection);
    return true;
  }

  /** Applies a new pool size to every consumer. */
  resized(): void {
    for (const { worker } of this.consumers.values()) worker.concurrency = this.options.takeAtOnce();
  }

  /** Hands every consumer over for closing (on stop). */
  detachAll(): QueueConsumer[] {
    const all = [...this.consumers.values()];
    this.consumers.clear();
    return all;
  }
}
