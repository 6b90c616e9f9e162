import { envBoolean, envInt, envNumber, z } from '@reelwatch/service-kit';

/** Keys are the environment variable names (the package README's configuration table is generated from this schema: pnpm docs). */
export const producerConfigSchema = z
  .object({
    KAFKA_BROKERS: z
      .string()
      .min(1)
      .default('localhost:9092')
      .describe('Comma-separated Kafka bootstrap brokers (host:port).'),
    KAFKA_CLIENT_ID: z.string().min(1).default('reelwatch-event-producer').describe('Kafka client id.'),
    PRODUCER_TOPIC: z.string().min(1).default('movie-events').describe('Topic to write to.'),
    PRODUCER_MODE: z
      .enum(['generate', 'replay'])
      .default('generate')
      .describe('generate: simulate the stream; replay: send the lines of PRODUCER_REPLAY_FILE.'),
    PRODUCER_RATE: envNumber({ min: 0, max: 1_000_000 })
      .default(200)
      .describe('generate: events per second (0 = as fast as possible).'),
    PRODUCER_MAX_EVENTS: envInt({ min: 0, max: Number.MAX_SAFE_INTEGER })
      .default(0)
      .describe('generate: stop (and exit 0) after this many events; 0 = run until stopped.'),
    PRODUCER_SEED: envInt({ min: 0, max: 4_294_967_295 })
      .default(1)
      .describe('generate: PRNG seed; the same seed gives the same stream.'),
    PRODUCER_MALFORMED_RATIO: envNumber({ min: 0, max: 1 })
      .default(0.001)
      .describe('generate: ratio of lines replaced by malformed ones (0-1).'),
    PRODUCER_INITIAL_USERS: envInt({ min: 1, max: 100_000_000 })
      .default(1000)
      .describe('generate: users known at start.'),
    PRODUCER_INITIAL_MOVIES: envInt({ min: 1, max: 10_000_000 })
      .default(500)
      .describe('generate: movies in the catalogue at start.'),
    PRODUCER_NEW_USER_PROBABILITY: envNumber({ min: 0, max: 1 })
      .default(0.002)
      .describe('generate: probability per event that a new user arrives.'),
    PRODUCER_NEW_MOVIE_PROBABILITY: envNumber({ min: 0, max: 1 })
      .default(0.0002)
      .describe('generate: probability per event that a new movie is released.'),
    PRODUCER_REPLAY_FILE: z
      .string()
      .min(1)
      .default('-')
      .describe('replay: file of event lines; "-" = stdin.'),
    PRODUCER_REPLAY_SPEED: envNumber({ min: 0, max: 1_000_000 })
      .default(1)
      .describe(
        "replay: 1 = original pace (from the lines' times), N = N times faster, 0 = as fast as possible.",
      ),
    PRODUCER_BATCH_MAX: envInt({ min: 1, max: 100_000 })
      .default(1000)
      .describe('Most events per Kafka produce request.'),
    PRODUCER_IDEMPOTENT: envBoolean()
      .default(false)
      .describe(
        'kafkajs idempotent producer (needs a real broker; the librdkafka mock cluster used in tests rejects it). ' +
          'Ordering on retry is guaranteed either way by one request in flight.',
      ),
    PRODUCER_HTTP_HOST: z
      .string()
      .min(1)
      .default('0.0.0.0')
      .describe('Address of /metrics, /healthz, /readyz.'),
    PRODUCER_HTTP_PORT: envInt({ min: 0, max: 65_535 })
      .default(9464)
      .describe('Port of /metrics, /healthz, /readyz.'),
    PRODUCER_SHUTDOWN_DEADLINE_MS: envInt({ min: 1_000, max: 600_000 })
      .default(10_000)
      .describe('SIGTERM: finish the batch being sent and disconnect within this time.'),
    PRODUCER_LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('pino log level.'),
  })
  .strict();

export type ProducerConfig = z.infer<typeof producerConfigSchema>;
