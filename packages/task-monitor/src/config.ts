import { DEFAULT_QUEUES } from '@reelwatch/task-queue';
import { z } from 'zod';

/** The monitor's configuration; keys are the environment variables (TASK_MONITOR_*). */
export const monitorConfigSchema = z
  .object({
    TASK_MONITOR_REDIS_URL: z.string().url().default('redis://127.0.0.1:6379').describe('Redis URL (broker, events, control)'),
    TASK_MONITOR_KEY_PREFIX: z
      .string()
      .min(1)
      .default('reelwatch-tasks')
      .describe('prefix of every Redis key; the same as the workers’ TASK_WORKER_KEY_PREFIX'),
    TASK_MONITOR_HOST: z.string().default('0.0.0.0').describe('address the HTTP server listens on'),
    TASK_MONITOR_PORT: z.coerce.number().int().min(0).max(65535).default(5555).describe('HTTP port (Flower’s 5555)'),
    TASK_MONITOR_BASIC_AUTH: z
      .string()
      .default('')
      .describe('comma-separated user:password pairs for basic auth (secret); empty = no basic auth'),
    TASK_MONITOR_AUTH_TOKEN: z.string().default('').describe('bearer token accepted by the API and pages (secret); empty = none'),
    TASK_MONITOR_READ_ONLY: z
      .enum(['true', 'false', '1', '0'])
      .default('false')
      .transform((v) => v === 'true' || v === '1')
      .describe('refuse every mutating route (control, apply, revoke) with 403'),
    TASK_MONITOR_MAX_TASKS: z.coerce
      .number()
      .int()
      .min(100)
      .default(10_000)
      .describe('tasks kept in the history (in Redis, survives restarts); oldest evicted first'),
    TASK_MONITOR_PURGE_OFFLINE_WORKERS_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(3600)
      .describe('forget workers offline for longer than this'),
    TASK_MONITOR_QUEUES: z
      .string()
      .default(DEFAULT_QUEUES.join(','))
      .transform((s) =>
        s
          .split(',')
          .map((q) => q.trim())
          .filter(Boolean),
      )
      .describe('queues always inspected (besides those workers announce), comma-separated'),
    TASK_MONITOR_CONTROL_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(100)
      .default(1000)
      .describe('how long control calls wait for worker replies (Flower’s inspect_timeout)'),
    TASK_MONITOR_METRICS_USERNAME: z.string().default('').describe('basic-auth user for /metrics; empty = /metrics is open'),
    TASK_MONITOR_METRICS_PASSWORD: z.string().default('').describe('basic-auth password for /metrics (secret)'),
    TASK_MONITOR_LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
      .default('info')
      .describe('pino log level'),
  })
  .strict();

export type MonitorConfig = z.infer<typeof monitorConfigSchema>;
