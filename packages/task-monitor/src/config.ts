import { envBoolean, envDurationMs, envInt, envList, envLogLevel, envPort, z } from '@reelwatch/service-kit';
import { DEFAULT_QUEUES } from '@reelwatch/task-worker';

/** The monitor's configuration; keys are the environment variables (TASK_MONITOR_*). */
export const monitorConfigSchema = z
  .object({
    TASK_MONITOR_REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL')
      .default('redis://127.0.0.1:6379')
      .describe('Redis URL (broker, events, control; a password in it is masked in logs)'),
    TASK_MONITOR_KEY_PREFIX: z
      .string()
      .min(1)
      .default('reelwatch-tasks')
      .describe("prefix of every Redis key; the same as the workers' TASK_WORKER_KEY_PREFIX"),
    TASK_MONITOR_HOST: z.string().default('0.0.0.0').describe('address the HTTP server listens on'),
    TASK_MONITOR_PORT: envPort().default(5555).describe("HTTP port (Flower's 5555)"),
    TASK_MONITOR_BASIC_AUTH: z
      .string()
      .optional()
      .describe('comma-separated user:password pairs for basic auth; unset = no basic auth'),
    TASK_MONITOR_AUTH_TOKEN: z
      .string()
      .optional()
      .describe('bearer token accepted by the API and pages; unset = none'),
    TASK_MONITOR_READ_ONLY: envBoolean()
      .default(false)
      .describe('refuse every mutating route (control, apply, revoke) with 403'),
    TASK_MONITOR_MAX_TASKS: envInt({ min: 100 })
      .default(10_000)
      .describe('tasks kept in the history (in Redis, survives restarts); oldest evicted first'),
    TASK_MONITOR_PURGE_OFFLINE_WORKERS_SECONDS: envInt({ min: 1 })
      .default(3600)
      .describe(
        "forget workers offline (shut down, or lost: heartbeats stopped without a goodbye) for longer than this many seconds, in memory and in Redis (Flower's purge_offline_workers); a lost worker alerts until then",
      ),
    TASK_MONITOR_QUEUES: envList()
      .default([...DEFAULT_QUEUES])
      .describe('queues always inspected (besides those workers announce), comma-separated'),
    TASK_MONITOR_CONTROL_TIMEOUT_MS: envDurationMs()
      .default(1000)
      .describe("how long control calls wait for worker replies (Flower's inspect_timeout)"),
    TASK_MONITOR_EVENT_READ_PAUSE_MS: envDurationMs()
      .default(200)
      .describe(
        'pause after reading the event stream dry: events pile up into bigger batches, so far fewer wake-ups, for at most this much delay',
      ),
    TASK_MONITOR_METRICS_USERNAME: z
      .string()
      .optional()
      .describe('basic-auth user for /metrics; unset = /metrics is open'),
    TASK_MONITOR_METRICS_PASSWORD: z.string().optional().describe('basic-auth password for /metrics'),
    TASK_MONITOR_LOG_LEVEL: envLogLevel().default('info').describe('pino log level'),
  })
  .strict();

export type MonitorConfig = z.infer<typeof monitorConfigSchema>;
