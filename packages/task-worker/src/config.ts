import { envBoolean, envDurationMs, envInt, envList, envLogLevel, envPort, z } from '@reelwatch/service-kit';
import { DEFAULT_QUEUES } from './tasks';

/** The worker's configuration; keys are the environment variables (TASK_WORKER_*). */
export const workerConfigSchema = z
  .object({
    TASK_WORKER_REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL')
      .default('redis://127.0.0.1:6379')
      .describe('Redis URL (broker, events, control; a password in it is masked in logs)'),
    TASK_WORKER_KEY_PREFIX: z
      .string()
      .min(1)
      .default('reelwatch-tasks')
      .describe(
        'prefix of every Redis key (BullMQ queues, events, heartbeats); the same for workers and monitor',
      ),
    TASK_WORKER_NAME: z
      .string()
      .optional()
      .describe(
        'worker name, unique per running process; unset = worker@<host>-<pid>. A name stable across restarts lets a restarted worker clear its own lost state',
      ),
    TASK_WORKER_QUEUES: envList()
      .default([...DEFAULT_QUEUES])
      .describe('comma-separated queues to consume'),
    TASK_WORKER_CONCURRENCY: envInt({ min: 1, max: 1000 })
      .default(4)
      .describe('pool size: tasks run at once'),
    TASK_WORKER_AUTOSCALE: z
      .string()
      .regex(/^\d+,\d+$/, 'expected max,min')
      .optional()
      .describe("Celery's --autoscale max,min; unset = fixed pool"),
    TASK_WORKER_PREFETCH_MULTIPLIER: envInt({ min: 1, max: 100 })
      .default(4)
      .describe("tasks taken from the queues = concurrency x this (Celery's worker_prefetch_multiplier)"),
    TASK_WORKER_HEARTBEAT_INTERVAL_MS: envDurationMs()
      .default(2000)
      .describe(
        'heartbeat period (ms, or 2s); a worker that stops heartbeating for 2 periods without a goodbye is lost',
      ),
    TASK_WORKER_EVENTS: envBoolean()
      .default(true)
      .describe("emit task events to the event stream (Celery's -E); false = unmonitored"),
    TASK_WORKER_EVENT_STREAM_MAXLEN: envInt({ min: 100 })
      .default(10_000)
      .describe(
        'approximate cap of the event stream in entries (XADD MAXLEN ~); an entry is a batch of up to 1000 events',
      ),
    TASK_WORKER_SHUTDOWN_TIMEOUT_MS: envDurationMs()
      .default(30_000)
      .describe('graceful shutdown waits this long for running tasks, then aborts them'),
    TASK_WORKER_REPLICA_URL: z
      .string()
      .default('postgres://postgres@127.0.0.1:5433/reelwatch')
      .describe('PostgreSQL replica the tasks read (password masked in logs)'),
    TASK_WORKER_EXPORT_DIR: z
      .string()
      .default('./exports')
      .describe('directory snapshot.export writes CSV files to'),
    TASK_WORKER_METRICS_HOST: z.string().default('0.0.0.0').describe('address of the /metrics server'),
    TASK_WORKER_METRICS_PORT: envPort().default(9466).describe('port of the /metrics server'),
    TASK_WORKER_LOG_LEVEL: envLogLevel().default('info').describe('pino log level'),
  })
  .strict();

export type WorkerConfig = z.infer<typeof workerConfigSchema>;

export function parseAutoscale(text: string | undefined): { max: number; min: number } | null {
  if (!text) return null;
  const [max, min] = text.split(',').map(Number) as [number, number];
  return { max, min };
}
